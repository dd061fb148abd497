"""The plain data the policy checks read and write. No Django, no database.

Enumerations are plain string sets: the input is JSON, and a string compared with a
string is the cheapest test there is (the checks must cost like arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext

CATEGORIES = ("general", "econ_tech", "academic")
# Highest first: the order matters for "county_division or below".
RANKS = ("provincial_ministerial", "bureau", "county_division", "section_below", "none")
INVITATION_SOURCES = (
    "foreign_counterpart",
    "overseas_chinese",
    "foreign_mission_in_china",
    "agency",
    "chinese_enterprise_abroad",
    "none",
)
DAY_KINDS = ("official", "travel", "rest", "sightseeing")
RELATIONS = ("spouse", "child")
SEVERITIES = ("error", "warning", "info")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Stop:
    country: str
    arrive: date
    depart: date
    city: str = ""
    transit_airside: bool = False


@dataclass(frozen=True, slots=True)
class Day:
    date: date
    kind: str
    activities: str = ""


@dataclass(frozen=True, slots=True)
class EarlierTrip:
    departure_date: date
    category: str
    return_date: date | None = None


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    unit: str
    rank: str
    title: str = ""
    task: str = ""
    is_unit_leadership: bool = False
    is_city_leader: bool = False
    party_member: bool = False
    retired: bool = False
    relation: str | None = None
    econ_tech: bool = False
    trips: tuple[EarlierTrip, ...] = ()


@dataclass(frozen=True, slots=True)
class Invitation:
    source: str
    inviter: str = ""


@dataclass(frozen=True, slots=True)
class BudgetLine:
    country: str
    currency: str
    lodging_per_day: int | float
    meals_per_day: int | float
    incidentals_per_day: int | float
    city: str = ""


@dataclass(frozen=True, slots=True)
class Trip:
    category: str
    departure_date: date
    return_date: date
    invitation: Invitation
    stops: tuple[Stop, ...]
    members: tuple[Member, ...]
    submitted_on: date | None = None
    in_annual_plan: bool = False
    days: tuple[Day, ...] = ()
    budget: tuple[BudgetLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict. The message is kept as its English msgid and the numbers that
    fill it, and rendered in the active language only when read: the same findings can
    be shown in Chinese and in English, and a stored evaluation can be re-explained."""

    rule: str
    severity: str
    msgid: str
    citation: str
    data: dict[str, Any] = field(default_factory=dict)
    member: int | None = None

    @property
    def message(self) -> str:
        return gettext(self.msgid) % self.data

    def sort_key(self) -> tuple[int, str, int]:
        return (
            SEVERITY_ORDER[self.severity],
            self.rule,
            -1 if self.member is None else self.member,
        )


@dataclass(frozen=True, slots=True)
class Result:
    policy_name: str
    policy_version: str
    category: str  # the category judged, after CATEGORY_MISMATCH
    days_abroad: int
    countries: tuple[str, ...]  # counted countries/regions, in itinerary order
    verdict: str  # pass | warn | fail
    findings: tuple[Finding, ...]


class InputError(ValueError):
    """The input cannot be judged; ``field`` names the place, e.g. ``members[2].rank``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
