"""The policy engine's reference data: countries and M49 regions, Schengen, city aliases,
budget standards. Pure Python: no database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from waishi.policy import reference
from waishi.policy.reference import (
    BUDGET_STANDARDS,
    COUNTRIES,
    SCHENGEN,
    BudgetStandard,
    budget_standard,
    canonical_city,
    country,
    is_schengen,
)

DATA = Path(reference.__file__).parent / "data"

# -- countries -----------------------------------------------------------------------


def test_every_iso_code_is_present_once_with_names():
    assert len(COUNTRIES) == 249
    for code, item in COUNTRIES.items():
        assert re.fullmatch(r"[A-Z]{2}", code)
        assert item.code == code
        assert item.name_zh and item.name_en
        assert item.continent in {"africa", "americas", "asia", "europe", "oceania", ""}, code
        assert item.africa == (item.continent == "africa")
        assert not item.latin_america or item.continent == "americas"
        assert not item.south_america or item.latin_america
    # Antarctica belongs to no M49 region; everything else has a continent.
    assert [c.code for c in COUNTRIES.values() if c.continent == ""] == ["AQ"]


@pytest.mark.parametrize(
    ("code", "continent", "africa", "latin", "south"),
    [
        ("DE", "europe", False, False, False),
        ("EG", "africa", True, False, False),
        ("ZA", "africa", True, False, False),
        ("BR", "americas", False, True, True),
        ("AR", "americas", False, True, True),
        ("MX", "americas", False, True, False),
        ("CU", "americas", False, True, False),
        ("US", "americas", False, False, False),
        ("CA", "americas", False, False, False),
        ("JP", "asia", False, False, False),
        ("TR", "asia", False, False, False),
        ("RU", "europe", False, False, False),
        ("AU", "oceania", False, False, False),
        ("HK", "asia", False, False, False),
        ("MO", "asia", False, False, False),
        ("TW", "asia", False, False, False),
    ],
)
def test_m49_regions(code, continent, africa, latin, south):
    item = COUNTRIES[code]
    assert (item.continent, item.africa, item.latin_america, item.south_america) == (
        continent,
        africa,
        latin,
        south,
    )


def test_chinese_names_follow_official_usage():
    assert COUNTRIES["DE"].name_zh == "德国"
    assert COUNTRIES["HK"].name_zh == "中国香港"
    assert COUNTRIES["MO"].name_zh == "中国澳门"
    assert COUNTRIES["TW"].name_zh == "中国台湾"
    assert COUNTRIES["DE"].name_en == "Germany"


def test_country_lookup_is_case_insensitive():
    assert country("de") is COUNTRIES["DE"]
    assert country(" jp ") is COUNTRIES["JP"]
    assert country("XX") is None
    assert country("") is None


# -- Schengen ------------------------------------------------------------------------


def test_schengen_members():
    assert len(SCHENGEN) == 29
    assert SCHENGEN <= COUNTRIES.keys()
    for code in ("FR", "DE", "CH", "NO", "IS", "LI", "BG", "RO", "HR"):
        assert is_schengen(code), code
    for code in ("GB", "IE", "CY", "US", "JP", "MC", ""):
        assert not is_schengen(code), code
    assert is_schengen("fr")


# -- cities --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Tokyo", "东京"),
        ("tokyo", "东京"),
        (" TOKYO ", "东京"),
        ("東京", "东京"),
        ("东京", "东京"),
        ("Osaka", "大阪"),
        ("大阪", "大阪"),
        ("Kyoto", "京都"),
        ("京都", "京都"),
        ("Seoul", "首尔"),
        ("서울", "首尔"),
        ("首爾", "首尔"),
        ("Busan", "釜山"),
        ("Jeju", "济州"),
        ("Islamabad", "伊斯兰堡"),
        ("München", "慕尼黑"),
        ("Munich", "慕尼黑"),
        ("munchen", "慕尼黑"),
        ("Paris", "巴黎"),
        ("London", "伦敦"),
        ("New York", "纽约"),
        ("newyork", "纽约"),
        ("new-york", "纽约"),
        ("ＮＥＷ　ＹＯＲＫ", "纽约"),  # full-width letters and space
        ("Zürich", "苏黎世"),
    ],
)
def test_city_aliases(name, canonical):
    assert canonical_city(name) == canonical


def test_unknown_city_comes_back_stripped():
    assert canonical_city("  Springfield ") == "Springfield"
    assert canonical_city("大邱") == "大邱"  # a canonical name is itself
    assert canonical_city("") == ""


def test_city_file_has_no_alias_for_two_cities():
    cities = json.loads((DATA / "cities.json").read_text(encoding="utf-8"))["cities"]
    assert len(cities) >= 37  # the 7 of policy-rules.md and ~30 more
    seen: dict[str, str] = {}
    for canonical, aliases in cities.items():
        for alias in (canonical, *aliases):
            key = reference._key(alias)
            assert seen.setdefault(key, canonical) == canonical, alias


# -- budget standards ----------------------------------------------------------------


def test_shipped_rows_are_exactly_those_of_policy_rules():
    expected = {
        ("MN", None, "USD", 90, 50, 35),
        ("KR", "首尔", "USD", 180, 70, 35),
        ("KR", "釜山", "USD", 180, 70, 35),
        ("KR", "济州", "USD", 180, 70, 35),
        ("KR", None, "USD", 150, 70, 35),
        ("JP", "东京", "JPY", 20000, 10000, 5000),
        ("JP", "大阪", "JPY", 18000, 10000, 5000),
        ("JP", "京都", "JPY", 18000, 10000, 5000),
        ("JP", None, "JPY", 9000, 10000, 5000),
        ("PK", "伊斯兰堡", "USD", 135, 30, 30),
        ("AE", None, "USD", 200, 50, 40),
    }
    got = [
        (r.country, r.city, r.currency, r.lodging, r.meals, r.incidentals) for r in BUDGET_STANDARDS
    ]
    assert len(got) == len(expected)
    assert set(got) == expected


@pytest.mark.parametrize(
    ("code", "city", "currency", "lodging"),
    [
        ("KR", "首尔", "USD", 180),
        ("KR", "Seoul", "USD", 180),
        ("KR", "대구", "USD", 150),  # not an alias we know: the "(other)" row
        ("KR", "大邱", "USD", 150),
        ("KR", None, "USD", 150),
        ("JP", "Tokyo", "JPY", 20000),
        ("JP", "Kyoto", "JPY", 18000),
        ("jp", "osaka", "JPY", 18000),
        ("JP", "名古屋", "JPY", 9000),
        ("MN", "乌兰巴托", "USD", 90),
        ("MN", None, "USD", 90),
        ("PK", "Islamabad", "USD", 135),
        ("AE", "Dubai", "USD", 200),
    ],
)
def test_budget_lookup(code, city, currency, lodging):
    found = budget_standard(code, city)
    assert isinstance(found, BudgetStandard)
    assert (found.currency, found.lodging) == (currency, lodging)


def test_budget_lookup_without_a_row():
    assert budget_standard("PK", "Lahore") is None  # PK has a 伊斯兰堡 row only
    assert budget_standard("PK", None) is None
    assert budget_standard("DE", "München") is None
    assert budget_standard("KR", "东京") is not None  # a city of another country: KR other
    assert budget_standard("KR", "东京").city is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("de", "DE"),
        ("德国", "DE"),
        ("Germany", "DE"),
        ("  ＧＥＲＭＡＮＹ ", "DE"),  # full-width, as pasted from a Chinese document
        ("阿联酋", "AE"),  # the short form of everyday usage
        ("阿拉伯联合酋长国", "AE"),
        ("香港", "HK"),
        ("乌托邦", None),
        ("XX", None),
        ("", None),
    ],
)
def test_country_code_reads_codes_names_and_short_forms(text, code):
    assert reference.country_code(text) == code
