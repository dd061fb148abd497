"""The shipped policy file and overrides on top of it."""

from __future__ import annotations

import json

import pytest

from waishi.policy.params import (
    DEFAULT_FILE,
    SCHEMA,
    WORKFLOW_PARAMETERS,
    default_policy,
    policy_from_data,
)
from waishi.policy.rules import RULES
from waishi.policy.types import InputError


def test_the_default_file_is_valid_and_cites_every_rule():
    policy = default_policy()
    assert policy.name and policy.version
    assert set(policy.parameters) == set(SCHEMA)
    assert all(policy.citations[code] for code in SCHEMA)
    assert {code for code, _rule in RULES} | {"CATEGORY_MISMATCH"} | WORKFLOW_PARAMETERS == set(
        SCHEMA
    )
    assert not WORKFLOW_PARAMETERS & {code for code, _rule in RULES}


def test_defaults_are_the_catalogue_numbers():
    p = default_policy().parameters
    assert p["GROUP_SIZE"]["max"] == 6
    assert p["COUNTRY_COUNT"]["max"] == 3
    assert p["STAY_DAYS"]["limits"] == [5, 8, 10]
    assert p["STAY_DAYS"]["africa_latin_america_extra"] == [1, 1, 0]
    assert p["FREQUENCY"]["windows"]["bureau"] == {"max": 1, "years": 2}
    assert p["LEAD_TIME"]["days"] == 45


def test_override_merges_deeply_and_leaves_the_default_alone():
    policy = default_policy().with_overrides({"FREQUENCY": {"windows": {"bureau": {"max": 2}}}})
    assert policy.parameters["FREQUENCY"]["windows"]["bureau"] == {"max": 2, "years": 2}
    assert policy.parameters["FREQUENCY"]["windows"]["county_division"]["max"] == 1
    assert default_policy().parameters["FREQUENCY"]["windows"]["bureau"]["max"] == 1


def test_lists_are_replaced():
    policy = default_policy().with_overrides({"STAY_DAYS": {"limits": [4]}})
    assert policy.parameters["STAY_DAYS"]["limits"] == [4]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"GROUP_SIZ": {"max": 5}}, "GROUP_SIZ"),
        ({"GROUP_SIZE": {"maxx": 5}}, "GROUP_SIZE.maxx"),
        ({"GROUP_SIZE": {"max": "5"}}, "GROUP_SIZE.max"),
        ({"GROUP_SIZE": {"max": 0}}, "GROUP_SIZE.max"),
        ({"GROUP_SIZE": 5}, "GROUP_SIZE"),
        ({"GROUP_SIZE": {"applies_to": ["private"]}}, "GROUP_SIZE.applies_to[0]"),
        ({"FREQUENCY": {"windows": {"bureau": {"month": 1}}}}, "FREQUENCY.windows.bureau.month"),
        (
            {"HOT_DESTINATION": {"destinations": [{"country": "XX"}]}},
            "HOT_DESTINATION.destinations[0].country",
        ),
        (
            {"HOT_DESTINATION": {"destinations": [{"city": "东京"}]}},
            "HOT_DESTINATION.destinations[0]",
        ),
        ({"STAY_DAYS": {"limits": []}}, "STAY_DAYS.limits"),
        ({"PARTY_BRANCH": {"mandatory": 1}}, "PARTY_BRANCH.mandatory"),
    ],
)
def test_bad_overrides_name_the_key(overrides, field):
    with pytest.raises(InputError) as caught:
        default_policy().with_overrides(overrides)
    assert caught.value.field == field


def test_a_policy_file_missing_a_parameter_is_refused():
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    del data["parameters"]["GROUP_SIZE"]["max"]
    with pytest.raises(InputError) as caught:
        policy_from_data(data)
    assert caught.value.field == "parameters.GROUP_SIZE.max"
