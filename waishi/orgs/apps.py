from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "waishi.orgs"
    label = "orgs"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from waishi.lib.roles import MANAGES_ACCOUNTS, MANAGES_SECURITY
        from waishi.orgs import audit_messages  # noqa: F401
        from waishi.orgs.models import District, Person, Unit, User
        from waishi.orgs.scoping import Scope, register

        register(District, Scope(reference=True, url_kwarg="district_pk"))
        register(Unit, Scope(reference=True, url_kwarg="unit_pk"))
        register(Person, Scope(unit="unit_id", url_kwarg="person_pk"))
        register(User, Scope(only=MANAGES_ACCOUNTS | MANAGES_SECURITY, url_kwarg="user_pk"))
