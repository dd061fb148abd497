"""Arrivals over the API, for the city command and the districts: the board, recording an
arrival reported by a list, confirming a step, hand-overs (ask, accept, refuse, withdraw),
the command's reassignment and the health record -- through the same services, selectors
and scoping as the pages. Another district's arrival is 404; health data reaches only the
roles that read it on the pages, and each read is audited; a retried write acts once; bad
input is refused in the one error shape and changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import bearer, error, ok, send
from tests.arrivals.conftest import arrival_data, next_passport
from tests.conftest import login
from tests.factories import DistrictFactory, UserFactory
from waishi.api import services as api_services
from waishi.arrivals import services
from waishi.arrivals.models import (
    Arrival,
    ArrivalSource,
    ArrivalState,
    Handover,
    HealthDeclaration,
    SourceKind,
    Step,
)
from waishi.arrivals.models import TestResult as Result
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/arrivals/"
TOO_BIG = 2**63
HEALTH_WORDS = ("declarations", "symptoms", "test_outcome", "sampled_on", "tests")


def everything() -> tuple:
    return (
        list(Arrival.objects.order_by("pk").values()),
        list(Step.objects.order_by("pk").values()),
        list(Handover.objects.order_by("pk").values()),
        ArrivalSource.objects.count(),
        Result.objects.count(),
        AuditEvent.objects.count(),
    )


def token_client(user) -> Client:
    _token, raw = api_services.api_token_create(actor=user, user=user, name="t", days=30)
    return bearer(raw)


@pytest.fixture
def other_district(db):
    return DistrictFactory(code="370288", name="邻区")


@pytest.fixture
def other_officer(db, other_district):
    return UserFactory(
        username="district_officer_2", role=Role.DISTRICT_OFFICER, district=other_district
    )


def register(district, **fields):
    return services.arrival_register(
        data=arrival_data(**fields),
        passport=next_passport(),
        district=district,
        kind=SourceKind.PORT,
    ).arrival


@pytest.fixture
def mine(district):
    return register(district, name="王五")


@pytest.fixture
def theirs(other_district):
    return register(other_district, name="赵六")


def first_step(arrival) -> Step:
    return arrival.steps.order_by("sequence").first()


RECORD = {
    "kind": "airline",
    "name": "李四",
    "category": "foreign",
    "nationality": "jp",
    "passport": "TK1234567",
    "phone": "13900000001",
    "origin_country": "JP",
    "origin_city": "东京",
    "route": "MU272",
    "port": "首都国际机场",
    "address": "示范路2号",
    "purpose": "work",
}


def record_body(place, **changes) -> dict:
    today = timezone.localdate()
    body = dict(
        RECORD,
        district=place.pk,
        departs_on=(today - dt.timedelta(days=1)).isoformat(),
        arrival_date=today.isoformat(),
        arrival_time="14:30",
    )
    body.update(changes)
    return body


# --- recording ------------------------------------------------------------------------------


def test_the_city_command_records_an_arrival_as_the_list_import_would(api_as, district):
    command = api_as("city_command")
    created = ok(send(command, "post", URL, record_body(district)), 201)
    arrival = Arrival.objects.get(pk=created["id"])
    assert created["passport_masked"] == arrival.passport_masked != "TK1234567"
    assert "TK1234567" not in json.dumps(created)
    # The same row through the service the list import follows row for row.
    today = timezone.localdate()
    same = services.arrival_register(
        data={
            "name": "李四",
            "category": "foreign",
            "nationality": "JP",
            "phone": "13900000001",
            "origin_country": "JP",
            "origin_city": "东京",
            "route": "MU272",
            "departs_on": today - dt.timedelta(days=1),
            "arrival_date": today,
            "arrival_time": dt.time(14, 30),
            "port": "首都国际机场",
            "address": "示范路2号",
            "purpose": "work",
        },
        passport="TK7654321",
        district=district,
        kind=SourceKind.AIRLINE,
    ).arrival
    fields = (
        "category", "name", "nationality", "origin_country", "origin_city", "route",
        "departs_on", "arrival_date", "arrival_time", "port", "address", "purpose",
        "district_id", "plan_id", "state", "phone",
    )  # fmt: skip
    assert Arrival.objects.filter(pk=arrival.pk).values(*fields).get() == (
        Arrival.objects.filter(pk=same.pk).values(*fields).get()
    )
    assert arrival.steps.count() == same.steps.count() > 0
    assert arrival.sources.get().kind == SourceKind.AIRLINE
    assert AuditEvent.objects.filter(
        action="arrivals.arrival.create", object_id=str(arrival.pk)
    ).exists()

    # A second report of the same person and date is another source of the same arrival.
    again = ok(send(command, "post", URL, record_body(district, kind="port", email="x")), 200)
    assert again["id"] == arrival.pk and arrival.sources.count() == 2
    assert Arrival.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nationality": "CN"}, "nationality"),  # a foreign national
        ({"nationality": "XX"}, "nationality"),
        ({"origin_country": "CN"}, "origin_country"),
        ({"passport": "E00000000"}, "passport"),  # the template's sample
        ({"passport": "12"}, "passport"),
        ({"phone": "call me"}, "phone"),
        ({"departs_on": "2099-01-01"}, "departs_on"),
        ({"arrival_date": "1999-01-01"}, "arrival_date"),
        ({"district": TOO_BIG}, "district"),
        ({"district": 999_999}, "district"),
        ({"kind": "declaration"}, "kind"),
        ({"category": "tourist"}, "category"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_record_is_refused_by_field_and_records_nothing(api_as, district, changes, field):
    command = api_as("city_command")
    before = everything()
    body = error(send(command, "post", URL, record_body(district, **changes)), 400)
    assert body["code"] == "invalid" and field in body["fields"], body
    assert everything() == before


def test_a_retried_record_with_the_same_key_records_once(api_as, district):
    command = api_as("city_command")
    first = send(command, "post", URL, record_body(district), key="row-1")
    again = send(command, "post", URL, record_body(district), key="row-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ArrivalSource.objects.count() == 1


# --- the board ------------------------------------------------------------------------------


def test_the_board_is_scoped_like_the_pages(api_as, cast, mine, theirs, district):
    def ids(client, **query):
        return {row["id"] for row in ok(client.get(URL, query))["results"]}

    command, auditor, officer = (
        api_as("city_command"),
        api_as("auditor"),
        api_as("district_officer"),
    )
    assert ids(command) == ids(auditor) == {mine.pk, theirs.pk}
    assert ids(officer) == {mine.pk}
    assert ids(officer, district=theirs.district_id) == set()  # not theirs, whatever asked
    assert ids(command, district=district.pk) == {mine.pk}
    assert ids(command, q="赵六") == {theirs.pk}
    assert ids(command, state="closed") == set()
    assert ids(officer, queue="true") == {mine.pk}
    row = ok(command.get(URL, {"q": "王五"}))["results"][0]
    assert row["next_step"]["id"] == first_step(mine).pk
    assert not any(word in row for word in HEALTH_WORDS)


def test_the_board_refuses_bad_filters_with_400(api_as):
    command = api_as("city_command")
    for query in ({"district": TOO_BIG}, {"district": -1}, {"state": "lost"}, {"overdue": "x"}):
        body = error(command.get(URL, query), 400)
        assert set(body["fields"]) <= {"district", "state", "overdue"}
    error(command.get(f"{URL}{TOO_BIG}/"), 400)  # a path id beyond a database key
    error(command.get(f"{URL}handovers/", {"state": "lost"}), 400)


# --- steps ----------------------------------------------------------------------------------


def test_the_district_confirms_a_step_as_on_the_page(api_as, as_user, district):
    by_api, by_page = register(district, name="甲"), register(district, name="乙")
    done = (timezone.localtime() - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    step = first_step(by_api)
    body = ok(
        send(
            api_as("district_officer"),
            "post",
            f"{URL}steps/{step.pk}/confirm/",
            {"done_at": done.isoformat(), "note": "已核验"},
        )
    )
    assert body["state"] == ArrivalState.MANAGED and body["steps"][0]["done_at"]
    page = as_user("district_officer").post(
        f"/arrivals/steps/{first_step(by_page).pk}/confirm/",
        {"done_at": done.strftime("%Y-%m-%dT%H:%M"), "note": "已核验"},
    )
    assert page.status_code == 302
    fields = ("done_at", "note", "done_by_id", "arrival__state")
    assert Step.objects.filter(pk=step.pk).values(*fields).get() == (
        Step.objects.filter(pk=first_step(by_page).pk).values(*fields).get()
    )
    actions = [
        list(
            AuditEvent.objects.filter(object_type="arrivals.arrival", object_id=str(a.pk))
            .order_by("seq")
            .values_list("action", flat=True)
        )
        for a in (by_api, by_page)
    ]
    assert actions[0] == actions[1] == ["arrivals.arrival.create", "arrivals.step.confirm"]


def test_steps_are_confirmed_in_order_and_not_for_a_time_to_come(api_as, mine):
    officer = api_as("district_officer")
    second = mine.steps.order_by("sequence")[1]
    before = everything()
    body = error(send(officer, "post", f"{URL}steps/{second.pk}/confirm/"), 400)
    assert body["fields"]["non_field_errors"]
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    body = error(
        send(officer, "post", f"{URL}steps/{first_step(mine).pk}/confirm/", {"done_at": later}),
        400,
    )
    assert "done_at" in body["fields"]
    assert everything() == before


def test_a_retried_confirmation_with_the_same_key_confirms_once(api_as, mine):
    officer = api_as("district_officer")
    url = f"{URL}steps/{first_step(mine).pk}/confirm/"
    ok(send(officer, "post", url, key="confirm-1"))
    again = send(officer, "post", url, key="confirm-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(action="arrivals.step.confirm").count() == 1
    # Without the key, a second confirmation is refused: the step is done.
    error(send(officer, "post", url), 400)


# --- hand-overs -----------------------------------------------------------------------------


def test_a_handover_refused_then_accepted(api_as, cast, mine, other_district, other_officer):
    officer, other = api_as("district_officer"), token_client(other_officer)
    asked = ok(
        send(officer, "post", f"{URL}{mine.pk}/handover/",
             {"to_district": other_district.pk, "reason": "住址在邻区"}),
        201,
    )  # fmt: skip
    assert asked["state"] == "pending" and asked["arrival_name"] == "王五"
    url = f"{URL}handovers/{asked['id']}/"
    # The district asked sees the request (and the name, to decide) but not the arrival.
    listed = ok(other.get(f"{URL}handovers/", {"direction": "in"}))["results"]
    assert [h["id"] for h in listed] == [asked["id"]] and listed[0]["answer_here"]
    error(other.get(f"{URL}{mine.pk}/"), 404)
    # Only the district asked answers; a refusal needs its reason.
    before = everything()
    error(send(officer, "post", f"{url}accept/"), 403)
    body = error(send(other, "post", f"{url}refuse/"), 400)
    assert "reason" in body["fields"]
    assert everything() == before
    refused = ok(send(other, "post", f"{url}refuse/", {"reason": "不在本区"}))
    assert refused["state"] == "refused" and refused["arrival_name"] == "王*"

    again = ok(
        send(officer, "post", f"{URL}{mine.pk}/handover/",
             {"to_district": other_district.pk, "reason": "再次核实"}),
        201,
    )  # fmt: skip
    accepted = ok(send(other, "post", f"{URL}handovers/{again['id']}/accept/"))
    assert accepted["state"] == "accepted"
    mine.refresh_from_db()
    assert mine.district_id == other_district.pk
    assert ok(other.get(f"{URL}{mine.pk}/"))["district"]["id"] == other_district.pk
    error(officer.get(f"{URL}{mine.pk}/"), 404)  # the asking district lost sight of it
    assert ok(officer.get(f"{URL}handovers/{again['id']}/"))["arrival_name"] == "王*"


def test_the_asking_district_withdraws(api_as, cast, mine, other_district, other_officer):
    officer = api_as("district_officer")
    asked = services.handover_request(
        actor=cast["district_officer"], arrival=mine, to_district=other_district, reason="邻区"
    )
    other = token_client(other_officer)
    before = everything()
    error(send(other, "post", f"{URL}handovers/{asked.pk}/withdraw/"), 403)
    assert everything() == before
    body = ok(send(officer, "post", f"{URL}handovers/{asked.pk}/withdraw/"))
    assert body["state"] == "withdrawn"


def test_the_city_command_reassigns(api_as, mine, other_district):
    command = api_as("city_command")
    before = everything()
    body = error(send(command, "post", f"{URL}{mine.pk}/reassign/", {"district": TOO_BIG}), 400)
    assert "district" in body["fields"]
    error(send(command, "post", f"{URL}{mine.pk}/reassign/",
               {"district": other_district.pk}), 400)  # fmt: skip
    assert everything() == before
    moved = ok(send(command, "post", f"{URL}{mine.pk}/reassign/",
                    {"district": other_district.pk, "reason": "地址有误"}))  # fmt: skip
    assert moved["district"]["id"] == other_district.pk
    assert AuditEvent.objects.filter(action="arrivals.arrival.reassign").count() == 1


# --- health data ----------------------------------------------------------------------------


def test_health_data_reaches_only_the_roles_that_read_it_on_the_pages(api_as, cast, mine):
    HealthDeclaration.objects.create(
        arrival=mine, source=mine.sources.first(), symptoms=["cough"], symptoms_note="咳嗽两天"
    )
    clients = {name: api_as(name) for name in ("city_command", "district_officer", "auditor")}
    for name, client in clients.items():
        body = client.get(f"{URL}{mine.pk}/").content.decode()
        assert "咳嗽两天" not in body and "cough" not in body, name
        assert not any(f'"{word}"' in body for word in HEALTH_WORDS), name
        listed = client.get(URL).content.decode()
        assert "咳嗽两天" not in listed and "cough" not in listed, name
    views = AuditEvent.objects.filter(action="arrivals.health.view")
    for name in ("city_command", "district_officer"):
        count = views.count()
        response = clients[name].get(f"{URL}{mine.pk}/health/")
        health = ok(response)
        assert response["Cache-Control"] == "no-store"
        assert health["declarations"][0]["symptoms"] == ["cough"]
        assert health["declarations"][0]["symptoms_note"] == "咳嗽两天"
        assert views.count() == count + 1  # each read audited, as the page's
    count = views.count()
    assert error(clients["auditor"].get(f"{URL}{mine.pk}/health/"), 403)
    for role in ("fao_head", "unit_clerk", "sys_admin"):
        error(api_as(role).get(f"{URL}{mine.pk}/health/"), 403)
    assert views.count() == count
    # The page says the same: the auditor is refused the health record.
    assert login(Client(), cast["auditor"]).get(f"/arrivals/{mine.pk}/health/").status_code == 403


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        "city_command", "district_officer", "auditor", "unit_clerk", "unit_leader",
        "fao_reviewer", "fao_head", "committee", "sys_admin", "security_admin",
        "audit_admin", "other_officer",
    ],
)  # fmt: skip
def test_each_role_gets_what_the_arrival_pages_give_it(
    api_as, cast, role, mine, theirs, other_officer
):
    client = token_client(other_officer) if role == "other_officer" else api_as(role)
    readers = {"city_command", "district_officer", "auditor", "other_officer"}
    reads = role in readers
    assert client.get(URL).status_code == (200 if reads else 403)
    sees_all = role in ("city_command", "auditor")
    own = {"district_officer": mine, "other_officer": theirs}.get(role)
    for arrival in (mine, theirs):
        status = 200 if sees_all or arrival == own else (404 if reads else 403)
        assert client.get(f"{URL}{arrival.pk}/").status_code == status, arrival
        health = (
            (200 if role == "city_command" or arrival == own else 404)
            if role in ("city_command", "district_officer", "other_officer")
            else 403
        )
        assert client.get(f"{URL}{arrival.pk}/health/").status_code == health
    # Writes: the district's steps and hand-overs, the command's reassignment and records.
    before = everything()
    step = first_step(theirs if role == "district_officer" else mine)
    confirm = send(client, "post", f"{URL}steps/{step.pk}/confirm/")
    if role in ("district_officer", "other_officer"):
        assert confirm.status_code == 404  # another district's step
    else:
        assert confirm.status_code == 403
    reassign = send(client, "post", f"{URL}{mine.pk}/reassign/", {"district": TOO_BIG})
    assert reassign.status_code == (400 if role == "city_command" else 403)
    record = send(client, "post", URL, {})
    assert record.status_code == (400 if role == "city_command" else 403)
    assert everything()[:5] == before[:5]


def test_the_schema_describes_the_arrival_endpoints(api_as):
    schema = json.loads(api_as("city_command").get("/api/schema/", {"format": "json"}).content)
    paths = schema["paths"]
    assert {
        "/api/v1/arrivals/", "/api/v1/arrivals/{arrival_pk}/",
        "/api/v1/arrivals/{arrival_pk}/health/", "/api/v1/arrivals/{arrival_pk}/handover/",
        "/api/v1/arrivals/steps/{arrival_step_pk}/confirm/",
        "/api/v1/arrivals/handovers/{handover_pk}/accept/",
        "/api/v1/arrivals/handovers/{handover_pk}/refuse/",
    } <= set(paths)  # fmt: skip
    components = schema["components"]["schemas"]
    assert components["ArrivalState"]["enum"] == list(ArrivalState.values)
    detail = components["ArrivalDetailOutput"]["properties"]
    assert not set(HEALTH_WORDS) & set(detail)
    record = components["ArrivalRecordInput"]
    assert {"passport", "arrival_date", "district", "kind"} <= set(record["required"])
    assert record["properties"]["district"]["maximum"] == 2**63 - 1
