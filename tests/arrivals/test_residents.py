"""The FAO's view of foreign residents: who sees them, overdue first and flagged, the
filters and search, and the detail page: the registration (passport masked) and the
dates of the declarations for everyone who sees the resident, the health contents only
for the arrivals roles, each such view audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

import waishi.arrivals.audit_messages_config  # noqa: F401 -- until apps.py imports it
from tests.factories import DistrictFactory
from waishi.arrivals.models import (
    HealthDeclaration,
    Resident,
    code_index,
    new_confirmation_code,
)
from waishi.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

FULL_NUMBER = re.compile(r"X\d{8}")


def make_resident(district, n: int, *, due_in: int, active: bool = True, **fields) -> Resident:
    today = timezone.localdate()
    resident = Resident(
        name=fields.pop("name", f"Resident {n:02d}"),
        nationality=fields.pop("nationality", "US"),
        address="海滨市测试路1号",
        employer=fields.pop("employer", ""),
        district=district,
        code_index=code_index(new_confirmation_code()),
        next_due=today + dt.timedelta(days=due_in),
        last_declared_at=timezone.now() - dt.timedelta(days=7 - due_in),
        active=active,
        **fields,
    )
    resident.set_passport(f"X{n:08d}")
    resident.save()
    return resident


@pytest.fixture
def residents(district):
    other = DistrictFactory(code="370166", name="外籍居民区")
    on_time = make_resident(district, 1, due_in=3, name="Anna Weber", employer="海滨大学")
    overdue = make_resident(other, 2, due_in=-4, name="Ben Carter", nationality="GB")
    left = make_resident(other, 3, due_in=-30, active=False, name="Chloe Martin")
    HealthDeclaration.objects.create(
        resident=on_time,
        declared_at=timezone.now() - dt.timedelta(days=4),
        symptoms=["cough"],
        symptoms_note="轻微咳嗽",
        test_outcome="negative",
    )
    HealthDeclaration.objects.create(
        resident=overdue, declared_at=timezone.now() - dt.timedelta(days=11), symptoms=["fever"]
    )
    return {"on_time": on_time, "overdue": overdue, "left": left, "other": other}


@pytest.mark.parametrize("role", ["fao_reviewer", "fao_head", "city_command", "auditor"])
def test_the_fao_command_and_auditor_see_every_resident_overdue_first(as_user, residents, role):
    body = as_user(role).get("/arrivals/residents/").content.decode()
    assert "Ben Carter" in body and "Anna Weber" in body
    assert body.index("Ben Carter") < body.index("Anna Weber")
    assert body.count('data-testid="overdue-resident"') == 1
    assert "Chloe Martin" not in body  # left the city: under "all"
    assert not FULL_NUMBER.search(body)


def test_a_district_sees_its_own_residents_only(as_user, residents):
    client = as_user("district_officer")
    body = client.get("/arrivals/residents/").content.decode()
    assert "Anna Weber" in body and "Ben Carter" not in body
    assert 'name="district"' not in body  # no district filter for one district
    assert client.get(f"/arrivals/residents/{residents['overdue'].pk}/").status_code == 404
    assert client.get(f"/arrivals/residents/{residents['on_time'].pk}/").status_code == 200


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "committee", "sys_admin"])
def test_other_roles_see_no_resident(as_user, residents, role):
    client = as_user(role)
    assert client.get("/arrivals/residents/").status_code == 403
    assert client.get(f"/arrivals/residents/{residents['on_time'].pk}/").status_code == 403


def test_filters_and_search(as_user, residents):
    client = as_user("fao_reviewer")
    overdue = client.get("/arrivals/residents/", {"show": "overdue"}).content.decode()
    assert "Ben Carter" in overdue and "Anna Weber" not in overdue
    everyone = client.get("/arrivals/residents/", {"show": "all"}).content.decode()
    assert "Chloe Martin" in everyone
    by_district = client.get(
        "/arrivals/residents/", {"district": residents["other"].pk, "show": "all"}
    ).content.decode()
    assert "Ben Carter" in by_district and "Anna Weber" not in by_district
    by_employer = client.get("/arrivals/residents/", {"q": "海滨大学"}).content.decode()
    assert "Anna Weber" in by_employer and "Ben Carter" not in by_employer
    # A passport number finds its holder through the blind index, in any spelling.
    by_number = client.get("/arrivals/residents/", {"q": "x0000 0002"}).content.decode()
    assert "Ben Carter" in by_number and "Anna Weber" not in by_number
    nothing = client.get("/arrivals/residents/", {"q": "Nobody"}).content.decode()
    assert 'data-testid="empty"' in nothing
    fragment = client.get("/arrivals/residents/", {"q": "Ben"}, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "Ben Carter" in text and "<html" not in text


def test_the_list_pages(as_user, district):
    for n in range(30):
        make_resident(district, 100 + n, due_in=n - 2, name=f"Paged Resident {n:02d}")
    client = as_user("fao_head")
    first = client.get("/arrivals/residents/").content.decode()
    assert "Paged Resident 00" in first and "Paged Resident 29" not in first
    assert first.count('data-testid="overdue-resident"') == 2
    second = client.get("/arrivals/residents/", {"page": 2}).content.decode()
    assert "Paged Resident 29" in second


@pytest.mark.parametrize("role", ["fao_reviewer", "auditor"])
def test_readers_outside_the_arrivals_roles_see_dates_not_health(as_user, residents, role):
    resident = residents["on_time"]
    body = as_user(role).get(f"/arrivals/residents/{resident.pk}/").content.decode()
    assert "Anna Weber" in body and resident.passport_masked in body
    assert not FULL_NUMBER.search(body)
    assert 'data-testid="declaration-dates"' in body
    assert 'data-testid="health-declarations"' not in body
    assert "轻微咳嗽" not in body and "cough" not in body.lower()
    assert not AuditEvent.objects.filter(action="arrivals.resident.health_view").exists()


@pytest.mark.parametrize("role", ["city_command", "district_officer"])
def test_the_arrivals_roles_see_health_and_each_view_is_audited(as_user, cast, residents, role):
    resident = residents["on_time"]
    client = as_user(role)
    for _ in range(2):
        body = client.get(f"/arrivals/residents/{resident.pk}/").content.decode()
        assert 'data-testid="health-declarations"' in body and "轻微咳嗽" in body
    events = AuditEvent.objects.filter(action="arrivals.resident.health_view")
    assert events.count() == 2
    event = events.first()
    assert event.actor_id == cast[role].pk and event.object_id == str(resident.pk)
    assert event.data == {"declarations": 1}


def test_the_overdue_resident_is_flagged_in_words(as_user, residents):
    body = (
        as_user("fao_reviewer")
        .get(f"/arrivals/residents/{residents['overdue'].pk}/")
        .content.decode()
    )
    assert 'data-testid="overdue"' in body and "4" in body
