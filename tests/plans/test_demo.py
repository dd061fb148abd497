"""The demo city's plans: last year's and this year's approved, next year's open, relative
to the day the demo is built, and seeded once."""

from __future__ import annotations

import io
from datetime import date

import pytest

from waishi.audit.selectors import verify_chain
from waishi.orgs import demo as org_demo
from waishi.plans import selectors
from waishi.plans.demo import seed_plans
from waishi.plans.models import EntryState, PlanEntry, PlanState, PlanYear, Quota

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [date(2026, 12, 7), date(2027, 1, 2)])
def test_seed_plans_is_idempotent(today):
    out = io.StringIO()
    assert seed_plans(out, today) is None  # no demo city yet
    org_demo.load()
    plan = seed_plans(out, today)
    assert plan.year == today.year
    assert plan.state == PlanState.APPROVED and plan.version == 2
    assert PlanYear.objects.get(year=today.year - 1).state == PlanState.APPROVED
    assert PlanYear.objects.get(year=today.year + 1).state == PlanState.OPEN
    clerk_unit = org_demo.Unit.objects.get(code="HB-COM")
    bound = selectors.binding_entries(clerk_unit, today.year)
    assert bound.count() >= 3
    assert PlanEntry.objects.filter(plan=plan, unit=clerk_unit, state=EntryState.DRAFT).count() == 1
    assert Quota.objects.filter(plan=plan).count() >= 8
    assert PlanEntry.objects.filter(plan=plan).values("unit").distinct().count() >= 5
    counts = (PlanEntry.objects.count(), Quota.objects.count())
    seed_plans(out, today)
    assert (PlanEntry.objects.count(), Quota.objects.count()) == counts
    assert PlanYear.objects.count() == 3
    assert "left alone" in out.getvalue()
    assert verify_chain() is None
