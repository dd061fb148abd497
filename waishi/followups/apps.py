from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "waishi.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from waishi.followups import (
            audit_messages,  # noqa: F401
            notices,  # noqa: F401  (who is told of each transition)
            obligations,
        )
        from waishi.followups.models import Outcome, ProgressUpdate
        from waishi.followups.selectors import outcome_obligations
        from waishi.lib import work
        from waishi.orgs.scoping import Scope, register

        # Outcomes belong to their responsible unit (unit roles see their unit's, city
        # roles all); progress updates to their outcome's.
        register(Outcome, Scope(unit="responsible_unit_id", url_kwarg="outcome_pk"))
        register(
            ProgressUpdate,
            Scope(unit="outcome__responsible_unit_id", url_kwarg="update_pk"),
        )
        obligations.register(outcome_obligations)
        work.register(_overdue_card)


def _overdue_card(user):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from waishi.followups import selectors
    from waishi.lib.roles import UNIT_ROLES, VIEWERS, has
    from waishi.lib.work import Card

    if not has(user, VIEWERS):
        return []
    unit_role = user.role in UNIT_ROLES
    count = selectors.overdue_count(user, user.unit_id if unit_role else None)
    if not count and not unit_role:
        return []
    url = reverse("followups:list") + "?overdue=on"
    return [Card(_("Overdue follow-ups"), count, url, "")]
