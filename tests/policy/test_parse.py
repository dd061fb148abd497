"""Strict input: every required field, type and enum is refused with its path."""

from __future__ import annotations

import pytest

from tests.policy.trips import member, trip
from waishi.policy.parse import parse_trip
from waishi.policy.types import InputError


def field_of(data) -> str:
    with pytest.raises(InputError) as caught:
        parse_trip(data)
    return caught.value.field


def without(data: dict, *path):
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    del target[last]
    return data


@pytest.mark.parametrize(
    "path",
    [
        ("category",),
        ("departure_date",),
        ("return_date",),
        ("invitation",),
        ("invitation", "source"),
        ("stops",),
        ("stops", 0, "country"),
        ("stops", 0, "arrive"),
        ("stops", 0, "depart"),
        ("members",),
        ("members", 0, "name"),
        ("members", 0, "unit"),
        ("members", 0, "rank"),
        ("budget", 0, "country"),
        ("budget", 0, "currency"),
        ("budget", 0, "lodging_per_day"),
        ("budget", 0, "meals_per_day"),
        ("budget", 0, "incidentals_per_day"),
    ],
)
def test_missing_required_field_is_named(path):
    expected = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    assert field_of(without(trip(), *path)) == expected


def test_missing_fields_of_days_and_earlier_trips():
    assert field_of(trip(days=[{"kind": "official"}])) == "days[0].date"
    assert field_of(trip(days=[{"date": "2026-05-11"}])) == "days[0].kind"
    person = member(trips=[{"departure_date": "2025-01-01"}])
    assert field_of(trip(members=[member(), member(), person])) == "members[2].trips[0].category"
    person = member(trips=[{"category": "general"}])
    assert field_of(trip(members=[person])) == "members[0].trips[0].departure_date"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "private"}, "category"),
        ({"invitation": {"source": "friend"}}, "invitation.source"),
        ({"members": [member(), member(), member(rank="minister")]}, "members[2].rank"),
        ({"members": [member(relation="cousin")]}, "members[0].relation"),
        ({"days": [{"date": "2026-05-11", "kind": "shopping"}]}, "days[0].kind"),
        (
            {"members": [member(trips=[{"departure_date": "2025-01-01", "category": "x"}])]},
            "members[0].trips[0].category",
        ),
    ],
)
def test_unknown_enum_value(changes, field):
    assert field_of(trip(**changes)) == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departure_date": "2026-5-10"}, "departure_date"),
        ({"departure_date": "2026-02-30"}, "departure_date"),
        ({"return_date": 20260514}, "return_date"),
        ({"submitted_on": "tomorrow"}, "submitted_on"),
        ({"in_annual_plan": "yes"}, "in_annual_plan"),
        ({"in_annual_plan": 1}, "in_annual_plan"),
        ({"stops": []}, "stops"),
        ({"stops": {}}, "stops"),
        ({"members": []}, "members"),
        (
            {"stops": [{"country": "XX", "arrive": "2026-05-10", "depart": "2026-05-11"}]},
            "stops[0].country",
        ),
        (
            {"stops": [{"country": "jp", "arrive": "2026-05-10", "depart": "2026-05-11"}]},
            "stops[0].country",
        ),
        (
            {
                "stops": [
                    {
                        "country": "JP",
                        "arrive": "2026-05-10",
                        "depart": "2026-05-11",
                        "transit_airsid": True,
                    }
                ]
            },
            "stops[0].transit_airsid",
        ),
        ({"members": [member(party_member="true")]}, "members[0].party_member"),
        ({"members": [member(name=7)]}, "members[0].name"),
        ({"members": ["张三"]}, "members[0]"),
        (
            {
                "budget": [
                    {
                        "country": "JP",
                        "currency": "JPY",
                        "lodging_per_day": True,
                        "meals_per_day": 1,
                        "incidentals_per_day": 1,
                    }
                ]
            },
            "budget[0].lodging_per_day",
        ),
        (
            {
                "budget": [
                    {
                        "country": "JP",
                        "currency": "JPY",
                        "lodging_per_day": -1,
                        "meals_per_day": 1,
                        "incidentals_per_day": 1,
                    }
                ]
            },
            "budget[0].lodging_per_day",
        ),
        (
            {
                "budget": [
                    {
                        "country": "JP",
                        "currency": "yen",
                        "lodging_per_day": 1,
                        "meals_per_day": 1,
                        "incidentals_per_day": 1,
                    }
                ]
            },
            "budget[0].currency",
        ),
        ({"extra": 1}, "extra"),
    ],
)
def test_wrong_type_or_value(changes, field):
    assert field_of(trip(**changes)) == field


def test_not_an_object():
    assert field_of([]) == "input"


def test_defaults():
    data = trip()
    parsed = parse_trip(data | {"members": [{"name": "王五", "unit": "u", "rank": "none"}]})
    person = parsed.members[0]
    assert (person.task, person.relation, person.trips, person.retired) == ("", None, (), False)
    assert parsed.days == ()
    assert parse_trip(without(trip(), "budget")).budget == ()
    assert parse_trip(without(trip(), "in_annual_plan")).in_annual_plan is False
    assert parse_trip(trip(submitted_on=None)).submitted_on is None
