"""The demo passports: one in custody for each person given; twice adds none."""

from __future__ import annotations

import io

import pytest

from waishi.orgs import demo
from waishi.orgs.models import Person
from waishi.passports.demo import seed_passports
from waishi.passports.models import Passport, PassportState

pytestmark = pytest.mark.django_db


def test_seed_passports_is_idempotent():
    demo.load()
    people = list(Person.objects.filter(unit__code="HB-COM").order_by("pk")[:5])
    assert seed_passports(io.StringIO(), people) == len(people) == 5
    assert set(Passport.objects.values_list("holder_id", flat=True)) == {p.pk for p in people}
    assert set(Passport.objects.values_list("state", flat=True)) == {PassportState.IN_CUSTODY}
    assert all(p.expires_on > p.issued_on for p in Passport.objects.all())
    assert seed_passports(None, people) == 0
    assert Passport.objects.count() == len(people)
