"""Approval chains: start one for a subject, decide its steps, cancel it; the FAO's rules;
delegations; the sweep that reminds and escalates overdue steps. Every write is
permission-checked and audited in its own transaction (or the caller's).

How a subject's app uses this (the trip application, for instance)::

    with transaction.atomic():
        mission = Mission.objects.select_for_update().get(pk=pk)       # the subject's lock
        step = services.step_decide(actor=..., subject_type="missions.mission",
                                    subject_id=mission.pk, decision="approve", ...)
        if step.outcome == "approved": ...apply the subject's own workflow transition...

(``deciding.subject_decide`` is that template: a subject gives only its hooks.)

``step_decide`` changes only the steps: it MUST run inside the caller's
``transaction.atomic()`` together with the subject's transition, so that a step never
says "approved" for a subject that stayed where it was (or the other way round).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.approvals import conditions, notices, selectors, subjects
from waishi.approvals.models import (
    APPROVER_ROLES,
    OPEN_STATES,
    ApprovalRule,
    ApprovalStep,
    ApproverRole,
    Delegation,
    StepState,
    scope_for_role,
)
from waishi.approvals.selectors import (  # noqa: F401  (part of this module's interface)
    can_decide,
    chain_preview,
    current_step,
    steps_for,
)
from waishi.approvals.workflow import DRIVES_CHAINS, STEP
from waishi.audit.services import diff, record, snapshot
from waishi.lib.roles import FAO, FAO_HEAD, Role, has
from waishi.lib.workdays import add_working_days
from waishi.lib.workflow import recorded_by_caller
from waishi.notify.services import notify
from waishi.orgs import permissions

MANAGES_RULES = FAO_HEAD
READS_RULES = FAO
MANAGES_ALL_DELEGATIONS = FAO_HEAD

DECISIONS = {
    "approve": StepState.APPROVED,
    "return": StepState.RETURNED,
    "reject": StepState.REJECTED,
}
DEFAULT_DUE_WORKING_DAYS = 3

# Working days after the reminder before an overdue step goes to the superior.
ESCALATE_AFTER_DAYS: int = settings.APPROVAL_ESCALATE_AFTER_DAYS
# Whom an overdue step escalates to.
SUPERIOR = {
    Role.UNIT_LEADER: Role.FAO_REVIEWER,
    Role.FAO_REVIEWER: Role.FAO_HEAD,
    Role.FAO_HEAD: Role.COMMITTEE,
}
SWEEP_ACTOR = "approval sweep"

RULE_FIELDS = (
    "applies_to",
    "name",
    "sequence",
    "conditions",
    "approver_role",
    "approver_scope",
    "due_working_days",
    "active",
)
DELEGATION_FIELDS = ("delegator", "delegate", "starts_on", "ends_on", "applies_to", "reason")


def _subject_repr(subject_type: str, subject_id: int) -> str:
    return subjects.titles(subject_type, [subject_id])[subject_id]


def _require_driver(actor, unit_id: int | None) -> None:
    permissions.require(actor, DRIVES_CHAINS, unit_id, _("You are not allowed to do this."))


def _due(start: dt.datetime, step: ApprovalStep, *, final: bool = False) -> dt.date:
    """The step's due date: its rule's working days from ``start``; for the last step of
    a round (the final approval) never before the first day the subject allows that
    decision (``subjects.earliest_final``: a trip's publicity period must have run)."""
    days = (step.rule_snapshot or {}).get("due_working_days", DEFAULT_DUE_WORKING_DAYS)
    due = add_working_days(timezone.localdate(start), int(days))
    if final:
        earliest = subjects.earliest_final(step.subject_type, step.subject_id)
        if earliest is not None and due < earliest:
            due = earliest
    return due


def final_step_due_refresh(*, subject_type: str, subject_id: int) -> ApprovalStep | None:
    """Move the pending final step's due date to the first day its decision is allowed
    when that day has moved past it (the subject's publicity was published after the step
    started). Returns the step moved, or None. Runs in the caller's transaction."""
    step = (
        ApprovalStep.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, state=StepState.PENDING)
        .first()
    )
    if step is None or not selectors.is_final(step):
        return None
    earliest = subjects.earliest_final(subject_type, subject_id)
    if earliest is None or (step.due_on is not None and step.due_on >= earliest):
        return None
    ApprovalStep.objects.filter(pk=step.pk).update(due_on=earliest)
    step.due_on = earliest
    return step


# --- the chain ------------------------------------------------------------------------------


def chain_start(
    *, actor, subject_type: str, subject_id: int, unit, facts: dict, ip: str = ""
) -> list[ApprovalStep]:
    """Build a new round of steps for a subject from the active rules whose conditions
    hold for ``facts`` (see ``conditions``): the first step pending (its due date in
    working days from today), the others waiting. Open steps of earlier rounds are
    cancelled; decided ones stay for the record. Runs in the caller's transaction when
    there is one."""
    unit_id = getattr(unit, "pk", unit)
    _require_driver(actor, unit_id)
    facts = dict(facts or {})
    rules = selectors.chain_rules(subject_type, facts)
    if not rules:
        raise ValidationError(
            _("No approval rule applies to this record; ask the FAO to check the approval rules."),
            code="no_rule",
        )
    now = timezone.now()
    with transaction.atomic():
        existing = list(
            ApprovalStep.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id)
            .order_by("pk")
        )
        open_pks = [s.pk for s in existing if s.state in OPEN_STATES]
        for step in existing:
            if step.state in OPEN_STATES:
                STEP.apply(step, "cancel", actor=actor, ip=ip, audit=recorded_by_caller)
        round_ = max((s.round for s in existing), default=0) + 1
        steps = []
        for position, rule in enumerate(rules, start=1):
            step = ApprovalStep(
                subject_type=subject_type,
                subject_id=subject_id,
                unit_id=unit_id,
                round=round_,
                sequence=position,
                rule=rule,
                rule_snapshot=rule.snapshot(),
                approver_role=rule.approver_role,
                state=StepState.WAITING,
            )
            step.save()
            steps.append(step)
        # The first step starts through the table, as every later one does: its
        # ``start`` is the one place a step becomes pending (and tells its approvers).
        steps[0] = _start(steps[0], now, actor=actor, ip=ip, final=len(rules) == 1)
        record(
            action="approval.chain.start",
            actor=actor,
            object_type=subject_type,
            object_id=subject_id,
            object_repr=_subject_repr(subject_type, subject_id),
            ip=ip,
            data={
                "round": round_,
                "roles": [s.approver_role for s in steps],
                "rules": [s.rule_id for s in steps],
                "cancelled": len(open_pks),
                "facts": facts,
            },
        )
    return steps


def _start(
    step: ApprovalStep, now: dt.datetime, *, actor, ip: str = "", final: bool = False
) -> ApprovalStep:
    """Make ``step`` pending, due in its working days from ``now`` (for the ``final`` step
    never before the subject allows the decision, ``_due``); no event of its own (the
    chain's start or the decision that caused it records it)."""

    def started(row: ApprovalStep, transition) -> None:
        row.started_at = now
        row.due_on = _due(now, row, final=final)

    return STEP.apply(
        step,
        "start",
        actor=actor,
        ip=ip,
        effect=started,
        fields=["started_at", "due_on"],
        audit=recorded_by_caller,
    )


def _clean_field_comments(value: Any) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"field_comments": _("Comments per field must be field: text.")})
    out = {}
    for key, text in value.items():
        if not isinstance(key, str) or not key or len(key) > 100 or not isinstance(text, str):
            raise ValidationError({"field_comments": _("Comments per field must be field: text.")})
        if text.strip():
            out[key] = text.strip()
    return out


def step_decide(
    *,
    actor,
    subject_type: str,
    subject_id: int,
    decision: str,
    comment: str = "",
    field_comments: dict | None = None,
    excluded_user_ids=frozenset(),
    ip: str = "",
) -> ApprovalStep:
    """Decide the subject's pending step as ``actor``; return the decided step, whose
    ``outcome`` says what follows:

    - "next": approved, and the next step is now pending (started, due date set);
    - "approved": approved, and that was the last step: the subject is approved;
    - "returned": sent back for changes (a resubmission starts a new round);
    - "rejected": refused for good.

    ``excluded_user_ids`` are the accounts that may not decide (the subject's drafter
    and its members): the subject's app knows them. Return and reject need a comment;
    ``field_comments`` ({field: comment}) say what to change where.

    Locks the pending step and moves the steps through their table (``workflow.STEP``).
    Does NOT change the subject: call it inside your own ``transaction.atomic()``, after
    locking the subject, and apply the subject's transition in the same transaction --
    ``deciding.subject_decide`` does all that for a subject that gives its hooks. Raises
    PermissionDenied (with the reason) or ValidationError."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Unknown decision.")})
    comment = (comment or "").strip()
    field_comments = _clean_field_comments(field_comments)
    if decision != "approve" and not comment:
        raise ValidationError({"comment": _("Give a comment: say why, and what should change.")})
    with transaction.atomic():
        step = (
            ApprovalStep.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id, state=StepState.PENDING)
            .first()
        )
        if step is None:
            raise ValidationError(
                _("Nothing on this record is waiting for a decision."), code="no_pending_step"
            )
        ok, on_behalf_of, reason = can_decide(actor, step, excluded_user_ids=excluded_user_ids)
        if not ok:
            raise PermissionDenied(reason)
        now = timezone.now()
        rest = list(
            ApprovalStep.objects.select_for_update()
            .filter(
                subject_type=subject_type,
                subject_id=subject_id,
                round=step.round,
                state=StepState.WAITING,
            )
            .order_by("sequence", "pk")
        )
        following = rest[0] if decision == "approve" and rest else None
        if decision == "approve":
            outcome = "approved" if following is None else "next"
        else:
            outcome = "returned" if decision == "return" else "rejected"

        def decided(row: ApprovalStep, transition) -> None:
            row.decided_at = now
            row.decided_by = actor
            row.on_behalf_of = on_behalf_of
            row.comment = comment
            row.field_comments = field_comments

        data = {
            "step": step.pk,
            "round": step.round,
            "sequence": step.sequence,
            "role": step.approver_role,
            "comment": comment,
            "field_comments": field_comments,
            "outcome": outcome,
            "next_role": following.approver_role if following else "",
        }

        def on_the_subject(row: ApprovalStep, transition) -> dict:
            return {
                "obj": None,
                "object_type": subject_type,
                "object_id": subject_id,
                "object_repr": _subject_repr(subject_type, subject_id),
                "data": data,
            }

        step = STEP.apply(
            step,
            decision,
            actor=actor,
            ip=ip,
            effect=decided,
            fields=["decided_at", "decided_by", "on_behalf_of", "comment", "field_comments"],
            on_behalf_of=on_behalf_of,
            audit=on_the_subject,
        )
        if following is not None:
            _start(following, now, actor=actor, ip=ip, final=len(rest) == 1)
        elif decision != "approve":
            for waiting in rest:
                STEP.apply(waiting, "cancel", actor=actor, ip=ip, audit=recorded_by_caller)
    step.outcome = outcome
    return step


def chain_cancel(*, actor, subject_type: str, subject_id: int, ip: str = "") -> int:
    """Cancel the subject's open steps (withdrawal or cancellation of the subject).
    Returns how many were cancelled; decided steps stay for the record."""
    if not has(actor, DRIVES_CHAINS):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        steps = list(
            ApprovalStep.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id, state__in=OPEN_STATES)
            .order_by("pk")
        )
        if not steps:
            return 0
        _require_driver(actor, steps[0].unit_id)
        for step in steps:
            STEP.apply(step, "cancel", actor=actor, ip=ip, audit=recorded_by_caller)
        record(
            action="approval.chain.cancel",
            actor=actor,
            object_type=subject_type,
            object_id=subject_id,
            object_repr=_subject_repr(subject_type, subject_id),
            ip=ip,
            data={"round": steps[0].round, "cancelled": len(steps)},
        )
    return len(steps)


# --- rules ----------------------------------------------------------------------------------


def _clean_rule(rule: ApprovalRule) -> None:
    errors: dict[str, list[str]] = {}
    try:
        rule.conditions = conditions.validate(rule.conditions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if rule.approver_role in APPROVER_ROLES:
        if not rule.approver_scope:
            rule.approver_scope = scope_for_role(rule.approver_role)
        elif rule.approver_scope != scope_for_role(rule.approver_role):
            errors.setdefault("approver_scope", []).append(
                _("A unit leader approves for the subject's unit; the other approvers city-wide.")
            )
    try:
        rule.full_clean(
            exclude=["conditions", "created_by"],
            validate_constraints="approver_scope" not in errors,
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def rule_create(*, actor, ip: str = "", **values: Any) -> ApprovalRule:
    """The FAO head adds a rule; subjects already in their chains keep their steps."""
    if not has(actor, MANAGES_RULES):
        raise PermissionDenied(_("You are not allowed to do this."))
    rule = ApprovalRule(**{k: values[k] for k in RULE_FIELDS if k in values}, created_by=actor)
    _clean_rule(rule)
    with transaction.atomic():
        rule.save()
        record(
            action="approval.rule.create",
            actor=actor,
            obj=rule,
            ip=ip,
            after=snapshot(rule, RULE_FIELDS),
        )
    return rule


def rule_update(*, actor, rule: ApprovalRule, ip: str = "", **values: Any) -> ApprovalRule:
    """The FAO head changes (or deactivates) a rule. Steps already built keep the rule as
    they were given it (``rule_snapshot``); the change applies to chains started later."""
    if not has(actor, MANAGES_RULES):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        rule = ApprovalRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(rule, RULE_FIELDS)
        for key in RULE_FIELDS:
            if key in values:
                setattr(rule, key, values[key])
        if "approver_role" in values and "approver_scope" not in values:
            rule.approver_scope = scope_for_role(rule.approver_role)
        _clean_rule(rule)
        old, new = diff(before, snapshot(rule, RULE_FIELDS))
        if not new:
            return rule
        rule.save(update_fields=list(new))
        record(action="approval.rule.update", actor=actor, obj=rule, ip=ip, before=old, after=new)
    return rule


def rule_deactivate(*, actor, rule: ApprovalRule, ip: str = "") -> ApprovalRule:
    return rule_update(actor=actor, rule=rule, ip=ip, active=False)


# --- delegations ----------------------------------------------------------------------------


def _known_subject_types() -> set[str]:
    types = set(subjects.registry())
    types |= set(ApprovalRule.objects.values_list("applies_to", flat=True).distinct())
    return types


def delegation_create(
    *,
    actor,
    delegator,
    delegate,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    applies_to: str = "",
    ip: str = "",
) -> Delegation:
    """``delegator`` lets ``delegate`` decide their steps from ``starts_on`` to
    ``ends_on``. An approver delegates their own authority; the FAO head anyone's."""
    if not has(actor, APPROVER_ROLES):
        raise PermissionDenied(_("You are not allowed to do this."))
    if delegator is None or (delegator.pk != actor.pk and not has(actor, MANAGES_ALL_DELEGATIONS)):
        raise PermissionDenied(_("You can only delegate your own approvals."))
    reason = (reason or "").strip()
    applies_to = (applies_to or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason for the delegation.")
    if delegate is None:
        errors["delegate"] = _("Choose the delegate.")
    else:
        refusal = selectors.delegate_refusal(delegator, delegate)
        if refusal:
            errors["delegate"] = refusal
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["starts_on"] = _("Give the first and the last day.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first.")
    elif ends_on < timezone.localdate():
        errors["ends_on"] = _("The last day has already passed.")
    if applies_to and applies_to not in _known_subject_types():
        errors["applies_to"] = _("Unknown kind of record.")
    if errors:
        raise ValidationError(errors)
    User = get_user_model()
    with transaction.atomic():
        # One delegator's delegations are written one at a time: no overlap slips in.
        User.objects.select_for_update().filter(pk=delegator.pk).first()
        overlapping = Delegation.objects.filter(
            delegator=delegator,
            revoked_at__isnull=True,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        if applies_to:
            overlapping = overlapping.filter(Q(applies_to="") | Q(applies_to=applies_to))
        if overlapping.exists():
            raise ValidationError(
                {"starts_on": _("This overlaps another delegation of the same approver.")}
            )
        delegation = Delegation.objects.create(
            delegator=delegator,
            delegate=delegate,
            starts_on=starts_on,
            ends_on=ends_on,
            applies_to=applies_to,
            reason=reason,
            created_by=actor,
        )
        record(
            action="approval.delegation.create",
            actor=actor,
            obj=delegation,
            ip=ip,
            after=snapshot(delegation, DELEGATION_FIELDS),
        )
        # In force today: the delegate hears of the steps already waiting for the
        # delegator (a later start day: the daily job tells them on that day).
        notices.tell_delegate(delegation)
    return delegation


def delegation_revoke(*, actor, delegation: Delegation, ip: str = "") -> Delegation:
    """End a delegation now (the delegator, or the FAO head)."""
    if not has(actor, APPROVER_ROLES) or (
        delegation.delegator_id != actor.pk and not has(actor, MANAGES_ALL_DELEGATIONS)
    ):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.revoked_at is not None:
            raise ValidationError(_("This delegation has already been revoked."))
        delegation.revoked_at = timezone.now()
        delegation.revoked_by = actor
        delegation.save(update_fields=["revoked_at", "revoked_by"])
        record(
            action="approval.delegation.revoke",
            actor=actor,
            obj=delegation,
            ip=ip,
            after={"revoked_at": delegation.revoked_at},
        )
    return delegation


# --- reminders and escalation ---------------------------------------------------------------


def _role_label(role: str) -> str:
    return str(ApproverRole(role).label) if role in ApproverRole.values else role


def _overdue_notice(recipients, step: ApprovalStep, *, kind: str, escalation: bool) -> int:
    title_text = _subject_repr(step.subject_type, step.subject_id)
    url = subjects.url_of(step.subject_type, step.subject_id) or reverse("approvals:queue")
    values = lambda: {  # noqa: E731  (rendered per recipient, in their language)
        "title": title_text,
        "role": _role_label(step.approver_role),
        "due": step.due_on.isoformat(),
    }
    if escalation:
        title = lambda: _("Escalated: “%(title)s” is overdue") % values()  # noqa: E731
        body = lambda: (  # noqa: E731
            _(
                "The %(role)s step of “%(title)s” was due on %(due)s and is still waiting "
                "after a reminder. As the superior approver, please follow it up."
            )
            % values()
        )
    else:
        title = lambda: _("Approval overdue: “%(title)s”") % values()  # noqa: E731
        body = lambda: (  # noqa: E731
            _("The %(role)s step of “%(title)s” was due on %(due)s and waits for your decision.")
            % values()
        )
    return len(
        notify(
            recipients,
            kind=kind,
            title=title,
            body=body,
            url=url,
            dedupe_key=f"{kind}-{step.pk}",
        )
    )


def overdue_sweep() -> dict[str, int]:
    """Remind the approvers of each pending step past its due date (once), and, when it
    is still pending ``ESCALATE_AFTER_DAYS`` working days after the reminder, tell the
    superior approvers (once). Safe to run twice: each step is re-checked under its
    row lock."""
    now = timezone.now()
    today = timezone.localdate(now)
    reminded = escalated = 0
    overdue = ApprovalStep.objects.filter(
        state=StepState.PENDING, due_on__lt=today, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            step = (
                ApprovalStep.objects.select_for_update()
                .filter(pk=pk, state=StepState.PENDING, reminded_at__isnull=True)
                .first()
            )
            if step is None:
                continue
            told = _overdue_notice(
                notices.approvers(step), step, kind=notices.REMINDER, escalation=False
            )
            step.reminded_at = now
            step.save(update_fields=["reminded_at"])
            record(
                action="approval.step.remind",
                actor_name=SWEEP_ACTOR,
                object_type=step.subject_type,
                object_id=step.subject_id,
                object_repr=_subject_repr(step.subject_type, step.subject_id),
                data={"step": step.pk, "sequence": step.sequence, "recipients": told},
            )
            reminded += 1
    candidates = ApprovalStep.objects.filter(
        state=StepState.PENDING, reminded_at__isnull=False, escalated_at__isnull=True
    ).values_list("pk", "reminded_at")
    User = get_user_model()
    for pk, reminded_at in list(candidates):
        if today < add_working_days(timezone.localdate(reminded_at), ESCALATE_AFTER_DAYS):
            continue
        with transaction.atomic():
            step = (
                ApprovalStep.objects.select_for_update()
                .filter(pk=pk, state=StepState.PENDING, escalated_at__isnull=True)
                .first()
            )
            if step is None:
                continue
            superior = SUPERIOR.get(step.approver_role)
            told = 0
            if superior:
                excluded = subjects.excluded_user_ids(step.subject_type, step.subject_id)
                recipients = User.objects.filter(is_active=True, role=superior).exclude(
                    pk__in=excluded
                )
                told = _overdue_notice(
                    recipients.order_by("pk"), step, kind=notices.ESCALATION, escalation=True
                )
            step.escalated_at = now
            step.save(update_fields=["escalated_at"])
            record(
                action="approval.step.escalate",
                actor_name=SWEEP_ACTOR,
                object_type=step.subject_type,
                object_id=step.subject_id,
                object_repr=_subject_repr(step.subject_type, step.subject_id),
                data={
                    "step": step.pk,
                    "sequence": step.sequence,
                    "superior": superior or "",
                    "recipients": told,
                },
            )
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}
