"""Official passports over the API: the scoped register with masked numbers, the passports
out of custody, the return through the service (once per Idempotency-Key), and the two
step-up operations (issue, reveal the number) refused with a pointer to the browser."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory
from tests.missions.travel import ready
from tests.passports import matrix
from tests.passports.conftest import register
from waishi.audit.models import AuditEvent
from waishi.passports import services
from waishi.passports.models import Passport, PassportCustody, PassportState

pytestmark = pytest.mark.django_db

URL = "/api/v1/passports/"
CUSTODY = "/api/v1/custody/"


def url(passport, action: str = "") -> str:
    return f"{URL}{passport.pk}/" + (f"{action}/" if action else "")


def send(client, method: str, path: str, data=None, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return getattr(client, method)(
        path, json.dumps(data or {}), content_type="application/json", **headers
    )


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def actions(passport) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="passports.passport", object_id=str(passport.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def world(cast, foreign_unit, foreign_person, district):
    return SimpleNamespace(
        cast=cast, foreign_unit=foreign_unit, foreign_person=foreign_person, district=district
    )


@pytest.fixture
def foreign_passport(world):
    return matrix._passport(world)


@pytest.fixture
def foreign_custody(world):
    return matrix._custody(world)


@pytest.fixture
def trip(cast, people):
    """Ready to leave: every member's passport issued for it."""
    return ready(cast, people)


def _out(trip) -> Passport:
    return PassportCustody.objects.filter(mission=trip).order_by("pk").first().passport


# --- the register ---------------------------------------------------------------------------


def test_the_register_is_scoped_and_masked(api_as, cast, people, foreign_passport):
    mine = register(cast["fao_reviewer"], people[0], number="SE1234567")
    response = api_as("unit_clerk").get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == mine.pk and row["holder"]["name"] == "李雷"
    assert row["holder"]["unit"]["code"] == "U-HOME"
    assert row["number_masked"] == "SE*****67" and row["state"] == "in_custody"
    assert row["out_for_trip"] is False and row["open_custody"] is None
    text = response.content.decode()
    assert "SE1234567" not in text and FOREIGN_MARKER not in text
    # Asking for the other unit changes nothing; city-wide roles see both.
    client = api_as("unit_clerk")
    assert client.get(URL, {"unit": foreign_passport.holder.unit_id}).json()["count"] == 0
    for role in ("fao_reviewer", "auditor", "committee"):
        ids = {r["id"] for r in api_as(role).get(URL).json()["results"]}
        assert ids == {mine.pk, foreign_passport.pk}, role


def test_the_register_filters(api_as, cast, people):
    fao = cast["fao_reviewer"]
    first, second = register(fao, people[0]), register(fao, people[1])
    services.passport_mark(actor=fao, passport=second, state="lost", reason="遗失")
    client = api_as("fao_head")

    def ids(**query) -> set[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(q="李雷") == {first.pk}
    assert ids(q="hanmeimei") == {second.pk}
    assert ids(q="hmm") == {second.pk}
    assert ids(state="lost") == {second.pk}
    assert ids(state="in_custody") == {first.pk}
    for bad in ({"state": "gone"}, {"unit": "x"}):
        assert set(bad) <= set(error(client.get(URL, bad), 400)["fields"])


def test_a_passport_out_shows_its_trip(api_as, cast, trip):
    passport = _out(trip)
    body = api_as("unit_leader").get(url(passport)).json()
    assert body["state"] == "issued" and body["out_for_trip"] is True
    assert body["open_custody"]["mission"] == {"id": trip.pk, "title": trip.title}
    assert body["open_custody"]["days_overdue"] == 0
    (custody,) = body["custodies"]
    assert custody["returned_at"] is None and custody["issued_by"]["id"] == cast["fao_reviewer"].pk
    listed = api_as("unit_clerk").get(URL, {"state": "issued"}).json()
    assert {r["id"] for r in listed["results"]} == {
        c.passport_id for c in PassportCustody.objects.filter(mission=trip)
    }
    assert all(r["out_for_trip"] for r in listed["results"])


def test_another_units_passport_is_not_found(api_as, foreign_passport):
    for role in ("unit_clerk", "unit_leader"):
        assert error(api_as(role).get(url(foreign_passport)), 404)["code"] == "not_found"
    assert api_as("outsider").get(url(foreign_passport)).status_code == 200
    assert api_as("auditor").get(url(foreign_passport)).status_code == 200


def test_roles_without_passports_are_refused(api_as, cast, people):
    passport = register(cast["fao_reviewer"], people[0])
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        for path in (URL, url(passport), CUSTODY):
            assert error(api_as(role).get(path), 403)["code"] == "permission_denied"


# --- the passports out of custody -----------------------------------------------------------


def test_the_custody_list_shows_what_is_out_and_how_late(api_as, cast, trip, foreign_custody):
    late = PassportCustody.objects.filter(mission=trip).order_by("pk").first()
    PassportCustody.objects.filter(pk=late.pk).update(
        due_back=timezone.localdate() - dt.timedelta(days=5)
    )
    response = api_as("unit_clerk").get(CUSTODY)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {r["mission"]["id"] for r in rows} == {trip.pk}
    assert len(rows) == trip.members.count()
    assert rows[0]["id"] == late.pk and rows[0]["days_overdue"] == 5
    assert rows[0]["passport"]["number_masked"].count("*") >= 4
    assert FOREIGN_MARKER not in response.content.decode()
    overdue = api_as("unit_clerk").get(CUSTODY, {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in overdue] == [late.pk]
    # The FAO sees every unit's, the foreign one's overdue too.
    ids = {r["id"] for r in api_as("fao_reviewer").get(CUSTODY, {"overdue": "1"}).json()["results"]}
    assert ids == {late.pk, foreign_custody.pk}
    assert (
        "overdue" in error(api_as("fao_reviewer").get(CUSTODY, {"overdue": "maybe"}), 400)["fields"]
    )


# --- the return -----------------------------------------------------------------------------


def test_the_fao_takes_a_passport_back_once_with_a_key(api_as, cast, trip):
    passport = _out(trip)
    client = api_as("fao_reviewer")
    first = send(client, "post", url(passport, "return"), {"note": "完好"}, key="ret-1")
    again = send(client, "post", url(passport, "return"), {"note": "完好"}, key="ret-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["state"] == "in_custody" and first.json()["out_for_trip"] is False
    assert first.json()["custodies"][0]["received_by"]["id"] == cast["fao_reviewer"].pk
    assert actions(passport).count("passports.passport.return") == 1
    passport.refresh_from_db()
    assert passport.state == PassportState.IN_CUSTODY
    # Without the key the retry is refused: nothing is out any more.
    err = error(send(client, "post", url(passport, "return"), {}), 400)
    assert err["code"] == "invalid" and err["fields"]["non_field_errors"]
    assert actions(passport).count("passports.passport.return") == 1


def test_returning_the_late_passport_lifts_the_units_lock(api_as, cast, trip, home_unit):
    passport = _out(trip)
    PassportCustody.objects.filter(passport=passport).update(
        due_back=timezone.localdate() - dt.timedelta(days=40)
    )
    assert services.unit_lock_reason(home_unit)
    response = send(api_as("fao_head"), "post", url(passport, "return"), {})
    assert response.status_code == 200, response.content
    assert services.unit_lock_reason(home_unit) is None


def test_only_the_fao_takes_passports_back(api_as, trip):
    passport = _out(trip)
    for role in ("unit_clerk", "unit_leader", "auditor", "committee"):
        err = error(send(api_as(role), "post", url(passport, "return"), {}), 403)
        assert err["code"] == "permission_denied"
    assert PassportCustody.objects.get(passport=passport).returned_at is None


def test_a_bad_note_names_the_field_and_changes_nothing(api_as, trip):
    passport = _out(trip)
    err = error(
        send(api_as("fao_reviewer"), "post", url(passport, "return"), {"note": "x" * 501}), 400
    )
    assert "note" in err["fields"]
    assert PassportCustody.objects.get(passport=passport).returned_at is None


# --- the step-up operations -----------------------------------------------------------------


def test_issuing_through_the_api_asks_for_the_browser(api_as, cast, people):
    from tests.missions.travel import approved
    from tests.passports.conftest import educate

    mission = approved(cast, people)
    educate(cast["unit_clerk"], mission)
    passport = register(cast["fao_reviewer"], people[0])
    for role in ("fao_reviewer", "fao_head"):
        err = error(
            send(api_as(role), "post", url(passport, "issue"), {"mission": mission.pk}), 403
        )
        assert err["code"] == "second_factor_required"
        assert "/passports/trips/" in err["message"]
    err = error(send(api_as("unit_clerk"), "post", url(passport, "issue"), {}), 403)
    assert err["code"] == "permission_denied"
    assert not PassportCustody.objects.filter(passport=passport).exists()
    assert "passports.passport.issue" not in actions(passport)


def test_the_full_number_is_never_given_by_the_api(api_as, cast, people):
    passport = register(cast["fao_reviewer"], people[0], number="SE7654321")
    response = send(api_as("fao_head"), "post", url(passport, "number"), {})
    err = error(response, 403)
    assert err["code"] == "second_factor_required"
    assert f"/passports/{passport.pk}/" in err["message"]
    assert "SE7654321" not in response.content.decode()
    assert "passports.passport.unmask" not in actions(passport)
    assert error(send(api_as("unit_clerk"), "post", url(passport, "number"), {}), 403)["code"] == (
        "permission_denied"
    )


def test_the_step_up_operations_do_not_reveal_other_units_passports(api_as, foreign_passport):
    """A unit's role is refused by its role before anything is looked up."""
    for action in ("issue", "number", "return"):
        response = send(api_as("unit_leader"), "post", url(foreign_passport, action), {})
        assert error(response, 403)["code"] == "permission_denied"
        assert FOREIGN_MARKER not in response.content.decode()


def test_the_schema_documents_the_passport_endpoints(api_as):
    paths = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/passports/",
        "/api/v1/passports/{passport_pk}/",
        "/api/v1/passports/{passport_pk}/return/",
        "/api/v1/passports/{passport_pk}/issue/",
        "/api/v1/passports/{passport_pk}/number/",
        "/api/v1/custody/",
    ):
        assert path in paths, path
    ret = paths["/api/v1/passports/{passport_pk}/return/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in ret["parameters"]}
    assert "200" not in paths["/api/v1/passports/{passport_pk}/issue/"]["post"]["responses"]
