"""The demo arrivals: a second run adds nothing; each demo district's board has an overdue
landing check, a hand-over waits for an answer, one was accepted and one refused, one
foreign resident is overdue."""

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
    second = Arrival.objects.filter(district__code=arrivals_demo.HANDOVER_TO)
    # An overdue landing check on each demo district's board, for its first line.
    overdue = Step.objects.filter(kind=StepKind.LANDING_CHECK, done_at__isnull=True, due_at__lt=now)
    assert overdue.filter(arrival__in=home).count() == 1
    assert overdue.filter(arrival__in=second).count() == 1
    # Steps confirmed by the demo district officers, each in their own district.
    confirmed = Step.objects.filter(done_at__isnull=False)
    assert set(confirmed.values_list("done_by__username", flat=True)) == {"district", "district2"}
    assert not confirmed.filter(done_by__username="district2").exclude(arrival__in=second).exists()
    assert home.filter(state=ArrivalState.CLOSED).count() >= 2
    assert home.filter(state=ArrivalState.MANAGED).count() >= 3
    assert second.filter(state=ArrivalState.MANAGED).exists()
    # Apart from those two arrivals, nothing is late.
    late = Step.objects.filter(done_at__isnull=True, due_at__lt=now)
    assert set(late.values_list("arrival_id", flat=True)) == set(
        overdue.values_list("arrival_id", flat=True)
    )
    # Hand-overs from 中山区 to 海港区: one waiting for an answer, one accepted (the
    # arrival is 海港区's now), one refused (it stayed).
    for state in Handover.State.PENDING, Handover.State.ACCEPTED, Handover.State.REFUSED:
        handover = Handover.objects.get(state=state)
        assert handover.from_district.code == "379902"
        assert handover.to_district.code == "379903"
    accepted = Handover.objects.get(state=Handover.State.ACCEPTED)
    assert accepted.arrival.district.code == "379903"
    refused = Handover.objects.get(state=Handover.State.REFUSED)
    assert refused.arrival.district.code == "379902"
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
