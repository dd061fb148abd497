"""Retention: after ``retention_days`` the health details of closed arrivals and of
residents' old declarations are deleted, their counts kept in ``HealthTally``; before,
nothing goes; a second run counts nothing twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

import waishi.arrivals.audit_messages_config  # noqa: F401 -- until apps.py imports it
from tests.factories import DistrictFactory
from waishi.arrivals import config_services, privacy
from waishi.arrivals.models import (
    ArrivalState,
    HealthDeclaration,
    HealthTally,
    PlanRule,
    Resident,
    SourceKind,
    Step,
    code_index,
    new_confirmation_code,
)
from waishi.arrivals.models import (
    TestResult as PlanTestResult,
)
from waishi.arrivals.services import arrival_register, step_confirm
from waishi.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 10, 18, 0, tzinfo=TZ)
MARCH = dt.date(2026, 3, 1)
SHORT = [
    {"kind": "landing_check", "day": 0, "within_hours": 12, "label": "落地查人"},
    {"kind": "test", "day": 0, "within_hours": 12, "label": "落地核酸检测"},
    {"kind": "release", "day": 0, "within_hours": None, "label": "解除管控"},
]


def _resident(district, n: int, declared: list[tuple[dt.datetime, list[str]]]) -> Resident:
    resident = Resident(
        name=f"Test Resident {n}",
        nationality="US",
        address="海滨市测试路1号",
        district=district,
        code_index=code_index(new_confirmation_code()),
        next_due=declared[-1][0].date() + dt.timedelta(days=7),
        last_declared_at=declared[-1][0],
    )
    resident.set_passport(f"R{n:08d}")
    resident.save()
    for at, symptoms in declared:
        HealthDeclaration.objects.create(resident=resident, declared_at=at, symptoms=symptoms)
    return resident


@pytest.fixture
def world(cast, district):
    """On 10 March 2026: an arrival (plan: landing check, test, release) closed with a
    positive test and a declaration with fever and a declared test; a resident of another
    district with an old declaration and, half a year later, a new one."""
    command, officer = cast["city_command"], cast["district_officer"]
    other = DistrictFactory(code="370177", name="另一区")
    with time_machine.travel(START, tick=False):
        config_services.plan_create(
            actor=command, code="short", name="短方案", steps=SHORT, reason="测试"
        )
        PlanRule.objects.update(plan_code="short")
        arrival = arrival_register(
            data={
                "category": "returnee",
                "name": "测试旅客",
                "origin_country": "US",
                "arrival_date": START.date(),
                "arrival_time": dt.time(8, 0),
            },
            passport="P12345678",
            district=district,
            kind=SourceKind.DECLARATION,
            code_index=code_index(new_confirmation_code()),
        ).arrival
        HealthDeclaration.objects.create(
            arrival=arrival,
            declared_at=START - dt.timedelta(days=5),
            symptoms=["fever"],
            test_on=START.date() - dt.timedelta(days=6),
            test_outcome="negative",
        )
        steps = list(arrival.steps.order_by("sequence"))
        step_confirm(actor=officer, step=steps[0], done_at=START - dt.timedelta(hours=9))
        step_confirm(
            actor=officer,
            step=steps[1],
            done_at=START - dt.timedelta(hours=8),
            outcome="positive",
            note="阳性，已转定点医院",
        )
        step_confirm(actor=officer, step=steps[2], done_at=START - dt.timedelta(hours=7))
        arrival.refresh_from_db()
        assert arrival.state == ArrivalState.CLOSED
    resident = _resident(
        other,
        1,
        [
            (START - dt.timedelta(days=7), []),
            (START + dt.timedelta(days=194), ["cough"]),
        ],
    )
    return {"arrival": arrival, "resident": resident, "district": district, "other": other}


def _tallies() -> dict:
    return {
        (t.district.code, t.month, t.what): t.count
        for t in HealthTally.objects.select_related("district")
    }


def test_nothing_is_purged_before_the_retention_period(world):
    with time_machine.travel(START + dt.timedelta(days=150), tick=False):
        counts = privacy.purge_expired()
    assert counts == {"declarations": 0, "tests": 0, "notes": 0}
    assert HealthDeclaration.objects.count() == 3
    assert PlanTestResult.objects.count() == 1
    assert not HealthTally.objects.exists()
    # The run is recorded even when it finds nothing.
    assert AuditEvent.objects.get(action="arrivals.health.purge").data["declarations"] == 0


def test_after_the_retention_the_details_go_and_the_counts_stay(world):
    arrival = world["arrival"]
    with time_machine.travel(START + dt.timedelta(days=200), tick=False):
        counts = privacy.purge_expired()
    assert counts == {"declarations": 2, "tests": 1, "notes": 1}
    # Nothing about the arrival's health is left.
    assert not HealthDeclaration.objects.filter(arrival=arrival).exists()
    assert not PlanTestResult.objects.filter(arrival=arrival).exists()
    assert not Step.objects.filter(arrival=arrival).exclude(note="").exists()
    # The resident's recent declaration (six days old) stays; the old one went.
    kept = HealthDeclaration.objects.get()
    assert kept.resident_id == world["resident"].pk and kept.symptoms == ["cough"]
    assert _tallies() == {
        ("370199", MARCH, "declarations"): 1,
        ("370199", MARCH, "symptoms"): 1,
        ("370199", MARCH, "tests"): 2,  # the declared test and the one of the plan
        ("370199", MARCH, "positive"): 1,
        ("370177", MARCH, "declarations"): 1,
    }
    event = AuditEvent.objects.get(action="arrivals.health.purge")
    assert event.data["declarations"] == 2 and event.data["tests"] == 1
    assert "测试旅客" not in str(event.data) and "P1234" not in str(event.data)
    # The arrival itself, its steps and their confirmations stay.
    arrival.refresh_from_db()
    assert arrival.steps.filter(done_at__isnull=False).count() == 3


def test_running_twice_counts_nothing_twice(world):
    with time_machine.travel(START + dt.timedelta(days=200), tick=False):
        privacy.purge_expired()
        first = _tallies()
        again = privacy.purge_expired()
    assert again == {"declarations": 0, "tests": 0, "notes": 0}
    assert _tallies() == first
    # Later the resident's newer declaration expires too: added to the counts, not reset.
    with time_machine.travel(START + dt.timedelta(days=194 + 181), tick=False):
        assert privacy.purge_expired()["declarations"] == 1
    tallies = _tallies()
    september = dt.date(2026, 9, 1)
    assert tallies[("370177", september, "declarations")] == 1
    assert tallies[("370177", september, "symptoms")] == 1
    assert tallies[("370177", MARCH, "declarations")] == 1
    assert not HealthDeclaration.objects.exists()


def test_the_retention_period_is_the_settings(world, cast):
    with time_machine.travel(START + dt.timedelta(days=40), tick=False):
        assert privacy.purge_expired()["declarations"] == 0
        config_services.settings_change(
            actor=cast["city_command"],
            declare_lead_hours=48,
            retention_days=30,
            resident_interval_days=7,
            default_plan_code="7+3",
            reason="缩短保存期限",
        )
        assert privacy.purge_expired() == {"declarations": 2, "tests": 1, "notes": 1}


def test_an_open_arrival_keeps_its_details(world, cast, district):
    """Only closed arrivals are purged: one still under management keeps everything."""
    with time_machine.travel(START, tick=False):
        open_one = arrival_register(
            data={
                "category": "returnee",
                "name": "未解除旅客",
                "origin_country": "US",
                "arrival_date": START.date(),
            },
            passport="P87654321",
            district=district,
            kind=SourceKind.PORT,
        ).arrival
        HealthDeclaration.objects.create(arrival=open_one, symptoms=["fever"])
    with time_machine.travel(START + dt.timedelta(days=400), tick=False):
        privacy.purge_expired()
    assert HealthDeclaration.objects.filter(arrival=open_one).count() == 1


def test_the_settings_page_shows_the_counts_kept(world, as_user):
    with time_machine.travel(START + dt.timedelta(days=200), tick=False):
        privacy.purge_expired()
    body = as_user("city_command").get("/arrivals/settings/").content.decode()
    assert 'data-testid="tallies"' in body and "2026-03" in body and "另一区" in body
    # A district sees its own district's counts only.
    own = as_user("district_officer").get("/arrivals/settings/").content.decode()
    assert "2026-03" in own and "另一区" not in own


def test_the_tally_adds_to_an_existing_row(district):
    HealthTally.objects.create(district=district, month=MARCH, what="tests", count=5)
    privacy._add({(district.pk, MARCH, "tests"): 3, (district.pk, MARCH, "positive"): 1})
    privacy._add({(district.pk, MARCH, "positive"): 0})
    assert HealthTally.objects.get(what="tests").count == 8
    assert HealthTally.objects.get(what="positive").count == 1
