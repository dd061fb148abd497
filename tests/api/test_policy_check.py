"""``POST /api/v1/policy/check``: the same answers as ``waishi policy-check`` for the same
input and date, the API's error shape for input that cannot be judged, and who may ask."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import bearer
from tests.conftest import login
from tests.policy.test_cli import CONTRACT_EXAMPLE
from tests.policy.test_properties import trips as generated_trips
from tests.policy.trips import member, stop, trip
from waishi.api.policy_views import EXAMPLE_INPUT

URL = "/api/v1/policy/check"
RULE_DAY = date(2026, 1, 1)


def api_check(client: Client, data, on: str | None = None, url: str = URL):
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    query = f"?on={on}" if on is not None else ""
    return client.post(url + query, body, content_type="application/json")


def cli_check(tmp_path: Path, data, on: str | None = None, *more: str) -> tuple[int, dict | None]:
    path = tmp_path / "trip.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = [str(path), *(("--on", on) if on is not None else ()), *more]
    try:
        call_command("policy-check", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, (json.loads(out.getvalue()) if out.getvalue() else None)


def cli_subprocess(tmp_path: Path, data, on: str | None = None) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAISHI_")}
    env |= {"WAISHI_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "waishi.settings"}
    args = ["--on", on] if on is not None else []
    done = subprocess.run(
        [sys.executable, "-m", "waishi", "policy-check", *args, "-"],
        input=json.dumps(data, ensure_ascii=False),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def clerk(cast, make_token) -> Client:
    return bearer(make_token(cast["unit_clerk"])[1])


# --- the same answers -----------------------------------------------------------------------


def test_the_schema_example_is_the_contract_example():
    assert json.loads(CONTRACT_EXAMPLE) == EXAMPLE_INPUT


def test_the_contract_example_gives_the_same_answer_both_ways(clerk, tmp_path):
    data = json.loads(CONTRACT_EXAMPLE)
    response = api_check(clerk, CONTRACT_EXAMPLE)
    assert response.status_code == 200, response.content
    status, printed = cli_check(tmp_path, data)
    assert status == 1
    assert response.json() == printed
    body = response.json()
    assert list(body) == ["policy", "category", "days_abroad", "countries", "verdict", "findings"]
    assert body["verdict"] == "fail"
    # The example's one stop ends four days before the return: ITINERARY_GAP too.
    assert [(f["rule"], f["severity"], f["member"]) for f in body["findings"]] == [
        ("FREQUENCY", "error", 0),
        ("ITINERARY_GAP", "error", None),
        ("STAY_DAYS", "error", None),
    ]
    assert "8" in body["findings"][2]["message"]  # the numbers that decided it, in Chinese
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["findings"][2]["message"])


ON_DATES = st.one_of(
    st.none(), st.integers(-200, 400).map(lambda d: (RULE_DAY + timedelta(days=d)).isoformat())
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=generated_trips, on=ON_DATES, drop_submitted=st.booleans())
def test_api_and_command_line_agree_on_generated_trips(clerk, tmp_path, data, on, drop_submitted):
    if drop_submitted:
        data = {k: v for k, v in data.items() if k != "submitted_on"}
    # Without a date anywhere both judge as of today: keep "today" the same for both.
    with time_machine.travel(date(2026, 4, 1), tick=False):
        response = api_check(clerk, data, on)
        status, printed = cli_check(tmp_path, data, on)
    assert response.status_code == 200, response.content
    assert response.json() == printed
    assert status == (1 if printed["verdict"] == "fail" else 0)


@pytest.mark.parametrize(
    ("data", "on"),
    [
        (json.loads(CONTRACT_EXAMPLE), None),
        (trip(in_annual_plan=False), "2026-04-20"),
        (
            trip(
                stops=[
                    stop("JP", "2026-05-10", "2026-05-12"),
                    stop("FR", "2026-05-12", "2026-05-20"),
                ],
                return_date="2026-05-20",
                members=[member(rank="bureau"), member(relation="spouse", task="")],
            ),
            None,
        ),
    ],
)
def test_api_and_a_real_command_line_process_agree(clerk, tmp_path, data, on):
    status, printed = cli_subprocess(tmp_path, data, on)
    response = api_check(clerk, data, on)
    assert response.status_code == 200, response.content
    assert response.json() == printed
    assert status == (1 if printed["verdict"] == "fail" else 0)


def test_on_selects_the_date_like_the_command_lines_on(clerk, tmp_path):
    data = {k: v for k, v in trip().items() if k != "submitted_on"}
    assert api_check(clerk, data, "2026-03-26").json()["verdict"] == "pass"
    late = api_check(clerk, data, "2026-04-20").json()
    assert [f["rule"] for f in late["findings"]] == ["LEAD_TIME"]
    assert late == cli_check(tmp_path, data, "2026-04-20")[1]


def test_messages_follow_the_callers_language(cast, make_token, tmp_path):
    user = cast["unit_clerk"]
    user.language = "en"
    user.save(update_fields=["language"])
    data = trip(in_annual_plan=False)
    body = api_check(bearer(make_token(user)[1]), data).json()
    assert "annual plan" in body["findings"][0]["message"]
    assert body == cli_check(tmp_path, data, None, "--language", "en")[1]
    chinese = cli_check(tmp_path, data)[1]
    assert chinese["findings"][0]["message"] != body["findings"][0]["message"]
    # Codes, severities and data do not change with the language.
    strip = [{k: v for k, v in f.items() if k != "message"} for f in body["findings"]]
    assert strip == [{k: v for k, v in f.items() if k != "message"} for f in chinese["findings"]]


def test_the_trailing_slash_spelling_answers_the_same(clerk):
    data = trip()
    plain, slash = api_check(clerk, data), api_check(clerk, data, url=URL + "/")
    assert plain.status_code == slash.status_code == 200
    assert plain.json() == slash.json()


def test_a_verified_browser_session_may_check(as_user):
    response = api_check(as_user("unit_leader"), trip())
    assert response.status_code == 200, response.content
    assert response.json()["verdict"] == "pass"


# --- input that cannot be judged ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "on", "field"),
    [
        ("{not json", None, "input"),
        ("[1, 2]", None, "input"),
        (
            json.dumps(trip(members=[member(), member(), member(rank="minister")])),
            None,
            "members[2].rank",
        ),
        (
            json.dumps({k: v for k, v in trip().items() if k != "departure_date"}),
            None,
            "departure_date",
        ),
        (json.dumps(trip(in_annual_plan="yes")), None, "in_annual_plan"),
        (json.dumps(trip(category="tourism")), None, "category"),
        (
            json.dumps(trip(stops=[stop("XX", "2026-05-10", "2026-05-14")])),
            None,
            "stops[0].country",
        ),
        (json.dumps(trip(return_date="2026-02-30")), None, "return_date"),
        (json.dumps(trip(transit_airsid=True)), None, "transit_airsid"),
        (json.dumps(trip()), "2026-13-01", "on"),
        (json.dumps(trip()), "tomorrow", "on"),
    ],
)
def test_bad_input_is_400_naming_the_field(clerk, data, on, field):
    error = error_of(api_check(clerk, data, on), 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert error["fields"][field] and all(isinstance(m, str) for m in error["fields"][field])
    assert "Traceback" not in json.dumps(error)


def test_a_form_encoded_body_is_refused(clerk):
    response = clerk.post(URL, {"category": "general"})
    assert error_of(response, 415)["code"] == "unsupported_media_type"


# --- who may ask ----------------------------------------------------------------------------


def test_without_credentials_is_401(db):
    error = error_of(api_check(Client(), trip()), 401)
    assert error["code"] == "not_authenticated"


def test_an_unverified_session_is_refused(as_user):
    response = api_check(as_user("fao_reviewer", verified=False), trip())
    assert response.status_code in (401, 403)
    assert "findings" not in response.content.decode()


@pytest.mark.parametrize("role", ["sys_admin", "security_admin", "audit_admin"])
def test_administrators_are_403(api_as, role):
    assert error_of(api_check(api_as(role), trip()), 403)["code"] == "permission_denied"


@pytest.mark.parametrize(
    "role",
    [
        "unit_clerk",
        "unit_leader",
        "fao_reviewer",
        "fao_head",
        "committee",
        "auditor",
        "district_officer",
    ],
)
def test_every_business_role_may_check(api_as, role):
    assert api_check(api_as(role), trip()).status_code == 200


def test_session_post_needs_the_csrf_token(cast):
    client = login(Client(enforce_csrf_checks=True), cast["unit_clerk"])
    error = error_of(api_check(client, trip()), 403)
    assert error["code"] == "permission_denied"


def test_the_schema_documents_the_endpoint(clerk):
    schema = json.loads(clerk.get("/api/schema/", {"format": "json"}).content)
    operation = schema["paths"][URL]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"on"}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429"}
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert [e["value"] for e in examples.values()] == [EXAMPLE_INPUT]
    assert URL + "/" not in schema["paths"]
