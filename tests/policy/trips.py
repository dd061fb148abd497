"""Trips as the contract's JSON, built from one that passes every rule."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from waishi.policy.check import check
from waishi.policy.params import default_policy
from waishi.policy.parse import parse_trip
from waishi.policy.types import Result

ON = date(2026, 1, 1)


def member(**changes: Any) -> dict[str, Any]:
    base = {
        "name": "李四",
        "unit": "市商务局",
        "title": "科员",
        "rank": "section_below",
        "task": "参加项目洽谈",
    }
    return base | changes


def trip(**changes: Any) -> dict[str, Any]:
    """A one-country, five-day trip to Tokyo with one member and a budget at the standard:
    no finding at all."""
    base = {
        "category": "general",
        "submitted_on": "2026-01-01",
        "departure_date": "2026-05-10",
        "return_date": "2026-05-14",
        "in_annual_plan": True,
        "invitation": {"source": "foreign_counterpart", "inviter": "东京都"},
        "stops": [
            {"country": "JP", "city": "东京", "arrive": "2026-05-10", "depart": "2026-05-14"}
        ],
        "members": [member()],
        "budget": [
            {
                "country": "JP",
                "city": "东京",
                "currency": "JPY",
                "lodging_per_day": 20000,
                "meals_per_day": 10000,
                "incidentals_per_day": 5000,
            }
        ],
    }
    return copy.deepcopy(base) | changes


def stop(country: str, arrive: str, depart: str, city: str = "", **more: Any) -> dict:
    return {"country": country, "city": city, "arrive": arrive, "depart": depart} | more


def run(data: dict, policy=None, on: date = ON) -> Result:
    return check(parse_trip(data), policy or default_policy(), on)


def rules(result: Result) -> list[str]:
    return [f.rule for f in result.findings]


def only(result: Result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def with_params(**overrides: Any):
    return default_policy().with_overrides(overrides)
