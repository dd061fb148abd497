"""Properties over generated trips."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policy.trips import run
from waishi.policy.output import result_json
from waishi.policy.types import CATEGORIES, INVITATION_SOURCES, RANKS

START = date(2026, 5, 10)
COUNTRIES = ["JP", "KR", "DE", "FR", "EG", "BR", "US", "AE", "MX", "TH"]


def iso(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


earlier = st.builds(
    lambda offset, category: {"departure_date": iso(-offset), "category": category},
    st.integers(-30, 1200),
    st.sampled_from(CATEGORIES),
)
members = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["张三", "李四", "王五", "赵六"]),
            "unit": st.sampled_from(["市商务局", "市科技局"]),
            "rank": st.sampled_from(RANKS),
            "task": st.sampled_from(["", "洽谈"]),
            "is_unit_leadership": st.booleans(),
            "is_city_leader": st.booleans(),
            "party_member": st.booleans(),
            "retired": st.booleans(),
            "econ_tech": st.booleans(),
            "relation": st.sampled_from([None, None, "spouse", "child"]),
            "trips": st.lists(earlier, max_size=3),
        }
    ),
    min_size=1,
    max_size=8,
)
stops = st.lists(
    st.builds(
        lambda country, arrive, length, airside: {
            "country": country,
            "city": "",
            "arrive": iso(arrive),
            "depart": iso(arrive + length),
            "transit_airside": airside,
        },
        st.sampled_from(COUNTRIES),
        st.integers(0, 12),
        st.integers(0, 4),
        st.booleans(),
    ),
    min_size=1,
    max_size=5,
)
trips = st.builds(
    lambda category, length, plan, source, stops, members, submitted, days: {
        "category": category,
        "departure_date": iso(0),
        "return_date": iso(length),
        "submitted_on": iso(-submitted),
        "in_annual_plan": plan,
        "invitation": {"source": source},
        "stops": stops,
        "members": members,
        "days": [{"date": iso(i), "kind": kind} for i, kind in enumerate(days)],
    },
    st.sampled_from(CATEGORIES),
    st.integers(0, 16),
    st.booleans(),
    st.sampled_from(INVITATION_SOURCES),
    stops,
    members,
    st.integers(0, 120),
    st.lists(st.sampled_from(["official", "travel", "rest", "sightseeing"]), max_size=10),
)


def _canonical(result, index_map=lambda i: i) -> Counter:
    """Findings as a multiset, with member indexes mapped (in ``member`` and in data)."""
    items = []
    for f in result.findings:
        data = dict(f.data)
        if "members" in data:
            data["members"] = sorted(index_map(i) for i in data["members"])
        member = None if f.member is None else index_map(f.member)
        items.append((f.rule, f.severity, f.msgid, repr(sorted(data.items())), member))
    return Counter(items)


@settings(max_examples=150, deadline=None)
@given(trips, st.randoms(use_true_random=False))
def test_permuting_members_changes_only_member_indexes(data, random):
    order = list(range(len(data["members"])))
    random.shuffle(order)  # new position j holds old member order[j]
    permuted = dict(data, members=[data["members"][i] for i in order])
    new_index = {old: new for new, old in enumerate(order)}
    before, after = run(data), run(permuted)
    assert (before.verdict, before.category, before.countries) == (
        after.verdict,
        after.category,
        after.countries,
    )
    assert _canonical(before, new_index.__getitem__) == _canonical(after)


@settings(max_examples=150, deadline=None)
@given(trips, st.data())
def test_marking_a_transit_airside_never_adds_a_country(data, draw):
    index = draw.draw(st.integers(0, len(data["stops"]) - 1))
    stops = [dict(s) for s in data["stops"]]
    stops[index]["transit_airside"] = True
    before, after = run(data), run(dict(data, stops=stops))
    assert set(after.countries) <= set(before.countries)
    assert len(after.countries) <= len(before.countries)


@settings(max_examples=150, deadline=None)
@given(trips, st.integers(1, 30))
def test_lengthening_a_trip_never_removes_a_stay_days_error(data, extra):
    longer = dict(
        data,
        return_date=iso(
            date.fromisoformat(data["return_date"]).toordinal() - START.toordinal() + extra
        ),
    )
    before, after = run(data), run(longer)
    if any(f.rule == "STAY_DAYS" for f in before.findings):
        assert any(f.rule == "STAY_DAYS" for f in after.findings)


@settings(max_examples=100, deadline=None)
@given(trips)
def test_findings_are_deterministic(data):
    assert result_json(run(data)) == result_json(run(data))
