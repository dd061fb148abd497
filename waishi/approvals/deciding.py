"""The decision template every subject of an approval chain goes through.

``subject_decide`` is the one way a step of a subject is decided -- by its decision
page, by the API, by bulk approval in the queue -- so the same checks hold everywhere.
In one transaction it:

1. locks the subject (``hooks.lock``: the subject's rows, refusing a subject that is
   not in its chain);
2. refuses early whoever may not decide the pending step now (who holds it, delegation,
   no self-approval), before any costly check;
3. runs the subject's checks of the decision (``hooks.check``: refuse what may not be
   approved, say which *principle* findings need an override);
4. decides the step (``services.step_decide``, which moves the steps);
5. settles the override of the principle findings: the FAO head or the committee (or
   their delegate) with a written reason, given now or already kept on the subject
   (``hooks.overridden``); the final approval is refused without it;
6. applies the subject's own transition (``hooks.transition``).

Any refusal rolls the whole decision back. A subject supplies only its hooks
(``DecisionHooks``) and registers ``decider(hooks)`` as its ``subjects.Subject.decide``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waishi.approvals import selectors, services
from waishi.approvals.models import ApprovalStep
from waishi.approvals.selectors import may_override
from waishi.policy.labels import rule_title

OUTCOMES = ("next", "approved", "returned", "rejected")


@dataclass(frozen=True)
class Override:
    """Principle rules overridden by this decision, the written reason, and the
    findings overridden."""

    rules: list[str]
    reason: str
    findings: list[dict]


@dataclass(frozen=True)
class Decided:
    """What a subject's transition hook is told of the decision just taken."""

    actor: Any
    step: ApprovalStep
    outcome: str  # "next", "approved", "returned", "rejected"
    on_behalf_of: Any
    comment: str
    field_comments: dict[str, str]
    override: Override | None
    ip: str


class DecisionHooks(Protocol):
    """What a subject of approval chains gives ``subject_decide``."""

    subject_type: str
    # The parts of the subject an approver may comment on when returning; None: the
    # subject takes no comments per field (any given are dropped).
    comment_fields: tuple[str, ...] | None

    def lock(self, subject_id: int) -> Any:
        """Lock and return the subject (and whatever its transition will change); raise
        ValidationError when it is not waiting in its chain."""

    def excluded_user_ids(self, subject) -> set[int]:
        """The accounts that may not decide it (its drafter, its members...)."""

    def check(self, subject, decision: str) -> list[dict]:
        """Raise ValidationError when ``decision`` may not be taken (a rule broken);
        return the *principle* findings ({"rule", "message", ...}) an override covers."""

    def overridden(self, subject, rules: list[str]) -> bool:
        """True when an override kept on the subject already covers ``rules``."""

    def keep_override(self, subject, override: Override, decided: Decided) -> None:
        """Keep an override given with this decision (on the subject, in the trail)."""

    def transition(self, subject, decided: Decided) -> None:
        """Move the subject after its step was decided."""


def describe(findings: Iterable[dict]) -> list[str]:
    """Findings as lines a person reads: "message（the rule's title）"."""
    return [f"{f['message']}（{rule_title(f['rule'])}）" for f in findings]


def _clean_field_comments(hooks: DecisionHooks, field_comments) -> dict[str, str]:
    if hooks.comment_fields is None or not field_comments:
        return {}
    if not isinstance(field_comments, dict):
        raise ValidationError({"field_comments": _("Comments per field must be field: text.")})
    unknown = sorted(set(field_comments) - set(hooks.comment_fields))
    if unknown:
        raise ValidationError(
            {"field_comments": _("Unknown field: %(fields)s") % {"fields": ", ".join(unknown)}}
        )
    return {
        k: str(v).strip() for k, v in field_comments.items() if v is not None and str(v).strip()
    }


def _check_may_decide(actor, hooks: DecisionHooks, subject_id: int, excluded) -> None:
    """Refuse early (before the subject's checks run) someone who may not decide now."""
    step = selectors.current_step(hooks.subject_type, subject_id)
    if step is None:
        raise ValidationError(
            _("Nothing on this record is waiting for a decision."), code="no_pending_step"
        )
    ok, _behalf, reason = selectors.can_decide(actor, step, excluded_user_ids=excluded)
    if not ok:
        raise PermissionDenied(reason)


def subject_decide(
    hooks: DecisionHooks,
    *,
    actor,
    subject_id: int,
    decision: str,
    comment: str = "",
    field_comments: dict | None = None,
    override_reason: str = "",
    ip: str = "",
) -> str:
    """Decide the subject's pending step as ``actor`` ("approve", "return", "reject")
    and move the subject. Returns the outcome: "next", "approved", "returned" or
    "rejected". Raises PermissionDenied or ValidationError and then changes nothing."""
    if decision not in services.DECISIONS:
        raise ValidationError({"decision": _("Unknown decision.")})
    comment = (comment or "").strip()
    override_reason = (override_reason or "").strip()
    field_comments = _clean_field_comments(hooks, field_comments)
    with transaction.atomic():
        subject = hooks.lock(subject_id)
        excluded = hooks.excluded_user_ids(subject)
        _check_may_decide(actor, hooks, subject_id, excluded)
        principle = hooks.check(subject, decision) if decision == "approve" else []
        step = services.step_decide(
            actor=actor,
            subject_type=hooks.subject_type,
            subject_id=subject_id,
            decision=decision,
            comment=comment,
            field_comments=field_comments,
            excluded_user_ids=excluded,
            ip=ip,
        )
        outcome = step.outcome
        override = None
        if principle:
            rules = sorted({f["rule"] for f in principle})
            allowed = may_override(actor, step.on_behalf_of)
            if override_reason and allowed:
                override = Override(rules=rules, reason=override_reason, findings=principle)
            elif outcome == "approved" and not hooks.overridden(subject, rules):
                if not allowed:
                    message = _(
                        "A principle rule is broken: only the FAO head or the committee may "
                        "approve it, with a written reason for the override."
                    )
                else:
                    message = _("Give the reason for overriding the principle rule.")
                raise ValidationError(
                    {"override_reason": [message, *describe(principle)]}, code="override"
                )
        decided = Decided(
            actor=actor,
            step=step,
            outcome=outcome,
            on_behalf_of=step.on_behalf_of,
            comment=comment,
            field_comments=field_comments,
            override=override,
            ip=ip,
        )
        if override is not None:
            hooks.keep_override(subject, override, decided)
        hooks.transition(subject, decided)
    return outcome


def decider(hooks: DecisionHooks) -> Callable[..., str]:
    """``subject_decide`` for one subject type, keyed by its id: what the subject
    registers as ``subjects.Subject.decide`` (the queue's and bulk approval's way in)."""

    def decide(
        *,
        actor,
        subject_id: int,
        decision: str,
        comment: str = "",
        ip: str = "",
        field_comments: dict | None = None,
        override_reason: str = "",
    ) -> str:
        return subject_decide(
            hooks,
            actor=actor,
            subject_id=subject_id,
            decision=decision,
            comment=comment,
            field_comments=field_comments,
            override_reason=override_reason,
            ip=ip,
        )

    return decide
