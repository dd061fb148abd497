"""The trip application's workflow as a transition table (architecture.md, "Workflows and
approvals"), applied by the shared engine ``waishi.lib.workflow``.

Who approves a submitted application is data (``approvals.ApprovalRule`` -> steps); this
table only says which roles may move the application between states at all. The
approval transitions (``review``, ``return``, ``approve``) are taken by the approvals
service when a step is decided: their guards here refuse anyone outside the mission's
unit for a unit leader, and ``approval_guard`` is the hook where the decision service's
own checks (the actor holds the current step, no self-approval) belong.

``mission_decide`` (application/services/decisions.py) takes ``review``/``return``/
``reject``/``approve`` after the approvals service decided the step; ``mission_cancel``
takes ``cancel``.
After approval (``trip/services.py``): ``depart`` (the actual departure confirmed, nothing
left on the pre-departure checklist) -> ``abroad``; ``come_back`` (the actual return
confirmed; the trip report is opened with its due date) -> ``back``; ``close`` (the report
accepted and every passport back, ``readiness.CLOSE_CHECKS``) -> ``closed``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.lib.roles import APPROVERS, CANCELLERS, CLERKS, FAO, UNIT_ROLES, Role
from waishi.lib.workflow import Transition, Workflow
from waishi.missions.core.readiness import close_blockers, departure_blockers
from waishi.missions.models import State
from waishi.orgs import permissions

# Departure and return are confirmed by the unit, or by the FAO for it.
TRAVEL_CONFIRMERS = UNIT_ROLES | FAO
# The FAO closes a trip (it also closes by itself when its last condition is met).
CLOSERS = FAO

# Unit roles act only on their own unit's applications.
own_unit = permissions.unit_guard(gettext_lazy("This application belongs to another unit."))


def approval_guard(mission, actor) -> str | None:
    """Guard of the approval transitions. The approvals service decides whether ``actor``
    holds the current step (and is not drafting or travelling on it) before it applies
    the transition; here only what the table itself can know is checked."""
    return own_unit(mission, actor)


def _cancel_guard(mission, actor) -> str | None:
    refusal = own_unit(mission, actor)
    if refusal is None and actor.role == Role.UNIT_LEADER:
        from django.utils import timezone

        if mission.departure_date is not None and timezone.localdate() >= mission.departure_date:
            return _("After departure only the FAO head can cancel the trip.")
    return refusal


def _depart_guard(mission, actor) -> str | None:
    """Nothing left on the pre-departure checklist (``readiness.departure_blockers``)."""
    refusal = own_unit(mission, actor)
    if refusal is None:
        blockers = departure_blockers(mission)
        if blockers:
            return _("Departure is blocked: %(what)s.") % {"what": "；".join(blockers)}
    return refusal


def _close_guard(mission, actor) -> str | None:
    """The report accepted and every passport back (``readiness.close_blockers``)."""
    blockers = close_blockers(mission)
    if blockers:
        return _("The trip cannot be closed yet: %(what)s.") % {"what": "；".join(blockers)}
    return None


MISSION = Workflow(
    name="missions.mission",
    states=dict(State.choices),
    transitions=[
        Transition("draft", "submit", "submitted", CLERKS, own_unit, gettext_lazy("Submit")),
        Transition(
            "draft", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Discard draft")
        ),
        # The first approval step taken moves the application into review.
        Transition(
            "submitted",
            "review",
            "in_review",
            APPROVERS,
            approval_guard,
            gettext_lazy("Start review"),
        ),
        Transition(
            "submitted",
            "return",
            "returned",
            APPROVERS,
            approval_guard,
            gettext_lazy("Return for changes"),
        ),
        # A chain of one step: its decision is the final approval.
        Transition(
            "submitted",
            "approve",
            "approved",
            APPROVERS,
            approval_guard,
            gettext_lazy("Approve"),
        ),
        Transition(
            "submitted",
            "reject",
            "rejected",
            APPROVERS,
            approval_guard,
            gettext_lazy("Reject"),
        ),
        Transition(
            "submitted", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Withdraw")
        ),
        Transition(
            "in_review",
            "return",
            "returned",
            APPROVERS,
            approval_guard,
            gettext_lazy("Return for changes"),
        ),
        Transition(
            "in_review",
            "approve",
            "approved",
            APPROVERS,
            approval_guard,
            gettext_lazy("Approve"),
        ),
        Transition(
            "in_review",
            "reject",
            "rejected",
            APPROVERS,
            approval_guard,
            gettext_lazy("Reject"),
        ),
        Transition(
            "in_review", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Withdraw")
        ),
        Transition("returned", "resubmit", "submitted", CLERKS, own_unit, gettext_lazy("Resubmit")),
        Transition("returned", "withdraw", "withdrawn", CLERKS, own_unit, gettext_lazy("Withdraw")),
        Transition(
            "approved",
            "cancel",
            "cancelled",
            CANCELLERS,
            _cancel_guard,
            gettext_lazy("Cancel the trip"),
        ),
        Transition(
            "approved",
            "depart",
            "abroad",
            TRAVEL_CONFIRMERS,
            _depart_guard,
            gettext_lazy("Confirm departure"),
        ),
        Transition(
            "abroad",
            "come_back",
            "back",
            TRAVEL_CONFIRMERS,
            own_unit,
            gettext_lazy("Confirm return"),
        ),
        Transition(
            "back", "close", "closed", CLOSERS, _close_guard, gettext_lazy("Close the trip")
        ),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)

# Actions taken from the application's own buttons (the approval actions go through the
# decision form, which knows the step).
CLERK_ACTIONS = frozenset({"submit", "resubmit", "withdraw", "cancel"})


def may_edit(actor, mission) -> bool:
    """May ``actor`` edit the application now: a clerk of its unit, while it is editable."""
    return permissions.may(actor, CLERKS, mission) and mission.is_editable


# The trip's own actions once approved, as its travel page and the API's readiness show them.
TRIP_ACTIONS = ("depart", "come_back", "close")


def actions_for(actor, mission) -> dict[str, str | None]:
    """What ``actor`` may do with the approved trip now: {action: None, or why not}. The
    travel page shows its buttons from these and the API answers them as ``actions``."""
    return {action: MISSION.refusal(mission, action, actor) for action in TRIP_ACTIONS}
