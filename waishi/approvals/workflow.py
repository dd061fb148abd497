"""The approval step's states as a transition table on the workflow engine
(``waishi.lib.workflow``): ``services`` moves every step through ``STEP.apply``, under
the step's row lock.

A step is created waiting (or pending, the first of its round). Its approver decides it
(approve, return, reject); the approval of one step starts the next; a return, a
rejection, a withdrawal or a new round cancels the steps still open.

What the audit trail shows is unchanged: one ``approval.step.<decision>`` event per
decision, on the subject (not on the step row), and no event of its own for a step
started or cancelled -- those belong to the decision, or to the ``approval.chain.*``
event of the start or cancellation of the chain, that caused them.
"""

from __future__ import annotations

from waishi.approvals import subjects
from waishi.approvals.models import APPROVER_ROLES, ApprovalStep, StepState
from waishi.audit.services import record
from waishi.lib.roles import Role
from waishi.lib.workflow import Transition, Workflow

# Who may send a record into its chain, or withdraw it: the unit's own clerk and leader
# (for their unit's records), and the FAO.
DRIVES_CHAINS = frozenset({Role.UNIT_CLERK, Role.UNIT_LEADER, Role.FAO_REVIEWER, Role.FAO_HEAD})
# A decision cancels the rest of its round: whoever drives or decides a chain.
CANCELS_STEPS = DRIVES_CHAINS | APPROVER_ROLES

# The decisions an approver takes on a pending step (the transition's action).
DECISIONS = ("approve", "return", "reject")


def _record(*, action: str, actor, obj: ApprovalStep, ip: str, data: dict, on_behalf_of, **_):
    """The audit event of a decision, on the subject; nothing for a start or a
    cancellation (recorded by the decision or the chain event that caused it)."""
    if action.rsplit(".", 1)[-1] not in DECISIONS:
        return None
    return record(
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        object_type=obj.subject_type,
        object_id=obj.subject_id,
        object_repr=subjects.titles(obj.subject_type, [obj.subject_id])[obj.subject_id],
        ip=ip,
        data=data,
    )


W, P = StepState.WAITING, StepState.PENDING

STEP = Workflow(
    name="approval.step",
    states=dict(StepState.choices),
    transitions=[
        Transition(W, "start", P, roles=APPROVER_ROLES),
        Transition(P, "approve", StepState.APPROVED, roles=APPROVER_ROLES),
        Transition(P, "return", StepState.RETURNED, roles=APPROVER_ROLES),
        Transition(P, "reject", StepState.REJECTED, roles=APPROVER_ROLES),
        Transition(W, "cancel", StepState.CANCELLED, roles=CANCELS_STEPS),
        Transition(P, "cancel", StepState.CANCELLED, roles=CANCELS_STEPS),
    ],
    recorder=_record,
)
