"""The header's search: trips, people, units and arrivals by name, pinyin, initials or
number, each scoped as its list is (a unit's clerk never finds another unit's people or
trips, the FAO no unit's draft, only the arrivals' roles any arrival), capped per kind
with a link to the list filtered, in a number of queries that does not grow with rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.arrivals.conftest import arrival_data, next_passport
from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from waishi.arrivals import services as arrival_services
from waishi.arrivals.models import SourceKind
from waishi.missions.models import Mission
from waishi.ui import search

pytestmark = pytest.mark.django_db

URL = reverse("ui:search")


def _groups(client, q: str) -> dict[str, str]:
    """{kind: the group's HTML} of the search page for ``q``."""
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    body = response.content.decode()
    groups = {}
    for kind in ("trips", "people", "units", "arrivals"):
        marker = f'data-testid="search-group-{kind}"'
        if marker in body:
            groups[kind] = body.split(marker, 1)[1].split("</section>", 1)[0]
    return groups


def _submitted(mission: Mission) -> Mission:
    Mission.objects.filter(pk=mission.pk).update(state="submitted", submitted_at=timezone.now())
    return Mission.objects.get(pk=mission.pk)


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit),
        PersonFactory(name="韩梅梅", unit=home_unit),
    ]


@pytest.fixture
def arrival(district):
    def make(name: str):
        return arrival_services.arrival_register(
            data=arrival_data(name=name),
            passport=next_passport(),
            district=district,
            kind=SourceKind.PORT,
            actor=None,
            batch=None,
            row=None,
            code_index=None,
        ).arrival

    return make


def test_people_by_name_pinyin_and_initials(as_user, home_person):
    client = as_user("fao_reviewer")
    for q in ("张三", "zhangsan", "zhangs", "zs", "ZS"):
        assert "张三" in _groups(client, q)["people"], q
    assert "张三" not in _groups(client, "lisi")["people"]


def test_a_clerk_never_finds_another_units_people_or_trips(
    as_user, cast, home_person, foreign_person, foreign_unit
):
    build_mission(cast["outsider"], [foreign_person], title="教育局的出访团组")
    client = as_user("unit_clerk")  # the commerce bureau's clerk
    assert FOREIGN_MARKER not in _groups(client, FOREIGN_MARKER)["people"]
    assert "教育局的出访团组" not in _groups(client, "出访团组")["trips"]
    outsider = as_user("outsider")  # the education bureau's clerk (the demo's clerk2)
    for q in ("张三", "zs", "zhangsan"):
        assert "张三" not in _groups(outsider, q)["people"]
    assert "教育局的出访团组" in _groups(outsider, "出访团组")["trips"]


def test_units_by_name_code_pinyin_and_initials(as_user, home_unit):
    client = as_user("unit_clerk")
    for q in ("商务局", "U-HOME", "sswj", "shishangwu", "swj"):
        assert "市商务局" in _groups(client, q)["units"], q
    assert "市商务局" not in _groups(client, "jiaoyu")["units"]


def test_trips_by_title_member_and_number_and_no_draft_for_the_fao(as_user, cast, people):
    mission = build_mission(cast["unit_clerk"], people, title="赴日本经贸交流")
    number = f"WS-{mission.created_at.year}-{mission.pk:05d}"
    clerk = as_user("unit_clerk")
    assert "赴日本经贸交流" in _groups(clerk, "日本")["trips"]
    assert "赴日本经贸交流" in _groups(clerk, number)["trips"]
    fao = as_user("fao_reviewer")
    # A draft is the unit's until submitted: not found by the FAO, by any words.
    for q in ("日本", number, str(mission.pk)):
        assert "赴日本经贸交流" not in _groups(fao, q)["trips"]
    _submitted(mission)
    assert "赴日本经贸交流" in _groups(fao, "日本")["trips"]
    assert "赴日本经贸交流" in _groups(fao, str(mission.pk))["trips"]


def test_arrivals_only_for_the_arrivals_roles(as_user, arrival):
    arrival("王小明")
    for role in ("city_command", "district_officer", "auditor"):
        assert "王小明" in _groups(as_user(role), "王小明")["arrivals"], role
    for role in ("fao_reviewer", "fao_head", "unit_clerk", "committee"):
        groups = _groups(as_user(role), "王小明")
        assert "arrivals" not in groups, role
        assert "王小明" not in "".join(groups.values())


def test_administrators_find_no_business_record(as_user, home_person, cast, people):
    _submitted(build_mission(cast["unit_clerk"], people, title="赴日本经贸交流"))
    groups = _groups(as_user("sys_admin"), "张")
    assert set(groups) == {"units"}


def test_each_kind_is_capped_with_a_link_to_its_list(as_user, home_unit):
    for i in range(search.PER_KIND + 2):
        PersonFactory(name=f"张{'一二三四五六七八九'[i]}", unit=home_unit)
    body = as_user("fao_reviewer").get(URL, {"q": "zh"}).content.decode()
    people = body.split('data-testid="search-group-people"', 1)[1].split("</section>", 1)[0]
    assert people.count('data-testid="search-hit"') == search.PER_KIND
    assert f'href="{reverse("orgs:person-list")}?q=zh"' in people


def test_an_empty_or_long_query(as_user):
    client = as_user("fao_reviewer")
    assert _groups(client, "") == {}
    assert client.get(URL, {"q": "x" * 5000}).status_code == 200


def test_the_query_count_does_not_grow_with_rows(as_user, cast, home_unit, people, arrival):
    fao = as_user("fao_reviewer")
    command = as_user("city_command")

    def measured(client, q: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": q}).status_code == 200
        return len(queries)

    PersonFactory(name="王一", unit=home_unit)
    _submitted(build_mission(cast["unit_clerk"], people, title="王的团组"))
    arrival("王一")
    few = measured(fao, "w"), measured(command, "w")
    for i in range(12):
        PersonFactory(name=f"王{i}号", unit=home_unit)
        _submitted(build_mission(cast["unit_clerk"], people, title=f"王的团组{i}"))
        arrival(f"王{i}号")
    many = measured(fao, "w"), measured(command, "w")
    assert many == few
    # Measured 8 for the FAO (session, user, the header's counts, then trips 3 with the
    # number lookup, people 1, units 1) and 7 for the command (units, arrivals); a bound
    # with room for the header, not for a query per row.
    assert few[0] <= 12 and few[1] <= 12, few
