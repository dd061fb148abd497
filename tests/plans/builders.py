"""For other apps' tests: an approved plan year with quotas, built directly (no audit
trail), so that ``quota_consume`` and ``binding_entries`` have something to work on.

    from tests.plans.builders import approved_plan
    plan = approved_plan(unit, year=2026, general=(3, 12), econ_tech=(5, 20), entry=True)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from waishi.plans.models import (
    Category,
    EntryState,
    PlanEntry,
    PlanEntryVersion,
    PlanState,
    PlanYear,
    Quota,
)


def approved_plan(
    unit,
    *,
    year: int = 2026,
    general: tuple[int, int] | None = (3, 12),
    econ_tech: tuple[int, int] | None = (3, 12),
    entry: bool = False,
) -> PlanYear:
    """The year's plan, approved at version 1 (created or reused), with ``unit``'s quotas
    (batches, person-trips) and, with ``entry``, one binding entry for ``unit``."""
    plan, _ = PlanYear.objects.get_or_create(
        year=year,
        defaults={"deadline": date(year, 1, 31), "state": PlanState.APPROVED, "version": 1},
    )
    for category, limits in ((Category.GENERAL, general), (Category.ECON_TECH, econ_tech)):
        if limits is not None:
            Quota.objects.update_or_create(
                plan=plan,
                unit=unit,
                category=category,
                defaults={"batches": limits[0], "person_trips": limits[1]},
            )
    if entry:
        binding_entry(plan, unit)
    return plan


def binding_entry(plan: PlanYear, unit, **values) -> PlanEntry:
    fields = {
        "title": "赴日本经贸交流团",
        "purpose": "拜访合作机构。",
        "countries": ["JP"],
        "size": 2,
        "ranks": ["county_division", "section_below"],
        "expected_month": 5,
        "budget_estimate": Decimal("50000.00"),
        "category": Category.GENERAL,
        **values,
    }
    entry = PlanEntry.objects.create(plan=plan, unit=unit, state=EntryState.APPROVED, **fields)
    data = {k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()}
    entry.bound_version = PlanEntryVersion.objects.create(
        entry=entry, plan_version=plan.version or 1, data=data
    )
    entry.save(update_fields=["bound_version"])
    return entry
