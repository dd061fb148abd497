"""The change request's workflow (``missions.changerequest``) as a transition table,
applied by the shared engine ``waishi.lib.workflow`` (architecture.md, "Workflows and
approvals"). Who approves is data (``approvals.ApprovalRule`` rows for the subject type
``missions.change``); the approval transitions are taken by ``change_decide`` after the
approvals service decided the step. ``approve`` is where the change takes effect: the
next itinerary version, and the trip's dates, stops and members as proposed.

```mermaid
stateDiagram-v2
    draft --> submitted: submit
    draft --> withdrawn: withdraw
    submitted --> in_review: review
    submitted --> returned: return
    submitted --> approved: approve
    submitted --> rejected: reject
    submitted --> withdrawn: withdraw
    in_review --> returned: return
    in_review --> approved: approve
    in_review --> rejected: reject
    in_review --> withdrawn: withdraw
    returned --> submitted: resubmit
    returned --> withdrawn: withdraw
```
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.lib.roles import APPROVERS, CLERKS
from waishi.lib.workflow import Transition, Workflow
from waishi.missions.models import ChangeState
from waishi.orgs import permissions

# The states of a change still in flight (one per trip: a database constraint).
OPEN_STATES = frozenset(
    {ChangeState.DRAFT, ChangeState.SUBMITTED, ChangeState.IN_REVIEW, ChangeState.RETURNED}
)
EDITABLE_STATES = frozenset({ChangeState.DRAFT, ChangeState.RETURNED})
IN_CHAIN = frozenset({ChangeState.SUBMITTED, ChangeState.IN_REVIEW})


# Unit roles act only on their own unit's change requests.
own_unit = permissions.unit_guard(gettext_lazy("This change request belongs to another unit."))


CHANGE = Workflow(
    name="missions.changerequest",
    states=dict(ChangeState.choices),
    transitions=[
        Transition("draft", "submit", "submitted", CLERKS, own_unit, gettext_lazy("Submit")),
        Transition(
            "draft", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Discard draft")
        ),
        Transition(
            "submitted", "review", "in_review", APPROVERS, own_unit, gettext_lazy("Start review")
        ),
        Transition(
            "submitted",
            "return",
            "returned",
            APPROVERS,
            own_unit,
            gettext_lazy("Return for changes"),
        ),
        Transition(
            "submitted", "approve", "approved", APPROVERS, own_unit, gettext_lazy("Approve")
        ),
        Transition("submitted", "reject", "rejected", APPROVERS, own_unit, gettext_lazy("Reject")),
        Transition(
            "submitted", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Withdraw")
        ),
        Transition(
            "in_review",
            "return",
            "returned",
            APPROVERS,
            own_unit,
            gettext_lazy("Return for changes"),
        ),
        Transition(
            "in_review", "approve", "approved", APPROVERS, own_unit, gettext_lazy("Approve")
        ),
        Transition("in_review", "reject", "rejected", APPROVERS, own_unit, gettext_lazy("Reject")),
        Transition(
            "in_review", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Withdraw")
        ),
        Transition("returned", "resubmit", "submitted", CLERKS, own_unit, gettext_lazy("Resubmit")),
        Transition("returned", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Withdraw")),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)
