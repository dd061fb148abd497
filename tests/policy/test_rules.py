"""Every rule at its boundaries: exactly at the limit passes, one over fires."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from tests.policy.trips import member, only, rules, run, stop, trip, with_params
from waishi.policy.rules.timing import years_before


def days_trip(days: int, *countries: str, **more) -> dict:
    """A trip of ``days`` days abroad visiting ``countries`` one after the other."""
    start = date(2026, 5, 10)
    end = date.fromordinal(start.toordinal() + days - 1)
    stops = []
    for i, code in enumerate(countries):
        day = date.fromordinal(min(start.toordinal() + i, end.toordinal())).isoformat()
        last = end.isoformat() if i == len(countries) - 1 else day
        stops.append(stop(code, day, last))
    return trip(return_date=end.isoformat(), stops=stops, budget=[], **more)


# -- GROUP_SIZE ------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "fires"), [(6, False), (7, True)])
def test_group_size(size, fires):
    result = run(trip(members=[member() for _ in range(size)]))
    assert ("GROUP_SIZE" in rules(result)) is fires
    if fires:
        assert only(result, "GROUP_SIZE")[0].data == {"max": 6, "count": 7}


def test_group_size_override():
    result = run(trip(members=[member() for _ in range(6)]), with_params(GROUP_SIZE={"max": 5}))
    assert only(result, "GROUP_SIZE")[0].data["max"] == 5


# -- COUNTRY_COUNT ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("countries", "fires"), [(("DE", "FR", "IT"), False), (("DE", "FR", "IT", "ES"), True)]
)
def test_country_count(countries, fires):
    result = run(days_trip(10, *countries))
    assert ("COUNTRY_COUNT" in rules(result)) is fires


def test_country_count_ignores_airside_transit():
    data = days_trip(10, "DE", "FR", "IT")
    data["stops"].insert(0, stop("AE", "2026-05-10", "2026-05-10", transit_airside=True))
    assert "COUNTRY_COUNT" not in rules(run(data))
    data["stops"][0]["transit_airside"] = False
    assert only(run(data), "COUNTRY_COUNT")[0].data["count"] == 4


# -- STAY_DAYS -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("countries", "limit"),
    [
        (("JP",), 5),
        (("DE", "FR"), 8),
        (("DE", "FR", "IT"), 10),
        (("EG",), 6),
        (("EG", "KE"), 9),
        (("BR", "AR", "CL"), 10),
        (("DE", "BR"), 9),
        (("MX",), 6),
        (("CU", "DE", "FR"), 10),
    ],
)
def test_stay_days_at_and_over_the_limit(countries, limit):
    assert "STAY_DAYS" not in rules(run(days_trip(limit, *countries)))
    [finding] = only(run(days_trip(limit + 1, *countries)), "STAY_DAYS")
    assert finding.data["limit"] == limit
    assert finding.data["days_abroad"] == limit + 1


def test_stay_days_counts_both_travel_days():
    result = run(trip(return_date="2026-05-14"))  # 10th..14th
    assert result.days_abroad == 5


def test_stay_days_africa_only_through_a_counted_stop():
    data = days_trip(6, "JP")
    data["stops"].insert(0, stop("EG", "2026-05-10", "2026-05-10", transit_airside=True))
    assert only(run(data), "STAY_DAYS")[0].data["limit"] == 5


def test_stay_days_message_carries_the_numbers():
    with translation.override("en"):
        [finding] = only(run(days_trip(9, "DE", "FR")), "STAY_DAYS")
        assert finding.message == (
            "A trip to 2 countries/regions may last at most 8 days abroad; this one lasts 9 days."
        )


# -- ONE_CONTINENT ---------------------------------------------------------------------


def test_one_continent():
    assert "ONE_CONTINENT" not in rules(run(days_trip(8, "DE", "FR")))
    [finding] = only(run(days_trip(8, "DE", "US")), "ONE_CONTINENT")
    assert finding.severity == "warning"
    assert finding.data["continents"] == ["europe", "americas"]


# -- ITINERARY_INCONSISTENT ------------------------------------------------------------


def test_return_before_departure():
    data = trip(return_date="2026-05-09", stops=[stop("JP", "2026-05-09", "2026-05-09")])
    assert only(run(data), "ITINERARY_INCONSISTENT")[0].data["return_date"] == "2026-05-09"


def test_stop_outside_the_window():
    assert "ITINERARY_INCONSISTENT" not in rules(run(trip()))
    late = trip(stops=[stop("JP", "2026-05-10", "2026-05-15")])
    early = trip(stops=[stop("JP", "2026-05-09", "2026-05-14")])
    assert rules(run(late)).count("ITINERARY_INCONSISTENT") == 1
    assert rules(run(early)).count("ITINERARY_INCONSISTENT") == 1


def test_stop_departing_before_arriving():
    data = trip(stops=[stop("JP", "2026-05-12", "2026-05-11")])
    [finding] = only(run(data), "ITINERARY_INCONSISTENT")
    assert finding.data["stop"] == 0


def test_stops_may_share_one_travel_day_but_not_two():
    shared = [stop("DE", "2026-05-10", "2026-05-12"), stop("FR", "2026-05-12", "2026-05-14")]
    assert "ITINERARY_INCONSISTENT" not in rules(run(trip(stops=shared, budget=[])))
    two = [stop("DE", "2026-05-10", "2026-05-12"), stop("FR", "2026-05-11", "2026-05-14")]
    [finding] = only(run(trip(stops=two, budget=[])), "ITINERARY_INCONSISTENT")
    assert finding.data["overlap"] == 2


def test_scheduled_day_outside_the_window():
    days = [{"date": "2026-05-15", "kind": "official"}]
    assert only(run(trip(days=days)), "ITINERARY_INCONSISTENT")[0].data["date"] == "2026-05-15"


# -- substance -------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["", "   "])
def test_task_per_member(task):
    result = run(trip(members=[member(), member(task=task)]))
    [finding] = only(result, "TASK_PER_MEMBER")
    assert finding.member == 1


def test_task_may_be_left_out_and_is_then_missing():
    person = member()
    del person["task"]
    assert only(run(trip(members=[person])), "TASK_PER_MEMBER")


def test_no_sightseeing():
    days = [
        {"date": "2026-05-11", "kind": "official"},
        {"date": "2026-05-12", "kind": "rest"},
        {"date": "2026-05-13", "kind": "official"},
    ]
    assert "NO_SIGHTSEEING" not in rules(run(trip(days=days)))
    days[1]["kind"] = "sightseeing"
    [finding] = only(run(trip(days=days)), "NO_SIGHTSEEING")
    assert finding.data["dates"] == ["2026-05-12"]


def _schedule(official: int, other: int, travel: int = 0, kind: str = "rest") -> list[dict]:
    kinds = ["official"] * official + [kind] * other + ["travel"] * travel
    return [{"date": f"2026-05-{10 + i:02d}", "kind": k} for i, k in enumerate(kinds)]


def _ratio_trip(days):
    end = f"2026-05-{10 + len(days) - 1:02d}"
    return trip(
        return_date=end, stops=[stop("JP", "2026-05-10", end)], budget=[], category="academic"
    )


@pytest.mark.parametrize(
    ("official", "rest", "fires"), [(2, 1, False), (4, 2, False), (1, 1, True), (3, 2, True)]
)
def test_business_ratio_at_two_thirds(official, rest, fires):
    days = _schedule(official, rest, travel=2)
    data = _ratio_trip(days) | {"days": days}
    assert ("BUSINESS_RATIO" in rules(run(data))) is fires


def test_business_ratio_not_judged_without_schedule():
    assert "BUSINESS_RATIO" not in rules(run(trip()))


def test_business_ratio_only_travel_days_passes():
    data = _ratio_trip(_schedule(0, 0, travel=2))
    assert "BUSINESS_RATIO" not in rules(run(data | {"days": _schedule(0, 0, travel=2)}))


@pytest.mark.parametrize("relation", ["spouse", "child"])
def test_no_family(relation):
    [finding] = only(run(trip(members=[member(), member(relation=relation)])), "NO_FAMILY")
    assert (finding.member, finding.data["relation"]) == (1, relation)


def test_retired_member():
    assert only(run(trip(members=[member(retired=True)])), "RETIRED_MEMBER")[0].member == 0


def test_invitation_missing():
    result = run(trip(invitation={"source": "none"}))
    assert rules(result) == ["INVITATION_MISSING"]


@pytest.mark.parametrize(
    ("source", "fires"),
    [
        ("foreign_counterpart", False),
        ("overseas_chinese", True),
        ("foreign_mission_in_china", True),
        ("agency", True),
        ("chinese_enterprise_abroad", True),
    ],
)
def test_invitation_source(source, fires):
    result = run(trip(invitation={"source": source, "inviter": "x"}))
    assert ("INVITATION_SOURCE" in rules(result)) is fires


def test_hot_destination_by_country_and_by_city_alias():
    assert "HOT_DESTINATION" not in rules(run(trip()))
    by_country = with_params(HOT_DESTINATION={"destinations": [{"country": "JP"}]})
    assert only(run(trip(), by_country), "HOT_DESTINATION")[0].severity == "warning"
    by_city = with_params(HOT_DESTINATION={"destinations": [{"country": "JP", "city": "Tokyo"}]})
    assert only(run(trip(), by_city), "HOT_DESTINATION")
    other_city = with_params(HOT_DESTINATION={"destinations": [{"country": "JP", "city": "大阪"}]})
    assert not only(run(trip(), other_city), "HOT_DESTINATION")


def test_hot_destination_ignores_airside_transit():
    policy = with_params(HOT_DESTINATION={"destinations": [{"country": "AE"}]})
    data = trip()
    data["stops"].insert(0, stop("AE", "2026-05-10", "2026-05-10", transit_airside=True))
    assert not only(run(data, policy), "HOT_DESTINATION")


# -- FREQUENCY -------------------------------------------------------------------------


def _earlier(departure: str, category: str = "general") -> dict:
    return {"departure_date": departure, "category": category}


@pytest.mark.parametrize(
    ("rank", "leader", "inside", "outside"),
    [
        ("provincial_ministerial", False, "2025-05-10", "2025-05-09"),
        ("bureau", False, "2024-05-10", "2024-05-09"),
        ("county_division", False, "2024-05-10", "2024-05-09"),
        ("bureau", True, "2025-05-10", "2025-05-09"),  # a city leader: 1 year, whatever rank
    ],
)
def test_frequency_window_boundaries(rank, leader, inside, outside):
    def result(departure):
        person = member(rank=rank, is_city_leader=leader, trips=[_earlier(departure)])
        return run(trip(members=[person]))

    assert only(result(inside), "FREQUENCY")[0].member == 0
    assert not only(result(outside), "FREQUENCY")


@pytest.mark.parametrize("rank", ["section_below", "none"])
def test_frequency_no_limit_for_lower_ranks(rank):
    trips = [_earlier("2026-01-01"), _earlier("2026-02-01")]
    assert not only(run(trip(members=[member(rank=rank, trips=trips)])), "FREQUENCY")


def test_frequency_counts_only_general_trips_before_this_departure():
    trips = [
        _earlier("2026-01-01", "econ_tech"),
        _earlier("2026-02-01", "academic"),
        _earlier("2026-05-10"),
        _earlier("2026-06-01"),
    ]
    assert not only(run(trip(members=[member(rank="bureau", trips=trips)])), "FREQUENCY")


def test_frequency_max_two_means_the_second_earlier_trip_fires():
    policy = with_params(FREQUENCY={"windows": {"bureau": {"max": 2}}})
    one = member(rank="bureau", trips=[_earlier("2025-01-01")])
    two = member(rank="bureau", trips=[_earlier("2025-01-01"), _earlier("2025-06-01")])
    assert not only(run(trip(members=[one]), policy), "FREQUENCY")
    assert only(run(trip(members=[two]), policy), "FREQUENCY")[0].data["count"] == 2


def test_years_before_on_29_february():
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert years_before(date(2026, 3, 1), 2) == date(2024, 3, 1)


def test_frequency_window_from_29_february():
    def fires(earlier):
        person = member(rank="provincial_ministerial", trips=[_earlier(earlier)])
        data = trip(
            departure_date="2028-02-29",
            return_date="2028-03-04",
            members=[person],
            stops=[stop("JP", "2028-02-29", "2028-03-04", "东京")],
        )
        return bool(only(run(data), "FREQUENCY"))

    assert fires("2027-02-28")
    assert not fires("2027-02-27")


# -- SAME_UNIT_LEADERS -----------------------------------------------------------------


def test_same_unit_leaders():
    one = [member(is_unit_leadership=True), member(), member(is_unit_leadership=True, unit="B")]
    assert not only(run(trip(members=one)), "SAME_UNIT_LEADERS")
    two = [member(is_unit_leadership=True), member(), member(is_unit_leadership=True)]
    [finding] = only(run(trip(members=two)), "SAME_UNIT_LEADERS")
    assert finding.severity == "error"
    assert finding.data["principle"] is True
    assert finding.data["members"] == [0, 2]
    assert finding.member is None


# -- NOT_IN_PLAN -----------------------------------------------------------------------


@pytest.mark.parametrize(("category", "fires"), [("general", True), ("academic", False)])
def test_not_in_plan(category, fires):
    result = run(trip(in_annual_plan=False, category=category))
    assert ("NOT_IN_PLAN" in rules(result)) is fires


# -- LEAD_TIME -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stops", "required"),
    [
        ([stop("JP", "2026-05-10", "2026-05-14")], 45),
        ([stop("DE", "2026-05-10", "2026-05-14")], 60),
        ([stop("US", "2026-05-10", "2026-05-14")], 90),
        ([stop("BR", "2026-05-10", "2026-05-14")], 90),
        ([stop("MX", "2026-05-10", "2026-05-14")], 45),  # Latin America, not South America
        ([stop("JP", "2026-05-10", "2026-05-12"), stop("KR", "2026-05-12", "2026-05-14")], 90),
    ],
)
def test_lead_time_at_and_below_the_limit(stops, required):
    at = date.fromordinal(date(2026, 5, 10).toordinal() - required).isoformat()
    below = date.fromordinal(date(2026, 5, 10).toordinal() - required + 1).isoformat()
    assert not only(run(trip(stops=stops, budget=[], submitted_on=at)), "LEAD_TIME")
    [finding] = only(run(trip(stops=stops, budget=[], submitted_on=below)), "LEAD_TIME")
    assert finding.data["required"] == required
    assert finding.data["lead_days"] == required - 1


def test_lead_time_without_submission_date_judges_the_check_date():
    data = trip()
    del data["submitted_on"]
    assert not only(run(data, on=date(2026, 3, 26)), "LEAD_TIME")  # 45 days
    assert only(run(data, on=date(2026, 3, 27)), "LEAD_TIME")


def test_lead_time_after_departure_says_the_date_is_past_not_a_negative_count():
    from django.utils import translation

    on_the_day = run(trip(submitted_on="2026-05-10"))
    assert only(on_the_day, "LEAD_TIME")[0].data["lead_days"] == 0
    [late] = only(run(trip(submitted_on="2026-05-11")), "LEAD_TIME")
    assert late.data["lead_days"] == -1 and late.data["departure"] == "2026-05-10"
    with translation.override("en"):
        assert "2026-05-10 is already past" in late.message
        assert "-1 days" not in late.message


# -- PARTY_BRANCH ----------------------------------------------------------------------


def test_party_branch_at_three():
    two = [member(party_member=True), member(party_member=True), member()]
    assert not only(run(trip(members=two)), "PARTY_BRANCH")
    three = [member(party_member=True) for _ in range(3)]
    [finding] = only(run(trip(members=three)), "PARTY_BRANCH")
    assert (finding.severity, finding.data["mandatory"]) == ("info", True)


def test_party_branch_switch():
    policy = with_params(PARTY_BRANCH={"mandatory": False})
    with translation.override("en"):
        [finding] = only(run(trip(members=[member(party_member=True)] * 3), policy), "PARTY_BRANCH")
        assert "may be formed" in finding.message


# -- money -----------------------------------------------------------------------------


def _line(**changes) -> dict:
    return {
        "country": "JP",
        "city": "东京",
        "currency": "JPY",
        "lodging_per_day": 20000,
        "meals_per_day": 10000,
        "incidentals_per_day": 5000,
    } | changes


@pytest.mark.parametrize("item", ["lodging_per_day", "meals_per_day", "incidentals_per_day"])
def test_budget_standard_one_over(item):
    line = _line()
    line[item] += 1
    [finding] = only(run(trip(budget=[line])), "BUDGET_STANDARD")
    assert finding.severity == "error"
    assert finding.data["claimed"] == line[item]


def test_budget_standard_below_flat_rates_passes():
    assert not only(
        run(trip(budget=[_line(meals_per_day=1, lodging_per_day=0.5)])), "BUDGET_STANDARD"
    )


def test_budget_standard_city_alias_and_other_city():
    assert not only(run(trip(budget=[_line(city="Tokyo")])), "BUDGET_STANDARD")
    [finding] = only(run(trip(budget=[_line(city="札幌")])), "BUDGET_STANDARD")
    assert finding.data["standard"] == 9000


def test_budget_standard_currency_must_match():
    [finding] = only(run(trip(budget=[_line(currency="USD")])), "BUDGET_STANDARD")
    assert finding.data["standard_currency"] == "JPY"


def test_budget_standard_without_a_standard_is_noted():
    line = _line(country="DE", city="München", currency="EUR")
    [finding] = only(run(trip(budget=[line])), "BUDGET_STANDARD")
    assert finding.severity == "info"


def test_budget_missing():
    assert only(run(trip(budget=[])), "BUDGET_MISSING")[0].severity == "warning"
