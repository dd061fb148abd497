"""The "my work" cards of arrivals: a district officer's open arrivals, overdue steps and
hand-overs to answer; the city command's overdue and escalated steps. The lead imports
this module from ``apps.py`` (the cards register themselves)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.roles import ARRIVALS_ROLES, Role, has
from waishi.lib.work import Card, register


@register
def _arrivals(user) -> list[Card]:
    if not has(user, ARRIVALS_ROLES):
        return []
    from waishi.arrivals import selectors
    from waishi.arrivals.models import Arrival
    from waishi.orgs import scoping

    now = timezone.now()
    late = selectors.overdue_steps(user, now=now)
    overdue = late.count()
    open_count = scoping.visible(user, Arrival).filter(state__in=selectors.OPEN_STATES).count()
    if user.role == Role.DISTRICT_OFFICER:
        queue = reverse("arrivals:queue")
        cards = [
            Card(
                _("Arrivals under your district's management"),
                open_count,
                queue,
                _("%(count)d steps overdue") % {"count": overdue},
            ),
            Card(_("Overdue arrival steps"), overdue, f"{queue}?overdue=on"),
        ]
        waiting = selectors.incoming_handovers(user).count()
        if waiting:
            cards.append(
                Card(
                    _("Hand-overs awaiting your answer"), waiting, reverse("arrivals:handover-list")
                )
            )
        return cards
    board = reverse("arrivals:board")
    escalated = late.filter(escalated_at__isnull=False).count()
    return [
        Card(
            _("Overdue arrival steps in the city"),
            overdue,
            board,
            _("%(count)d escalated to the city command") % {"count": escalated},
        ),
        Card(_("Open arrivals in the city"), open_count, board),
    ]
