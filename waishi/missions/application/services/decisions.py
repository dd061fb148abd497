"""Decisions on a trip application in its approval chain, and the cancellation of an
approved trip.

``mission_decide`` is the one path every approval takes -- the decision page, the API,
bulk approval in the approvals queue (``approval.decide``) -- so the same checks hold
everywhere. It is the decision template (``approvals.deciding.subject_decide``) with the
trip's hooks (``MissionDecision``): in one transaction the mission is locked, the
pending step decided (who may decide, delegation, no self-approval) and the matching
workflow transition applied:

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

from waishi.approvals import selectors as approval_selectors
from waishi.approvals import services as approval_services
from waishi.approvals.deciding import Decided, Override, describe, subject_decide
from waishi.audit.services import record
from waishi.lib.roles import CANCELLERS, has
from waishi.missions.core import checking
from waishi.missions.core.exclusion import excluded_user_ids
from waishi.missions.core.itinerary import record_first
from waishi.missions.core.publicity import publicity_refusal
from waishi.missions.core.workflow import MISSION
from waishi.missions.models import Mission, State
from waishi.plans.services import quota_consume, quota_refusal, quota_release
from waishi.policy.labels import input_error_words
from waishi.policy.types import InputError

SUBJECT = "missions.mission"
DECISIONS = ("approve", "return", "reject")
IN_CHAIN = frozenset({State.SUBMITTED, State.IN_REVIEW})
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
            _("The application cannot be checked: %(problem)s")
            % {"problem": input_error_words(exc)},
            code="policy",
        ) from None


def approval_blockers(mission: Mission) -> list[str]:
    """What would refuse the approval of the pending step now besides the policy's errors,
    in words, for the decision page to say before offering it: for the final approval,
    the publicity period and the unit's quota of the plan year (the plan approved, enough
    left). Empty: nothing blocks it."""
    step = approval_selectors.current_step(SUBJECT, mission.pk)
    if step is None or not approval_selectors.is_final(step):
        return []
    found = []
    refusal = publicity_refusal(mission)
    if refusal:
        found.append(refusal)
    year = checking.quota_year(mission)
    if year is not None:
        refusal = quota_refusal(
            unit=mission.unit,
            year=year,
            category=mission.category,
            person_trips=mission.members.count(),
        )
        if refusal:
            found.append(refusal)
    return found


def policy_errors(result: dict) -> tuple[list[dict], list[dict]]:
    """(errors nobody may override, principle errors) of a check."""
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    principle = [f for f in errors if checking.is_principle(f)]
    return [f for f in errors if not checking.is_principle(f)], principle


class MissionDecision:
    """The trip application's hooks in the decision template
    (``approvals.deciding.subject_decide``)."""

    subject_type = SUBJECT
    comment_fields = COMMENT_FIELDS

    def lock(self, subject_id: int) -> Mission:
        locked = Mission.objects.select_for_update().filter(pk=subject_id).first()
        if locked is None:
            raise ValidationError(_("Not found."))
        if locked.state not in IN_CHAIN:
            raise ValidationError(
                _("The application is %(state)s: there is nothing to decide.")
                % {"state": locked.get_state_display()},
                code="state",
            )
        return locked

    def excluded_user_ids(self, mission: Mission) -> set[int]:
        return excluded_user_ids(mission.pk)

    def check(self, mission: Mission, decision: str) -> list[dict]:
        """Every approval (not only the last) re-runs the policy check: an error nobody
        may override blocks it; the principle errors are returned for an override."""
        hard, principle = policy_errors(recheck(mission))
        if hard:
            raise ValidationError(
                [_("The trip breaks a rule and cannot be approved:"), *describe(hard)],
                code="policy",
            )
        return principle

    def overridden(self, mission: Mission, rules: list[str]) -> bool:
        return bool(set(mission.override_rules or []) >= set(rules) and mission.override_reason)

    def keep_override(self, mission: Mission, override: Override, decided: Decided) -> None:
        mission.override_rules = override.rules
        mission.override_reason = override.reason
        mission.overridden_by = decided.actor
        mission.save(update_fields=["override_rules", "override_reason", "overridden_by"])
        record(
            action="missions.mission.override",
            actor=decided.actor,
            on_behalf_of=decided.on_behalf_of,
            obj=mission,
            ip=decided.ip,
            after={"override_rules": override.rules, "override_reason": override.reason},
            data={"findings": describe(override.findings)},
        )

    def transition(self, mission: Mission, decided: Decided) -> None:
        actor, outcome, comment = decided.actor, decided.outcome, decided.comment
        common = {
            "actor": actor,
            "ip": decided.ip,
            "comment": comment,
            "on_behalf_of": decided.on_behalf_of,
        }
        data = {"step": decided.step.pk, "outcome": outcome}
        if outcome == "next":
            if mission.state == State.SUBMITTED:
                MISSION.apply(mission, "review", data=data, **common)
        elif outcome == "returned":
            data["field_comments"] = decided.field_comments
            MISSION.apply(mission, "return", data=data, **common)
        elif outcome == "rejected":
            MISSION.apply(mission, "reject", data=data, **common)
        else:  # "approved": the final approval
            refusal = publicity_refusal(mission)
            if refusal:
                raise ValidationError(refusal, code="publicity")
            _consume_quota(actor=actor, mission=mission, ip=decided.ip)
            now = timezone.now()

            def stamp(row: Mission, transition) -> None:
                row.approved_at = now
                row.version += 1

            data["override_rules"] = list(mission.override_rules or [])
            data["override_reason"] = mission.override_reason
            MISSION.apply(mission, "approve", data=data, effect=stamp, **common)
            # The itinerary as approved becomes version 1 (changes are compared with it).
            record_first(mission, actor)


DECISION = MissionDecision()


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
    "reject") and move the mission, through the decision template with the trip's hooks.
    Returns the approvals outcome: "next", "approved", "returned" or "rejected". Raises
    PermissionDenied or ValidationError (a ``plans.services.QuotaExceeded`` among them)
    and then changes nothing."""
    return subject_decide(
        DECISION,
        actor=actor,
        subject_id=mission.pk,
        decision=decision,
        comment=comment,
        field_comments=field_comments,
        override_reason=override_reason,
        ip=ip,
    )


def _consume_quota(*, actor, mission: Mission, ip: str) -> None:
    if mission.departure_date is None:
        raise ValidationError(_("The trip has no departure date."))
    quota_consume(
        actor=actor,
        unit=mission.unit,
        year=checking.quota_year(mission),
        category=mission.category,
        person_trips=mission.members.count(),
        reference=quota_reference(mission),
        ip=ip,
    )


def mission_cancel(*, actor, mission: Mission, reason: str, ip: str = "") -> Mission:
    """Call off an approved trip: the FAO head at any time, the unit's leader before
    departure. The quota it used is given back and open steps are cancelled, in the
    same transaction."""
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
        approval_services.chain_cancel(
            actor=actor, subject_type=SUBJECT, subject_id=locked.pk, ip=ip
        )
    return cancelled
