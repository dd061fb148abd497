from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "waishi.orgs"
    label = "orgs"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from waishi.audit.scope import HistoryScope
        from waishi.audit.scope import register as register_history_scope
        from waishi.lib.roles import MANAGES_ACCOUNTS, MANAGES_SECURITY
        from waishi.orgs import audit_messages  # noqa: F401
        from waishi.orgs.models import District, Person, Unit, User
        from waishi.orgs.scoping import (
            Scope,
            named_in_history,
            register,
            restricted_in_history,
        )

        # The audit history asks the scoping what a viewer may see (audit imports no orgs).
        register_history_scope(
            HistoryScope(named=named_in_history, restricted=restricted_in_history)
        )

        register(District, Scope(reference=True, url_kwarg="district_pk"))
        register(Unit, Scope(reference=True, url_kwarg="unit_pk"))
        register(Person, Scope(unit="unit_id", url_kwarg="person_pk"))
        register(User, Scope(only=MANAGES_ACCOUNTS | MANAGES_SECURITY, url_kwarg="user_pk"))
