"""Reads of approval chains: the chain a subject would get, its steps, who may decide,
the queue of what a user may decide, and time spent per step."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.approvals import conditions, subjects
from waishi.approvals.models import (
    APPROVER_ROLES,
    DECIDED_STATES,
    UNIT_APPROVER_ROLES,
    ApprovalRule,
    ApprovalStep,
    Delegation,
    StepState,
)
from waishi.lib.roles import OVERRIDERS, has
from waishi.orgs import permissions, scoping

# --- the chain ------------------------------------------------------------------------------


def chain_rules(subject_type: str, facts: dict) -> list[ApprovalRule]:
    """The active rules for ``subject_type`` whose conditions hold for ``facts``, in
    order, each role once (the first rule naming it wins)."""
    rules = ApprovalRule.objects.filter(applies_to=subject_type, active=True).order_by(
        "sequence", "pk"
    )
    chain: list[ApprovalRule] = []
    seen: set[str] = set()
    for rule in rules:
        if rule.approver_role in seen or not conditions.holds(rule.conditions or {}, facts):
            continue
        seen.add(rule.approver_role)
        chain.append(rule)
    return chain


def chain_preview(subject_type: str, facts: dict) -> list[dict]:
    """Who would approve a subject with these facts, in order (for the form)."""
    return [
        {
            "role": rule.approver_role,
            "label": rule.get_approver_role_display(),
            "rule": rule.name,
            "due_working_days": rule.due_working_days,
        }
        for rule in chain_rules(subject_type, facts)
    ]


def steps_for(subject_type: str, subject_id: int) -> QuerySet[ApprovalStep]:
    """Every step of every round, oldest round first (for the record page)."""
    return (
        ApprovalStep.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("decided_by", "on_behalf_of")
        .order_by("round", "sequence")
    )


def current_step(subject_type: str, subject_id: int) -> ApprovalStep | None:
    """The step waiting for a decision now, or None."""
    return (
        ApprovalStep.objects.filter(
            subject_type=subject_type, subject_id=subject_id, state=StepState.PENDING
        )
        .select_related("unit")
        .first()
    )


def is_final(step: ApprovalStep) -> bool:
    """True when ``step`` is the last of its round: approving it approves the subject."""
    return (
        not ApprovalStep.objects.filter(
            subject_type=step.subject_type,
            subject_id=step.subject_id,
            round=step.round,
            state=StepState.WAITING,
        )
        .exclude(pk=step.pk)
        .exists()
    )


# --- who may decide -------------------------------------------------------------------------


def holds_authority(user, role: str, unit_id: int | None) -> bool:
    """True when ``user`` holds ``role`` itself (a unit role: in the step's unit)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role != role:
        return False
    # A unit leader's authority covers their own unit; the city approvers' every unit.
    return permissions.acts_for(user, unit_id)


def delegate_refusal(delegator, delegate) -> str | None:
    """None when ``delegate`` may be given ``delegator``'s authority, else why not.

    Both must approve (unit leader, FAO reviewer, FAO head, committee); a unit leader's
    delegate is a unit leader of the same unit, a city approver's delegate another city
    approver (e.g. the FAO head's deputy, an FAO reviewer)."""
    if delegator.pk == delegate.pk:
        return _("Nobody can delegate to themselves.")
    if delegator.role not in APPROVER_ROLES:
        return _("Only approvers can delegate their approvals.")
    if not delegate.is_active or delegate.role not in APPROVER_ROLES:
        return _("The delegate must be an active approver.")
    if delegator.role in UNIT_APPROVER_ROLES or delegate.role in UNIT_APPROVER_ROLES:
        if delegate.role != delegator.role or delegate.unit_id != delegator.unit_id:
            return _("A unit leader's delegate must be a unit leader of the same unit.")
    return None


def active_delegations(delegate, *, day: dt.date | None = None) -> QuerySet[Delegation]:
    """Delegations in force for ``delegate`` on ``day`` (today)."""
    day = day or timezone.localdate()
    return Delegation.objects.filter(
        delegate_id=delegate.pk,
        revoked_at__isnull=True,
        starts_on__lte=day,
        ends_on__gte=day,
        delegator__is_active=True,
    ).select_related("delegator")


def can_decide(user, step: ApprovalStep, *, excluded_user_ids=frozenset()):
    """(ok, on_behalf_of, reason): may ``user`` decide ``step`` now, and for whom?

    Nobody decides a subject they are excluded from (its drafter, its members): not
    themselves, not as a delegate, and a delegation from an excluded person gives
    nothing."""
    excluded = {int(pk) for pk in excluded_user_ids}
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False, None, _("You are not signed in.")
    if step.state != StepState.PENDING:
        return False, None, _("This step is not waiting for a decision.")
    if user.pk in excluded:
        return False, None, _("You cannot approve a record you drafted or are a member of.")
    if holds_authority(user, step.approver_role, step.unit_id):
        return True, None, None
    for delegation in active_delegations(user).order_by("pk"):
        if delegation.applies_to and delegation.applies_to != step.subject_type:
            continue
        delegator = delegation.delegator
        if delegator.pk in excluded:
            continue
        if holds_authority(delegator, step.approver_role, step.unit_id):
            if delegate_refusal(delegator, user) is None:
                return True, delegator, None
    return False, None, _("You are not an approver of this step.")


def may_override(actor, on_behalf_of=None) -> bool:
    """May ``actor`` (deciding for ``on_behalf_of``, when a delegate) override a
    principle error?"""
    return has(actor, OVERRIDERS) or (on_behalf_of is not None and has(on_behalf_of, OVERRIDERS))


def approvers_of(step: ApprovalStep, *, excluded_user_ids=frozenset()) -> list:
    """The active accounts that may decide ``step`` today (by role or delegation)."""
    User = get_user_model()
    excluded = set(excluded_user_ids)
    holders = User.objects.filter(is_active=True, role=step.approver_role)
    if step.approver_role in UNIT_APPROVER_ROLES:
        holders = holders.filter(unit_id=step.unit_id)
    holders = [u for u in holders.order_by("pk") if u.pk not in excluded]
    today = timezone.localdate()
    delegates = (
        User.objects.filter(
            is_active=True,
            delegations_received__delegator__in=[u.pk for u in holders],
            delegations_received__revoked_at__isnull=True,
            delegations_received__starts_on__lte=today,
            delegations_received__ends_on__gte=today,
        )
        .filter(
            Q(delegations_received__applies_to="")
            | Q(delegations_received__applies_to=step.subject_type)
        )
        .exclude(pk__in=excluded)
        .distinct()
        .order_by("pk")
    )
    seen = {u.pk for u in holders}
    return holders + [u for u in delegates if u.pk not in seen]


# --- the queue ------------------------------------------------------------------------------


@dataclass
class Queue:
    steps: QuerySet[ApprovalStep]  # ordered: overdue first, then by due date
    # (delegator, that delegator's steps in the queue) per delegation, in order
    delegated: list[tuple[object, QuerySet[ApprovalStep]]] = field(default_factory=list)
    own: QuerySet[ApprovalStep] | None = None  # the steps by the user's own authority

    @cached_property
    def count(self) -> int:
        return self.steps.count()

    def counts(self, today: dt.date) -> tuple[int, int]:
        """(steps, of which overdue on ``today``) in one query, from the queue's index
        alone (no column outside it is named: not even the id, which PostgreSQL would
        fetch from the table)."""
        found = self.steps.order_by().aggregate(
            n=Count("*"), overdue=Count("due_on", filter=Q(due_on__lt=today))
        )
        return found["n"], found["overdue"]

    def on_behalf_for(self, steps) -> dict[int, object]:
        """step pk -> the delegator, for the ``steps`` (a page) the user would decide by
        delegation rather than by their own authority. No query without delegations."""
        pks = {step.pk for step in steps}
        out: dict[int, object] = {}
        if not pks or not self.delegated:
            return out
        own = set()
        if self.own is not None:
            own = set(self.own.filter(pk__in=pks).values_list("pk", flat=True))
        for delegator, rows in self.delegated:
            for pk in rows.filter(pk__in=pks - own - set(out)).values_list("pk", flat=True):
                out[pk] = delegator
        return out


class _Exclusions:
    """Is a principal excluded from a subject? Asked once per subject, for the subject
    types that registered no ``excluded_for`` (those that did are excluded in SQL)."""

    def __init__(self) -> None:
        self._by_subject: dict[tuple[str, int], set[int]] = {}

    def excluded(self, user, subject_type: str, subject_id: int) -> bool:
        subject = subjects.get(subject_type)
        if subject is None:
            return False
        key = (subject_type, subject_id)
        if key not in self._by_subject:
            self._by_subject[key] = {int(i) for i in subject.excluded_user_ids(subject_id)}
        return user.pk in self._by_subject[key]


def _authority_filter(principal) -> Q | None:
    if principal.role not in APPROVER_ROLES:
        return None
    condition = Q(approver_role=principal.role)
    if principal.role in UNIT_APPROVER_ROLES:
        if not principal.unit_id:
            return None
        condition &= Q(unit_id=principal.unit_id)
    return condition


def _not_excluded(rows: QuerySet, people: list, exclusions: _Exclusions) -> QuerySet:
    """``rows`` without the subjects any of ``people`` is excluded from: in SQL for the
    subject types with ``excluded_for`` (a subquery of ids), row by row for the others."""
    registered = subjects.registry()
    listed = {t: s for t, s in registered.items() if s.excluded_for is not None}
    for subject_type, subject in listed.items():
        for person in people:
            ids = subject.excluded_for(person)
            rows = rows.exclude(subject_type=subject_type, subject_id__in=ids)
    unlisted = [t for t in registered if t not in listed]
    if not unlisted:
        return rows
    others = rows.filter(subject_type__in=unlisted)
    refused = [
        pk
        for pk, subject_type, subject_id in others.values_list("pk", "subject_type", "subject_id")
        if any(exclusions.excluded(person, subject_type, subject_id) for person in people)
    ]
    return rows.exclude(pk__in=refused) if refused else rows


def queue_for(user) -> Queue:
    """The pending steps ``user`` may decide now: by their own role (and unit), or as an
    active delegate; never a subject they (or the delegator) are excluded from.

    One query tells the queue (``steps``, a page of it read as the page is), however
    long it is: the exclusions are subqueries, not ids read into Python."""
    empty = Queue(steps=ApprovalStep.objects.none())
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return empty
    principals: list[tuple[object, str]] = [(user, "")]  # (principal, applies_to)
    principals += [(d.delegator, d.applies_to) for d in active_delegations(user).order_by("pk")]
    pending = scoping.visible(user, ApprovalStep).filter(state=StepState.PENDING)
    exclusions = _Exclusions()
    own = None
    delegated: list[tuple[object, QuerySet[ApprovalStep]]] = []
    for principal, applies_to in principals:
        condition = _authority_filter(principal)
        if condition is None:
            continue
        if principal is not user and delegate_refusal(principal, user) is not None:
            continue
        rows = pending.filter(condition)
        if applies_to:
            rows = rows.filter(subject_type=applies_to)
        people = [user] if principal is user else [user, principal]
        rows = _not_excluded(rows, people, exclusions)
        if principal is user:
            own = rows
        else:
            delegated.append((principal, rows))
    parts = ([own] if own is not None else []) + [rows for _principal, rows in delegated]
    if not parts:
        return empty
    if len(parts) == 1:
        steps = parts[0]  # the common case: read straight, in the queue index's order
    else:
        chosen = Q(pk__in=parts[0].values("pk"))
        for rows in parts[1:]:
            chosen |= Q(pk__in=rows.values("pk"))
        steps = ApprovalStep.objects.filter(chosen)
    steps = steps.select_related("unit").order_by("due_on", "started_at", "pk")
    return Queue(steps=steps, delegated=delegated, own=own)


@dataclass
class QueueRow:
    step: ApprovalStep
    title: str
    url: str
    label: str
    on_behalf_of: object
    overdue: bool


def queue_rows(steps, on_behalf: dict[int, object]) -> list[QueueRow]:
    """Rows for a page of the queue: each step with its subject's title and link (one
    title query per subject type on the page, and one of links where the type's link
    reads the database)."""
    steps = list(steps)
    by_type: dict[str, list[int]] = defaultdict(list)
    for step in steps:
        by_type[step.subject_type].append(step.subject_id)
    found = {t: subjects.titles(t, ids) for t, ids in by_type.items()}
    links = {t: subjects.urls_of(t, ids) for t, ids in by_type.items()}
    today = timezone.localdate()
    rows = []
    for step in steps:
        subject = subjects.get(step.subject_type)
        rows.append(
            QueueRow(
                step=step,
                title=found[step.subject_type][step.subject_id],
                url=links[step.subject_type][step.subject_id],
                label=str(subject.label) if subject else step.subject_type,
                on_behalf_of=on_behalf.get(step.pk),
                overdue=step.is_overdue(today),
            )
        )
    return rows


# --- statistics -----------------------------------------------------------------------------


def step_durations(subject_type: str, since: dt.datetime | None = None) -> dict[str, dict]:
    """Time spent in each step (decision time minus start), by approver role:
    ``{role: {"count": n, "median": timedelta}}`` over the decided steps (since
    ``since``)."""
    rows = ApprovalStep.objects.filter(
        subject_type=subject_type,
        state__in=DECIDED_STATES,
        started_at__isnull=False,
        decided_at__isnull=False,
    )
    if since is not None:
        rows = rows.filter(decided_at__gte=since)
    spans: dict[str, list[dt.timedelta]] = defaultdict(list)
    for role, started, decided in rows.values_list("approver_role", "started_at", "decided_at"):
        spans[role].append(decided - started)
    return {
        role: {"count": len(values), "median": statistics.median(values)}
        for role, values in spans.items()
    }
