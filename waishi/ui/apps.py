from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    name = "waishi.ui"
    label = "ui"
    verbose_name = _("User interface")

    def ready(self) -> None:
        from waishi.audit.messages import register
        from waishi.lib.backup import AUDIT_MESSAGES

        # `waishi backup` and `waishi restore` (ui's commands) record themselves.
        register(AUDIT_MESSAGES)
