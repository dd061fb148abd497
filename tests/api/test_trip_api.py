"""The trip after approval over the API: the checklists, departure, return, closing and
incidents -- the same services as the page, scoped reads, 409 on a stale version and
Idempotency-Key on every write."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.missions.decisions import events, fresh
from tests.missions.travel import abroad, approved, back, ready
from waishi.audit.models import AuditEvent
from waishi.missions.models import Incident, Member, Mission, ReportState, State, TripReport
from waishi.passports import services as passport_services
from waishi.passports.models import PassportCustody

pytestmark = pytest.mark.django_db

URL = "/api/v1/missions/"


def url(mission, action: str = "") -> str:
    return f"{URL}{mission.pk}/" + (f"{action}/" if action else "")


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


def state_of(mission) -> tuple:
    m = fresh(mission)
    return (m.state, m.version, m.actual_departure, m.actual_return, len(events(m)))


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def foreign_trip(cast, foreign_unit, foreign_person):
    """A trip of the foreign unit, abroad, with an incident naming the foreign person."""
    mission = Mission.objects.create(
        unit=foreign_unit,
        title=f"{FOREIGN_MARKER}的团组",
        created_by=cast["outsider"],
        state=State.ABROAD,
        departure_date=timezone.localdate(),
        return_date=timezone.localdate(),
        actual_departure=timezone.localdate(),
    )
    member = Member.objects.create(mission=mission, person=foreign_person, task=FOREIGN_MARKER)
    Incident.objects.create(
        mission=mission,
        kind="media",
        occurred_at=timezone.now(),
        place=FOREIGN_MARKER,
        member=member,
        report=FOREIGN_MARKER,
        recorded_by=cast["outsider"],
    )
    return mission


# --- readiness ------------------------------------------------------------------------------


def test_readiness_names_what_blocks_departure(api_as, cast, people):
    mission = approved(cast, people)
    response = api_as("unit_clerk").get(url(mission, "readiness"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "approved" and body["version"] == mission.version
    lines = body["departure_checklist"]
    assert len(lines) >= 4 and all(set(line) == {"label", "done"} for line in lines)
    blocked = [line["label"] for line in lines if not line["done"]]
    assert body["departure_blockers"] == blocked and len(blocked) >= 3  # head, education, passports
    assert body["close_checklist"] == [] and body["close_blockers"] == []
    assert body["actions"]["depart"]["allowed"] is False
    assert body["actions"]["depart"]["refusal"]
    assert body["actions"]["come_back"]["allowed"] is False


def test_readiness_of_a_ready_trip_lets_the_unit_depart(api_as, cast, people):
    mission = ready(cast, people)
    body = api_as("unit_clerk").get(url(mission, "readiness")).json()
    assert body["departure_blockers"] == []
    assert all(line["done"] for line in body["departure_checklist"])
    assert body["actions"]["depart"] == {"allowed": True, "refusal": ""}
    # The auditor reads it and may not act.
    body = api_as("auditor").get(url(mission, "readiness")).json()
    assert body["departure_blockers"] == [] and body["actions"]["depart"]["allowed"] is False


def test_readiness_of_a_trip_back_shows_the_close_checklist(api_as, cast, people):
    mission = back(cast, people, days_ago=1)
    body = api_as("fao_reviewer").get(url(mission, "readiness")).json()
    assert body["state"] == "back" and body["departure_checklist"] == []
    assert len(body["close_checklist"]) == 2 and len(body["close_blockers"]) == 2
    assert body["actual_return"] == mission.actual_return.isoformat()
    assert body["actions"]["close"]["allowed"] is False and body["actions"]["close"]["refusal"]


def test_the_mission_detail_shows_the_actual_dates(api_as, cast, people):
    mission = back(cast, people, days_ago=1)
    body = api_as("unit_clerk").get(url(mission)).json()
    assert body["state"] == "back"
    assert body["actual_departure"] == mission.actual_departure.isoformat()
    assert body["actual_return"] == mission.actual_return.isoformat()
    assert "itinerary_version" in body and body["closed_at"] is None


# --- departure ------------------------------------------------------------------------------


def test_the_unit_confirms_the_departure_once_with_a_key(api_as, cast, people):
    mission = ready(cast, people)
    client = api_as("unit_clerk")
    payload = {"date": today(), "version": mission.version}
    first = send(client, "post", url(mission, "depart"), payload, key="dep-1")
    again = send(client, "post", url(mission, "depart"), payload, key="dep-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    m = fresh(mission)
    assert m.state == State.ABROAD and m.actual_departure == timezone.localdate()
    assert first.json()["state"] == "abroad" and first.json()["version"] == m.version
    assert first.json()["actual_departure"] == today()
    assert events(m).count("missions.mission.depart") == 1
    # Without the key a retry is refused: it has left already.
    assert error(send(client, "post", url(mission, "depart"), {"date": today()}), 400)
    assert events(m).count("missions.mission.depart") == 1


def test_departure_is_refused_while_the_checklist_is_not_done(api_as, cast, people):
    mission = approved(cast, people)
    before = state_of(mission)
    err = error(send(api_as("unit_clerk"), "post", url(mission, "depart"), {"date": today()}), 400)
    assert err["code"] == "invalid" and err["fields"]["non_field_errors"]
    assert state_of(mission) == before


def test_a_bad_date_names_the_field_and_changes_nothing(api_as, cast, people):
    mission = ready(cast, people)
    client = api_as("unit_clerk")
    before = state_of(mission)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for payload in ({}, {"date": "5月1日"}, {"date": tomorrow}, {"date": None}):
        err = error(send(client, "post", url(mission, "depart"), payload), 400)
        assert set(err["fields"]) == {"date"}, (payload, err)
    err = error(send(client, "post", url(mission, "depart"), {"date": today(), "version": 0}), 400)
    assert "version" in err["fields"]
    assert state_of(mission) == before


def test_a_stale_version_is_409_and_changes_nothing(api_as, cast, people):
    mission = ready(cast, people)
    before = state_of(mission)
    payload = {"date": today(), "version": mission.version - 1}
    err = error(send(api_as("unit_clerk"), "post", url(mission, "depart"), payload, key="s"), 409)
    assert err["code"] == "stale_version" and err["message"]
    assert state_of(mission) == before
    # The key was not spent on the refusal.
    payload["version"] = mission.version
    response = send(api_as("unit_clerk"), "post", url(mission, "depart"), payload, key="s2")
    assert response.status_code == 200, response.content


def test_who_may_not_confirm_is_refused(api_as, cast, people):
    mission = ready(cast, people)
    before = state_of(mission)
    for role in ("auditor", "committee"):
        err = error(send(api_as(role), "post", url(mission, "depart"), {"date": today()}), 403)
        assert err["code"] == "permission_denied"
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        assert error(api_as(role).get(url(mission, "readiness")), 403)
        assert error(send(api_as(role), "post", url(mission, "depart"), {"date": today()}), 403)
    # The other unit's clerk does not see the trip at all.
    assert error(send(api_as("outsider"), "post", url(mission, "depart"), {"date": today()}), 404)
    assert state_of(mission) == before
    # The FAO confirms for the unit.
    response = send(api_as("fao_reviewer"), "post", url(mission, "depart"), {"date": today()})
    assert response.status_code == 200 and fresh(mission).state == State.ABROAD


def test_another_units_trip_is_not_found(api_as, foreign_trip):
    clerk = api_as("unit_clerk")
    incident = foreign_trip.incidents.get()
    assert error(clerk.get(url(foreign_trip, "readiness")), 404)["code"] == "not_found"
    for action in ("depart", "come-back"):
        error(send(api_as("unit_clerk"), "post", url(foreign_trip, action), {"date": today()}), 404)
    # Closing is the FAO's, which sees every unit: a unit's role is refused by its role.
    error(send(api_as("unit_leader"), "post", url(foreign_trip, "close"), {}), 403)
    error(api_as("unit_clerk").get(url(foreign_trip, "incidents")), 404)
    error(send(api_as("unit_clerk"), "post", url(foreign_trip, "incidents"), {"kind": "x"}), 404)
    detail = f"{url(foreign_trip, 'incidents')}{incident.pk}/"
    error(api_as("unit_clerk").get(detail), 404)
    error(send(api_as("unit_leader"), "patch", detail, {"follow_up": "改"}), 404)
    assert Incident.objects.get(pk=incident.pk).follow_up == ""
    assert fresh(foreign_trip).state == State.ABROAD
    # Who may see it reads it.
    response = api_as("outsider").get(url(foreign_trip, "incidents"))
    assert response.status_code == 200 and FOREIGN_MARKER in response.content.decode()
    assert api_as("auditor").get(detail).status_code == 200


# --- return and closing ---------------------------------------------------------------------


def test_the_return_opens_the_report(api_as, cast, people):
    mission = abroad(cast, people, departs_in=-3)
    client = api_as("unit_leader")
    response = send(client, "post", url(mission, "come-back"), {"date": today()}, key="back-1")
    assert response.status_code == 200, response.content
    body = response.json()
    m = fresh(mission)
    assert m.state == State.BACK and body["state"] == "back" and body["actual_return"] == today()
    report = TripReport.objects.get(mission=m)
    assert body["report_due"] == report.due_date.isoformat()
    again = send(client, "post", url(mission, "come-back"), {"date": today()}, key="back-1")
    assert again.json() == body and events(m).count("missions.mission.come_back") == 1


def test_a_return_before_the_departure_is_refused(api_as, cast, people):
    mission = abroad(cast, people, departs_in=0)
    before = state_of(mission)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = send(api_as("unit_clerk"), "post", url(mission, "come-back"), {"date": yesterday})
    assert set(error(response, 400)["fields"]) == {"date"}
    assert state_of(mission) == before
    assert not TripReport.objects.filter(mission=mission).exists()


def test_closing_waits_for_the_report_and_the_passports(api_as, cast, people):
    mission = back(cast, people, days_ago=1)
    fao = api_as("fao_reviewer")
    before = state_of(mission)
    err = error(send(fao, "post", url(mission, "close"), {}), 400)
    assert err["fields"]["non_field_errors"]
    assert error(send(api_as("unit_clerk"), "post", url(mission, "close"), {}), 403)
    assert state_of(mission) == before
    # Passports back, report accepted (the report's own flow is tested with it).
    for custody in PassportCustody.objects.filter(mission=mission):
        passport_services.passport_return(actor=cast["fao_reviewer"], custody=custody)
    TripReport.objects.filter(mission=mission).update(state=ReportState.ACCEPTED)
    m = fresh(mission)
    assert m.state == State.BACK
    stale = send(fao, "post", url(mission, "close"), {"version": m.version - 1})
    assert error(stale, 409)["code"] == "stale_version"
    response = send(fao, "post", url(mission, "close"), {"version": m.version}, key="close-1")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed" and response.json()["closed_at"]
    again = send(fao, "post", url(mission, "close"), {"version": m.version}, key="close-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert fresh(mission).state == State.CLOSED
    assert events(mission).count("missions.mission.close") == 1


# --- incidents ------------------------------------------------------------------------------


def _incident(**extra) -> dict:
    occurred = timezone.now() - dt.timedelta(hours=2)
    return {
        "kind": "media",
        "occurred_at": occurred.isoformat(),
        "place": "东京",
        "report": "日本记者在会场外采访团长，团长按口径回答。",
        **extra,
    }


def test_an_incident_is_recorded_once_and_listed(api_as, cast, people):
    mission = abroad(cast, people, departs_in=-1)
    member = mission.members.order_by("pk").first()
    client = api_as("unit_clerk")
    payload = _incident(member=member.pk)
    first = send(client, "post", url(mission, "incidents"), payload, key="inc-1")
    again = send(client, "post", url(mission, "incidents"), payload, key="inc-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json()
    body = first.json()
    assert body["kind"] == "media" and body["member"]["name"] == member.person.name
    assert body["closed"] is False and body["recorded_by"]["id"] == cast["unit_clerk"].pk
    assert Incident.objects.filter(mission=mission).count() == 1
    assert AuditEvent.objects.filter(action="missions.incident.record").count() == 1
    listed = api_as("auditor").get(url(mission, "incidents"))
    assert [row["id"] for row in listed.json()] == [body["id"]]
    detail = api_as("fao_head").get(f"{url(mission, 'incidents')}{body['id']}/")
    assert detail.status_code == 200 and detail.json() == body


def test_bad_incidents_name_the_field_and_record_nothing(api_as, cast, people, foreign_trip):
    mission = abroad(cast, people, departs_in=-1)
    client = api_as("unit_clerk")
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    other_member = foreign_trip.members.get()
    for payload, field in (
        (_incident(kind="riot"), "kind"),
        (_incident(occurred_at="昨天"), "occurred_at"),
        (_incident(occurred_at=later), "occurred_at"),
        (_incident(place=""), "place"),
        (_incident(report=""), "report"),
        (_incident(member=other_member.pk), "member"),
    ):
        err = error(send(client, "post", url(mission, "incidents"), payload), 400)
        assert field in err["fields"], (payload, err)
    assert not Incident.objects.filter(mission=mission).exists()


def test_incidents_wait_for_the_departure(api_as, cast, people):
    mission = ready(cast, people)
    err = error(send(api_as("unit_clerk"), "post", url(mission, "incidents"), _incident()), 400)
    assert err["fields"]["non_field_errors"]
    assert not Incident.objects.filter(mission=mission).exists()


def test_who_may_not_record_incidents_is_refused(api_as, cast, people):
    mission = abroad(cast, people, departs_in=-1)
    for role in ("auditor", "committee"):
        err = error(send(api_as(role), "post", url(mission, "incidents"), _incident()), 403)
        assert err["code"] == "permission_denied"
    assert not Incident.objects.filter(mission=mission).exists()


def test_an_incident_is_corrected_and_its_follow_up_closed(api_as, cast, people):
    mission = abroad(cast, people, departs_in=-1)
    client = api_as("unit_clerk")
    created = send(client, "post", url(mission, "incidents"), _incident()).json()
    detail = f"{url(mission, 'incidents')}{created['id']}/"
    # Closing needs the follow-up written; nothing changes when refused.
    err = error(send(client, "patch", detail, {"place": "大阪", "close": True}), 400)
    assert "follow_up" in err["fields"]
    assert Incident.objects.get(pk=created["id"]).place == "东京"
    err = error(send(client, "patch", detail, {"kind": "riot"}), 400)
    assert "kind" in err["fields"]
    response = send(
        api_as("fao_reviewer"),
        "patch",
        detail,
        {"follow_up": "已向市外办报告，口径无误。", "close": True},
        key="inc-close",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["closed"] is True and body["closed_at"] and body["place"] == "东京"
    assert body["report"] == created["report"] and body["follow_up"] == "已向市外办报告，口径无误。"
    assert AuditEvent.objects.filter(action="missions.incident.update").count() == 1
    assert error(send(api_as("auditor"), "patch", detail, {"place": "x"}), 403)


def test_a_trip_not_approved_has_no_readiness_lines(api_as, cast, people):
    mission = build_mission(cast["unit_clerk"], people)
    body = api_as("unit_clerk").get(url(mission, "readiness")).json()
    assert body["state"] == "draft" and body["departure_checklist"] == []
    assert body["actions"]["depart"]["allowed"] is False


# --- schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_trip_endpoints(api_as):
    paths = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()["paths"]
    for action in ("readiness", "depart", "come-back", "close", "incidents"):
        assert f"/api/v1/missions/{{mission_pk}}/{action}/" in paths, action
    incident = paths["/api/v1/missions/{mission_pk}/incidents/{incident_pk}/"]
    assert set(incident) >= {"get", "patch"}
    depart = paths["/api/v1/missions/{mission_pk}/depart/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in depart["parameters"]}
    assert {"200", "400", "403", "404", "409"} <= set(depart["responses"])
