"""The trip report over the API: the same services as the page (so the same checks and audit
trail), scoped reads from the trip, 409 on a stale version, gaps named at submission,
Idempotency-Key on every write, the signed document checked and its download audited, and
acceptance closing the trip once every passport is back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import PersonFactory
from tests.missions.decisions import events as trip_events
from tests.missions.travel import abroad, back
from waishi.audit.models import AuditEvent
from waishi.missions.models import Mission, ReportState, State, TripReport
from waishi.missions.report import services as report_services
from waishi.passports import services as passport_services
from waishi.passports.models import PassportCustody

pytestmark = pytest.mark.django_db

URL = "/api/v1/missions/"
LIST = "/api/v1/reports/"
PDF = b"%PDF-1.4\n% signed report\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT = {
    "tasks_done": "拜访东京都政府，完成洽谈任务",
    "meetings": "会见东京都副知事",
    "outcomes": "达成合作意向两项",
    "costs": "住宿费、伙食费均在标准内",
}
GAPS = {"tasks_done", "meetings", "outcomes", "costs", "publicity"}


def url(mission, action: str = "") -> str:
    pk = getattr(mission, "pk", mission)
    return f"{URL}{pk}/report/" + (f"{action}/" if action else "")


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


def fresh(report: TripReport) -> TripReport:
    return TripReport.objects.select_related("mission").get(pk=report.pk)


def trail(report: TripReport) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="missions.tripreport", object_id=str(report.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def snapshot(report: TripReport) -> tuple:
    row = TripReport.objects.filter(pk=report.pk).values().get()
    return (row, trail(report))


def return_passports(cast, mission) -> None:
    for custody in PassportCustody.objects.filter(mission=mission, returned_at__isnull=True):
        passport_services.passport_return(actor=cast["fao_reviewer"], custody=custody)


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def trip(cast, people):
    return back(cast, people, days_ago=1)


@pytest.fixture
def report(trip):
    return TripReport.objects.get(mission=trip)


@pytest.fixture
def foreign_report(cast, foreign_unit):
    today = timezone.localdate()
    mission = Mission.objects.create(
        unit=foreign_unit,
        title="教育局赴英国访问",
        state=State.BACK,
        departure_date=today - dt.timedelta(days=10),
        return_date=today - dt.timedelta(days=5),
        actual_departure=today - dt.timedelta(days=10),
        actual_return=today - dt.timedelta(days=5),
        created_by=cast["outsider"],
    )
    return TripReport.objects.create(
        mission=mission, due_date=today - dt.timedelta(days=2), tasks_done="外单位内容"
    )


def complete(client, report: TripReport) -> dict:
    """The required fields written and the report published, through the API."""
    written = send(
        client, "patch", url(report.mission_id), {**TEXT, "version": fresh(report).version}
    )
    assert written.status_code == 200, written.content
    published = send(client, "post", url(report.mission_id, "publish"), {})
    assert published.status_code == 200, published.content
    return published.json()


# --- reading --------------------------------------------------------------------------------


def test_the_report_shows_its_state_and_what_the_caller_may_do(api_as, report, trip):
    response = api_as("unit_clerk").get(url(trip))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == report.pk and body["mission"]["id"] == trip.pk
    assert body["mission"]["state"] == "back" and body["mission"]["unit"]["code"] == "U-HOME"
    assert body["state"] == "draft" and body["version"] == report.version
    assert body["due_date"] == report.due_date.isoformat() and body["overdue"] is False
    assert body["days_overdue"] == 0
    assert body["tasks_done"] == "" and body["actual_cost_cny"] is None
    assert body["required_fields"] == ["tasks_done", "meetings", "outcomes", "costs"]
    assert {gap["field"] for gap in body["missing"]} == GAPS
    assert body["document_url"] is None and body["has_document"] is False
    assert body["publicity_starts_on"] is None and body["submitted_by"] is None
    actions = body["actions"]
    assert set(actions) == {"update", "upload_document", "publish", "submit", "accept", "return"}
    for name in ("update", "upload_document", "publish"):
        assert actions[name] == {"allowed": True, "refusal": ""}, name
    assert actions["submit"]["allowed"] is False and actions["submit"]["refusal"]  # the gaps
    assert actions["accept"]["allowed"] is False and actions["accept"]["refusal"]
    # The leader files and submits, only the clerk writes; the FAO and the auditor read.
    leader = api_as("unit_leader").get(url(trip)).json()["actions"]
    assert leader["update"]["allowed"] is False and leader["publish"]["allowed"] is True
    for role in ("fao_reviewer", "fao_head", "auditor", "committee"):
        actions = api_as(role).get(url(trip)).json()["actions"]
        assert not any(a["allowed"] for a in actions.values()), role
        assert all(a["refusal"] for a in actions.values()), role


def test_an_overdue_report_says_so(api_as, report, trip):
    TripReport.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    body = api_as("auditor").get(url(trip)).json()
    assert body["overdue"] is True and body["days_overdue"] == 3


def test_no_report_before_the_return(api_as, cast, people):
    mission = abroad(cast, people, departs_in=-1)
    err = error(api_as("unit_clerk").get(url(mission)), 404)
    assert err["code"] == "not_found" and err["message"]
    error(send(api_as("unit_clerk"), "patch", url(mission), {**TEXT, "version": 1}), 404)
    error(send(api_as("unit_leader"), "post", url(mission, "submit"), {}), 404)
    assert not AuditEvent.objects.filter(action__startswith="missions.report.").exists()
    assert not TripReport.objects.filter(mission=mission).exists()


# --- writing the fields ---------------------------------------------------------------------


def test_the_clerk_writes_the_fields_once_with_a_key(api_as, report, trip):
    client = api_as("unit_clerk")
    payload = {
        "version": report.version,
        "tasks_done": "  完成任务  ",
        "actual_cost_cny": "28500.5",
    }
    first = send(client, "patch", url(trip), payload, key="rep-1")
    again = send(client, "patch", url(trip), payload, key="rep-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    body = first.json()
    assert body["tasks_done"] == "完成任务" and body["actual_cost_cny"] == "28500.50"
    assert body["meetings"] == ""  # incomplete drafts are kept as typed
    row = fresh(report)
    assert row.version == report.version + 1 == body["version"]
    assert row.tasks_done == "完成任务" and str(row.actual_cost_cny) == "28500.50"
    assert trail(report) == ["missions.report.update"]
    # Only the fields sent change; null clears the cost.
    response = send(client, "patch", url(trip), {"version": row.version, "actual_cost_cny": None})
    assert response.status_code == 200, response.content
    row = fresh(report)
    assert row.actual_cost_cny is None and row.tasks_done == "完成任务"


def test_a_stale_version_is_409_and_saves_nothing(api_as, report, trip):
    client = api_as("unit_clerk")
    loaded = report.version
    assert (
        send(client, "patch", url(trip), {"version": loaded, "meetings": "第一个窗口"}).status_code
        == 200
    )
    before = snapshot(report)
    stale = send(client, "patch", url(trip), {"version": loaded, "meetings": "第二个窗口"}, key="k")
    err = error(stale, 409)
    assert err["code"] == "stale_version" and err["message"]
    assert snapshot(report) == before and fresh(report).meetings == "第一个窗口"
    # The key was not spent on the refusal; the other writes check a version sent too.
    now = fresh(report).version
    assert error(send(client, "post", url(trip, "publish"), {"version": now - 1}), 409)
    assert error(send(client, "post", url(trip, "submit"), {"version": now - 1}), 409)
    assert snapshot(report) == before
    response = send(client, "patch", url(trip), {"version": now, "meetings": "第二个窗口"}, key="k")
    assert response.status_code == 200, response.content
    assert fresh(report).meetings == "第二个窗口"


def test_bad_fields_are_named_and_nothing_is_saved(api_as, report, trip):
    client = api_as("unit_clerk")
    before = snapshot(report)
    for payload, field in (
        ({"tasks_done": "x"}, "version"),
        ({"version": 0, "tasks_done": "x"}, "version"),
        ({"version": report.version, "actual_cost_cny": "很多"}, "actual_cost_cny"),
        ({"version": report.version, "actual_cost_cny": "-1"}, "actual_cost_cny"),
        ({"version": report.version, "meetings": None}, "meetings"),
        ({"version": report.version, "problems": "长" * 20001}, "problems"),
    ):
        err = error(send(client, "patch", url(trip), payload), 400)
        assert field in err["fields"], (payload, err)
    assert snapshot(report) == before


def test_who_may_not_write_is_refused(api_as, report, trip):
    before = snapshot(report)
    payload = {"version": report.version, "tasks_done": "改写"}
    for role in ("unit_leader", "fao_reviewer", "fao_head", "auditor", "committee"):
        err = error(send(api_as(role), "patch", url(trip), payload), 403)
        assert err["code"] == "permission_denied", role
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        error(api_as(role).get(url(trip)), 403)
        error(api_as(role).get(LIST), 403)
        error(send(api_as(role), "patch", url(trip), payload), 403)
    # The other unit's clerk does not see the trip at all.
    error(send(api_as("outsider"), "patch", url(trip), payload), 404)
    assert snapshot(report) == before


def test_another_units_trip_is_not_found_and_nothing_changes(api_as, foreign_report):
    mission = foreign_report.mission
    before = snapshot(foreign_report)
    clerk, leader = api_as("unit_clerk"), api_as("unit_leader")
    assert error(clerk.get(url(mission)), 404)["code"] == "not_found"
    error(clerk.get(url(mission, "document")), 404)
    error(send(clerk, "patch", url(mission), {"version": 1, "tasks_done": "篡改"}), 404)
    upload = {"document": SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")}
    error(clerk.post(url(mission, "document"), upload), 404)
    for client in (clerk, leader):
        error(send(client, "post", url(mission, "publish"), {}), 404)
        error(send(client, "post", url(mission, "submit"), {}), 404)
        # Deciding is the FAO's, which sees every unit: a unit's role is refused by its role.
        error(send(client, "post", url(mission, "accept"), {}), 403)
        error(send(client, "post", url(mission, "return"), {"comment": "退回"}), 403)
    assert snapshot(foreign_report) == before
    assert not AuditEvent.objects.filter(action__startswith="missions.report.").exists()
    # Who may see it reads it.
    body = api_as("outsider").get(url(mission)).json()
    assert body["tasks_done"] == "外单位内容" and body["actions"]["update"]["allowed"] is True
    assert api_as("fao_reviewer").get(url(mission)).status_code == 200


# --- the document and the publicity ---------------------------------------------------------


def test_the_signed_report_is_checked_filed_and_its_download_audited(api_as, report, trip):
    client = api_as("unit_leader")
    fake = SimpleUploadedFile("报告.pdf", b"MZ not a pdf", content_type="application/pdf")
    err = error(client.post(url(trip, "document"), {"document": fake}), 400)
    assert "document" in err["fields"]
    assert error(client.post(url(trip, "document"), {}), 400)["fields"].keys() == {"document"}
    assert error(send(client, "post", url(trip, "document"), {"document": "x"}), 415)
    assert not fresh(report).document and trail(report) == []
    good = SimpleUploadedFile("出访报告（签章）.pdf", PDF, content_type="application/pdf")
    response = client.post(url(trip, "document"), {"document": good, "version": report.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_document"] is True and body["document_name"] == "出访报告（签章）.pdf"
    assert body["document_type"] == "application/pdf" and body["document_size"] == len(PDF)
    assert body["document_url"] == url(trip, "document")
    assert body["version"] == report.version + 1
    stored = fresh(report).document.name
    assert "出访" not in stored  # stored under a random name
    # Who may see the trip downloads it, and every download is recorded.
    download = api_as("auditor").get(body["document_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert trail(report) == ["missions.report.upload", "missions.report.document_download"]
    assert error(api_as("district_officer").get(body["document_url"]), 403)
    assert error(api_as("fao_reviewer").post(url(trip, "document"), {"document": good}), 403)


def test_an_upload_with_a_key_is_filed_once(api_as, report, trip, settings):
    client = api_as("unit_clerk")

    def post(key):
        good = SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")
        return client.post(url(trip, "document"), {"document": good}, HTTP_IDEMPOTENCY_KEY=key)

    first, again = post("doc-1"), post("doc-1")
    assert first.status_code == again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert trail(report) == ["missions.report.upload"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = SimpleUploadedFile("报告.pdf", PDF + b"%" * 4096, content_type="application/pdf")
    response = client.post(url(trip, "document"), {"document": big}, HTTP_IDEMPOTENCY_KEY="big")
    assert "document" in error(response, 400)["fields"]
    assert trail(report) == ["missions.report.upload"]


def test_the_publicity_is_published_from_a_day_not_in_the_future(api_as, report, trip):
    client = api_as("unit_clerk")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    before_return = (trip.actual_return - dt.timedelta(days=1)).isoformat()
    for starts_on in (tomorrow, before_return, "五月一日"):
        err = error(send(client, "post", url(trip, "publish"), {"starts_on": starts_on}), 400)
        assert set(err["fields"]) == {"starts_on"}, (starts_on, err)
    assert fresh(report).publicity_starts_on is None and trail(report) == []
    today = timezone.localdate().isoformat()
    first = send(client, "post", url(trip, "publish"), {"starts_on": today}, key="pub")
    again = send(client, "post", url(trip, "publish"), {"starts_on": today}, key="pub")
    assert first.status_code == 200 and again.json() == first.json(), first.content
    body = first.json()
    assert body["publicity_starts_on"] == today
    assert body["publicity_ends_on"] >= today
    assert "publicity" not in {gap["field"] for gap in body["missing"]}
    assert trail(report) == ["missions.report.publish"]


# --- submission and the decision ------------------------------------------------------------


def test_submission_names_every_gap_and_changes_nothing(api_as, report, trip):
    client = api_as("unit_clerk")
    before = snapshot(report)
    err = error(send(client, "post", url(trip, "submit"), {}), 400)
    assert err["code"] == "invalid" and set(err["fields"]) == GAPS
    assert snapshot(report) == before
    # Half written: only what is still missing is named.
    send(client, "patch", url(trip), {"version": report.version, "tasks_done": "完成任务"})
    err = error(send(api_as("unit_leader"), "post", url(trip, "submit"), {}), 400)
    assert set(err["fields"]) == GAPS - {"tasks_done"}
    assert fresh(report).state == ReportState.DRAFT


def test_the_unit_cannot_decide_and_the_fao_cannot_submit(api_as, report, trip):
    complete(api_as("unit_clerk"), report)
    for role in ("fao_reviewer", "fao_head", "auditor"):
        assert error(send(api_as(role), "post", url(trip, "submit"), {}), 403), role
    response = send(api_as("unit_leader"), "post", url(trip, "submit"), {})
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    before = snapshot(report)
    for role in ("unit_clerk", "unit_leader", "auditor", "committee"):
        error(send(api_as(role), "post", url(trip, "accept"), {}), 403)
        error(send(api_as(role), "post", url(trip, "return"), {"comment": "改"}), 403)
    assert snapshot(report) == before
    # A submitted report no longer changes, and says why.
    body = api_as("unit_clerk").get(url(trip)).json()
    assert body["actions"]["update"]["allowed"] is False and body["actions"]["update"]["refusal"]
    assert body["missing"] == []
    version = body["version"]
    err = error(send(api_as("unit_clerk"), "patch", url(trip), {**TEXT, "version": version}), 400)
    assert err["fields"]["non_field_errors"]
    assert snapshot(report) == before


def test_the_fao_returns_with_a_comment_and_the_unit_submits_again(api_as, report, trip):
    clerk, fao = api_as("unit_clerk"), api_as("fao_reviewer")
    complete(clerk, report)
    submitted = send(clerk, "post", url(trip, "submit"), {}, key="sub-1")
    assert submitted.status_code == 200, submitted.content
    replay = send(clerk, "post", url(trip, "submit"), {}, key="sub-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == submitted.json()
    assert trail(report).count("missions.report.submit") == 1
    body = submitted.json()
    assert body["submitted_by"]["id"] and body["submitted_at"]
    assert api_as("fao_head").get(url(trip)).json()["actions"]["return"]["allowed"] is True
    before = snapshot(report)
    for payload in ({}, {"comment": ""}, {"comment": "   "}):
        assert "comment" in error(send(fao, "post", url(trip, "return"), payload), 400)["fields"]
    assert snapshot(report) == before
    returned = send(fao, "post", url(trip, "return"), {"comment": "请补充费用明细"}, key="r-1")
    assert returned.status_code == 200, returned.content
    body = returned.json()
    assert body["state"] == "returned" and body["return_comment"] == "请补充费用明细"
    assert body["decided_by"]["id"] and body["decided_at"]
    # Back with the unit: edited and submitted again.
    assert body["actions"]["update"]["allowed"] is False  # the FAO reads it
    changed = send(clerk, "patch", url(trip), {"version": body["version"], "costs": "明细见附表"})
    assert changed.status_code == 200, changed.content
    again = send(clerk, "post", url(trip, "submit"), {"version": changed.json()["version"]})
    assert again.status_code == 200 and again.json()["state"] == "submitted"
    assert trail(report).count("missions.report.submit") == 2


def test_accepting_closes_the_trip_once_every_passport_is_back(api_as, cast, report, trip):
    clerk, fao = api_as("unit_clerk"), api_as("fao_head")
    complete(clerk, report)
    assert send(clerk, "post", url(trip, "submit"), {}).status_code == 200
    version = fresh(report).version
    assert error(send(fao, "post", url(trip, "accept"), {"version": version - 1}), 409)
    assert fresh(report).state == ReportState.SUBMITTED
    return_passports(cast, trip)
    assert Mission.objects.get(pk=trip.pk).state == State.BACK
    first = send(fao, "post", url(trip, "accept"), {"version": version}, key="acc-1")
    again = send(fao, "post", url(trip, "accept"), {"version": version}, key="acc-1")
    assert first.status_code == again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    body = first.json()
    assert body["state"] == "accepted" and body["decided_by"]["id"] == cast["fao_head"].pk
    assert body["mission"]["state"] == "closed" and body["mission"]["closed_at"]
    assert not any(a["allowed"] for a in body["actions"].values())
    mission = Mission.objects.get(pk=trip.pk)
    assert mission.state == State.CLOSED
    assert trip_events(mission).count("missions.mission.close") == 1
    assert trail(report).count("missions.report.accept") == 1
    # Decided once: a second decision is refused and changes nothing.
    before = snapshot(report)
    error(send(fao, "post", url(trip, "return"), {"comment": "再改"}), 400)
    assert snapshot(report) == before


def test_accepting_leaves_the_trip_open_while_a_passport_is_out(api_as, cast, report, trip):
    complete(api_as("unit_clerk"), report)
    report_services.report_submit(actor=cast["unit_clerk"], report=fresh(report))
    response = send(api_as("fao_reviewer"), "post", url(trip, "accept"), {"comment": "同意"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted" and response.json()["mission"]["state"] == "back"
    assert Mission.objects.get(pk=trip.pk).state == State.BACK
    # The last passport back closes it (passports.services, not the report).
    return_passports(cast, trip)
    assert Mission.objects.get(pk=trip.pk).state == State.CLOSED


def test_a_key_reused_for_another_request_is_refused(api_as, report, trip):
    client = api_as("unit_clerk")
    version = report.version
    assert (
        send(
            client, "patch", url(trip), {"version": version, "meetings": "一"}, key="same"
        ).status_code
        == 200
    )
    err = error(
        send(client, "patch", url(trip), {"version": version, "meetings": "二"}, key="same"), 422
    )
    assert err["code"] == "idempotency_key_reused"
    assert fresh(report).meetings == "一"


# --- the list -------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_and_overdue_first(
    api_as, cast, home_unit, report, foreign_report
):
    other = [PersonFactory(name="王五", unit=home_unit, post="科员")]
    later = TripReport.objects.get(mission=back(cast, other, title="赴韩国考察"))
    TripReport.objects.filter(pk=later.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)  # overdue
    )

    def titles(role, **query):
        response = api_as(role).get(LIST, query)
        assert response.status_code == 200, response.content
        return [row["mission"]["title"] for row in response.json()["results"]]

    # The two overdue first (by due date), then the one still within its time.
    assert titles("fao_reviewer") == ["教育局赴英国访问", "赴韩国考察", "赴日本经贸交流"]
    assert titles("unit_clerk") == ["赴韩国考察", "赴日本经贸交流"]
    assert titles("outsider") == ["教育局赴英国访问"]
    assert titles("auditor", q="韩国") == ["赴韩国考察"]
    assert titles("fao_head", state="overdue") == ["教育局赴英国访问", "赴韩国考察"]
    assert titles("fao_head", state="submitted") == []
    assert titles("committee", unit=home_unit.pk) == ["赴韩国考察", "赴日本经贸交流"]
    # A unit's filter does not widen its scope.
    assert titles("unit_leader", unit=foreign_report.mission.unit_id) == []
    row = api_as("unit_clerk").get(LIST).json()["results"][0]
    assert row["overdue"] is True and row["days_overdue"] == 1 and row["state"] == "draft"
    assert row["has_document"] is False and row["mission"]["unit"]["code"] == "U-HOME"
    err = error(api_as("fao_head").get(LIST, {"state": "lost"}), 400)
    assert "state" in err["fields"]


def test_the_list_is_paginated(api_as, report):
    for n in range(50):
        m = Mission.objects.create(unit=report.mission.unit, title=f"团组{n}", state=State.BACK)
        TripReport.objects.create(mission=m, due_date=timezone.localdate())
    body = api_as("fao_reviewer").get(LIST).json()
    assert body["count"] == 51 and len(body["results"]) == 50 and body["next"]
    assert len(api_as("fao_reviewer").get(LIST, {"page": 2}).json()["results"]) == 1


# --- schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_report_endpoints(api_as):
    paths = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "get" in paths["/api/v1/reports/"]
    detail = paths["/api/v1/missions/{mission_pk}/report/"]
    assert set(detail) >= {"get", "patch"}
    document = paths["/api/v1/missions/{mission_pk}/report/document/"]
    assert set(document) >= {"get", "post"}
    assert "multipart/form-data" in document["post"]["requestBody"]["content"]
    for action in ("publish", "submit", "accept", "return"):
        post = paths[f"/api/v1/missions/{{mission_pk}}/report/{action}/"]["post"]
        assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}, action
        assert {"200", "400", "403", "404", "409"} <= set(post["responses"]), action
    patch = detail["patch"]
    assert "Idempotency-Key" in {p["name"] for p in patch["parameters"]}
    assert "409" in patch["responses"]
