"""Shared fixtures of the arrivals tests: a second (and third) district with its own
officer, and ``arrival``, a factory registering arrivals through the service as a list
import or a declaration would.

    def test_x(arrival, other_district):
        mine = arrival(name="王五")                          # in the `district` fixture
        theirs = arrival(district=other_district, name="赵六")
        same = arrival(passport=mine_number, kind="airline")  # a second report, merged

``arrival(...)`` returns the Arrival; ``register(...)`` the service's ``Registered``
(arrival, source, created). Passport numbers are invented and unique per call unless
given. Nothing here is named with the access matrix's FOREIGN_MARKER.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from tests.factories import DistrictFactory, UserFactory
from waishi.arrivals import services
from waishi.arrivals.models import Arrival, SourceKind
from waishi.lib.roles import Role

_NUMBERS = itertools.count(1)


def next_passport() -> str:
    """An invented passport number, new at each call (E0000001, E0000002 ...)."""
    return f"E{next(_NUMBERS):07d}"


def arrival_data(**overrides) -> dict:
    """What a list row or a declaration gives (``services.ARRIVAL_FIELDS``)."""
    data = {
        "category": "returnee",
        "name": "王五",
        "nationality": "CN",
        "phone": "13800000000",
        "origin_country": "GB",
        "origin_city": "London",
        "route": "CA938",
        "arrival_date": timezone.localdate(),
        "arrival_time": dt.time(8, 0),
        "port": "首都国际机场",
        "address": "示范路1号",
        "purpose": "home",
    }
    data.update(overrides)
    return data


@pytest.fixture
def other_district(db):
    return DistrictFactory(code="370288", name="邻区")


@pytest.fixture
def third_district(db):
    return DistrictFactory(code="370289", name="远区")


@pytest.fixture
def officer(cast):
    """The district officer of the `district` fixture."""
    return cast["district_officer"]


@pytest.fixture
def command(cast):
    return cast["city_command"]


@pytest.fixture
def other_officer(db, other_district):
    """The district officer of ``other_district`` (second factor enrolled)."""
    return UserFactory(
        username="district_officer_2",
        role=Role.DISTRICT_OFFICER,
        district=other_district,
        otp=True,
    )


@pytest.fixture
def third_officer(db, third_district):
    return UserFactory(
        username="district_officer_3",
        role=Role.DISTRICT_OFFICER,
        district=third_district,
        otp=True,
    )


@pytest.fixture
def register(district):
    """register(district=..., passport=..., kind=..., actor=..., **fields) -> Registered."""

    def make(
        *,
        district=district,
        passport: str | None = None,
        kind: str = SourceKind.PORT,
        actor=None,
        batch=None,
        row: int | None = None,
        code_index: str | None = None,
        **fields,
    ) -> services.Registered:
        return services.arrival_register(
            data=arrival_data(**fields),
            passport=passport or next_passport(),
            district=district,
            kind=kind,
            actor=actor,
            batch=batch,
            row=row,
            code_index=code_index,
        )

    return make


@pytest.fixture
def arrival(register):
    """arrival(district=..., name=..., **fields) -> a registered Arrival."""

    def make(**kwargs) -> Arrival:
        return register(**kwargs).arrival

    return make
