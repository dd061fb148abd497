"""Every integer the API reads -- in the query, the path or the body -- is bounded, and a
value out of range or not a number is refused with the one error shape (400 naming the
parameter), never answered with a 500 (an id past 2**63 - 1 made SQLite raise
OverflowError). The bounds are also in the schema, checked here by walking it."""

from __future__ import annotations

import json

import pytest

from tests.missions.conftest import build_mission

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission(cast):
    return build_mission(cast["unit_clerk"], [])


LISTS = ["people", "custody", "missions", "passports", "followups", "reports", "units"]
FILTERED = [name for name in LISTS if name != "units"]  # units has no unit filter
# Past the largest id a database holds (2**63 - 1), far past it, below 1, not numbers.
BAD = ["9223372036854775808", "99999999999999999999999999", "0", "-1", "x", "1.5", "1e3", "١"]


def invalid(response, field: str) -> list[str]:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "invalid"
    assert field in body["error"]["fields"], body
    return body["error"]["fields"][field]


@pytest.mark.parametrize("name", FILTERED)
@pytest.mark.parametrize("value", BAD)
def test_a_unit_filter_out_of_range_is_refused(api_as, cast, name, value):
    messages = invalid(api_as("fao_reviewer").get(f"/api/v1/{name}/", {"unit": value}), "unit")
    assert all(m and m.isprintable() for m in messages)


@pytest.mark.parametrize("name", FILTERED)
def test_the_largest_id_is_looked_up_and_found_nothing(api_as, cast, name):
    response = api_as("fao_reviewer").get(f"/api/v1/{name}/", {"unit": str(2**63 - 1)})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"] == []


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("value", [*BAD, "2", "1000001"])
def test_a_page_out_of_range_is_refused(api_as, cast, name, value):
    # Nothing or one page to list: page 2 is past the end, like any of BAD.
    invalid(api_as("fao_reviewer").get(f"/api/v1/{name}/", {"page": value}), "page")


def test_page_one_of_an_empty_list_is_an_empty_page(api_as, cast):
    response = api_as("fao_reviewer").get("/api/v1/followups/", {"page": "1"})
    assert response.status_code == 200 and response.json()["results"] == []


PATHS = [
    "/api/v1/units/{}/",
    "/api/v1/people/{}/",
    "/api/v1/missions/{}/",
    "/api/v1/missions/{}/readiness/",
    "/api/v1/missions/{}/report/",
    "/api/v1/missions/{}/report/document/",
    "/api/v1/missions/{}/changes/",
    "/api/v1/missions/{}/itinerary/",
    "/api/v1/missions/{}/incidents/",
    "/api/v1/passports/{}/",
    "/api/v1/followups/{}/",
    "/api/v1/followups/updates/{}/evidence/",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999999999", "0"])
def test_a_path_id_out_of_range_is_refused(api_as, cast, path, value):
    field = path.split("{}")[0].rstrip("/").rsplit("/", 1)[1]
    field = {"people": "person", "updates": "update", "followups": "outcome"}.get(
        field, field.rstrip("s")
    )
    invalid(api_as("fao_reviewer").get(path.format(value)), f"{field}_pk")


@pytest.mark.parametrize("value", [2**63, 10**30, 0, -1, "x", 1.5])
def test_an_id_in_a_body_out_of_range_is_refused(api_as, cast, value):
    body = {
        "kind": "agreement",
        "title": "合作协议",
        "responsible_person": value,
        "due_date": "2099-01-01",
    }
    response = api_as("fao_reviewer").post(
        "/api/v1/followups/", json.dumps(body), content_type="application/json"
    )
    invalid(response, "responsible_person")


@pytest.mark.parametrize("value", [2**31, 2**63, 0])
def test_a_version_out_of_range_is_refused_and_nothing_changes(api_as, mission, value):
    before = (mission.title, mission.version)
    response = api_as("unit_clerk").patch(
        f"/api/v1/missions/{mission.pk}/",
        json.dumps({"version": value, "title": "改"}),
        content_type="application/json",
    )
    invalid(response, "version")
    mission.refresh_from_db()
    assert (mission.title, mission.version) == before


@pytest.mark.parametrize("value", [2**63, 31, 0])
def test_a_stop_number_out_of_range_is_refused(api_as, mission, value):
    response = api_as("unit_clerk").patch(
        f"/api/v1/missions/{mission.pk}/",
        json.dumps({"version": mission.version, "budget": [{"stop_number": value}]}),
        content_type="application/json",
    )
    invalid(response, "budget[0].stop_number")


# --- the schema says the bounds -------------------------------------------------------------


def _integers(node, where: str):
    """(where, schema) of every integer schema under ``node``."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield where, node
        for key, value in node.items():
            yield from _integers(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _integers(value, f"{where}[{i}]")


def _resolve(schema: dict, node):
    """``node`` with every $ref replaced (components are a tree here: no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return _resolve(schema, schema["components"]["schemas"][name])
        return {k: _resolve(schema, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(schema, v) for v in node]
    return node


def test_every_integer_the_api_reads_has_bounds_in_the_schema(api_as, cast):
    schema = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()
    inputs = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                inputs.append((f"{method} {path} {parameter['name']}", parameter["schema"]))
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                inputs.append((f"{method} {path} body {media}", content["schema"]))
    found = [
        (f"{name}{where}", node)
        for name, node in inputs
        for where, node in _integers(_resolve(schema, node), "")
    ]
    assert len(found) > 40  # the walk reaches the ids of paths, filters and bodies
    unbounded = [name for name, node in found if "minimum" not in node or "maximum" not in node]
    assert unbounded == []


@pytest.mark.parametrize("month", ["0000-01", "1899-12", "3000-01", "9999-12", "2026-13"])
def test_a_month_filter_out_of_range_is_refused(api_as, cast, month):
    # "0000-01" was a 500: year 0 is no date.
    invalid(api_as("fao_reviewer").get("/api/v1/missions/", {"month": month}), "month")


def test_every_operation_with_parameters_documents_the_400_it_may_answer(api_as, cast):
    schema = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()
    operations = [
        (f"{method} {path}", operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("parameters")
    ]
    assert len(operations) > 40
    assert [name for name, op in operations if "400" not in op["responses"]] == []


def test_a_list_that_is_not_paged_is_not_described_as_pages(api_as, cast):
    schema = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()
    changes = schema["paths"]["/api/v1/missions/{mission_pk}/changes/"]["get"]
    assert "page" not in {p["name"] for p in changes.get("parameters", [])}
    body = changes["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    people = schema["paths"]["/api/v1/people/"]["get"]
    assert "page" in {p["name"] for p in people["parameters"]}
