"""The demo passports: one in custody for every member of the demo trips; twice adds none."""

from __future__ import annotations

import io

import pytest

from waishi.missions.demo import seed_missions
from waishi.missions.models import Member
from waishi.orgs import demo
from waishi.passports.demo import seed_passports
from waishi.passports.models import Passport, PassportState
from waishi.plans.demo import seed_plans

pytestmark = pytest.mark.django_db


def test_seed_passports_is_idempotent():
    demo.load()
    seed_plans(io.StringIO())
    seed_missions(io.StringIO())
    members = set(Member.objects.values_list("person_id", flat=True))
    assert seed_passports(io.StringIO()) == len(members) > 0
    assert set(Passport.objects.values_list("holder_id", flat=True)) == members
    assert set(Passport.objects.values_list("state", flat=True)) == {PassportState.IN_CUSTODY}
    assert seed_passports() == 0
    assert Passport.objects.count() == len(members)


def test_seed_travel_takes_the_past_approved_trip_home_once():
    from waishi.missions.models import Mission, ReportState, State
    from waishi.passports.demo import seed_travel
    from waishi.passports.models import PassportCustody

    demo.load()
    seed_plans(io.StringIO())
    seed_missions(io.StringIO())
    seed_passports(io.StringIO())
    out = io.StringIO()
    assert seed_travel(out) == 1
    trip = Mission.objects.get(state=State.BACK)
    assert trip.actual_departure == trip.departure_date
    assert trip.actual_return == trip.return_date
    assert trip.report.state == ReportState.DRAFT
    # Every passport went out with the trip and came back.
    assert PassportCustody.objects.filter(mission=trip).count() == trip.members.count()
    assert not PassportCustody.objects.filter(returned_at__isnull=True).exists()
    assert set(Passport.objects.values_list("state", flat=True)) == {PassportState.IN_CUSTODY}
    assert seed_travel(io.StringIO()) == 0
