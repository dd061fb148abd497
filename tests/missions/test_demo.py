"""The demo trips: a draft, a submitted one and an approved one; seeding twice adds none."""

from __future__ import annotations

import io

import pytest

from waishi.missions.demo import seed_missions
from waishi.missions.models import Mission
from waishi.orgs import demo

pytestmark = pytest.mark.django_db


def test_seed_missions_is_idempotent(settings):
    demo.load()
    out = io.StringIO()
    assert seed_missions(out) == 3
    states = sorted(Mission.objects.values_list("state", flat=True))
    assert states == ["approved", "draft", "submitted"]
    assert seed_missions() == 0
    assert Mission.objects.count() == 3
