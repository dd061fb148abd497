"""What every rule may read besides the trip and its own parameters: the facts computed
once per check (judged category, counted stops and countries, days abroad)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from waishi.policy.reference import BudgetTable, Country
from waishi.policy.types import Finding, Trip


@dataclass(slots=True)
class Context:
    trip: Trip
    on: date  # "today" for the check: judges LEAD_TIME when submitted_on is absent
    category: str  # the category judged (general when CATEGORY_MISMATCH fired)
    counted: tuple  # the stops that count (not airside transit), in itinerary order
    countries: tuple[str, ...]  # distinct counted countries/regions, in itinerary order
    country_info: tuple[Country, ...]  # reference rows for ``countries``, same order
    days_abroad: int
    citations: dict[str, str]
    budget: BudgetTable  # the 附表2 table of the policy version (BUDGET_STANDARD)

    def finding(
        self,
        rule: str,
        severity: str,
        msgid: str,
        data: dict[str, Any],
        member: int | None = None,
    ) -> Finding:
        return Finding(rule, severity, msgid, self.citations.get(rule, ""), data, member)


def place(country: str, city: str) -> str:
    """A stop as a person names it in a message: "JP 东京" or "DE"."""
    return f"{country} {city}" if city else country
