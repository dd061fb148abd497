"""What the outcome's transition rows tell people (``waishi.notify.handoffs``), the notice
of an outcome given to a unit (a new row or a reassignment: no transition, the services
send it), and the kinds of the daily sweep's notices."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.followups.workflow import OUTCOME
from waishi.lib.roles import FAO, UNIT_ROLES
from waishi.notify import handoffs
from waishi.orgs.selectors import users_holding

GROUP = gettext_lazy("Follow-ups")

ASSIGNED = handoffs.kind(
    "followups.assigned",
    gettext_lazy("A follow-up was given to your unit"),
    group=GROUP,
    roles=UNIT_ROLES,
)
OVERDUE = handoffs.kind(
    "followups.overdue",
    gettext_lazy("A follow-up of your unit is overdue"),
    group=GROUP,
    roles=UNIT_ROLES,
)
ESCALATION = handoffs.kind(
    "followups.escalation", gettext_lazy("A follow-up is long overdue"), group=GROUP, roles=FAO
)


def responsible(outcome) -> list:
    """The responsible person's account, if any, and the responsible unit's clerks and
    leaders."""
    own = get_user_model().objects.filter(person_id=outcome.responsible_person_id, is_active=True)
    return [*own, *users_holding(UNIT_ROLES, unit_id=outcome.responsible_unit_id)]


def _url(outcome) -> str:
    return reverse("followups:detail", kwargs={"outcome_pk": outcome.pk})


GIVEN = handoffs.notice(
    kind=ASSIGNED,
    recipients=responsible,
    title=lambda o: _("Follow-up for your unit: %(title)s") % {"title": o.title},
    body=lambda o: _("Record its progress and mark it done by the due date."),
    url=_url,
    due=lambda o: o.due_date,
)

handoffs.handoff(OUTCOME, "reschedule", sends=GIVEN)
handoffs.silent(OUTCOME, "start", why="the responsible unit starts its own work: nothing waits")
handoffs.silent(
    OUTCOME,
    "overdue",
    why="told by the daily sweep's own notice ('followups.overdue', in the transition's "
    "effect, so that its audit event counts the recipients)",
)
handoffs.silent(OUTCOME, "complete", why="done: nothing waits for anyone")
handoffs.silent(OUTCOME, "drop", why="dropped by the FAO head: nothing waits for anyone")
