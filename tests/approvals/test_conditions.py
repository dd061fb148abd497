"""Rule conditions: validated when saved, and all of them must hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from waishi.approvals import conditions

FACTS = {
    "category": "general",
    "highest_rank": "county_division",
    "out_of_plan": False,
    "countries": ["de", "FR"],
    "budget_total": "80000.50",
    "policy_flags": ["LEAD_TIME"],
}


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"sometimes": True},
        {"always": "yes"},
        {"min_rank": "colonel"},
        {"out_of_plan": False},
        {"categories": ["holiday"]},
        {"categories": []},
        {"countries_any": ["Germany"]},
        {"budget_over": "a lot"},
        {"budget_over": -1},
        {"policy_flags_any": ["NO_SUCH_RULE"]},
    ],
)
def test_bad_conditions_are_refused_naming_the_field(value):
    with pytest.raises(ValidationError) as exc:
        conditions.validate(value)
    assert "conditions" in exc.value.message_dict


def test_country_codes_are_normalised():
    assert conditions.validate({"countries_any": ["de", " fr"]}) == {"countries_any": ["DE", "FR"]}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"always": True}, True),
        ({"always": False}, False),
        ({"min_rank": "county_division"}, True),  # that rank ...
        ({"min_rank": "section_below"}, True),  # ... or higher
        ({"min_rank": "bureau"}, False),
        ({"out_of_plan": True}, False),
        ({"categories": ["general", "academic"]}, True),
        ({"categories": ["econ_tech"]}, False),
        ({"countries_any": ["DE"]}, True),
        ({"countries_any": ["US", "JP"]}, False),
        ({"budget_over": 80000}, True),
        ({"budget_over": 80000.5}, False),
        ({"policy_flags_any": ["LEAD_TIME", "GROUP_SIZE"]}, True),
        ({"policy_flags_any": ["GROUP_SIZE"]}, False),
        # All given conditions must hold.
        ({"categories": ["general"], "min_rank": "bureau"}, False),
        ({"categories": ["general"], "countries_any": ["FR"]}, True),
        ({}, False),
    ],
)
def test_holds(rule, expected):
    assert conditions.holds(rule, FACTS) is expected


def test_missing_facts_never_hold():
    assert not conditions.holds({"min_rank": "none"}, {})
    assert not conditions.holds({"budget_over": 0}, {"budget_total": None})
    assert conditions.holds({"always": True}, {})


def test_conditions_read_in_words():
    from django.utils import translation

    from tests.leaks import find_leaks
    from waishi.approvals.conditions import described

    conditions = {
        "always": True,
        "min_rank": "bureau",
        "out_of_plan": True,
        "categories": ["general", "econ_tech"],
        "countries_any": ["US", "JP"],
        "budget_over": 200000,
        "policy_flags_any": ["LEAD_TIME"],
    }
    with translation.override("zh-hans"):
        words = described(conditions)
    assert words[3] == "团组类别：一般团组、经贸科技"
    assert words[4] == "行程经过：美国、日本"
    assert len(words) == len(conditions)
    assert not [w for w in words if find_leaks(w, chinese=True)]
