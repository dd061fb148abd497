"""ITINERARY_GAP (the stops meet the trip's dates) and PLAN_YEAR (the plan entry is of the
trip's year): the rules added for issue 16, at their boundaries, with their citations."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from tests.policy.trips import only, run, stop, trip, with_params
from waishi.policy.params import default_policy
from waishi.policy.rules.timing import plan_year

# -- ITINERARY_GAP ----------------------------------------------------------------------


def test_stops_ending_two_days_before_the_return_are_a_finding_in_chinese_with_a_citation():
    # The trip: basics 18-24, stops ending the 22nd.
    data = trip(
        departure_date="2026-05-18",
        return_date="2026-05-24",
        stops=[stop("JP", "2026-05-18", "2026-05-22", city="东京")],
        budget=[],
    )
    [finding] = only(run(data), "ITINERARY_GAP")
    assert finding.severity == "error"
    assert finding.data["last_depart"] == "2026-05-22" and finding.data["gap"] == 2
    assert finding.citation == default_policy().citations["ITINERARY_GAP"] != ""
    with translation.override("zh-hans"):
        assert finding.message == (
            "入境日期为2026-05-24，最后一站却在2026-05-22就已结束，相差2天"
            "（回程路途最多1天）：请核对出访日期或行程各站。"
        )


@pytest.mark.parametrize(
    ("arrive", "depart", "found"),
    [
        ("2026-05-10", "2026-05-14", []),  # the stops cover the trip
        ("2026-05-11", "2026-05-13", []),  # one day of travel each way
        ("2026-05-12", "2026-05-14", ["first_arrive"]),  # two days before the first stop
        ("2026-05-10", "2026-05-12", ["last_depart"]),  # two days after the last stop
        ("2026-05-12", "2026-05-12", ["first_arrive", "last_depart"]),
    ],
)
def test_one_day_of_travel_each_way_is_allowed_two_are_not(arrive, depart, found):
    data = trip(stops=[stop("JP", arrive, depart, city="东京")], budget=[])
    got = [key for f in only(run(data), "ITINERARY_GAP") for key in f.data if key in found]
    assert sorted(got) == sorted(found)


def test_the_journey_days_are_a_parameter_of_the_policy_version():
    data = trip(stops=[stop("JP", "2026-05-10", "2026-05-12", city="东京")], budget=[])
    assert only(run(data), "ITINERARY_GAP")
    assert not only(run(data, with_params(ITINERARY_GAP={"travel_days": 2})), "ITINERARY_GAP")


def test_several_stops_are_judged_by_the_first_and_the_last():
    stops = [
        stop("DE", "2026-05-10", "2026-05-12"),
        stop("FR", "2026-05-12", "2026-05-14"),
    ]
    assert not only(run(trip(stops=stops, budget=[])), "ITINERARY_GAP")
    assert only(run(trip(stops=stops[:1], budget=[])), "ITINERARY_GAP")


def test_a_stop_outside_the_window_is_the_older_rule_s_not_this_one():
    late = trip(stops=[stop("JP", "2026-05-10", "2026-05-15")])
    assert only(run(late), "ITINERARY_INCONSISTENT")
    assert not only(run(late), "ITINERARY_GAP")


# -- PLAN_YEAR (judged on the record, not on the contract's input) -------------------------


def test_an_entry_of_another_year_is_an_error_with_the_citation():
    policy = default_policy()
    [finding] = plan_year(policy, category="general", departure=date(2027, 1, 12), plan_year=2026)
    assert (finding.rule, finding.severity) == ("PLAN_YEAR", "error")
    assert finding.data == {"plan_year": 2026, "year": 2027}
    assert finding.citation == policy.citations["PLAN_YEAR"] != ""
    with translation.override("zh-hans"):
        assert "2026年度计划" in finding.message and "2027年出境" in finding.message


def test_an_entry_of_the_trip_s_year_or_nothing_to_compare_is_no_finding():
    policy = default_policy()
    assert plan_year(policy, category="general", departure=date(2027, 1, 12), plan_year=2027) == []
    assert plan_year(policy, category="general", departure=None, plan_year=2026) == []
    assert plan_year(policy, category="general", departure=date(2027, 1, 2), plan_year=None) == []
    off = with_params(PLAN_YEAR={"applies_to": ["econ_tech"]})
    assert plan_year(off, category="general", departure=date(2027, 1, 12), plan_year=2026) == []
