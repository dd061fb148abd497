"""Trip applications over the API: the same services as the pages (so the same checks
and the same audit trail), scoped reads, and Idempotency-Key on submit and decisions."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.conftest import bearer
from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory, UserFactory, make_id_number
from tests.missions.conftest import build_mission
from tests.missions.decisions import CHAIN, events, exempt, fresh, pending, quota_for
from waishi.approvals.models import ApprovalStep, Delegation
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role
from waishi.missions.application import services
from waishi.missions.models import BudgetLine, Member, Mission, State, Stop

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
    return (
        m.state,
        m.version,
        m.out_of_plan_reason,
        m.justifications,
        Member.objects.filter(mission=m).count(),
        len(events(m)),
        ApprovalStep.objects.filter(subject_id=m.pk).count(),
    )


@pytest.fixture
def clerk(cast):
    return cast["unit_clerk"]


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(
            name="李雷",
            unit=home_unit,
            post="处长",
            rank="county_division",
            id_number=make_id_number(),
        ),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def mission(clerk, people):
    return build_mission(clerk, people)


@pytest.fixture
def submitted(clerk, mission):
    m = services.mission_submit(
        actor=clerk, mission=mission, version=mission.version, justifications={}
    )
    quota_for(m)
    return m


@pytest.fixture
def foreign_mission(cast, foreign_unit, foreign_person):
    mission = Mission.objects.create(
        unit=foreign_unit, title=f"{FOREIGN_MARKER}的团组", created_by=cast["outsider"]
    )
    Member.objects.create(mission=mission, person=foreign_person, task=FOREIGN_MARKER)
    Stop.objects.create(mission=mission, order=1, country="FR", city="巴黎")
    return mission


# --- list -----------------------------------------------------------------------------------


def test_the_list_is_scoped_to_the_callers_unit(api_as, mission, foreign_mission):
    response = api_as("unit_clerk").get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == mission.pk and row["countries"] == ["JP"] and row["member_count"] == 2
    assert row["state"] == "draft" and row["unit"]["code"] == "U-HOME"
    assert FOREIGN_MARKER not in response.content.decode()
    # Asking for the other unit explicitly changes nothing.
    assert api_as("unit_clerk").get(URL, {"unit": foreign_mission.unit_id}).json()["count"] == 0
    # A draft is the unit's until submitted: the FAO sees neither draft, the auditor (who
    # reads every record) both.
    assert api_as("fao_reviewer").get(URL).json()["count"] == 0
    assert api_as("fao_reviewer").get(f"{URL}{mission.pk}/").status_code == 404
    _submitted(mission, foreign_mission)
    # City-wide roles, the auditor among them, see every unit's.
    for role in ("fao_reviewer", "auditor"):
        ids = {r["id"] for r in api_as(role).get(URL).json()["results"]}
        assert ids == {mission.pk, foreign_mission.pk}


def _submitted(*missions) -> None:
    """Taken as submitted (tested elsewhere): the FAO then sees them."""
    Mission.objects.filter(pk__in=[m.pk for m in missions]).update(submitted_at=timezone.now())


def test_the_list_filters_like_the_page(api_as, mission, foreign_mission):
    client = api_as("auditor")  # reads every unit's drafts too

    def ids(**query) -> set[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    month = mission.departure_date.strftime("%Y-%m")
    assert ids(country="jp") == {mission.pk}
    assert ids(country="FR") == {foreign_mission.pk}
    assert ids(month=month) == {mission.pk}
    assert ids(q="韩梅梅") == {mission.pk}
    assert ids(q="hanmeimei") == {mission.pk}
    assert ids(q="日本") == {mission.pk}
    assert ids(state="draft") == {mission.pk, foreign_mission.pk}
    assert ids(state="submitted") == set()
    assert ids(unit=foreign_mission.unit_id) == {foreign_mission.pk}
    assert ids(category="econ_tech") == set()
    for bad in ({"country": "XX"}, {"month": "2026-13"}, {"state": "nope"}, {"unit": "x"}):
        fields = error(client.get(URL, bad), 400)["fields"]
        assert set(bad) <= set(fields)


def test_roles_without_trips_are_refused(api_as, mission):
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        assert error(api_as(role).get(URL), 403)["code"] == "permission_denied"
        assert error(api_as(role).get(url(mission)), 403)["code"] == "permission_denied"


def _many(unit, creator, people, n: int) -> None:
    for i in range(n):
        m = Mission.objects.create(unit=unit, title=f"团组{i}", created_by=creator)
        Stop.objects.create(mission=m, order=1, country="JP", city="东京")
        Stop.objects.create(mission=m, order=2, country="KR", city="首尔")
        for person in people:
            Member.objects.create(mission=m, person=person, task="洽谈")


def test_the_list_query_count_does_not_grow_with_rows(
    api_as, cast, home_unit, people, django_assert_max_num_queries
):
    _many(home_unit, cast["unit_clerk"], people, 3)
    client = api_as("unit_clerk")
    with CaptureQueriesContext(connection) as three:
        response = client.get(URL)
    assert response.json()["count"] == 3
    _many(home_unit, cast["unit_clerk"], people, 27)
    client = api_as("unit_clerk")
    with django_assert_max_num_queries(len(three.captured_queries)):
        response = client.get(URL)
    body = response.json()
    assert body["count"] == 30 and len(body["results"]) == 30
    assert all(r["countries"] == ["JP", "KR"] and r["member_count"] == 2 for r in body["results"])


# --- detail ---------------------------------------------------------------------------------


def test_the_detail_shows_the_rows_and_masks_people(api_as, mission):
    response = api_as("unit_clerk").get(url(mission))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "赴日本经贸交流" and body["version"] == mission.version
    assert [s["country"] for s in body["stops"]] == ["JP"]
    assert body["budget"][0]["currency"] == "JPY"
    assert body["budget"][0]["stop"] == body["stops"][0]["id"]
    assert body["has_invitation_letter"] is True
    first = body["members"][0]
    assert first["is_leader"] is True
    assert first["person"]["name"] == "李雷" and first["person"]["post"] == "处长"
    assert first["person"]["rank"] == "county_division"
    assert set(first["person"]) == {"id", "name", "unit", "post", "rank", "rank_display"}
    assert "id_number" not in response.content.decode()
    person = Member.objects.filter(mission=mission).first().person
    assert person.id_number_masked and person.id_number_masked[-4:] not in response.content.decode()
    # A draft is checked live: only the NOT_IN_PLAN warning.
    assert body["check"]["stored"] is False
    assert [f["rule"] for f in body["check"]["result"]["findings"]] == ["NOT_IN_PLAN"]
    assert body["approval_steps"] == []


def test_another_units_application_is_not_found(api_as, foreign_mission):
    clerk, leader = api_as("unit_clerk"), api_as("unit_leader")
    for client in (clerk, leader):
        assert error(client.get(url(foreign_mission)), 404)["code"] == "not_found"
    error(send(clerk, "post", url(foreign_mission, "submit")), 404)
    for action in ("approve", "return", "reject"):
        error(send(leader, "post", url(foreign_mission, action), {"comment": "x"}), 404)
    error(send(api_as("unit_clerk"), "patch", url(foreign_mission), {"version": 1}), 404)
    assert fresh(foreign_mission).version == 1
    # Who may see it reads it.
    assert api_as("outsider").get(url(foreign_mission)).status_code == 200
    assert api_as("auditor").get(url(foreign_mission)).status_code == 200


def test_the_detail_shows_who_acted_and_on_whose_behalf(api_as, cast, submitted):
    deputy = UserFactory(role=Role.FAO_REVIEWER, full_name="副主任甲", otp=True)
    Delegation.objects.create(
        delegator=cast["fao_head"],
        delegate=deputy,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=5),
        reason="出差",
        created_by=cast["fao_head"],
    )
    for role in ("unit_leader", "fao_reviewer"):
        services.mission_decide(actor=cast[role], mission=submitted, decision="approve")
    services.mission_decide(actor=deputy, mission=submitted, decision="approve", comment="同意")
    body = api_as("auditor").get(url(submitted)).json()
    steps = {s["approver_role"]: s for s in body["approval_steps"]}
    assert steps["unit_leader"]["decided_by"]["full_name"] == cast["unit_leader"].full_name
    assert steps["unit_leader"]["on_behalf_of"] is None
    assert steps["fao_head"]["decided_by"] == {"id": deputy.pk, "full_name": "副主任甲"}
    assert steps["fao_head"]["on_behalf_of"]["id"] == cast["fao_head"].pk
    assert steps["fao_head"]["comment"] == "同意"
    assert steps["committee"]["state"] == "pending"
    assert body["check"]["stored"] is True and body["check"]["policy_version"]


# --- create and change a draft --------------------------------------------------------------


def test_a_clerk_creates_a_draft_with_its_rows_in_one_request(api_as, clerk, people):
    start = timezone.localdate() + timedelta(days=120)
    payload = {
        "title": "赴韩国、日本考察",
        "tasks": "考察",
        "category": "general",
        "departure_date": start.isoformat(),
        "return_date": (start + timedelta(days=5)).isoformat(),
        "out_of_plan": True,
        "out_of_plan_reason": "临时邀请",
        "invitation_source": "foreign_counterpart",
        "inviter": "首尔市政府",
        "stops": [
            {
                "country": "kr",
                "city": "首尔",
                "arrive": start.isoformat(),
                "depart": (start + timedelta(days=3)).isoformat(),
            },
            {
                "country": "JP",
                "city": "东京",
                "arrive": (start + timedelta(days=3)).isoformat(),
                "depart": (start + timedelta(days=5)).isoformat(),
            },
        ],
        "members": [
            {"person": people[0].pk, "task": "带队", "is_leader": True},
            {"person": people[1].pk, "task": "翻译"},
        ],
        "budget": [
            {"stop_number": 2, "currency": "JPY", "lodging_per_day": "18000", "days": 2},
            {"country": "KR", "city": "首尔", "currency": "krw", "meals_per_day": 50000},
        ],
        "budget_total_cny": "30000.00",
    }
    response = send(api_as("unit_clerk"), "post", URL, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    m = Mission.objects.get(pk=body["id"])
    assert m.unit_id == clerk.unit_id and m.state == State.DRAFT and m.created_by == clerk
    assert [s.country for s in m.stops.order_by("order")] == ["KR", "JP"]
    assert [(x.person.name, x.is_leader) for x in m.members.order_by("order")] == [
        ("李雷", True),
        ("韩梅梅", False),
    ]
    tokyo = m.stops.get(country="JP")
    lines = {line.currency: line for line in BudgetLine.objects.filter(mission=m)}
    assert lines["JPY"].stop == tokyo and lines["KRW"].city == "首尔"
    assert body["version"] == m.version and len(body["members"]) == 2
    # Audited like the pages: one event per part saved.
    trail = events(m)
    assert trail[0] == "missions.mission.create"
    for action in ("invitation", "itinerary", "member_add", "members", "budget"):
        assert f"missions.mission.{action}" in trail


def test_what_the_services_refuse_refuses_the_whole_draft(api_as, foreign_person, people):
    client = api_as("unit_clerk")
    trips = AuditEvent.objects.filter(object_type="missions.mission")
    before = (Mission.objects.count(), trips.count())
    payload = {
        "title": "赴法国",
        "members": [{"person": people[0].pk}, {"person": foreign_person.pk}],
    }
    err = error(send(client, "post", URL, payload), 400)
    assert err["code"] == "invalid" and "person" in err["fields"]
    assert (Mission.objects.count(), trips.count()) == before
    # Input the API can tell wrong by itself names the field, nested.
    err = error(send(api_as("unit_clerk"), "post", URL, {"stops": [{"country": "XX"}]}), 400)
    assert "stops[0].country" in err["fields"]
    row = {"person": people[0].pk, "relation": "uncle"}
    err = error(send(client, "post", URL, {"members": [{"task": "x"}, row]}), 400)
    assert set(err["fields"]) == {"members[0].person", "members[1].relation"}
    err = error(send(api_as("unit_clerk"), "post", URL, {"departure_date": "5月1日"}), 400)
    assert "departure_date" in err["fields"]
    err = error(send(api_as("unit_clerk"), "post", URL, {"plan_entry": 999999}), 400)
    assert "plan_entry" in err["fields"]
    assert Mission.objects.count() == before[0]


def test_only_a_clerk_drafts(api_as, mission):
    for role in ("unit_leader", "fao_head", "auditor"):
        client = api_as(role)
        assert error(send(client, "post", URL, {"title": "x"}), 403)["code"] == (
            "permission_denied"
        )
        error(send(client, "patch", url(mission), {"version": mission.version, "title": "x"}), 403)
    assert fresh(mission).title == "赴日本经贸交流"


def test_a_draft_is_changed_with_its_version(api_as, mission):
    client = api_as("unit_clerk")
    stop = mission.stops.get()
    member = mission.members.order_by("order").last()
    response = send(
        client,
        "patch",
        url(mission),
        {
            "version": mission.version,
            "title": "赴日本经贸交流（修改）",
            "stops": [{"id": stop.pk, "city": "大阪"}],
            "members": [{"id": member.pk, "delete": True}],
        },
    )
    assert response.status_code == 200, response.content
    m = fresh(mission)
    assert m.title == "赴日本经贸交流（修改）" and m.version > mission.version
    assert m.stops.get().city == "大阪" and m.members.count() == 1
    assert response.json()["version"] == m.version
    trail = events(m)
    assert trail[-3:] == [
        "missions.mission.update",
        "missions.mission.itinerary",
        "missions.mission.members",
    ]


def test_a_stale_version_is_409_and_saves_nothing(api_as, mission):
    before = state_of(mission)
    response = send(
        api_as("unit_clerk"),
        "patch",
        url(mission),
        {"version": mission.version - 1, "title": "另一个窗口"},
    )
    err = error(response, 409)
    assert err["code"] == "stale_version" and err["message"]
    assert state_of(mission) == before and fresh(mission).title == "赴日本经贸交流"
    err = error(send(api_as("unit_clerk"), "patch", url(mission), {"title": "x"}), 400)
    assert "version" in err["fields"]


def test_a_row_of_another_application_is_refused(api_as, mission, foreign_mission):
    other = foreign_mission.stops.get()
    before = state_of(mission)
    response = send(
        api_as("unit_clerk"),
        "patch",
        url(mission),
        {"version": mission.version, "title": "改", "stops": [{"id": other.pk, "city": "里昂"}]},
    )
    error(response, 400)
    assert state_of(mission) == before and Stop.objects.get(pk=other.pk).city == "巴黎"


def test_the_letter_is_uploaded_and_checked_by_content(api_as, mission):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.missions.conftest import PDF

    client = api_as("unit_clerk")
    fake = SimpleUploadedFile("letter.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(url(mission, "letter"), {"letter": fake, "version": mission.version})
    fields = error(response, 400)["fields"]
    assert set(fields) == {"letter"}  # the field sent, not the form's invitation_letter
    good = SimpleUploadedFile("邀请函.pdf", PDF, content_type="application/pdf")
    response = client.post(url(mission, "letter"), {"letter": good, "version": mission.version})
    assert response.status_code == 200, response.content
    assert fresh(mission).invitation_letter_name == "邀请函.pdf"
    assert events(mission)[-1] == "missions.mission.invitation"


# --- submit ---------------------------------------------------------------------------------


def test_a_clerk_submits_through_the_api(api_as, mission):
    response = send(api_as("unit_clerk"), "post", url(mission, "submit"), {})
    assert response.status_code == 200, response.content
    m = fresh(mission)
    assert response.json() == {
        "id": m.pk,
        "state": "submitted",
        "version": m.version,
        "outcome": "submitted",
    }
    assert m.check_result["verdict"] == "warn"
    assert events(m)[-2:] == ["missions.mission.submit", "approval.chain.start"]
    assert pending(m).approver_role == "unit_leader"


def test_a_policy_error_cannot_be_submitted_and_nothing_changes(api_as, clerk, home_unit):
    m = build_mission(clerk, [PersonFactory(unit=home_unit) for _ in range(7)])
    before = state_of(m)
    response = send(
        api_as("unit_clerk"),
        "post",
        url(m, "submit"),
        {"justifications": {"GROUP_SIZE": "人多"}, "out_of_plan_reason": "新的理由"},
        key="submit-7",
    )
    err = error(response, 400)
    # The refusal names the rule by its title, as a person reads it (the check result keeps
    # the rule's code for programs: its findings).
    assert "（团组人数上限）" in json.dumps(err["fields"], ensure_ascii=False)
    assert state_of(m) == before
    assert pending(m) is None


def test_a_warning_needs_a_justification_sent_in_the_body(api_as, clerk, people):
    m = build_mission(clerk, people, days_ahead=30)  # LEAD_TIME warns
    client = api_as("unit_clerk")
    before = state_of(m)
    err = error(send(client, "post", url(m, "submit"), {}), 400)
    assert "justifications" in err["fields"]
    assert state_of(m) == before
    body = {"version": m.version, "justifications": {"LEAD_TIME": "对方会议日期临时确定"}}
    response = send(client, "post", url(m, "submit"), body)
    assert response.status_code == 200, response.content
    assert fresh(m).justifications["LEAD_TIME"] == "对方会议日期临时确定"


def test_the_out_of_plan_reason_is_given_with_the_submission(api_as, clerk, people):
    m = build_mission(clerk, people)
    m = services.mission_update_basics(
        actor=clerk, mission=m, version=m.version, out_of_plan_reason=""
    )
    client = api_as("unit_clerk")
    err = error(send(client, "post", url(m, "submit"), {}), 400)
    assert "out_of_plan_reason" in err["fields"]
    response = send(client, "post", url(m, "submit"), {"out_of_plan_reason": "临时邀请"})
    assert response.status_code == 200, response.content
    m = fresh(m)
    assert m.state == State.SUBMITTED and m.out_of_plan_reason == "临时邀请"


def test_a_stale_version_on_submit_is_409(api_as, mission):
    before = state_of(mission)
    body = {"version": mission.version - 1}
    assert error(send(api_as("unit_clerk"), "post", url(mission, "submit"), body), 409)
    assert state_of(mission) == before


def test_submit_with_an_idempotency_key_writes_once(api_as, mission):
    client = api_as("unit_clerk")
    first = send(client, "post", url(mission, "submit"), {}, key="submit-1")
    again = send(client, "post", url(mission, "submit"), {}, key="submit-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert events(mission).count("missions.mission.submit") == 1
    assert ApprovalStep.objects.filter(subject_id=mission.pk, round=1).count() == len(CHAIN)
    # Without the key the retry is refused: it is no longer a draft.
    error(send(client, "post", url(mission, "submit"), {}), 400)
    # The same key for another request is refused.
    other = send(client, "post", url(mission, "submit"), {"justifications": {}}, key="submit-1")
    assert error(other, 422)["code"] == "idempotency_key_reused"


def test_only_the_units_clerk_submits(api_as, mission):
    before = state_of(mission)
    for role in ("unit_leader", "fao_head", "auditor", "outsider"):
        response = send(api_as(role), "post", url(mission, "submit"), {})
        assert response.status_code in (403, 404)
        if role != "outsider":
            assert error(response, 403)["code"] == "permission_denied"
    assert state_of(mission) == before


# --- decisions ------------------------------------------------------------------------------


def test_approve_with_an_idempotency_key_decides_one_step(api_as, submitted, cast):
    client = api_as("unit_leader")
    first = send(client, "post", url(submitted, "approve"), {"comment": "同意"}, key="a-1")
    again = send(client, "post", url(submitted, "approve"), {"comment": "同意"}, key="a-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json() == again.json()
    assert first.json()["outcome"] == "next" and first.json()["state"] == "in_review"
    assert again["Idempotent-Replayed"] == "true"
    decided = ApprovalStep.objects.filter(subject_id=submitted.pk, decided_by__isnull=False)
    assert decided.count() == 1 and decided.get().decided_by == cast["unit_leader"]
    assert events(submitted).count("approval.step.approve") == 1
    assert pending(submitted).approver_role == "fao_reviewer"


@pytest.mark.concurrency
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: a waiting unique index"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_of_an_approval_decide_once(cast, make_token, clerk, people):
    m = services.mission_submit(actor=clerk, mission=build_mission(clerk, people))
    raw = make_token(cast["unit_leader"])[1]
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def approve() -> None:
        try:
            barrier.wait()
            response = send(bearer(raw), "post", url(m, "approve"), {"comment": "同意"}, key="race")
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [status for status, _body in answers] == [200] * 4, answers
    assert len({json.dumps(body, sort_keys=True) for _status, body in answers}) == 1
    decided = ApprovalStep.objects.filter(subject_id=m.pk, decided_by__isnull=False)
    assert decided.count() == 1
    assert events(m).count("approval.step.approve") == 1


def test_the_whole_chain_approves_through_the_api(api_as, submitted, cast):
    exempt(cast, submitted)
    outcomes = []
    for role in CHAIN:
        response = send(api_as(role), "post", url(submitted, "approve"), {"comment": "同意"})
        assert response.status_code == 200, response.content
        outcomes.append(response.json()["outcome"])
    assert outcomes == ["next", "next", "next", "approved"]
    assert fresh(submitted).state == State.APPROVED
    assert events(submitted)[-1] == "missions.mission.approve"


def test_who_may_not_decide_is_refused(api_as, submitted):
    before = state_of(submitted)
    # Not an approver at all.
    for role in ("unit_clerk", "auditor"):
        err = error(send(api_as(role), "post", url(submitted, "approve"), {}), 403)
        assert err["code"] == "permission_denied"
    # An approver whose step it is not (yet).
    assert error(send(api_as("fao_head"), "post", url(submitted, "approve"), {}), 403)
    assert state_of(submitted) == before


def test_a_policy_error_blocks_approval(api_as, submitted):
    for i in range(6):
        Member.objects.create(
            mission=submitted, person=PersonFactory(unit=submitted.unit), task="随团", order=10 + i
        )
    before = state_of(submitted)
    err = error(send(api_as("unit_leader"), "post", url(submitted, "approve"), {}, key="k"), 400)
    # The refusal names the rule by its title, as a person reads it (the check result keeps
    # the rule's code for programs: its findings).
    assert "（团组人数上限）" in json.dumps(err["fields"], ensure_ascii=False)
    assert state_of(submitted) == before


def test_return_needs_a_comment_and_keeps_the_comments_per_field(api_as, submitted):
    client = api_as("unit_leader")
    before = state_of(submitted)
    err = error(send(client, "post", url(submitted, "return"), {"comment": "  "}), 400)
    assert "comment" in err["fields"]
    err = error(
        send(
            client,
            "post",
            url(submitted, "return"),
            {"comment": "改", "field_comments": {"x": "y"}},
        ),
        400,
    )
    assert "field_comments" in err["fields"]
    assert state_of(submitted) == before
    body = {"comment": "请修改后再报", "field_comments": {"budget": "住宿费超标准"}}
    response = send(client, "post", url(submitted, "return"), body, key="r-1")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "returned"
    assert fresh(submitted).state == State.RETURNED
    step = ApprovalStep.objects.get(subject_id=submitted.pk, state="returned")
    assert step.comment == "请修改后再报" and step.field_comments == {"budget": "住宿费超标准"}
    # The clerk changes it and resubmits through the API.
    m = fresh(submitted)
    clerk = api_as("unit_clerk")
    patched = send(clerk, "patch", url(m), {"version": m.version, "budget_total_cny": "28000"})
    assert patched.status_code == 200, patched.content
    response = send(clerk, "post", url(m, "submit"), {"version": patched.json()["version"]})
    assert response.status_code == 200, response.content
    assert events(m)[-2:] == ["missions.mission.resubmit", "approval.chain.start"]


def test_reject_needs_a_comment(api_as, submitted):
    client = api_as("unit_leader")
    assert "comment" in error(send(client, "post", url(submitted, "reject"), {}), 400)["fields"]
    response = send(client, "post", url(submitted, "reject"), {"comment": "不符合规定"})
    assert response.status_code == 200 and response.json()["outcome"] == "rejected"
    assert fresh(submitted).state == State.REJECTED


def test_a_draft_has_nothing_to_decide(api_as, mission):
    err = error(send(api_as("unit_leader"), "post", url(mission, "approve"), {}), 400)
    assert err["code"] == "invalid"


# --- schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_mission_endpoints(api_as):
    schema = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/missions/",
        "/api/v1/missions/{mission_pk}/",
        "/api/v1/missions/{mission_pk}/letter/",
        "/api/v1/missions/{mission_pk}/submit/",
        "/api/v1/missions/{mission_pk}/approve/",
        "/api/v1/missions/{mission_pk}/return/",
        "/api/v1/missions/{mission_pk}/reject/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/missions/"]) >= {"get", "post"}
    assert set(paths["/api/v1/missions/{mission_pk}/"]) >= {"get", "patch"}
    submit = paths["/api/v1/missions/{mission_pk}/submit/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in submit["parameters"]}
    assert {"200", "400", "403", "404", "409", "422"} <= set(submit["responses"])
    patch = paths["/api/v1/missions/{mission_pk}/"]["patch"]
    assert "409" in patch["responses"]
