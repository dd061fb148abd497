"""Helpers for the decision tests: a submitted trip, its plan quota, the chain walked."""

from __future__ import annotations

from waishi.approvals.models import ApprovalStep
from waishi.approvals.selectors import current_step
from waishi.audit.models import AuditEvent
from waishi.missions import services
from waishi.missions.models import Mission

# The default chain of an out-of-plan trip (seeded rules): who decides each step.
CHAIN = ("unit_leader", "fao_reviewer", "fao_head", "committee")


def submit(clerk, mission: Mission, **justifications) -> Mission:
    return services.mission_submit(
        actor=clerk, mission=mission, version=mission.version, justifications=justifications
    )


def quota_for(mission: Mission, general=(3, 12)):
    from tests.plans.builders import approved_plan

    return approved_plan(mission.unit, year=mission.departure_date.year, general=general)


def exempt(cast, mission: Mission):
    return services.publicity_exempt(
        actor=cast["fao_head"], mission=mission, exemption="emergency", reason="紧急任务（测试）"
    )


def approve_until_last(cast, mission: Mission) -> None:
    """Approve every step but the last, each by its role's account."""
    while True:
        step = current_step("missions.mission", mission.pk)
        rest = ApprovalStep.objects.filter(
            subject_type="missions.mission", subject_id=mission.pk, round=step.round
        ).filter(state="waiting")
        if not rest.exists():
            return
        services.mission_decide(
            actor=cast[step.approver_role], mission=mission, decision="approve", comment="同意"
        )


def pending(mission: Mission) -> ApprovalStep | None:
    return current_step("missions.mission", mission.pk)


def events(mission: Mission) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="missions.mission", object_id=str(mission.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def fresh(mission: Mission) -> Mission:
    return Mission.objects.get(pk=mission.pk)
