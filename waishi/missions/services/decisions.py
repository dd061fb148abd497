"""Decisions on a trip application in its approval chain, and the cancellation of an
approved trip.

``mission_decide`` is the one path every approval takes -- the decision page, the API,
bulk approval in the approvals queue (``approval.decide``) -- so the same checks hold
everywhere. In one transaction it locks the mission, decides the pending step through
``approvals.services.step_decide`` (who may decide, delegation, no self-approval) and
applies the matching workflow transition:

- "next" (another step follows): ``review`` when the mission was only submitted;
- "returned": ``return``; the comment and the comments per field stay on the step, for
  the clerk's form;
- "rejected": ``reject`` (final);
- "approved" (the last step): the publicity (公示) must have run or be exempted, the
  unit's quota is consumed (``plans.services.quota_consume``) and ``approved_at`` set.

Every approval (not only the last) re-runs the policy check on the record as it is now
(the policy or the data may have changed since submission): an ``error`` blocks it. A
*principle* error (原则上, e.g. SAME_UNIT_LEADERS) lets intermediate steps go on once the
clerk justified it; the final approval then needs an override with a written reason by
the FAO head or the committee (given at that step or recorded earlier), kept on the
mission and in the audit trail. Any refusal rolls the whole decision back.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.approvals.selectors import may_override
from waishi.audit.services import record
from waishi.lib.roles import Role, has
from waishi.missions import checking
from waishi.missions.models import Mission, State
from waishi.policy.types import InputError

SUBJECT = "missions.mission"
DECISIONS = ("approve", "return", "reject")
IN_CHAIN = frozenset({State.SUBMITTED, State.IN_REVIEW})
CANCELLERS = frozenset({Role.UNIT_LEADER, Role.FAO_HEAD})
# The fields of the form an approver may comment on when returning (the step of the
# form that shows each comment to the clerk: ``steps.FIELD_STEPS``).
COMMENT_FIELDS = ("title", "tasks", "invitation", "itinerary", "members", "budget")


def quota_reference(mission: Mission) -> str:
    return f"{SUBJECT}:{mission.pk}"


def recheck(mission: Mission) -> dict:
    """The policy check of the record as it is now (members read from the people today,
    so that a trip approved meanwhile counts), under the version in force today; the
    submission date stays the one judged for lead time."""
    data = checking.trip_data(mission, frozen=False)
    try:
        return checking.run_check(mission, on=timezone.localdate(), data=data)
    except InputError as exc:
        raise ValidationError(
            _("The application cannot be checked: %(problem)s") % {"problem": str(exc)},
            code="policy",
        ) from None


def policy_errors(result: dict) -> tuple[list[dict], list[dict]]:
    """(errors nobody may override, principle errors) of a check."""
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    principle = [f for f in errors if checking.is_principle(f)]
    return [f for f in errors if not checking.is_principle(f)], principle


def _describe(findings: list[dict]) -> list[str]:
    return [f"{f['message']} ({f['rule']})" for f in findings]


def _clean_field_comments(field_comments) -> dict[str, str]:
    if not field_comments:
        return {}
    if not isinstance(field_comments, dict):
        raise ValidationError({"field_comments": _("Comments per field must be field: text.")})
    unknown = sorted(set(field_comments) - set(COMMENT_FIELDS))
    if unknown:
        raise ValidationError(
            {"field_comments": _("Unknown field: %(fields)s") % {"fields": ", ".join(unknown)}}
        )
    return {
        k: str(v).strip() for k, v in field_comments.items() if v is not None and str(v).strip()
    }


def _check_may_decide(actor, mission: Mission) -> None:
    """Refuse early (before the policy check runs) someone who may not decide now."""
    from waishi.approvals import selectors as approvals
    from waishi.missions import approval

    step = approvals.current_step(SUBJECT, mission.pk)
    if step is None:
        raise ValidationError(
            _("Nothing on this record is waiting for a decision."), code="no_pending_step"
        )
    ok, _behalf, reason = approvals.can_decide(
        actor, step, excluded_user_ids=approval.excluded_user_ids(mission.pk)
    )
    if not ok:
        raise PermissionDenied(reason)


def mission_decide(
    *,
    actor,
    mission: Mission,
    decision: str,
    comment: str = "",
    field_comments: dict | None = None,
    override_reason: str = "",
    ip: str = "",
) -> str:
    """Decide the mission's pending approval step as ``actor`` ("approve", "return",
    "reject") and move the mission. Returns the approvals outcome: "next", "approved",
    "returned" or "rejected". Raises PermissionDenied or ValidationError (a
    ``plans.services.QuotaExceeded`` among them) and then changes nothing."""
    from waishi.approvals import services as approvals
    from waishi.missions import approval
    from waishi.missions.services.publicity import publicity_refusal
    from waishi.missions.workflow import MISSION

    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Unknown decision.")})
    comment = (comment or "").strip()
    override_reason = (override_reason or "").strip()
    field_comments = _clean_field_comments(field_comments)
    with transaction.atomic():
        locked = Mission.objects.select_for_update().get(pk=mission.pk)
        if locked.state not in IN_CHAIN:
            raise ValidationError(
                _("The application is %(state)s: there is nothing to decide.")
                % {"state": locked.get_state_display()},
                code="state",
            )
        _check_may_decide(actor, locked)
        hard: list[dict] = []
        principle: list[dict] = []
        if decision == "approve":
            hard, principle = policy_errors(recheck(locked))
            if hard:
                raise ValidationError(
                    [_("The trip breaks a rule and cannot be approved:"), *_describe(hard)],
                    code="policy",
                )
        step = approvals.step_decide(
            actor=actor,
            subject_type=SUBJECT,
            subject_id=locked.pk,
            decision=decision,
            comment=comment,
            field_comments=field_comments,
            excluded_user_ids=approval.excluded_user_ids(locked.pk),
            ip=ip,
        )
        outcome = step.outcome
        on_behalf_of = step.on_behalf_of
        overridden: list[str] = []
        if principle:
            rules = sorted({f["rule"] for f in principle})
            covered = set(locked.override_rules or []) >= set(rules) and locked.override_reason
            if override_reason and may_override(actor, on_behalf_of):
                overridden = rules
            elif outcome == "approved" and not covered:
                if not may_override(actor, on_behalf_of):
                    message = _(
                        "A principle rule is broken: only the FAO head or the committee may "
                        "approve it, with a written reason for the override."
                    )
                else:
                    message = _("Give the reason for overriding the principle rule.")
                raise ValidationError(
                    {"override_reason": [message, *_describe(principle)]}, code="override"
                )
        if overridden:
            locked.override_rules = overridden
            locked.override_reason = override_reason
            locked.overridden_by = actor
            locked.save(update_fields=["override_rules", "override_reason", "overridden_by"])
            record(
                action="missions.mission.override",
                actor=actor,
                on_behalf_of=on_behalf_of,
                obj=locked,
                ip=ip,
                after={"override_rules": overridden, "override_reason": override_reason},
                data={"findings": _describe(principle)},
            )
        data = {"step": step.pk, "outcome": outcome}
        if outcome == "next":
            if locked.state == State.SUBMITTED:
                MISSION.apply(
                    locked,
                    "review",
                    actor=actor,
                    ip=ip,
                    comment=comment,
                    data=data,
                    on_behalf_of=on_behalf_of,
                )
        elif outcome == "returned":
            MISSION.apply(
                locked,
                "return",
                actor=actor,
                ip=ip,
                comment=comment,
                data={**data, "field_comments": field_comments},
                on_behalf_of=on_behalf_of,
            )
        elif outcome == "rejected":
            MISSION.apply(
                locked,
                "reject",
                actor=actor,
                ip=ip,
                comment=comment,
                data=data,
                on_behalf_of=on_behalf_of,
            )
        else:  # "approved": the final approval
            refusal = publicity_refusal(locked)
            if refusal:
                raise ValidationError(refusal, code="publicity")
            _consume_quota(actor=actor, mission=locked, ip=ip)
            now = timezone.now()

            def stamp(row: Mission, transition) -> None:
                row.approved_at = now
                row.version += 1

            MISSION.apply(
                locked,
                "approve",
                actor=actor,
                ip=ip,
                comment=comment,
                data={
                    **data,
                    "override_rules": list(locked.override_rules or []),
                    "override_reason": locked.override_reason,
                },
                effect=stamp,
                on_behalf_of=on_behalf_of,
            )
            # The itinerary as approved becomes version 1 (changes are compared with it).
            from waishi.missions.itinerary import record_first

            record_first(locked, actor)
    return outcome


def _consume_quota(*, actor, mission: Mission, ip: str) -> None:
    from waishi.plans.services import quota_consume

    if mission.departure_date is None:
        raise ValidationError(_("The trip has no departure date."))
    quota_consume(
        actor=actor,
        unit=mission.unit,
        year=mission.departure_date.year,
        category=mission.category,
        person_trips=mission.members.count(),
        reference=quota_reference(mission),
        ip=ip,
    )


def mission_cancel(*, actor, mission: Mission, reason: str, ip: str = "") -> Mission:
    """Call off an approved trip: the FAO head at any time, the unit's leader before
    departure. The quota it used is given back and open steps are cancelled, in the
    same transaction."""
    from waishi.approvals import services as approvals
    from waishi.missions.workflow import MISSION
    from waishi.plans.services import quota_release

    if not has(actor, CANCELLERS):
        raise PermissionDenied(_("Only the FAO head or the unit's leader may cancel a trip."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    with transaction.atomic():
        locked = Mission.objects.select_for_update().get(pk=mission.pk)

        def effect(row: Mission, transition) -> None:
            row.cancel_reason = reason
            row.version += 1

        cancelled = MISSION.apply(
            locked, "cancel", actor=actor, ip=ip, comment=reason, effect=effect
        )
        quota_release(actor=actor, reference=quota_reference(locked), ip=ip)
        approvals.chain_cancel(actor=actor, subject_type=SUBJECT, subject_id=locked.pk, ip=ip)
    return cancelled
