"""The approval step's states as a transition table on the workflow engine
(``waishi.lib.workflow``): ``services`` moves every step through ``STEP.apply``, under
the step's row lock.

A step is created waiting; the start of its chain starts the first (so whoever drives
chains may ``start``), the approval of one step starts the next: ``start`` is the one
place a step becomes pending (``notices`` tells its approvers there). Its approver
decides it (approve, return, reject); a return, a rejection, a withdrawal or a new round
cancels the steps still open.

What the audit trail shows is unchanged: one ``approval.step.<decision>`` event per
decision, on the subject (not on the step row: ``services`` gives the engine its
``audit``), and no event of its own for a step started or cancelled
(``recorded_by_caller``) -- those belong to the decision, or to the ``approval.chain.*``
event of the start or cancellation of the chain, that caused them.
"""

from __future__ import annotations

from waishi.approvals.models import APPROVER_ROLES, StepState
from waishi.audit.services import record
from waishi.lib.roles import FAO, UNIT_ROLES
from waishi.lib.workflow import Transition, Workflow

# Who may send a record into its chain, or withdraw it: the unit's own clerk and leader
# (for their unit's records), and the FAO.
DRIVES_CHAINS = UNIT_ROLES | FAO
# A decision cancels the rest of its round: whoever drives or decides a chain.
CANCELS_STEPS = DRIVES_CHAINS | APPROVER_ROLES

W, P = StepState.WAITING, StepState.PENDING

STEP = Workflow(
    name="approval.step",
    states=dict(StepState.choices),
    transitions=[
        Transition(W, "start", P, roles=CANCELS_STEPS),
        Transition(P, "approve", StepState.APPROVED, roles=APPROVER_ROLES),
        Transition(P, "return", StepState.RETURNED, roles=APPROVER_ROLES),
        Transition(P, "reject", StepState.REJECTED, roles=APPROVER_ROLES),
        Transition(W, "cancel", StepState.CANCELLED, roles=CANCELS_STEPS),
        Transition(P, "cancel", StepState.CANCELLED, roles=CANCELS_STEPS),
    ],
    recorder=record,
)
