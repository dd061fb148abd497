from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "waishi.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from waishi.api import audit_messages, schema  # noqa: F401
        from waishi.api.models import ApiToken
        from waishi.lib.roles import MANAGES_SECURITY
        from waishi.orgs.scoping import Scope, register

        # A token belongs to one account, not to a unit: its owner sees it, and so does the
        # security administrator (to revoke it); nobody else, whatever their role.
        register(ApiToken, Scope(only=MANAGES_SECURITY, owner="user_id", url_kwarg="token_prefix"))
