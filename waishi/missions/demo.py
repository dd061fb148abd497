"""The trip application's steps as the demo takes them (the demo's year of trips is built
in ``waishi.ops.demo``, which also needs passports and follow-ups): draft an invented
application, submit it with a justification for every finding that needs one, publish
its notice (公示), and decide its approval steps as the demo approvers. Every step is the
real service, so the policy check, the approval chain, the quota and the audit chain are
those of a real trip; run under ``orgs.demo.clock`` they happen on the demo's past days.
"""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile

from waishi.approvals.selectors import current_step
from waishi.missions.application import services
from waishi.missions.core import checking
from waishi.missions.models import Category, Mission, Publicity, State
from waishi.orgs.models import User

APPROVERS = {  # approver role -> demo account
    "unit_leader": "leader",
    "fao_reviewer": "reviewer",
    "fao_head": "head",
    "committee": "committee",
}

# What the demo clerk writes when a finding needs a justification, by rule.
JUSTIFICATIONS = {
    "LEAD_TIME": "对方会期近期才确定，无法按规定提前报批（演示数据）",
    "BUDGET_MISSING": "经费预算明细另按财政程序报批（演示数据）",
    "BUDGET_STANDARD": "经费按对方接待标准据实测算（演示数据）",
    "STAY_DAYS": "对方安排的活动须连续参加，已压缩至最短（演示数据）",
}
DEFAULT_JUSTIFICATION = "已按规定说明情况，请予审核（演示数据）"


def approver(role: str) -> User | None:
    return User.objects.filter(username=APPROVERS.get(role, "")).first()


def draft(
    clerk,
    people,
    *,
    title: str,
    start: date,
    end: date,
    country: str,
    city: str,
    category: str = Category.ECON_TECH,
    entry=None,
    purpose: str = "推动经贸合作，落实友好城市合作备忘录",
    tasks: str = "拜访当地政府及商协会，出席经贸推介会，洽谈合作项目",
    budget: int = 60000,
) -> Mission:
    """A complete draft of ``clerk``'s unit: basics, invitation letter, one stop, members
    (the first heads the delegation). ``entry`` ties it to a plan entry; without one the
    trip is outside the plan (计划外) with its reason."""
    basics = {
        "title": title,
        "purpose": purpose,
        "tasks": tasks,
        "category": category,
        "departure_date": start,
        "return_date": end,
        "funding_source": "部门预算",
        "budget_total_cny": budget,
    }
    if entry is not None:
        basics.update(plan_entry=entry, out_of_plan=False)
    else:
        basics.update(
            out_of_plan=True,
            out_of_plan_reason="对方临时发出邀请，未及列入年度计划（演示数据）",
        )
    m = services.mission_create_draft(actor=clerk, **basics)
    letter = ContentFile(
        b"%PDF-1.4\n% demo invitation letter (invented)\n%%EOF\n", name="邀请函.pdf"
    )
    m = services.mission_update_invitation(
        actor=clerk,
        mission=m,
        version=None,
        invitation_source="foreign_counterpart",
        inviter=f"{city}市政府（演示）",
        letter=letter,
    )
    m = services.mission_update_itinerary(
        actor=clerk,
        mission=m,
        version=None,
        stops=[{"country": country, "city": city, "arrive": start, "depart": end}],
    )
    for person in people:
        services.mission_member_add(actor=clerk, mission=m, version=None, person=person)
    rows = [
        {"id": member.pk, "task": "洽谈合作项目，出席相关活动", "is_leader": i == 0}
        for i, member in enumerate(m.members.order_by("order"))
    ]
    return services.mission_update_members(actor=clerk, mission=m, version=None, rows=rows)


def justifications_for(mission: Mission) -> dict[str, str]:
    """A justification for every finding of today's check that needs one."""
    from django.utils import timezone

    today = timezone.localdate()
    data = checking.trip_data(mission, submitted_on=today, frozen=False)
    result = checking.run_check(mission, on=today, data=data)
    return {
        checking.finding_key(f): JUSTIFICATIONS.get(f["rule"], DEFAULT_JUSTIFICATION)
        for f in result["findings"]
        if checking.needs_justification(f)
    }


def submit(clerk, mission: Mission, *, publish: bool = True) -> Mission:
    """Submit (or resubmit) with the justifications it needs; publish its notice."""
    mission.refresh_from_db()
    m = services.mission_submit(
        actor=clerk, mission=mission, justifications=justifications_for(mission)
    )
    if publish and not Publicity.objects.filter(mission=m).exists():
        services.publicity_publish(actor=clerk, mission=m)
    return Mission.objects.get(pk=m.pk)


def pending_role(mission: Mission) -> str | None:
    step = current_step("missions.mission", mission.pk)
    return step.approver_role if step is not None else None


def decide(mission: Mission, decision: str = "approve", comment: str = "") -> str | None:
    """Decide the trip's pending step as the demo approver of its role; the outcome
    ("next", "approved", "returned", "rejected"), or None when no step is pending."""
    role = pending_role(mission)
    if role is None:
        return None
    comments = {
        "approve": "同意（演示）",
        "return": "请补充说明出访的必要性和日程安排（演示）",
        "reject": "该团组与年度重点工作关联不够，不予批准（演示）",
    }
    return services.mission_decide(
        actor=approver(role),
        mission=mission,
        decision=decision,
        comment=comment or comments[decision],
    )


__all__ = ["State", "decide", "draft", "pending_role", "submit"]
