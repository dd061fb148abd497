from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "waishi.plans"
    label = "plans"
    verbose_name = _("Annual plans")

    def ready(self) -> None:
        from waishi.lib.roles import CITY_ROLES, UNIT_ROLES
        from waishi.orgs.scoping import Scope, register
        from waishi.plans import (  # noqa: F401
            audit_messages,
            notices,
            work,
        )
        from waishi.plans.models import PlanEntry, PlanEntryVersion, PlanYear, Quota, QuotaLedger

        # The plan year itself is like reference data for the roles that plan, review and
        # approve; its entries and quotas belong to units.
        register(PlanYear, Scope(only=UNIT_ROLES | CITY_ROLES, url_kwarg="plan_pk"))
        register(PlanEntry, Scope(unit="unit_id", url_kwarg="entry_pk"))
        register(PlanEntryVersion, Scope(unit="entry__unit_id"))
        register(Quota, Scope(unit="unit_id", url_kwarg="quota_pk"))
        register(QuotaLedger, Scope(unit="quota__unit_id"))
