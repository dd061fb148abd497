"""What the rows of the trip's, the change request's and the report's transition tables
tell people (``waishi.notify.handoffs``; imported by ``MissionsConfig.ready``).

The approvers of a submitted application or change hear it from the approval step that
waits for them (``approvals.notices``), not from these tables; here: the unit hears of a
return, a decision and a cancellation; the unit's clerks of the report owed once the
trip is back (the daily ``report_sweep`` reminds them before and on the due date, under
the same kind); the FAO of a report that waits for its review.

The end of a trip's publicity (公示) is no transition: the daily ``publicity_ready``
(``tasks.daily_publicity_ready``) tells the approvers of a final step that waited for
it that the final approval can now be given."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.approvals import notices as approval_notices
from waishi.approvals import selectors as approval_selectors
from waishi.lib.roles import APPROVERS, CLERKS, FAO, UNIT_ROLES, Role
from waishi.missions.changes.workflow import CHANGE
from waishi.missions.core.exclusion import excluded_user_ids
from waishi.missions.core.workflow import MISSION
from waishi.missions.models import Publicity, State, TripReport
from waishi.missions.report.workflow import REPORT
from waishi.notify import handoffs
from waishi.orgs.selectors import users_holding

GROUP = gettext_lazy("Trips abroad")

RETURNED = handoffs.kind(
    "missions.returned",
    gettext_lazy("An application was returned for changes"),
    group=GROUP,
    roles=UNIT_ROLES,
)
DECIDED = handoffs.kind(
    "missions.decided",
    gettext_lazy("A trip application was approved, rejected or cancelled"),
    group=GROUP,
    roles=UNIT_ROLES,
)
CHANGE_DECIDED = handoffs.kind(
    "missions.change_decided",
    gettext_lazy("A decision on a change request"),
    group=GROUP,
    roles=UNIT_ROLES,
)
REPORT_DUE = handoffs.kind(
    "missions.report_reminder", gettext_lazy("A trip report is due"), group=GROUP, roles=UNIT_ROLES
)
REPORT_OVERDUE = handoffs.kind(
    "missions.report_escalation",
    gettext_lazy("A trip report of your unit is overdue"),
    group=GROUP,
    roles=UNIT_ROLES,
)
REPORT_REVIEW = handoffs.kind(
    "missions.report_submitted",
    gettext_lazy("A trip report waits for review"),
    group=GROUP,
    roles=FAO,
)
PUBLICITY_READY = handoffs.kind(
    "missions.publicity_ready",
    gettext_lazy("A trip's publicity has run: its final approval can be given"),
    group=GROUP,
    roles=APPROVERS,
)
REPORT_DECIDED = handoffs.kind(
    "missions.report_decided",
    gettext_lazy("A trip report was accepted or returned"),
    group=GROUP,
    roles=UNIT_ROLES,
)


def unit_clerks(mission) -> list:
    """The unit's clerks, and whoever drafted the application (when still active)."""
    clerks = list(users_holding(CLERKS, unit_id=mission.unit_id))
    return clerks + ([mission.created_by] if mission.created_by_id else [])


def _comment(subject_type: str, pk: int) -> str:
    """The approver's comment of the subject's last decided step ("" when none)."""
    step = (
        approval_selectors.steps_for(subject_type, pk)
        .filter(decided_at__isnull=False)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return (step.comment or "") if step is not None else ""


def _with_comment(text: str, comment: str) -> str:
    said = _("The approver's comment: %(comment)s") % {"comment": comment} if comment else ""
    return "\n".join(part for part in (text, said) if part)


def _mission_url(mission) -> str:
    return reverse("missions:detail", kwargs={"mission_pk": mission.pk})


# --- the application and the trip -----------------------------------------------------

for action in ("submit", "resubmit"):
    handoffs.silent(
        MISSION,
        action,
        why="the first approval step's 'start' tells its approvers (approvals.notices)",
    )
handoffs.silent(
    MISSION,
    "review",
    why="the first step's approval starts the next step, whose 'start' tells its approvers",
)
handoffs.silent(MISSION, "withdraw", why="the unit withdrew its own application: nobody acts")
handoffs.handoff(
    MISSION,
    "return",
    kind=RETURNED,
    recipients=unit_clerks,
    title=lambda m: _("Returned for changes: “%(trip)s”") % {"trip": m},
    body=lambda m: _with_comment(
        _("Correct the application as the approver asks and submit it again."),
        _comment("missions.mission", m.pk),
    ),
    url=_mission_url,
)
handoffs.handoff(
    MISSION,
    "approve",
    kind=DECIDED,
    recipients=unit_clerks,
    title=lambda m: _("Approved: “%(trip)s”") % {"trip": m},
    body=lambda m: _(
        "Prepare the departure: the members' education, the checklist and the passports."
    ),
    url=_mission_url,
    due=lambda m: m.departure_date,
)
handoffs.handoff(
    MISSION,
    "reject",
    kind=DECIDED,
    recipients=unit_clerks,
    title=lambda m: _("Rejected: “%(trip)s”") % {"trip": m},
    body=lambda m: _with_comment("", _comment("missions.mission", m.pk)),
    url=_mission_url,
)
handoffs.handoff(
    MISSION,
    "cancel",
    kind=DECIDED,
    recipients=lambda m: [*unit_clerks(m), *users_holding(Role.UNIT_LEADER, unit_id=m.unit_id)],
    title=lambda m: _("Cancelled: “%(trip)s”") % {"trip": m},
    body=lambda m: _("The trip will not take place; passports issued for it go back to the FAO."),
    url=_mission_url,
)
handoffs.silent(
    MISSION,
    "depart",
    why="the unit (or the FAO for it) confirms its own departure; nothing waits until the return",
)


def _report_of(mission) -> TripReport | None:
    return TripReport.objects.filter(mission_id=mission.pk).first()


handoffs.handoff(
    MISSION,
    "come_back",
    kind=REPORT_DUE,
    recipients=lambda m: users_holding(Role.UNIT_CLERK, unit_id=m.unit_id),
    title=lambda m: _("Trip report of “%(trip)s” due") % {"trip": m},
    body=lambda m: _(
        "The trip is back. Write the report, publish it inside the unit for the required "
        "working days and submit it to the FAO by the due date."
    ),
    url=lambda m: reverse("missions:report", kwargs={"mission_pk": m.pk}),
    due=lambda m: getattr(_report_of(m), "due_date", None),
)
handoffs.silent(
    MISSION,
    "close",
    why="the trip's last step: the report is accepted and every passport back, nothing waits",
)

# --- change requests --------------------------------------------------------------------


def _change_url(change) -> str:
    return reverse(
        "missions:change-detail", kwargs={"mission_pk": change.mission_id, "change_pk": change.pk}
    )


def _change_clerks(change) -> list:
    return [
        *users_holding(CLERKS, unit_id=change.mission.unit_id),
        *([change.created_by] if change.created_by_id else []),
    ]


for action in ("submit", "resubmit"):
    handoffs.silent(
        CHANGE,
        action,
        why="the change's first approval step's 'start' tells its approvers (approvals.notices)",
    )
handoffs.silent(
    CHANGE,
    "review",
    why="the first step's approval starts the next step, whose 'start' tells its approvers",
)
handoffs.silent(CHANGE, "withdraw", why="the unit withdrew its own change request: nobody acts")
_CHANGE_TITLES = {
    "return": gettext_lazy("Change request returned for changes: “%(change)s”"),
    "approve": gettext_lazy("Change request approved: “%(change)s”"),
    "reject": gettext_lazy("Change request rejected: “%(change)s”"),
}
for action, title in _CHANGE_TITLES.items():
    handoffs.handoff(
        CHANGE,
        action,
        kind=CHANGE_DECIDED,
        recipients=_change_clerks,
        title=lambda c, t=title: str(t) % {"change": c},
        body=lambda c: _with_comment("", _comment("missions.change", c.pk)),
        url=_change_url,
    )

# --- the trip report --------------------------------------------------------------------


def _report_url(report) -> str:
    return reverse("missions:report", kwargs={"mission_pk": report.mission_id})


def _reviewers(report) -> list:
    """The FAO's reviewers and head, but those who travelled on the trip."""
    excluded = excluded_user_ids(report.mission_id)
    return [u for u in users_holding(FAO) if u.pk not in excluded]


handoffs.handoff(
    REPORT,
    "submit",
    kind=REPORT_REVIEW,
    recipients=_reviewers,
    title=lambda r: _("Trip report to review: “%(trip)s”") % {"trip": r.mission},
    body=lambda r: _("Accept the report or return it with a comment."),
    url=_report_url,
)
handoffs.handoff(
    REPORT,
    "return",
    kind=REPORT_DECIDED,
    recipients=lambda r: users_holding(CLERKS, unit_id=r.mission.unit_id),
    title=lambda r: _("Trip report returned for changes: “%(trip)s”") % {"trip": r.mission},
    body=lambda r: _("Correct the report as the FAO asks and submit it again."),
    url=_report_url,
    due=lambda r: r.due_date,
)
handoffs.handoff(
    REPORT,
    "accept",
    kind=REPORT_DECIDED,
    recipients=lambda r: users_holding(CLERKS, unit_id=r.mission.unit_id),
    title=lambda r: _("Trip report accepted: “%(trip)s”") % {"trip": r.mission},
    body=lambda r: _("The trip closes once every passport is back with the FAO."),
    url=_report_url,
)


# --- the publicity has run ----------------------------------------------------------------


def _final_step(mission):
    """The trip's pending step when it is the last of its round (the final approval,
    which waits for the publicity), else None."""
    step = approval_selectors.current_step("missions.mission", mission.pk)
    if step is None:
        return None
    later = approval_selectors.steps_for("missions.mission", mission.pk).filter(
        round=step.round, state="waiting"
    )
    return None if later.exists() else step


PUBLICITY_HAS_RUN = handoffs.notice(
    kind=PUBLICITY_READY,
    recipients=lambda m: approval_notices.approvers(_final_step(m)),
    title=lambda m: _("Publicity over: “%(trip)s” can be given its final approval") % {"trip": m},
    body=lambda m: _("The publicity period ended on %(date)s.") % {"date": m.publicity.ends_on},
    url=_mission_url,
    due=lambda m: _final_step(m).due_on,
)


def publicity_ready(today=None) -> int:
    """Tell the approvers of each trip's final step, once, that the trip's publicity has
    run since the step started waiting (before that, the step's own start told them all
    they need). Returns how many were told; safe to run twice (deduplicated)."""
    today = today or timezone.localdate()
    told = 0
    rows = (
        Publicity.objects.filter(
            starts_on__isnull=False,
            ends_on__lt=today,
            mission__state__in=[State.SUBMITTED, State.IN_REVIEW],
        )
        .select_related("mission")
        .order_by("ends_on", "pk")
    )
    for publicity in rows:
        mission = publicity.mission
        step = _final_step(mission)
        if step is None or step.started_at is None:
            continue
        if publicity.ends_on < timezone.localdate(step.started_at):
            continue  # it had run when the step started: nothing new to tell
        told += len(
            handoffs.tell(
                PUBLICITY_HAS_RUN,
                mission,
                dedupe_key=f"missions.publicity_ready.{mission.pk}.{publicity.ends_on}",
            )
        )
    return told
