"""What the arrivals' transition rows tell people (``waishi.notify.handoffs``), the
notice of a hand-over offered (a new row, no transition: ``services.handover_request``
sends it), and the kinds of the arrivals' other notices."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.arrivals.workflow import ARRIVAL, BATCH, HANDOVER, STEP
from waishi.lib.roles import ARRIVALS_ROLES, COMMAND, DISTRICT_OFFICERS, Role
from waishi.notify import handoffs
from waishi.orgs.selectors import users_holding

GROUP = gettext_lazy("Arrivals from abroad")

HANDOVER_KIND = handoffs.kind(
    "arrivals.handover",
    gettext_lazy("A hand-over between districts"),
    group=GROUP,
    roles=DISTRICT_OFFICERS,
)
REASSIGN = handoffs.kind(
    "arrivals.reassign",
    gettext_lazy("The city command moved an arrival"),
    group=GROUP,
    roles=DISTRICT_OFFICERS,
)
handoffs.kind(
    "arrivals.escalation",
    gettext_lazy("An arrival's step was not confirmed in time"),
    group=GROUP,
    roles=COMMAND,
)
handoffs.kind(
    "arrivals.summary",
    gettext_lazy("The daily arrivals summary"),
    group=GROUP,
    roles=ARRIVALS_ROLES,
)


def district_officers(district_id: int):
    return users_holding(Role.DISTRICT_OFFICER, district_id=district_id)


def _handover_url(handover) -> str:
    # After an accept the asking district no longer sees the arrival: the hand-over page
    # is what both districts can open.
    return reverse("arrivals:handover-detail", args=[handover.pk])


OFFERED = handoffs.notice(
    kind=HANDOVER_KIND,
    recipients=lambda h: district_officers(h.to_district_id),
    title=lambda h: (
        _("%(district)s asks your district to take over an arrival")
        % {"district": h.from_district.name}
    ),
    body=lambda h: h.reason,
    url=_handover_url,
)

handoffs.handoff(
    HANDOVER,
    "accept",
    kind=HANDOVER_KIND,
    recipients=lambda h: district_officers(h.from_district_id),
    title=lambda h: (
        _("%(district)s took over the arrival %(arrival)s")
        % {"district": h.to_district.name, "arrival": h.arrival}
    ),
    body=lambda h: h.decision_reason,
    url=_handover_url,
)
handoffs.handoff(
    HANDOVER,
    "refuse",
    kind=HANDOVER_KIND,
    recipients=lambda h: district_officers(h.from_district_id),
    title=lambda h: (
        _("%(district)s refused to take over the arrival %(arrival)s")
        % {"district": h.to_district.name, "arrival": h.arrival}
    ),
    body=lambda h: h.decision_reason,
    url=_handover_url,
)
handoffs.handoff(
    HANDOVER,
    "withdraw",
    kind=HANDOVER_KIND,
    recipients=lambda h: district_officers(h.to_district_id),
    title=lambda h: (
        _("%(district)s withdrew its hand-over request") % {"district": h.from_district.name}
    ),
    url=_handover_url,
)
handoffs.silent(
    HANDOVER,
    "void",
    why="told by services.arrival_reassign's own notice ('arrivals.reassign'): the districts "
    "concerned hear of the move that voided the request",
)
handoffs.silent(
    ARRIVAL,
    "manage",
    why="the district confirmed its own first step: the next steps are its own work, and "
    "an overdue one escalates ('arrivals.escalation')",
)
handoffs.silent(ARRIVAL, "close", why="the district confirmed its own last step: nothing waits")
handoffs.silent(
    STEP,
    "confirm",
    why="the district confirms its own steps in order; an overdue one escalates to the city "
    "command ('arrivals.escalation')",
)
handoffs.silent(
    BATCH,
    "import",
    why="the imported arrivals are each district's work, shown on its board and in the "
    "daily summary ('arrivals.summary')",
)
handoffs.silent(BATCH, "refuse", why="the city command refused its own list: nothing waits")
