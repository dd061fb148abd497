"""Change requests (变更申请) and itinerary versions over the API -- the same services as
the pages: scoped reads (another unit's trip or change is 404), the roles of the pages,
409 on a stale version, the policy check at submission, the approval chain walked by its
approvers up to the next itinerary version, and Idempotency-Key on every write."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory
from tests.missions.travel import approved
from waishi.approvals.models import ApprovalStep
from waishi.audit.models import AuditEvent
from waishi.missions.core import itinerary
from waishi.missions.models import (
    ChangeRequest,
    ChangeState,
    ItineraryVersion,
    Member,
    Mission,
    State,
    Stop,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/missions/"
SUBJECT = "missions.change"


def changes_url(mission, change=None, action: str = "") -> str:
    path = f"{URL}{mission.pk}/changes/"
    if change is not None:
        path += f"{change if isinstance(change, int) else change.pk}/"
    return path + (f"{action}/" if action else "")


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


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def events(change) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="missions.changerequest", object_id=str(change.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def snapshot(change) -> tuple:
    c = fresh(change)
    return (c.state, c.version, c.reason, c.proposed, c.justifications, len(events(c)))


def plus(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def trip(cast, people) -> Mission:
    """An approved trip, its application filed well ahead (LEAD_TIME)."""
    mission = approved(cast, people)
    Mission.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=200)
    )
    return fresh(mission)


def seoul(mission: Mission) -> dict:
    """The itinerary in force with a detour to Seoul on the way back (same dates), as a
    client would send it: the stops only."""
    value = itinerary.current(mission)
    stops = value["stops"]
    stops[-1]["depart"] = plus(stops[-1]["arrive"], 1)
    stops.append(
        {
            "country": "KR",
            "city": "首尔",
            "arrive": stops[-1]["depart"],
            "depart": value["return_date"],
        }
    )
    return {"stops": stops, "reason": "对方临时邀请顺访首尔"}


def created(api_as, mission, payload) -> dict:
    response = send(api_as("unit_clerk"), "post", changes_url(mission), payload)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def foreign_change(cast, foreign_unit, foreign_person) -> ChangeRequest:
    """A draft change of an approved trip of the foreign unit."""
    today = timezone.localdate()
    mission = Mission.objects.create(
        unit=foreign_unit,
        title=f"{FOREIGN_MARKER}的团组",
        created_by=cast["outsider"],
        state=State.APPROVED,
        departure_date=today,
        return_date=today,
        itinerary_version=1,
    )
    Member.objects.create(mission=mission, person=foreign_person, task=FOREIGN_MARKER)
    ItineraryVersion.objects.create(
        mission=mission, number=1, departure_date=today, return_date=today
    )
    return ChangeRequest.objects.create(
        mission=mission,
        number=1,
        base_number=1,
        reason=FOREIGN_MARKER,
        proposed={"departure_date": str(today), "return_date": str(today)},
        created_by=cast["outsider"],
    )


# --- drafting -------------------------------------------------------------------------------


def test_a_clerk_drafts_a_change_once_with_a_key(api_as, cast, trip):
    client = api_as("unit_clerk")
    payload = seoul(trip)
    first = send(client, "post", changes_url(trip), payload, key="chg-1")
    again = send(client, "post", changes_url(trip), payload, key="chg-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert ChangeRequest.objects.filter(mission=trip).count() == 1
    body = first.json()
    change = ChangeRequest.objects.get(pk=body["id"])
    assert body["state"] == "draft" and body["number"] == 1 and body["base_number"] == 1
    assert set(body["kinds"]) == {"added_country", "detour"} and len(body["kinds_display"]) == 2
    assert body["version"] == change.version and body["applied_version"] is None
    # The parts not sent are the itinerary in force; members keep their names.
    assert body["proposed"]["departure_date"] == trip.departure_date.isoformat()
    assert [m["name"] for m in body["proposed"]["members"]] == ["李雷", "韩梅梅"]
    assert [s["country"] for s in body["proposed"]["stops"]] == ["JP", "KR"]
    assert [s["country"] for s in body["base"]["stops"]] == ["JP"]
    assert body["differences"]["countries_added"] == ["KR"]
    # Not submitted: the check is live, nothing is in approval yet.
    assert body["check"]["stored"] is False and body["check"]["result"]["countries"] == [
        "JP",
        "KR",
    ]
    assert body["approval_steps"] == [] and body["apply_refusal"] == ""
    assert body["actions"] == {"edit": True, "submit": True, "withdraw": True, "decide": False}
    assert events(change) == ["missions.changerequest.create"]
    # Listed for the trip; the auditor reads it and may do nothing.
    listed = api_as("auditor").get(changes_url(trip)).json()
    assert [row["id"] for row in listed] == [body["id"]]
    seen = api_as("auditor").get(changes_url(trip, change)).json()
    assert seen["actions"] == {"edit": False, "submit": False, "withdraw": False, "decide": False}
    # One change in flight at a time.
    err = error(send(client, "post", changes_url(trip), payload), 400)
    assert err["fields"]["non_field_errors"]
    assert ChangeRequest.objects.filter(mission=trip).count() == 1


def test_a_bad_proposal_names_the_field_and_creates_nothing(api_as, trip, foreign_person):
    client = api_as("unit_clerk")
    stop = {"country": "XX", "city": "某地", "arrive": "2026-05-10", "depart": "2026-05-11"}
    for payload, field in (
        ({"stops": [stop]}, "stops[0].country"),
        ({"departure_date": "五月十日"}, "departure_date"),
        ({"members": [{"task": "翻译"}]}, "members[0].person_id"),
        ({"members": [{"person_id": foreign_person.pk}]}, "members"),
    ):
        err = error(send(client, "post", changes_url(trip), payload), 400)
        assert field in err["fields"], (payload, err)
    assert not ChangeRequest.objects.filter(mission=trip).exists()


def test_an_edit_on_a_stale_version_is_409_and_changes_nothing(api_as, trip):
    client = api_as("unit_clerk")
    body = created(api_as, trip, {"reason": "初稿"})
    change = ChangeRequest.objects.get(pk=body["id"])
    assert body["kinds"] == [] and body["proposed"] == body["base"]
    payload = {**seoul(trip), "version": body["version"]}
    response = send(client, "patch", changes_url(trip, change), payload, key="edit-1")
    assert response.status_code == 200, response.content
    edited = response.json()
    assert edited["version"] == body["version"] + 1 and edited["reason"] == payload["reason"]
    assert "added_country" in edited["kinds"]
    again = send(client, "patch", changes_url(trip, change), payload, key="edit-1")
    assert again.json() == edited and again["Idempotent-Replayed"] == "true"
    before = snapshot(change)
    stale = {"reason": "旧窗口里的修改", "version": body["version"]}
    err = error(send(client, "patch", changes_url(trip, change), stale, key="edit-2"), 409)
    assert err["code"] == "stale_version" and err["message"]
    assert snapshot(change) == before
    # The key was not spent on the refusal; a version is required.
    stale["version"] = edited["version"]
    assert send(client, "patch", changes_url(trip, change), stale, key="edit-2").status_code == 200
    assert fresh(change).reason == "旧窗口里的修改"
    err = error(send(client, "patch", changes_url(trip, change), {"reason": "x"}), 400)
    assert "version" in err["fields"]
    assert events(change).count("missions.changerequest.update") == 2


# --- submitting -----------------------------------------------------------------------------


def test_a_policy_error_at_submit_names_the_rule_and_changes_nothing(api_as, trip):
    value = itinerary.current(trip)
    back = plus(value["return_date"], 4)  # 8 days in one country: over the limit
    value["stops"][0]["depart"] = back
    body = created(
        api_as, trip, {"return_date": back, "stops": value["stops"], "reason": "会期延长"}
    )
    change = ChangeRequest.objects.get(pk=body["id"])
    assert body["kinds"] == ["longer_stay"]
    assert any(f["rule"] == "STAY_DAYS" for f in body["check"]["result"]["findings"])
    before = snapshot(change)
    response = send(
        api_as("unit_clerk"),
        "post",
        changes_url(trip, change, "submit"),
        {"justifications": {"STAY_DAYS": "会期延长"}, "version": body["version"]},
        key="sub-1",
    )
    err = error(response, 400)
    assert err["code"] == "invalid"
    assert any(
        "（在外停留天数不超过按出访国家数确定的上限）" in m
        for m in err["fields"]["non_field_errors"]
    )
    assert snapshot(change) == before and fresh(change).check_result is None
    assert not ApprovalStep.objects.filter(subject_type=SUBJECT).exists()


def test_a_warning_needs_a_justification(api_as, trip):
    payload = seoul(trip)
    payload["stops"][-1].update(country="DE", city="慕尼黑")  # a second continent
    body = created(api_as, trip, payload)
    change = ChangeRequest.objects.get(pk=body["id"])
    path = changes_url(trip, change, "submit")
    err = error(send(api_as("unit_clerk"), "post", path, {}), 400)
    assert "justifications" in err["fields"]
    assert fresh(change).state == ChangeState.DRAFT
    given = {"justifications": {"ONE_CONTINENT": "对方会议改在慕尼黑举行"}}
    response = send(api_as("unit_clerk"), "post", path, given)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert fresh(change).justifications["ONE_CONTINENT"] == "对方会议改在慕尼黑举行"


# --- deciding: the chain up to version 2 ----------------------------------------------------


def test_an_approved_change_becomes_itinerary_version_2(api_as, cast, trip):
    body = created(api_as, trip, seoul(trip))
    change = ChangeRequest.objects.get(pk=body["id"])
    path = changes_url(trip, change, "submit")
    response = send(api_as("unit_clerk"), "post", path, {"version": body["version"]}, key="s")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "submitted" and response.json()["state"] == "submitted"
    detail = api_as("unit_leader").get(changes_url(trip, change)).json()
    assert detail["check"]["stored"] is True and detail["check"]["policy_version"]
    assert [s["approver_role"] for s in detail["approval_steps"]] == [
        "unit_leader",
        "fao_reviewer",
        "fao_head",
    ]
    assert detail["actions"]["decide"] is True and detail["actions"]["edit"] is False
    # The FAO head's turn has not come; the clerk does not decide.
    err = error(send(api_as("fao_head"), "post", changes_url(trip, change, "approve")), 403)
    assert err["code"] == "permission_denied"
    assert error(send(api_as("unit_clerk"), "post", changes_url(trip, change, "approve")), 403)
    outcomes = []
    for role in ("unit_leader", "fao_reviewer", "fao_head"):
        path = changes_url(trip, change, "approve")
        response = send(api_as(role), "post", path, {"comment": "同意"}, key=f"ok-{role}")
        assert response.status_code == 200, (role, response.content)
        outcomes.append(response.json()["outcome"])
    assert outcomes == ["next", "next", "approved"]
    final = response.json()
    assert final["state"] == "approved" and final["itinerary_version"] == 2
    # The last approval replayed: once.
    again = send(api_as("fao_head"), "post", path, {"comment": "同意"}, key="ok-fao_head")
    assert again.json() == final and again["Idempotent-Replayed"] == "true"
    assert events(change).count("missions.changerequest.approve") == 1
    mission = fresh(trip)
    assert mission.itinerary_version == 2
    assert [s.country for s in Stop.objects.filter(mission=mission).order_by("order")] == [
        "JP",
        "KR",
    ]
    assert ItineraryVersion.objects.get(mission=mission, number=2).change_request == change
    # The versions, the latest first, and the two compared.
    versions = api_as("auditor").get(f"{URL}{trip.pk}/itinerary/").json()
    assert [(v["number"], v["in_force"]) for v in versions] == [(2, True), (1, False)]
    assert versions[0]["change_request"] == {"id": change.pk, "number": 1}
    assert versions[0]["countries"] == ["JP", "KR"] and versions[1]["countries"] == ["JP"]
    assert versions[1]["change_request"] is None
    second = versions[0]["id"]
    compared = api_as("unit_clerk").get(f"{URL}{trip.pk}/itinerary/{second}/compare/").json()
    assert (compared["earlier"]["number"], compared["later"]["number"]) == (1, 2)
    assert compared["differences"]["countries_added"] == ["KR"]
    assert compared["differences"]["route_changed"] is True
    assert [r["status"] for r in compared["stop_rows"]] == ["changed", "added"]
    assert all(r["status"] == "same" for r in compared["member_rows"])
    first = versions[1]["id"]
    same = api_as("unit_clerk").get(f"{URL}{trip.pk}/itinerary/{first}/compare/", {"against": 2})
    assert same.json()["differences"] == compared["differences"]
    missing = api_as("unit_clerk").get(f"{URL}{trip.pk}/itinerary/{first}/compare/?against=7")
    assert error(missing, 404)["code"] == "not_found"
    bad = api_as("unit_clerk").get(f"{URL}{trip.pk}/itinerary/{first}/compare/?against=x")
    assert "against" in error(bad, 400)["fields"]
    detail = api_as("unit_clerk").get(changes_url(trip, change)).json()
    assert detail["applied_version"] == 2 and detail["state"] == "approved"


def test_return_and_reject_need_a_comment_and_leave_the_trip(api_as, cast, trip):
    body = created(api_as, trip, seoul(trip))
    change = ChangeRequest.objects.get(pk=body["id"])
    send(api_as("unit_clerk"), "post", changes_url(trip, change, "submit"))
    leader = api_as("unit_leader")
    for action in ("return", "reject"):
        err = error(send(leader, "post", changes_url(trip, change, action), {"comment": " "}), 400)
        assert "comment" in err["fields"]
    response = send(leader, "post", changes_url(trip, change, "return"), {"comment": "写清理由"})
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "returned" and fresh(change).state == "returned"
    # Resubmitted, then rejected.
    response = send(api_as("unit_clerk"), "post", changes_url(trip, change, "submit"))
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    response = send(leader, "post", changes_url(trip, change, "reject"), {"comment": "不同意"})
    assert response.json()["outcome"] == "rejected" and fresh(change).state == "rejected"
    assert fresh(trip).itinerary_version == 1
    assert [s.country for s in Stop.objects.filter(mission=trip)] == ["JP"]


def test_withdrawing_cancels_the_open_steps(api_as, cast, trip):
    body = created(api_as, trip, seoul(trip))
    change = ChangeRequest.objects.get(pk=body["id"])
    send(api_as("unit_clerk"), "post", changes_url(trip, change, "submit"))
    assert error(send(api_as("unit_leader"), "post", changes_url(trip, change, "withdraw")), 403)
    path = changes_url(trip, change, "withdraw")
    response = send(api_as("unit_clerk"), "post", path, {"comment": "行程取消"}, key="w")
    again = send(api_as("unit_clerk"), "post", path, {"comment": "行程取消"}, key="w")
    assert response.status_code == 200, response.content
    assert again.json() == response.json() and response.json()["outcome"] == "withdrawn"
    assert fresh(change).state == ChangeState.WITHDRAWN
    assert events(change).count("missions.changerequest.withdraw") == 1
    steps = ApprovalStep.objects.filter(subject_type=SUBJECT, subject_id=change.pk)
    assert not steps.filter(state="pending").exists()
    # Withdrawn is final: another withdrawal is refused.
    assert error(send(api_as("unit_clerk"), "post", path), 400)


# --- who may ------------------------------------------------------------------------------


def test_roles_that_may_not_are_refused_and_nothing_changes(api_as, cast, trip):
    body = created(api_as, trip, seoul(trip))
    change = ChangeRequest.objects.get(pk=body["id"])
    before = snapshot(change)
    for role in ("auditor", "fao_reviewer", "fao_head", "unit_leader", "committee"):
        err = error(send(api_as(role), "post", changes_url(trip), seoul(trip)), 403)
        assert err["code"] == "permission_denied"
        patch = {"reason": "改", "version": body["version"]}
        assert error(send(api_as(role), "patch", changes_url(trip, change), patch), 403)
        assert error(send(api_as(role), "post", changes_url(trip, change, "submit")), 403)
    for role in ("auditor", "unit_clerk"):
        assert error(send(api_as(role), "post", changes_url(trip, change, "approve")), 403)
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        assert error(api_as(role).get(changes_url(trip)), 403)
        assert error(api_as(role).get(changes_url(trip, change)), 403)
        assert error(api_as(role).get(f"{URL}{trip.pk}/itinerary/"), 403)
        assert error(send(api_as(role), "post", changes_url(trip), seoul(trip)), 403)
    assert snapshot(change) == before
    assert ChangeRequest.objects.count() == 1
    # The readers read; a draft is the unit's until submitted (the auditor reads all).
    for role in ("unit_leader", "auditor"):
        assert api_as(role).get(changes_url(trip, change)).status_code == 200, role
    for role in ("fao_reviewer", "fao_head", "committee"):
        assert api_as(role).get(changes_url(trip, change)).status_code == 404, role


def test_another_units_trip_and_change_are_not_found(api_as, cast, foreign_change):
    mission = foreign_change.mission
    before = snapshot(foreign_change)
    version = mission.itineraries.get()
    clerk = api_as("unit_clerk")
    assert error(clerk.get(changes_url(mission)), 404)["code"] == "not_found"
    assert error(clerk.get(changes_url(mission, foreign_change)), 404)
    assert error(clerk.get(f"{URL}{mission.pk}/itinerary/"), 404)
    assert error(clerk.get(f"{URL}{mission.pk}/itinerary/{version.pk}/compare/"), 404)
    assert error(send(clerk, "post", changes_url(mission), {"reason": "x"}), 404)
    patch = {"reason": "改", "version": foreign_change.version}
    assert error(send(clerk, "patch", changes_url(mission, foreign_change), patch), 404)
    for action in ("submit", "withdraw"):
        assert error(send(clerk, "post", changes_url(mission, foreign_change, action)), 404)
    for action in ("approve", "return", "reject"):
        path = changes_url(mission, foreign_change, action)
        assert error(send(api_as("unit_leader"), "post", path, {"comment": "x"}), 404)
    assert snapshot(foreign_change) == before
    assert ChangeRequest.objects.filter(mission=mission).count() == 1
    # Nor through a trip of one's own: the change must be the trip's.
    own = approved(cast, [PersonFactory(unit=cast["unit_clerk"].unit)])
    assert error(clerk.get(changes_url(own, foreign_change)), 404)
    assert error(clerk.get(f"{URL}{own.pk}/itinerary/{version.pk}/compare/"), 404)
    # Who may see it reads it.
    response = api_as("outsider").get(changes_url(mission, foreign_change))
    assert response.status_code == 200 and response.json()["reason"] == FOREIGN_MARKER
    assert api_as("fao_reviewer").get(changes_url(mission)).status_code == 200


# --- schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_change_endpoints(api_as):
    paths = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()["paths"]
    change = "/api/v1/missions/{mission_pk}/changes/{change_pk}/"
    assert set(paths["/api/v1/missions/{mission_pk}/changes/"]) >= {"get", "post"}
    assert set(paths[change]) >= {"get", "patch"}
    for action in ("submit", "approve", "return", "reject", "withdraw"):
        operation = paths[f"{change}{action}/"]["post"]
        assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}, action
    assert "/api/v1/missions/{mission_pk}/itinerary/" in paths
    assert "/api/v1/missions/{mission_pk}/itinerary/{version_pk}/compare/" in paths
    assert "409" in paths[change]["patch"]["responses"]
