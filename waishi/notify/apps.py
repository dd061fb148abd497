from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "waishi.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from waishi.lib.workflow import transitioned
        from waishi.notify import handoffs, notices  # noqa: F401

        # One receiver for every workflow: the rows each app declares in its notices.py.
        transitioned.connect(handoffs.deliver, dispatch_uid="waishi.notify.handoffs")
