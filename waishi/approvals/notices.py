"""What the approval step's rows tell people (``waishi.notify.handoffs``): a step that
becomes pending (the first of a round, or the next after an approval) tells the people
who may decide it -- its approvers and their delegates in force -- with its due date. A
delegation that comes into force tells its delegate of the steps already waiting
(``tell_delegate``: when it is created in force, and by the daily job on its first day)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.approvals import selectors, subjects
from waishi.approvals.models import UNIT_APPROVER_ROLES, ApprovalStep, Delegation, StepState
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


WAITS = handoffs.notice(
    kind=WAITING,
    recipients=approvers,
    title=_title,
    body=_body,
    url=_url,
    due=lambda step: step.due_on,
    # A step starts once: its approvers and delegates are told once, at its start or
    # when a delegation in force begins (``tell_delegate``).
    dedupe=lambda step: f"approvals.waiting.{step.pk}",
)
handoffs.handoff(STEP, "start", sends=WAITS)


def tell_delegate(delegation, today=None) -> int:
    """Tell the delegate of a delegation in force ``today`` of the steps already waiting
    for its delegator (the steps started later tell the delegate themselves). Once per
    step. Returns how many notices were sent."""
    today = today or timezone.localdate()
    if delegation.revoked_at is not None or not (
        delegation.starts_on <= today <= delegation.ends_on
    ):
        return 0
    delegator, delegate = delegation.delegator, delegation.delegate
    steps = ApprovalStep.objects.filter(state=StepState.PENDING, approver_role=delegator.role)
    if delegator.role in UNIT_APPROVER_ROLES:
        steps = steps.filter(unit_id=delegator.unit_id)
    if delegation.applies_to:
        steps = steps.filter(subject_type=delegation.applies_to)
    told = 0
    for step in steps.order_by("pk"):
        told += len(handoffs.tell(WAITS, step, to=[delegate]))
    return told


def delegations_beginning(today=None) -> int:
    """The daily job's part: tell the delegates of the delegations that begin ``today``."""
    today = today or timezone.localdate()
    beginning = Delegation.objects.filter(starts_on=today, revoked_at__isnull=True).select_related(
        "delegator", "delegate"
    )
    return sum(tell_delegate(d, today) for d in beginning.order_by("pk"))


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
