"""What the outcome's and the supervised task's transition rows tell people
(``waishi.notify.handoffs``), the notice of an outcome given to a unit (a new row or a
reassignment: no transition, the services send it), the notices the task's services send
without a transition (a reminder, a supporting unit's report, more time asked, a red
alert), and the kinds of the daily sweep's notices."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.followups.links import task_url
from waishi.followups.workflow import EXTENSION, OUTCOME, TASK
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


# --- supervised tasks (督办事项) ----------------------------------------------------------

TASK_GROUP = gettext_lazy("Supervised tasks")

TASK_ASSIGNED = handoffs.kind(
    "followups.task_assigned",
    gettext_lazy("A supervised task was given to your unit"),
    group=TASK_GROUP,
    roles=UNIT_ROLES,
)
TASK_WAITING = handoffs.kind(
    "followups.task_waiting",
    gettext_lazy("A supervised task waits for the office"),
    group=TASK_GROUP,
    roles=FAO,
)
TASK_RETURNED = handoffs.kind(
    "followups.task_returned",
    gettext_lazy("A supervised task of your unit was returned"),
    group=TASK_GROUP,
    roles=UNIT_ROLES,
)
TASK_URGED = handoffs.kind(
    "followups.task_urged",
    gettext_lazy("A reminder about a supervised task of your unit"),
    group=TASK_GROUP,
    roles=UNIT_ROLES,
)
TASK_EXTENSION = handoffs.kind(
    "followups.task_extension",
    gettext_lazy("A decision on a request for more time"),
    group=TASK_GROUP,
    roles=UNIT_ROLES,
)
TASK_SUPPORT = handoffs.kind(
    "followups.task_support",
    gettext_lazy("A supporting unit reported on a task your unit leads"),
    group=TASK_GROUP,
    roles=UNIT_ROLES,
)
TASK_RED = handoffs.kind(
    "followups.task_red",
    gettext_lazy("A supervised task is past its deadline"),
    group=TASK_GROUP,
    roles=UNIT_ROLES | FAO,
)


def office(_subject=None) -> list:
    """The supervision office: the FAO's reviewers and head."""
    return list(users_holding(FAO))


def lead_unit(task) -> list:
    """The lead unit's clerks and leaders and the responsible person's account."""
    return responsible(task)


TASK_GIVEN = handoffs.notice(
    kind=TASK_ASSIGNED,
    recipients=lead_unit,
    title=lambda t: _("Supervised task for your unit: %(title)s") % {"title": t.title},
    body=lambda t: (
        _(
            "%(number)s. Accept it, or ask the office to redirect it with a reason; report its "
            "result by the deadline."
        )
        % {"number": t.number or "—"}
    ),
    url=task_url,
    due=lambda t: t.due_date,
)
TASK_KEPT = handoffs.notice(
    kind=TASK_ASSIGNED,
    recipients=lead_unit,
    title=lambda t: _("The task stays with your unit: %(title)s") % {"title": t.title},
    body=lambda t: _("The office did not redirect the task. Accept it and report its result."),
    url=task_url,
    due=lambda t: t.due_date,
)
TASK_REDIRECT_ASKED = handoffs.notice(
    kind=TASK_WAITING,
    recipients=office,
    title=lambda t: _("Redirect requested: %(title)s") % {"title": t.title},
    body=lambda t: (
        _("%(unit)s asks to redirect the task: %(reason)s")
        % {"unit": t.responsible_unit, "reason": t.redirect_reason}
    ),
    url=task_url,
)
TASK_FED_BACK = handoffs.notice(
    kind=TASK_WAITING,
    recipients=office,
    title=lambda t: _("Result to review: %(title)s") % {"title": t.title},
    body=lambda t: (
        _("%(unit)s reported the result of the task. Close it, or return it.")
        % {"unit": t.responsible_unit}
    ),
    url=task_url,
)
TASK_EXTENSION_ASKED = handoffs.notice(
    kind=TASK_WAITING,
    recipients=office,
    title=lambda e: _("More time requested: %(title)s") % {"title": e.outcome.title},
    body=lambda e: (
        _("%(unit)s asks to move the deadline from %(before)s to %(after)s: %(reason)s")
        % {
            "unit": e.outcome.responsible_unit,
            "before": e.due_before.isoformat(),
            "after": e.requested_date.isoformat(),
            "reason": e.reason,
        }
    ),
    url=lambda e: task_url(e.outcome_id),
)
TASK_SENT_BACK = handoffs.notice(
    kind=TASK_RETURNED,
    recipients=lead_unit,
    title=lambda t: _("Task returned as not solved: %(title)s") % {"title": t.title},
    body=lambda t: (
        _("The office returned the task: %(reason)s. Work on it and report again.")
        % {"reason": _last_return_reason(t)}
    ),
    url=task_url,
    due=lambda t: t.due_date,
)
TASK_REMINDED = handoffs.notice(
    kind=TASK_URGED,
    recipients=lambda u: lead_unit(u.outcome),
    title=lambda u: _("Reminder: %(title)s") % {"title": u.outcome.title},
    body=lambda u: u.text,
    url=lambda u: task_url(u.outcome_id),
    due=lambda u: u.outcome.due_date,
)
TASK_SUPPORTED = handoffs.notice(
    kind=TASK_SUPPORT,
    recipients=lambda r: lead_unit(r.outcome),
    title=lambda r: (
        _("%(unit)s reported its part: %(title)s") % {"unit": r.unit, "title": r.outcome.title}
    ),
    body=lambda r: r.text,
    url=lambda r: task_url(r.outcome_id),
)
TASK_EXTENSION_DECIDED = handoffs.notice(
    kind=TASK_EXTENSION,
    recipients=lambda e: lead_unit(e.outcome),
    title=lambda e: (
        (
            _("More time granted: %(title)s")
            if e.state == "granted"
            else _("More time refused: %(title)s")
        )
        % {"title": e.outcome.title}
    ),
    body=lambda e: (
        _("The deadline is now %(date)s (it was %(before)s).")
        % {"date": e.requested_date.isoformat(), "before": e.due_before.isoformat()}
        if e.state == "granted"
        else _("The deadline stays %(date)s. %(reason)s")
        % {"date": e.due_before.isoformat(), "reason": e.decision_reason}
    ),
    url=lambda e: task_url(e.outcome_id),
    due=lambda e: e.outcome.due_date,
)
TASK_WENT_RED = handoffs.notice(
    kind=TASK_RED,
    recipients=lambda t: [*lead_unit(t), *office()],
    title=lambda t: _("Red alert: %(title)s is past its deadline") % {"title": t.title},
    body=lambda t: (
        _("%(number)s of %(unit)s was due on %(due)s and is not closed.")
        % {"number": t.number or t.title, "unit": t.responsible_unit, "due": t.due_date.isoformat()}
    ),
    url=task_url,
    dedupe=lambda t: f"followups.task_red.{t.pk}.{t.due_date.isoformat()}",
)


def _last_return_reason(task) -> str:
    review = task.reviews.filter(decision="returned").order_by("-at", "-pk").first()
    return review.reason if review is not None else ""


handoffs.handoff(TASK, "assign", sends=TASK_GIVEN)
handoffs.handoff(TASK, "redirect", sends=TASK_GIVEN)
handoffs.handoff(TASK, "keep", sends=TASK_KEPT)
handoffs.handoff(TASK, "ask_redirect", sends=TASK_REDIRECT_ASKED)
handoffs.handoff(TASK, "feedback", sends=TASK_FED_BACK)
handoffs.handoff(TASK, "return", sends=TASK_SENT_BACK)
handoffs.silent(TASK, "accept", why="the lead unit takes up its own work: nothing waits")
handoffs.silent(
    TASK, "close", why="closed by the office: nothing waits; the lead unit sees it on its page"
)
handoffs.silent(TASK, "archive", why="a closed task filed under its year: nothing waits")
handoffs.silent(TASK, "drop", why="dropped by the head of the office, with a reason: nothing waits")
handoffs.handoff(EXTENSION, "grant", sends=TASK_EXTENSION_DECIDED)
handoffs.handoff(EXTENSION, "refuse", sends=TASK_EXTENSION_DECIDED)
