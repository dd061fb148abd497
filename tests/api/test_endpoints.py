from __future__ import annotations

import re

from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory, make_id_number
from waishi.orgs.models import UnitKind

MASK = re.compile(r"^\d{4}\*{10}[0-9X]{4}$")


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


def test_me_describes_the_calling_account(api_as, cast, home_unit, district):
    body = api_as("unit_clerk").get("/api/v1/me/").json()
    user = cast["unit_clerk"]
    assert body["username"] == "unit_clerk"
    assert body["full_name"] == user.full_name
    assert body["role"] == "unit_clerk"
    assert body["role_display"]
    assert body["unit"] == {"id": home_unit.pk, "code": "U-HOME", "name": "市商务局"}
    assert body["district"] is None
    assert body["language"] == "zh-hans"
    officer = api_as("district_officer").get("/api/v1/me/").json()
    assert officer["district"]["code"] == district.code


def test_districts_are_listed(api_as, district):
    body = api_as("sys_admin").get("/api/v1/districts/").json()
    assert body["count"] == 1
    assert body["results"] == [{"id": district.pk, "code": "370199", "name": "示范区"}]


def test_units_are_searched_and_filtered(api_as, home_unit, foreign_unit, fao_unit):
    client = api_as("unit_clerk")
    codes = [u["code"] for u in client.get("/api/v1/units/").json()["results"]]
    assert codes == sorted(["FAO", "U-HOME", "U-FOREIGN"])
    found = client.get("/api/v1/units/", {"q": "商务"}).json()["results"]
    assert [u["code"] for u in found] == ["U-HOME"]
    found = client.get("/api/v1/units/", {"kind": UnitKind.FAO}).json()["results"]
    assert [u["code"] for u in found] == ["FAO"]


def test_an_invalid_filter_is_400_with_the_fields(api_as, cast):
    error = _error(api_as("unit_clerk").get("/api/v1/units/", {"kind": "nope"}), 400)
    assert error["code"] == "invalid"
    assert "kind" in error["fields"]
    error = _error(api_as("unit_clerk").get("/api/v1/people/", {"unit": "x"}), 400)
    assert "unit" in error["fields"]


def test_unit_detail_counts_only_visible_people(api_as, home_unit, home_person, foreign_person):
    body = api_as("unit_clerk").get(f"/api/v1/units/{home_unit.pk}/").json()
    assert body["code"] == "U-HOME"
    assert body["people_count"] == 1
    foreign = api_as("unit_clerk").get(f"/api/v1/units/{foreign_person.unit_id}/").json()
    assert foreign["people_count"] == 0
    assert (
        api_as("fao_reviewer")
        .get(f"/api/v1/units/{foreign_person.unit_id}/")
        .json()["people_count"]
        == 1
    )
    assert _error(api_as("unit_clerk").get("/api/v1/units/999999/"), 404)["code"] == "not_found"


def test_a_unit_token_sees_only_its_units_people(api_as, home_person, foreign_person):
    client = api_as("unit_clerk")
    body = client.get("/api/v1/people/")
    assert body.status_code == 200
    names = [p["name"] for p in body.json()["results"]]
    assert names == ["张三"]
    assert FOREIGN_MARKER not in body.content.decode()
    # Asking for the foreign unit explicitly changes nothing.
    only = client.get("/api/v1/people/", {"unit": foreign_person.unit_id}).json()
    assert only["results"] == []
    error = _error(client.get(f"/api/v1/people/{foreign_person.pk}/"), 404)
    assert error["code"] == "not_found"
    assert FOREIGN_MARKER not in str(error)
    assert client.get(f"/api/v1/people/{home_person.pk}/").json()["name"] == "张三"


def test_city_roles_see_every_unit(api_as, home_person, foreign_person):
    names = {p["name"] for p in api_as("auditor").get("/api/v1/people/").json()["results"]}
    assert names == {"张三", FOREIGN_MARKER}


def test_people_are_found_by_pinyin_initials(api_as, home_unit, home_person):
    PersonFactory(name="李四", unit=home_unit)
    found = api_as("unit_leader").get("/api/v1/people/", {"q": "zs"}).json()["results"]
    assert [p["name"] for p in found] == ["张三"]


def test_id_numbers_are_only_ever_masked(api_as, home_person, foreign_person):
    clear = [make_id_number(1), make_id_number(2)]
    for role in ("unit_clerk", "fao_reviewer", "fao_head"):
        client = api_as(role)
        listing = client.get("/api/v1/people/")
        detail = client.get(f"/api/v1/people/{home_person.pk}/")
        for response in (listing, detail):
            text = response.content.decode()
            assert not any(number in text for number in clear), role
        masks = [p["id_number_masked"] for p in listing.json()["results"]]
        masks.append(detail.json()["id_number_masked"])
        assert masks and all(MASK.match(m) for m in masks), masks
        assert "id_number" not in detail.json()


def test_administrators_read_no_people(api_as, home_person):
    for role in ("sys_admin", "security_admin", "audit_admin"):
        client = api_as(role)
        assert _error(client.get("/api/v1/people/"), 403)["code"] == "permission_denied"
        assert _error(client.get(f"/api/v1/people/{home_person.pk}/"), 403)
        # Units stay readable: they are reference data for forms.
        assert client.get("/api/v1/units/").status_code == 200


def test_an_unknown_api_path_is_404_with_the_error_shape(api_as, cast):
    assert _error(api_as("unit_clerk").get("/api/v1/no-such-thing/"), 404)["code"] == "not_found"


def test_a_bug_is_500_with_the_error_shape_and_no_traceback(api_as, cast, monkeypatch):
    from waishi.api import views

    class Broken:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("secret internals")

    monkeypatch.setattr(views.s, "MeOutput", Broken)
    response = api_as("unit_clerk").get("/api/v1/me/")
    error = _error(response, 500)
    assert error["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_writes_are_not_allowed(api_as, cast):
    error = _error(api_as("unit_clerk").post("/api/v1/me/"), 405)
    assert error["code"] == "method_not_allowed"


def test_a_path_without_the_slash_is_redirected_not_lost(api_as, cast):
    response = api_as("unit_clerk").get("/api/v1/me")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/me/")


def test_the_people_list_query_count_does_not_grow_with_rows(api_as, home_unit, home_person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as("unit_clerk")
    client.get("/api/v1/people/")  # the first use writes last_used_at; measure after it
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/people/").json()["results"]) == 1
    for n in range(5):
        PersonFactory(unit=home_unit, id_number=make_id_number(100 + n))
    with CaptureQueriesContext(connection) as six:
        assert len(client.get("/api/v1/people/").json()["results"]) == 6
    assert len(six) == len(one)
