"""Fixtures for the annual plan: an open plan, entry values, and a plan taken all the way
to approval with quotas (built through the services, as the pages would)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from waishi.plans import services
from waishi.plans.models import Category

YEAR = 2031


def entry_values(**overrides) -> dict:
    values = {
        "title": "赴日本经贸交流团",
        "purpose": "拜访合作机构，推介投资环境。",
        "countries": ["JP", "KR"],
        "size": 3,
        "ranks": ["section_below", "county_division", "section_below"],
        "expected_month": 5,
        "budget_estimate": Decimal("98000.00"),
        "category": Category.ECON_TECH,
    }
    values.update(overrides)
    return values


@pytest.fixture
def plan(cast):
    return services.plan_open(
        actor=cast["fao_head"], year=YEAR, deadline=timezone.localdate() + timedelta(days=30)
    )


@pytest.fixture
def draft(cast, plan):
    return services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values())


def accept(cast, entry):
    services.entry_submit(actor=cast["unit_leader"], entry=entry)
    return services.entry_accept(actor=cast["fao_reviewer"], entry=entry)


@pytest.fixture
def approved_plan(cast, plan, draft, home_unit):
    """The plan approved, with the home unit's entry and its quotas (3 batches / 10
    person-trips for each of general and econ_tech)."""
    accept(cast, draft)
    for category in (Category.GENERAL, Category.ECON_TECH):
        services.quota_set(
            actor=cast["fao_reviewer"],
            plan=plan,
            unit=home_unit,
            category=category,
            batches=3,
            person_trips=10,
        )
    services.plan_consolidate(actor=cast["fao_head"], plan=plan)
    services.plan_approve(actor=cast["committee"], plan=plan)
    plan.refresh_from_db()
    return plan
