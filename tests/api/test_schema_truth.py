"""The schema (/api/schema/) says what the server does: each test reads the generated
document, then asks the server and checks that it behaves as the document says -- files
are binary parts of a multipart body, a PATCH needs its version, state filters are enums
of exactly the states the server filters by, a downloaded report has a media type the
schema lists, an Idempotency-Key is limited as stated, and policy/check requires what the
server requires (contracts/policy-check.md)."""

from __future__ import annotations

import copy
import io
import json
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.test_report_api import PDF
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.missions.travel import back
from tests.policy.test_cli import CONTRACT_EXAMPLE
from waishi.followups.models import State as OutcomeState
from waishi.missions.models import ReportState, State
from waishi.passports.models import PassportState

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip(cast, home_unit):
    """A trip back yesterday, its report a draft."""
    return back(cast, [PersonFactory(unit=home_unit, rank="county_division")], days_ago=1)


@pytest.fixture
def schema(api_as, cast) -> dict:
    response = api_as("unit_clerk").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, node):
    if isinstance(node, dict) and "$ref" in node:
        return resolve(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    return node


def body_of(schema: dict, path: str, method: str, media: str = "application/json") -> dict:
    return resolve(schema, schema["paths"][path][method]["requestBody"]["content"][media]["schema"])


def parameter(schema: dict, path: str, method: str, name: str) -> dict:
    (found,) = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return found


# --- uploads --------------------------------------------------------------------------------

UPLOADS = [
    ("/api/v1/missions/{mission_pk}/letter/", "letter"),
    ("/api/v1/missions/{mission_pk}/report/document/", "document"),
    ("/api/v1/followups/{outcome_pk}/progress/", "evidence"),
]


@pytest.mark.parametrize(("path", "field"), UPLOADS)
def test_uploads_are_binary_parts_of_a_multipart_body(schema, path, field):
    body = body_of(schema, path, "post", "multipart/form-data")
    assert body["properties"][field]["type"] == "string"
    assert body["properties"][field]["format"] == "binary"


# --- PATCH ----------------------------------------------------------------------------------

# The PATCHes read whole, with the version as read; the others read partially.
WHOLE = [
    "/api/v1/missions/{mission_pk}/",
    "/api/v1/missions/{mission_pk}/report/",
    "/api/v1/missions/{mission_pk}/changes/{change_pk}/",
]


def test_a_patch_says_its_version_is_required(schema):
    patches = {path for path, ops in schema["paths"].items() if "patch" in ops}
    assert set(WHOLE) <= patches
    for path in patches:
        body = body_of(schema, path, "patch")
        required = set(body.get("required", []))
        if path in WHOLE:
            assert "version" in required and "version" in body["properties"], path
        else:
            assert "version" not in body["properties"] and not required, path


def test_a_patch_without_its_version_is_refused_as_the_schema_says(api_as, cast, trip):
    mission = build_mission(cast["unit_clerk"], [])
    for url in (f"/api/v1/missions/{mission.pk}/", f"/api/v1/missions/{trip.pk}/report/"):
        response = api_as("unit_clerk").patch(
            url,
            json.dumps({"title": "x"} if "report" not in url else {"tasks_done": "x"}),
            content_type="application/json",
        )
        assert response.status_code == 400, url
        assert "version" in response.json()["error"]["fields"], url


# --- state filters --------------------------------------------------------------------------

FILTERS = [
    ("/api/v1/missions/", "state", State.values),
    ("/api/v1/followups/", "state", OutcomeState.values),
    ("/api/v1/passports/", "state", PassportState.values),
    ("/api/v1/reports/", "state", [*ReportState.values, "overdue"]),
]


@pytest.mark.parametrize(("path", "name", "values"), FILTERS)
def test_state_filters_are_enums_of_what_the_server_takes(schema, api_as, path, name, values):
    enum = parameter(schema, path, "get", name)["schema"]["enum"]
    assert set(enum) == {*values, ""}
    client = api_as("fao_reviewer")
    for value in enum:
        assert client.get(path, {name: value}).status_code == 200, value
    assert client.get(path, {name: "no-such-state"}).status_code == 400


# --- the report document --------------------------------------------------------------------


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("出访报告（签字盖章）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"), [("报告.docx", "docx"), ("报告.pdf", "pdf")], ids=["docx", "pdf"]
)
def test_the_report_document_is_served_with_a_media_type_the_schema_lists(
    schema, api_as, trip, name, content
):
    data = _docx_bytes() if content == "docx" else PDF
    leader = api_as("unit_leader")
    uploaded = leader.post(
        f"/api/v1/missions/{trip.pk}/report/document/",
        {"document": SimpleUploadedFile(name, data, "application/octet-stream")},
    )
    assert uploaded.status_code == 200, uploaded.content
    response = leader.get(f"/api/v1/missions/{trip.pk}/report/document/")
    assert response.status_code == 200
    listed = schema["paths"]["/api/v1/missions/{mission_pk}/report/document/"]["get"]
    listed = set(listed["responses"]["200"]["content"])
    assert response["Content-Type"] in listed
    assert listed == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }


# --- Idempotency-Key ------------------------------------------------------------------------


def test_the_idempotency_key_is_limited_as_the_schema_says(schema, api_as, trip):
    header = parameter(
        schema, "/api/v1/missions/{mission_pk}/report/submit/", "post", "Idempotency-Key"
    )
    limits = header["schema"]
    assert limits["minLength"] == 1 and limits["maxLength"] == 200
    pattern = re.compile(limits["pattern"])
    client = api_as("unit_clerk")

    def publish(key: str):
        return client.post(
            f"/api/v1/missions/{trip.pk}/report/publish/",
            "{}",
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    longest = "k" * limits["maxLength"]
    assert pattern.search(longest) and publish(longest).status_code == 200
    for bad in ("k" * (limits["maxLength"] + 1), "两个字", "a b"):
        fits = len(bad) <= limits["maxLength"] and pattern.search(bad)
        assert not fits and publish(bad).status_code == 400, bad


# --- policy/check ---------------------------------------------------------------------------

CHECK = "/api/v1/policy/check"


def _places(node: dict, prefix: str = ""):
    """(place, object schema) of every object in the input schema, by its path."""
    yield prefix, node
    for name, child in node.get("properties", {}).items():
        if child.get("type") == "object":
            yield from _places(child, f"{prefix}.{name}" if prefix else name)
        elif child.get("type") == "array" and child["items"].get("type") == "object":
            yield from _places(child["items"], f"{prefix}.{name}[0]" if prefix else f"{name}[0]")


def _at(data, place: str):
    for part in filter(None, re.split(r"\.|(?=\[)", place)):
        data = data[int(part[1:-1])] if part.startswith("[") else data[part]
    return data


def test_policy_check_requires_what_the_server_requires(schema, api_as):
    """The contract's example, each field left out in turn: the server refuses it (400
    naming that field) exactly when the schema lists it as required."""
    body = body_of(schema, CHECK, "post")
    example = json.loads(CONTRACT_EXAMPLE)
    client = api_as("unit_clerk")
    assert (
        client.post(CHECK, json.dumps(example), content_type="application/json").status_code == 200
    )
    tried = 0
    for place, node in _places(body):
        for name in node["properties"]:
            data = copy.deepcopy(example)
            holder = _at(data, place) if place else data
            if name not in holder:
                continue
            del holder[name]
            response = client.post(CHECK, json.dumps(data), content_type="application/json")
            full = f"{place}.{name}" if place else name
            if name in node.get("required", []):
                assert response.status_code == 400, full
                assert full in response.json()["error"]["fields"], full
            else:
                assert response.status_code == 200, (full, response.content)
            tried += 1
    assert tried >= 30
    # As the contract says: these may be left out; everything else it names is required.
    assert set(body["required"]) == {
        "category",
        "departure_date",
        "return_date",
        "invitation",
        "stops",
        "members",
    }
    assert body["additionalProperties"] is False
