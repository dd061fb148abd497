"""The checker as a whole: a clean trip, categories, counting, sorting, the verdict."""

from __future__ import annotations

from django.utils import translation

from tests.policy.trips import member, only, rules, run, stop, trip
from waishi.policy.output import result_json


def test_the_base_trip_passes_without_findings():
    result = run(trip())
    assert result.findings == ()
    assert result.verdict == "pass"
    assert result.days_abroad == 5
    assert result.countries == ("JP",)
    assert result.category == "general"


def test_countries_are_counted_in_itinerary_order_without_airside_transit():
    stops = [
        stop("FR", "2026-05-12", "2026-05-14", "巴黎"),
        stop("AE", "2026-05-10", "2026-05-10", "迪拜", transit_airside=True),
        stop("DE", "2026-05-10", "2026-05-12", "München"),
        stop("FR", "2026-05-14", "2026-05-14", "尼斯"),
    ]
    result = run(trip(stops=stops, budget=[]))
    assert result.countries == ("DE", "FR")


def test_a_landside_transit_counts():
    stops = [
        stop("AE", "2026-05-10", "2026-05-10", "迪拜"),
        stop("DE", "2026-05-10", "2026-05-14", "München"),
    ]
    assert run(trip(stops=stops)).countries == ("AE", "DE")


def test_econ_tech_with_every_member_flagged_and_ranked_low_is_judged_econ_tech():
    members = [
        member(econ_tech=True, rank="county_division", trips=[_recent()]),
        member(econ_tech=True, rank="none"),
    ]
    result = run(trip(category="econ_tech", members=members))
    assert result.category == "econ_tech"
    assert "FREQUENCY" not in rules(result)  # exempt
    assert result.verdict == "pass"


def test_econ_tech_with_an_unflagged_member_is_judged_general():
    members = [member(econ_tech=True, rank="county_division", trips=[_recent()]), member()]
    result = run(trip(category="econ_tech", members=members))
    assert result.category == "general"
    [mismatch] = only(result, "CATEGORY_MISMATCH")
    assert (mismatch.member, mismatch.data["reason"]) == (1, "not_econ_tech")
    assert "FREQUENCY" in rules(result)  # judged as general, so no exemption


def test_econ_tech_with_a_bureau_member_is_judged_general():
    members = [member(econ_tech=True, rank="bureau")]
    result = run(trip(category="econ_tech", members=members))
    [mismatch] = only(result, "CATEGORY_MISMATCH")
    assert mismatch.data["reason"] == "rank"
    assert result.category == "general"


def test_academic_is_exempt_from_frequency_size_days_and_plan():
    members = [member(rank="bureau", trips=[_recent()]) for _ in range(7)]
    data = trip(
        category="academic",
        members=members,
        in_annual_plan=False,
        return_date="2026-05-30",
        stops=[stop("JP", "2026-05-10", "2026-05-30", "东京")],
    )
    result = run(data)
    assert result.category == "academic"
    assert not {"FREQUENCY", "GROUP_SIZE", "STAY_DAYS", "NOT_IN_PLAN"} & set(rules(result))
    assert result.verdict == "pass"


def test_general_gets_the_same_trip_refused():
    members = [member(rank="bureau", trips=[_recent()]) for _ in range(7)]
    data = trip(
        members=members,
        in_annual_plan=False,
        return_date="2026-05-30",
        stops=[stop("JP", "2026-05-10", "2026-05-30", "东京")],
    )
    found = set(rules(run(data)))
    assert {"FREQUENCY", "GROUP_SIZE", "STAY_DAYS", "NOT_IN_PLAN"} <= found


def test_findings_are_sorted_by_severity_then_rule_then_member():
    members = [
        member(task="", party_member=True),
        member(party_member=True, retired=True),
        member(party_member=True, task=""),
    ]
    result = run(trip(members=members, in_annual_plan=False, budget=[]))
    keys = [(f.severity, f.rule, f.member) for f in result.findings]
    assert keys == [
        ("error", "RETIRED_MEMBER", 1),
        ("error", "TASK_PER_MEMBER", 0),
        ("error", "TASK_PER_MEMBER", 2),
        ("warning", "BUDGET_MISSING", None),
        ("warning", "NOT_IN_PLAN", None),
        ("info", "PARTY_BRANCH", None),
    ]


def test_member_none_sorts_before_member_indexes():
    members = [
        member(is_unit_leadership=True, econ_tech=True, rank="bureau"),
        member(is_unit_leadership=True),
    ]
    result = run(trip(category="econ_tech", members=members))
    errors = [(f.rule, f.member) for f in result.findings if f.rule == "CATEGORY_MISMATCH"]
    assert errors == [("CATEGORY_MISMATCH", 0), ("CATEGORY_MISMATCH", 1)]
    leaders = [f for f in result.findings if f.rule == "SAME_UNIT_LEADERS"]
    assert leaders[0].member is None


def test_verdict_warn_when_only_warnings():
    assert run(trip(in_annual_plan=False)).verdict == "warn"


def test_verdict_pass_with_only_info():
    members = [member(party_member=True) for _ in range(3)]
    result = run(trip(members=members))
    assert rules(result) == ["PARTY_BRANCH"]
    assert result.verdict == "pass"


def test_messages_follow_the_language_and_nothing_else_does():
    data = trip(return_date="2026-05-15", stops=[stop("JP", "2026-05-10", "2026-05-15")])
    with translation.override("en"):
        english = result_json(run(data))
    with translation.override("zh-hans"):
        chinese = result_json(run(data))
    assert "6 days" in english["findings"][0]["message"]
    for a, b in zip(english["findings"], chinese["findings"], strict=True):
        assert {k: v for k, v in a.items() if k != "message"} == {
            k: v for k, v in b.items() if k != "message"
        }


def _recent() -> dict:
    return {"departure_date": "2025-09-01", "return_date": "2025-09-05", "category": "general"}
