"""An approved trip of the home unit with two members, and passports for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.missions.conftest import build_mission
from waishi.missions.models import Mission, State
from waishi.passports import services
from waishi.passports.models import Kind

NUMBERS = iter(f"SE{n:07d}" for n in range(1000001, 9999999))


def approve(mission: Mission) -> Mission:
    """The approval chain is tested in tests/missions; here an approved trip is given."""
    Mission.objects.filter(pk=mission.pk).update(
        state=State.APPROVED, approved_at=timezone.now(), version=mission.version + 1
    )
    return Mission.objects.get(pk=mission.pk)


def educate(clerk, mission: Mission) -> None:
    """Record every member's pre-departure education through the missions service."""
    from waishi.missions.trip.predeparture import education_record

    for member in mission.members.order_by("pk"):
        education_record(
            actor=clerk,
            mission=mission,
            member=member,
            given_on=timezone.localdate(),
            method="group",
            given_by="市外办",
        )


def register(fao, holder, *, expires_on: dt.date | None = None, number: str | None = None):
    today = timezone.localdate()
    return services.passport_register(
        actor=fao,
        holder=holder,
        kind=Kind.SERVICE,
        number=number or next(NUMBERS),
        issued_on=today - dt.timedelta(days=365),
        expires_on=expires_on or today + dt.timedelta(days=5 * 365),
    )


@pytest.fixture
def fao(cast):
    return cast["fao_reviewer"]


@pytest.fixture
def people(home_unit):
    from tests.factories import PersonFactory

    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def trip(cast, people):
    """Approved, every member educated."""
    mission = approve(build_mission(cast["unit_clerk"], people))
    educate(cast["unit_clerk"], mission)
    return mission


@pytest.fixture
def passports(fao, people):
    return [register(fao, person) for person in people]
