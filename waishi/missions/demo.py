"""Invented trip applications for the demo city (after ``orgs.demo.load``): a draft, a
submitted application and an approved trip of 2026 of the commerce bureau (HB-COM).

Idempotent: an application whose title exists is left alone. Everything goes through
the services (and so into the audit chain): the submitted trip's notice (公示) is
published; the approved trip is exempted from publicity by the FAO head and decided
step by step by the demo approvers through ``services.mission_decide``, which consumes
the unit's quota at the final approval (the plan demo must have run first)."""

from __future__ import annotations

from datetime import date
from typing import IO

from waishi.approvals.selectors import current_step
from waishi.missions.application import services
from waishi.missions.models import Exemption, Mission, State
from waishi.orgs.models import Person, User

UNIT = "HB-COM"
CLERK = "clerk"
APPROVERS = {  # approver role -> demo account
    "unit_leader": "leader",
    "fao_reviewer": "reviewer",
    "fao_head": "head",
    "committee": "committee",
}


def _draft(clerk, people, *, title: str, start: date, end: date, country: str, city: str):
    m = services.mission_create_draft(
        actor=clerk,
        title=title,
        purpose="推动经贸合作，落实友好城市合作备忘录",
        tasks="拜访当地政府及商协会，出席经贸推介会，洽谈合作项目",
        departure_date=start,
        return_date=end,
        out_of_plan=True,
        out_of_plan_reason="对方临时发出邀请，未及列入年度计划（演示数据）",
        funding_source="部门预算",
        budget_total_cny=60000,
    )
    from django.core.files.base import ContentFile

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
        {"id": member.pk, "task": "洽谈合作项目", "is_leader": i == 0}
        for i, member in enumerate(m.members.order_by("order"))
    ]
    return services.mission_update_members(actor=clerk, mission=m, version=None, rows=rows)


def _approve_all(mission: Mission, users: dict, stdout: IO[str] | None = None) -> None:
    """Each step decided by the demo approver of its role through the real decision
    service (policy re-check, publicity, quota); the publicity exempted by the FAO head
    first, since the demo cannot wait out the period."""
    from django.core.exceptions import ValidationError

    services.publicity_exempt(
        actor=users["head"],
        mission=mission,
        exemption=Exemption.CENTRAL_TASK,
        reason="市政府临时交办的投资促进任务（演示数据，虚构）",
    )
    while (step := current_step("missions.mission", mission.pk)) is not None:
        try:
            outcome = services.mission_decide(
                actor=users[APPROVERS[step.approver_role]],
                mission=mission,
                decision="approve",
                comment="同意（演示）",
            )
        except ValidationError as exc:  # e.g. no quota: the trip stays in review
            if stdout is not None:
                stdout.write(f"missions: demo approval stopped: {' '.join(exc.messages)}\n")
            return
        if outcome == "approved":
            return


def seed_missions(stdout: IO[str] | None = None) -> int:
    """Create the demo applications that are not there yet; how many were created."""
    users = {u.username: u for u in User.objects.filter(username__in=[CLERK, *APPROVERS.values()])}
    clerk = users.get(CLERK)
    if clerk is None or clerk.unit is None:
        return 0
    staff = list(
        Person.objects.filter(unit=clerk.unit, is_active=True, is_unit_leadership=False)
        .exclude(pk__in=User.objects.filter(person__isnull=False).values("person_id"))
        .order_by("pk")[:6]
    )
    if len(staff) < 4:
        return 0
    specs = [
        (
            "赴日本大阪经贸推介（草稿）",
            date(2027, 4, 12),
            date(2027, 4, 16),
            "JP",
            "大阪",
            staff[:2],
            "draft",
        ),
        (
            "赴韩国釜山港口合作交流",
            date(2027, 3, 8),
            date(2027, 3, 12),
            "KR",
            "釜山",
            staff[2:4],
            "submit",
        ),
        (
            "赴阿联酋迪拜投资促进",
            date(2026, 9, 14),
            date(2026, 9, 18),
            "AE",
            "迪拜",
            staff[4:6] or staff[:2],
            "approve",
        ),
    ]
    created = 0
    for title, start, end, country, city, people, goal in specs:
        if Mission.objects.filter(unit=clerk.unit, title=title).exists():
            continue
        m = _draft(clerk, people, title=title, start=start, end=end, country=country, city=city)
        created += 1
        if goal == "draft":
            continue
        m = services.mission_submit(
            actor=clerk,
            mission=m,
            justifications={
                "LEAD_TIME": "对方会期已定（演示数据）",
                "BUDGET_MISSING": "预算另报（演示）",
            },
        )
        if goal == "approve" and all(u in users for u in APPROVERS.values()):
            _approve_all(m, users, stdout)
        elif goal == "submit" and clerk is not None:
            services.publicity_publish(actor=clerk, mission=m)
    if stdout is not None:
        stdout.write(f"missions: {created} demo trip applications created\n")
    return created


__all__ = ["State", "seed_missions"]
