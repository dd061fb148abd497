"""Helpers for the decision tests: a submitted trip, its plan quota, the chain walked."""

from __future__ import annotations

from waishi.approvals.models import ApprovalStep
from waishi.approvals.selectors import current_step
from waishi.audit.models import AuditEvent
from waishi.missions.application import services
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


def _copy(model, row, **changes):
    values = {
        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return model(**values)


def awaiting_final_approval(clerk, head, unit, count: int) -> list[Mission]:
    """``count`` trips of ``unit`` whose one pending step is the FAO head's, the final
    approval: one clean trip built and submitted through the services, then copies of its
    rows (direct ORM, for speed), each given its chain by the approvals service. The
    publicity is exempted. Only the FAO head's rule stays active."""
    from tests.factories import PersonFactory
    from tests.missions.conftest import build_mission
    from waishi.approvals import services as approvals
    from waishi.approvals.models import ApprovalRule
    from waishi.missions.models import BudgetLine, Member, Publicity, Stop

    subject = "missions.mission"
    ApprovalRule.objects.filter(applies_to=subject).exclude(approver_role="fao_head").update(
        active=False
    )
    person = PersonFactory(unit=unit, name="赵六", rank="section_below")
    base = services.mission_submit(actor=clerk, mission=build_mission(clerk, [person]))
    missions = [base]
    stop, member, line = base.stops.get(), base.members.get(), base.budget_lines.get()
    for i in range(1, count):
        m = _copy(Mission, base, title=f"{base.title}{i}")
        m.save()
        new_stop = _copy(Stop, stop, mission_id=m.pk)
        new_stop.save()
        Member.objects.create(
            mission=m, person=person, task=member.task, is_leader=True, snapshot=member.snapshot
        )
        _copy(BudgetLine, line, mission_id=m.pk, stop_id=new_stop.pk).save()
        approvals.chain_start(
            actor=clerk, subject_type=subject, subject_id=m.pk, unit=unit, facts={}
        )
        missions.append(m)
    for m in missions:
        Publicity.objects.create(
            mission=m, exemption="emergency", exemption_reason="紧急任务（测试）", exempted_by=head
        )
    return missions
