"""What the approval step's rows tell people (``waishi.notify.handoffs``): a step that
becomes pending (the first of a round, or the next after an approval) tells the people
who may decide it -- its approvers and their delegates in force -- with its due date."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.approvals import selectors, subjects
from waishi.approvals.workflow import STEP
from waishi.lib.roles import APPROVERS
from waishi.notify import handoffs

GROUP = gettext_lazy("Approvals")

WAITING = handoffs.kind(
    "approvals.waiting", gettext_lazy("An approval waits for you"), group=GROUP, roles=APPROVERS
)
REMINDER = handoffs.kind(
    "approvals.reminder",
    gettext_lazy("An approval waiting for you is overdue"),
    group=GROUP,
    roles=APPROVERS,
)
ESCALATION = handoffs.kind(
    "approvals.escalation",
    gettext_lazy("An approval of the approvers you supervise is long overdue"),
    group=GROUP,
    roles=APPROVERS,
)


def approvers(step) -> list:
    """Who may decide ``step`` now: its approvers and their delegates in force, not the
    record's drafter or members (``selectors.approvers_of``)."""
    excluded = subjects.excluded_user_ids(step.subject_type, step.subject_id)
    return selectors.approvers_of(step, excluded_user_ids=excluded)


def _title(step) -> str:
    title = subjects.titles(step.subject_type, [step.subject_id])[step.subject_id]
    return _("Waiting for your approval: “%(title)s”") % {"title": title}


def _body(step) -> str:
    subject = subjects.get(step.subject_type)
    what = str(subject.label) if subject is not None else _("record")
    return _("%(what)s waits for your decision (approve, return or reject).") % {"what": what}


def _url(step) -> str:
    return subjects.url_of(step.subject_type, step.subject_id) or reverse("approvals:queue")


handoffs.handoff(
    STEP,
    "start",
    kind=WAITING,
    recipients=approvers,
    title=_title,
    body=_body,
    url=_url,
    due=lambda step: step.due_on,
)
handoffs.silent(
    STEP,
    "approve",
    why="an approval starts the next step (its 'start' tells the next approvers) or is the "
    "final approval (the record's own 'approve' transition tells its unit)",
)
handoffs.silent(STEP, "return", why="the record's own 'return' transition tells its unit")
handoffs.silent(STEP, "reject", why="the record's own 'reject' transition tells its unit")
handoffs.silent(
    STEP,
    "cancel",
    why="a cancelled step waits for nobody: the withdrawal, cancellation or new round that "
    "cancelled it is the unit's own act, or a decision whose own notice tells the unit",
)
