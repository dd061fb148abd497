"""Every rule and parameter of the policy has its words (policy.labels), and the codes they
hold read as the trip's own choices do."""

from __future__ import annotations

from django.utils import translation

from tests.leaks import find_leaks
from waishi.missions.models import Category, InvitationSource
from waishi.orgs.models import Rank
from waishi.policy import labels
from waishi.policy.params import SCHEMA, default_policy
from waishi.policy.types import CATEGORIES, INVITATION_SOURCES, RANKS


def test_every_rule_and_parameter_of_the_schema_has_words():
    assert set(labels.RULE_TITLES) >= set(SCHEMA)
    for rule, spec in SCHEMA.items():
        assert set(labels.PARAMETERS[rule]) == set(spec), rule


def test_the_codes_read_as_the_trips_own_choices():
    assert list(labels.CATEGORY_LABELS) == list(CATEGORIES)
    assert list(labels.INVITATION_SOURCE_LABELS) == list(INVITATION_SOURCES)
    assert list(labels.RANK_LABELS) == list(RANKS)
    with translation.override("zh-hans"):
        assert {k: str(v) for k, v in labels.CATEGORY_LABELS.items()} == {
            k: str(v) for k, v in Category.choices
        }
        assert {k: str(v) for k, v in labels.INVITATION_SOURCE_LABELS.items()} == {
            k: str(v) for k, v in InvitationSource.choices
        }
        assert labels.RANK_LABELS == dict(Rank.choices)


def test_the_shipped_parameters_read_in_words():
    """Each shipped value in Chinese: a label and a value with no code in either."""
    parameters = default_policy().parameters
    with translation.override("zh-hans"):
        for rule, values in parameters.items():
            assert not find_leaks(labels.rule_title(rule), chinese=True), rule
            for label, text in labels.described(rule, values):
                assert not find_leaks(f"{label}：{text}", chinese=True), (rule, label, text)
        lead = dict(labels.described("LEAD_TIME", parameters["LEAD_TIME"]))
    assert lead["提前报批天数（申根地区）"] == "60 天"
    assert lead["远途国家"] == "美国"
    assert lead["远途地区"] == "南美洲"


def test_a_place_in_the_input_in_words():
    with translation.override("zh-hans"):
        assert labels.place_words("stops[0].country") == "第1站 国家或地区"
        assert labels.place_words("members[2].rank") == "第3位成员 职级"
        assert labels.place_words("budget[0].currency") == "预算第1行 币种"
        assert labels.place_words("secret[0].x") == "某一项 某一项"
