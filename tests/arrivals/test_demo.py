"""The demo arrivals: a second run adds nothing; the board has an overdue landing check,
a hand-over waits for an answer, one foreign resident is overdue."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

import waishi.arrivals.audit_messages_config  # noqa: F401 -- until apps.py imports it
from waishi.arrivals import demo as arrivals_demo
from waishi.arrivals.models import (
    Arrival,
    ArrivalSource,
    ArrivalState,
    Campaign,
    Handover,
    HealthDeclaration,
    Resident,
    Step,
    StepKind,
)
from waishi.audit.messages import MESSAGES
from waishi.audit.models import AuditEvent
from waishi.orgs import demo

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    models = (Arrival, ArrivalSource, Step, Handover, Campaign, Resident, HealthDeclaration)
    return {m.__name__: m.objects.count() for m in models} | {
        "confirmed": Step.objects.filter(done_at__isnull=False).count()
    }


def test_the_demo_arrivals_twice():
    demo.load()
    out = io.StringIO()
    created = arrivals_demo.seed(out)
    assert created == len(arrivals_demo.ARRIVALS) >= 24
    assert "arrivals:" in out.getvalue()
    first = _counts()
    assert first["Campaign"] == 2 and first["Resident"] == len(arrivals_demo.RESIDENTS)
    # Some people are reported by two sources: one arrival each, every source kept.
    assert first["ArrivalSource"] > first["Arrival"]
    assert set(Campaign.objects.values_list("variant", flat=True)) == {"arrival", "resident"}
    # Every demo district has arrivals.
    assert Arrival.objects.values("district").distinct().count() == 8

    assert arrivals_demo.seed(io.StringIO()) == 0
    assert _counts() == first
    assert AuditEvent.objects.filter(action="arrivals.demo.seeded").count() == 1
    for action in AuditEvent.objects.values_list("action", flat=True).distinct():
        assert action in MESSAGES, action


def test_the_demo_shows_each_situation():
    demo.load()
    arrivals_demo.seed()
    now = timezone.now()
    home = Arrival.objects.filter(district__code=arrivals_demo.DISTRICT_HOME)
    # An overdue landing check, for the board's first line.
    overdue = Step.objects.filter(
        arrival__in=home, kind=StepKind.LANDING_CHECK, done_at__isnull=True, due_at__lt=now
    )
    assert overdue.count() == 1
    # Steps confirmed by the demo district officer, some arrivals closed by them.
    confirmed = Step.objects.filter(done_at__isnull=False)
    assert set(confirmed.values_list("done_by__username", flat=True)) == {"district"}
    assert home.filter(state=ArrivalState.CLOSED).count() >= 2
    assert home.filter(state=ArrivalState.MANAGED).count() >= 3
    # Apart from that one arrival, nothing is late.
    late = Step.objects.filter(done_at__isnull=True, due_at__lt=now)
    assert set(late.values_list("arrival_id", flat=True)) == {overdue.get().arrival_id}
    # A hand-over waiting for the other district.
    pending = Handover.objects.get(state=Handover.State.PENDING)
    assert pending.from_district.code == "379902" and pending.to_district.code == "379903"
    # A late declaration, and the plan "none" given by the demo rule.
    assert Arrival.objects.filter(late_declaration=True).count() == 1
    assert Arrival.objects.filter(plan__code="none").count() == 2
    # One foreign resident overdue.
    today = timezone.localdate()
    assert Resident.objects.filter(active=True, next_due__lt=today).count() == 1


def test_without_the_demo_city_it_does_nothing():
    out = io.StringIO()
    assert arrivals_demo.seed(out) == 0
    assert not Arrival.objects.exists()
    assert "not loaded" in out.getvalue()
