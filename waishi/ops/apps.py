from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """The operations floor, above the domain apps: backup and restore, the demo and the
    scale data, the server, the translation check. Nothing on the request path imports it."""

    name = "waishi.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from waishi.audit.messages import register, register_actors
        from waishi.ops.backup import AUDIT_MESSAGES

        # `waishi backup` and `waishi restore` record themselves.
        register(AUDIT_MESSAGES)
        # The demo loader writes some rows itself and names itself as their actor.
        register_actors(
            {
                "waishi seed_demo": _("the demo data loader"),
                "waishi seed-scale": _("the scale data loader"),
                "waishi backup": _("the backup command"),
                "waishi restore": _("the restore command"),
            }
        )
