from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "waishi.accounts"
    label = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self) -> None:
        from waishi.accounts import audit_messages, signals  # noqa: F401
