"""The annual plan's two transition tables, applied by ``waishi.lib.workflow``.

A plan entry: the unit clerk drafts, the unit leader submits, the FAO accepts or returns
(with a comment), the committee approves. The committee approves the first plan as a
whole (``services.plan_approve`` approves every accepted entry at version 1); after that
each amendment (a new entry, or an approved entry re-opened with ``amend``) is approved
on its own and raises the plan's version. While an approved entry is being amended it
still binds through its last approved version; ``discard`` drops the amendment.

The plan: open -> consolidated (FAO head) -> approved (committee); the committee or the
FAO head can send a consolidated plan back to ``open``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.lib.roles import CLERKS, COMMITTEE, FAO, FAO_HEAD, LEADERS
from waishi.lib.workflow import Transition, Workflow
from waishi.orgs import permissions
from waishi.plans.models import EntryState, PlanState

# A unit role acts only on its own unit's entries.
own_unit = permissions.unit_guard(gettext_lazy("This plan entry belongs to another unit."))


def _plan_takes_entries(entry, actor) -> str | None:
    """New entries and submissions: while the plan is open (until its deadline), or as
    amendments once it is approved; never while the committee has it."""
    plan = entry.plan
    if plan.state == PlanState.CONSOLIDATED:
        return _("The plan is with the committee; entries cannot change now.")
    if plan.state == PlanState.OPEN and timezone.localdate() > plan.deadline:
        return _("The deadline for entries (%(date)s) has passed; ask the FAO.") % {
            "date": plan.deadline.isoformat()
        }
    return None


def can_submit(entry, actor) -> str | None:
    return own_unit(entry, actor) or _plan_takes_entries(entry, actor)


def can_review(entry, actor) -> str | None:
    if entry.plan.state == PlanState.CONSOLIDATED:
        return _("The plan is with the committee; entries cannot change now.")
    return None


def can_return_accepted(entry, actor) -> str | None:
    """The FAO may take back its acceptance while the plan is open or for an amendment;
    the committee returns only amendments (the first plan goes back as a whole)."""
    state = entry.plan.state
    if state == PlanState.CONSOLIDATED:
        return _("The plan is with the committee; entries cannot change now.")
    if actor.role in COMMITTEE and state != PlanState.APPROVED:
        return _("The committee decides on the consolidated plan as a whole.")
    return None


def can_approve(entry, actor) -> str | None:
    if entry.plan.state != PlanState.APPROVED:
        return _("The committee approves entries with the consolidated plan.")
    return None


def can_amend(entry, actor) -> str | None:
    if entry.plan.state != PlanState.APPROVED:
        return _("Only entries of an approved plan are amended.")
    return own_unit(entry, actor)


def can_discard(entry, actor) -> str | None:
    if entry.bound_version_id is None:
        return _("Only an amendment of an approved entry can be discarded.")
    return own_unit(entry, actor)


S = EntryState
ENTRY = Workflow(
    name="plans.entry",
    states=dict(EntryState.choices),
    transitions=[
        Transition(S.DRAFT, "submit", S.SUBMITTED, LEADERS, can_submit, gettext_lazy("Submit")),
        Transition(S.RETURNED, "submit", S.SUBMITTED, LEADERS, can_submit, gettext_lazy("Submit")),
        Transition(S.SUBMITTED, "accept", S.ACCEPTED, FAO, can_review, gettext_lazy("Accept")),
        Transition(
            S.SUBMITTED, "return", S.RETURNED, FAO, can_review, gettext_lazy("Return for changes")
        ),
        Transition(
            S.ACCEPTED,
            "return",
            S.RETURNED,
            FAO | COMMITTEE,
            can_return_accepted,
            gettext_lazy("Return for changes"),
        ),
        Transition(
            S.ACCEPTED,
            "approve",
            S.APPROVED,
            COMMITTEE,
            can_approve,
            gettext_lazy("Approve the amendment"),
        ),
        Transition(S.APPROVED, "amend", S.DRAFT, CLERKS, can_amend, gettext_lazy("Amend")),
        Transition(
            S.DRAFT, "discard", S.APPROVED, CLERKS, can_discard, gettext_lazy("Discard amendment")
        ),
        Transition(
            S.RETURNED,
            "discard",
            S.APPROVED,
            CLERKS,
            can_discard,
            gettext_lazy("Discard amendment"),
        ),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)


def plan_can_consolidate(plan, actor) -> str | None:
    if plan.entries.filter(state=EntryState.SUBMITTED).exists():
        return _("Some entries still await review.")
    if not plan.entries.filter(state=EntryState.ACCEPTED).exists():
        return _("No entry has been accepted yet.")
    return None


P = PlanState
PLAN = Workflow(
    name="plans.plan",
    states=dict(PlanState.choices),
    transitions=[
        Transition(
            P.OPEN,
            "consolidate",
            P.CONSOLIDATED,
            FAO_HEAD,
            plan_can_consolidate,
            gettext_lazy("Send to the committee"),
        ),
        Transition(
            P.CONSOLIDATED,
            "reopen",
            P.OPEN,
            FAO_HEAD | COMMITTEE,
            None,
            gettext_lazy("Send back to the FAO"),
        ),
        Transition(
            P.CONSOLIDATED, "approve", P.APPROVED, COMMITTEE, None, gettext_lazy("Approve the plan")
        ),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)
