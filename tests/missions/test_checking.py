"""A mission -> the contract's input: the parser takes it, and the check runs on it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PersonFactory
from waishi.missions.application import services
from waishi.missions.core import checking
from waishi.missions.models import Member, Mission, State
from waishi.policy.parse import parse_trip
from waishi.policy.run import judge

pytestmark = pytest.mark.django_db


def test_trip_data_has_the_contract_shape_and_parses(mission):
    data = checking.trip_data(mission)
    assert set(data) == {
        "category",
        "departure_date",
        "return_date",
        "in_annual_plan",
        "invitation",
        "stops",
        "days",
        "members",
        "budget",
    }
    json.dumps(data)  # plain JSON
    trip = parse_trip(data)
    assert trip.stops[0].country == "JP" and trip.stops[0].city == "东京"
    assert [m.name for m in trip.members] == ["李雷", "韩梅梅"]
    assert trip.members[0].rank == "county_division"
    assert trip.members[0].unit == "市商务局"
    assert trip.members[0].task
    assert trip.invitation.source == "foreign_counterpart"
    assert trip.budget[0].lodging_per_day == 18000 and trip.budget[0].currency == "JPY"
    assert trip.in_annual_plan is False


def test_run_check_gives_the_contract_output(mission):
    result = checking.run_check(mission)
    assert set(result) == {"policy", "category", "days_abroad", "countries", "verdict", "findings"}
    assert result["countries"] == ["JP"]
    assert result["days_abroad"] == 4
    assert result["verdict"] == "warn"
    assert [f["rule"] for f in result["findings"]] == ["NOT_IN_PLAN"]


def test_the_same_input_judged_directly_gives_the_same_findings(mission):
    data = checking.trip_data(mission)
    direct = judge(data)
    via = checking.run_check(mission, data=data)
    assert [f.rule for f in direct.findings] == [f["rule"] for f in via["findings"]]


def test_a_draft_leaves_out_what_is_missing_so_the_checker_names_it(clerk):
    m = services.mission_create_draft(actor=clerk, title="未完成")
    data = checking.trip_data(m)
    assert "departure_date" not in data
    assert data["invitation"] == {"source": "none"}
    from waishi.policy import live

    check = live.evaluate(data)
    assert check.result is None and check.error == "出境日期：缺少必填字段"


def test_earlier_trips_come_from_approved_missions_of_the_person(mission, clerk, people):
    earlier_start = timezone.localdate() - timedelta(days=200)
    old = Mission.objects.create(
        unit=mission.unit,
        title="旧团组",
        state=State.APPROVED,
        departure_date=earlier_start,
        return_date=earlier_start + timedelta(days=5),
    )
    Member.objects.create(mission=old, person=people[0])
    draft = Mission.objects.create(
        unit=mission.unit, title="另一草稿", departure_date=earlier_start
    )
    Member.objects.create(mission=draft, person=people[0])
    data = checking.trip_data(mission)
    assert data["members"][0]["trips"] == [
        {
            "departure_date": earlier_start.isoformat(),
            "return_date": (earlier_start + timedelta(days=5)).isoformat(),
            "category": "general",
        }
    ]
    assert data["members"][1]["trips"] == []
    # A county-division official: one ordinary trip per two years -> FREQUENCY.
    assert "FREQUENCY" in [f["rule"] for f in checking.run_check(mission)["findings"]]


def test_finding_keys_are_stable_per_member_and_place():
    assert checking.finding_key({"rule": "LEAD_TIME", "member": None, "data": {}}) == "LEAD_TIME"
    assert checking.finding_key({"rule": "FREQUENCY", "member": 2, "data": {}}) == "FREQUENCY#2"
    assert (
        checking.finding_key({"rule": "HOT_DESTINATION", "member": None, "data": {"place": "JP"}})
        == "HOT_DESTINATION@JP"
    )


def test_principle_findings_are_recognised(home_unit, clerk):
    a = PersonFactory(unit=home_unit, is_unit_leadership=True)
    b = PersonFactory(unit=home_unit, is_unit_leadership=True)
    from tests.missions.conftest import build_mission

    m = build_mission(clerk, [a, b])
    result = checking.run_check(m)
    principle = [f for f in result["findings"] if checking.is_principle(f)]
    assert [f["rule"] for f in principle] == ["SAME_UNIT_LEADERS"]
    assert checking.blocking(result) == []
    assert checking.needs_justification(principle[0])
