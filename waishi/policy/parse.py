"""JSON (already decoded) -> the dataclasses of ``types``, strictly.

Anything that would make a judgement wrong is refused with an ``InputError`` naming the
field (``members[2].rank``): a wrong type, an unknown enum value, a missing required
field, a bad date, an unknown key (a misspelt ``transit_airsid`` would otherwise silently
count a transit stop). Booleans default to false, ``relation`` to null, lists to empty,
and the free texts whose emptiness a rule judges (``task``, ``title``, ``city``,
``inviter``, ``activities``) to "" -- an empty task is a finding, not unreadable input."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils.translation import gettext

from waishi.policy import reference
from waishi.policy.types import (
    CATEGORIES,
    DAY_KINDS,
    INVITATION_SOURCES,
    RANKS,
    RELATIONS,
    BudgetLine,
    Day,
    EarlierTrip,
    InputError,
    Invitation,
    Member,
    Stop,
    Trip,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MISSING = object()


def parse_date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InputError(path, gettext("expected a date as YYYY-MM-DD, got %s") % _show(value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(path, gettext("no such date: %s") % value) from None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Obj:
    """Reads one JSON object, remembering which keys were used so that the rest can be
    reported as unknown."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise InputError(path or "input", gettext("expected an object, got %s") % _show(value))
        self.value = value
        self.path = path
        self.used: set[str] = set()

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, convert: Callable[[Any, str], Any], default: Any = _MISSING) -> Any:
        self.used.add(key)
        raw = self.value.get(key, _MISSING)
        if raw is _MISSING or (raw is None and default is None):
            if default is _MISSING:
                raise InputError(self._at(key), gettext("required field is missing"))
            return default
        return convert(raw, self._at(key))

    def done(self) -> None:
        for key in self.value:
            if key not in self.used:
                raise InputError(self._at(key), gettext("unknown field"))


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InputError(path, gettext("expected a string, got %s") % _show(value))
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, gettext("expected true or false, got %s") % _show(value))
    return value


def _amount(value: Any, path: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(path, gettext("expected a number, got %s") % _show(value))
    if value < 0:
        raise InputError(path, gettext("must not be negative"))
    return value


def _enum(choices: tuple[str, ...]) -> Callable[[Any, str], str]:
    def convert(value: Any, path: str) -> str:
        if value not in choices or not isinstance(value, str):
            raise InputError(
                path,
                gettext("unknown value %(value)s (expected one of: %(choices)s)")
                % {"value": _show(value), "choices": ", ".join(choices)},
            )
        return value

    return convert


def _country(value: Any, path: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise InputError(
            path, gettext("expected an ISO 3166-1 alpha-2 code such as DE, got %s") % _show(value)
        )
    if reference.country(value) is None:
        raise InputError(path, gettext("unknown country or region code %s") % value)
    return value


def _currency(value: Any, path: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
        raise InputError(
            path, gettext("expected an ISO 4217 currency code such as USD, got %s") % _show(value)
        )
    return value


def _list(item: Callable[[Any, str], Any]) -> Callable[[Any, str], tuple]:
    def convert(value: Any, path: str) -> tuple:
        if not isinstance(value, list):
            raise InputError(path, gettext("expected a list, got %s") % _show(value))
        return tuple(item(entry, f"{path}[{i}]") for i, entry in enumerate(value))

    return convert


def _nonempty(convert: Callable[[Any, str], tuple]) -> Callable[[Any, str], tuple]:
    def check(value: Any, path: str) -> tuple:
        items = convert(value, path)
        if not items:
            raise InputError(path, gettext("at least one entry is required"))
        return items

    return check


def _invitation(value: Any, path: str) -> Invitation:
    o = _Obj(value, path)
    result = Invitation(
        source=o.get("source", _enum(INVITATION_SOURCES)), inviter=o.get("inviter", _str, "")
    )
    o.done()
    return result


def _stop(value: Any, path: str) -> Stop:
    o = _Obj(value, path)
    result = Stop(
        country=o.get("country", _country),
        city=o.get("city", _str, ""),
        arrive=o.get("arrive", parse_date),
        depart=o.get("depart", parse_date),
        transit_airside=o.get("transit_airside", _bool, False),
    )
    o.done()
    return result


def _day(value: Any, path: str) -> Day:
    o = _Obj(value, path)
    result = Day(
        date=o.get("date", parse_date),
        kind=o.get("kind", _enum(DAY_KINDS)),
        activities=o.get("activities", _str, ""),
    )
    o.done()
    return result


def _earlier_trip(value: Any, path: str) -> EarlierTrip:
    o = _Obj(value, path)
    result = EarlierTrip(
        departure_date=o.get("departure_date", parse_date),
        return_date=o.get("return_date", parse_date, None),
        category=o.get("category", _enum(CATEGORIES)),
    )
    o.done()
    return result


def _member(value: Any, path: str) -> Member:
    o = _Obj(value, path)
    result = Member(
        name=o.get("name", _str),
        unit=o.get("unit", _str),
        title=o.get("title", _str, ""),
        rank=o.get("rank", _enum(RANKS)),
        is_unit_leadership=o.get("is_unit_leadership", _bool, False),
        is_city_leader=o.get("is_city_leader", _bool, False),
        task=o.get("task", _str, ""),
        party_member=o.get("party_member", _bool, False),
        retired=o.get("retired", _bool, False),
        relation=o.get("relation", _enum(RELATIONS), None),
        econ_tech=o.get("econ_tech", _bool, False),
        trips=o.get("trips", _list(_earlier_trip), ()),
    )
    o.done()
    return result


def _budget_line(value: Any, path: str) -> BudgetLine:
    o = _Obj(value, path)
    result = BudgetLine(
        country=o.get("country", _country),
        city=o.get("city", _str, ""),
        currency=o.get("currency", _currency),
        lodging_per_day=o.get("lodging_per_day", _amount),
        meals_per_day=o.get("meals_per_day", _amount),
        incidentals_per_day=o.get("incidentals_per_day", _amount),
    )
    o.done()
    return result


def parse_trip(value: Any) -> Trip:
    """The contract's input object -> ``Trip``; raises ``InputError``."""
    o = _Obj(value, "")
    trip = Trip(
        category=o.get("category", _enum(CATEGORIES)),
        submitted_on=o.get("submitted_on", parse_date, None),
        departure_date=o.get("departure_date", parse_date),
        return_date=o.get("return_date", parse_date),
        in_annual_plan=o.get("in_annual_plan", _bool, False),
        invitation=o.get("invitation", _invitation),
        stops=o.get("stops", _nonempty(_list(_stop))),
        days=o.get("days", _list(_day), ()),
        members=o.get("members", _nonempty(_list(_member))),
        budget=o.get("budget", _list(_budget_line), ()),
    )
    o.done()
    return trip
