"""A complete, clean trip application of the home unit, built through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import PersonFactory
from waishi.missions.application import services
from waishi.missions.models import Mission

PDF = b"%PDF-1.4\n% invented invitation\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def letter(name: str = "invitation.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def build_mission(
    clerk, people, *, days_ahead: int = 120, title: str = "赴日本经贸交流"
) -> Mission:
    """One stop in Tokyo for four days, members with tasks, a letter, a budget within the
    standard, outside the plan with a reason: no error, only the NOT_IN_PLAN warning."""
    start = timezone.localdate() + timedelta(days=days_ahead)
    end = start + timedelta(days=3)
    m = services.mission_create_draft(
        actor=clerk,
        title=title,
        purpose="经贸交流",
        tasks="拜访东京都政府，洽谈合作项目",
        departure_date=start,
        return_date=end,
        out_of_plan=True,
        out_of_plan_reason="临时邀请，未及列入年度计划",
    )
    m = services.mission_update_invitation(
        actor=clerk,
        mission=m,
        version=m.version,
        invitation_source="foreign_counterpart",
        inviter="东京都政府",
        letter=letter(),
    )
    m = services.mission_update_itinerary(
        actor=clerk,
        mission=m,
        version=m.version,
        stops=[{"country": "JP", "city": "东京", "arrive": start, "depart": end}],
    )
    for person in people:
        services.mission_member_add(actor=clerk, mission=m, version=m.version, person=person)
        m.refresh_from_db()
    rows = [
        {"id": member.pk, "task": f"{member.person.name}负责洽谈", "is_leader": i == 0}
        for i, member in enumerate(m.members.order_by("order"))
    ]
    m = services.mission_update_members(actor=clerk, mission=m, version=m.version, rows=rows)
    m = services.mission_update_budget(
        actor=clerk,
        mission=m,
        version=m.version,
        rows=[
            {
                "stop": m.stops.get().pk,
                "currency": "JPY",
                "lodging_per_day": 18000,
                "meals_per_day": 10000,
                "incidentals_per_day": 5000,
                "days": 3,
            }
        ],
        budget_total_cny=30000,
    )
    return m


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def clerk(cast):
    return cast["unit_clerk"]


@pytest.fixture
def mission(clerk, people):
    return build_mission(clerk, people)


NOT_IN_PLAN = {"NOT_IN_PLAN": ""}  # justified by the out-of-plan reason
