"""The demo city's plan: approved, with the demo clerk's unit in it, and seeded once."""

from __future__ import annotations

import io

import pytest

from waishi.audit.selectors import verify_chain
from waishi.orgs import demo as org_demo
from waishi.plans import selectors
from waishi.plans.demo import YEAR, seed_plans
from waishi.plans.models import EntryState, PlanEntry, PlanState, PlanYear, Quota

pytestmark = pytest.mark.django_db


def test_seed_plans_is_idempotent():
    out = io.StringIO()
    assert seed_plans(out) is None  # no demo city yet
    org_demo.load()
    plan = seed_plans(out)
    assert plan.state == PlanState.APPROVED and plan.version == 2
    clerk_unit = org_demo.Unit.objects.get(code="HB-COM")
    bound = selectors.binding_entries(clerk_unit, YEAR)
    assert bound.count() == 3
    assert PlanEntry.objects.filter(unit=clerk_unit, state=EntryState.DRAFT).count() == 1
    assert Quota.objects.filter(plan=plan).count() >= 8
    assert PlanEntry.objects.values("unit").distinct().count() >= 5
    counts = (PlanEntry.objects.count(), Quota.objects.count())
    seed_plans(out)
    assert (PlanEntry.objects.count(), Quota.objects.count()) == counts
    assert PlanYear.objects.count() == 1
    assert "exists" in out.getvalue()
    assert verify_chain() is None
