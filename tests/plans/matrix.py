"""Foreign objects of the annual plan for the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from waishi.plans.models import Category, EntryState, PlanEntry, PlanYear, Quota


def _plan(world) -> PlanYear:
    plan, _ = PlanYear.objects.get_or_create(year=2032, defaults={"deadline": date(2032, 1, 31)})
    return plan


def _entry(world) -> PlanEntry:
    return PlanEntry.objects.create(
        plan=_plan(world),
        unit=world.foreign_unit,
        title="外单位出访计划",
        purpose="外单位的计划",
        countries=["JP"],
        size=1,
        ranks=["section_below"],
        expected_month=3,
        budget_estimate=Decimal("1000"),
        category=Category.GENERAL,
        state=EntryState.DRAFT,
    )


def _quota(world) -> Quota:
    return Quota.objects.create(
        plan=_plan(world), unit=world.foreign_unit, category=Category.GENERAL, batches=2
    )


BUILDERS = {
    "plans.planyear": _plan,  # visible to every planning role: any plan will do
    "plans.planentry": _entry,
    "plans.quota": _quota,
}
