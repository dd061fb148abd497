"""Supervised tasks (督办事项) over the API: reads scoped as the pages (a unit sees the
tasks it leads or supports, another unit's is 404), every step of the flow through
``followups.supervision`` with an Idempotency-Key, refusals in the one error shape with
nothing changed, labels beside codes, and the endpoints in the schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from tests.api.conftest import error, ok, send
from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory, UserFactory
from waishi.audit.models import AuditEvent
from waishi.followups import services, supervision
from waishi.followups.models import (
    Extension,
    Outcome,
    ProgressUpdate,
    Review,
    State,
    Track,
    Urge,
)
from waishi.lib.roles import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
READERS = ("fao_reviewer", "fao_head", "committee", "auditor")
NOT_READERS = ("district_officer", "city_command", "sys_admin", "security_admin", "audit_admin")


def url(task, action: str = "") -> str:
    return f"{URL}{task.pk}/" + (f"{action}/" if action else "")


def later(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def trail(task) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="followups.outcome", object_id=str(task.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def snapshot(task) -> tuple:
    t = Outcome.objects.get(pk=task.pk)
    return (
        t.state,
        t.title,
        t.due_date,
        t.responsible_unit_id,
        t.responsible_person_id,
        sorted(t.supporting_units.values_list("pk", flat=True)),
        t.drop_reason,
        t.redirect_reason,
        ProgressUpdate.objects.filter(outcome=t).count(),
        Urge.objects.filter(outcome=t).count(),
        Review.objects.filter(outcome=t).count(),
        list(Extension.objects.filter(outcome=t).values_list("state", flat=True)),
        len(trail(t)),
    )


def pdf(name: str = "纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def office(cast):
    return cast["fao_reviewer"]


@pytest.fixture
def register(office, home_person):
    """register(**changes) -> a task led by the home unit, assigned unless assign=False."""

    def make(**changes):
        values = {
            "actor": office,
            "title": "落实市外事工作委员会第一次全体会议决定事项",
            "source_kind": "minutes",
            "lead_unit": home_person.unit,
            "responsible_person": home_person,
            "due_date": later(30),
            "assign": True,
            **changes,
        }
        return supervision.task_register(**values)

    return make


@pytest.fixture
def task(register):
    return register()


@pytest.fixture
def working(cast, task):
    """The task accepted by the home unit: in progress."""
    return supervision.task_accept(actor=cast["unit_leader"], task=task)


@pytest.fixture
def foreign_task(register, foreign_person):
    return register(
        title=f"{FOREIGN_MARKER}牵头的督办事项",
        lead_unit=foreign_person.unit,
        responsible_person=foreign_person,
    )


@pytest.fixture
def supported(register, foreign_person, home_unit):
    """A task the foreign unit leads and the home unit supports, in progress (its
    responsible person is named to the supporting unit: not the one kept from it)."""
    made = register(
        title="外单位牵头、本单位配合的事项",
        lead_unit=foreign_person.unit,
        responsible_person=PersonFactory(name="李老师", unit=foreign_person.unit),
        supporting_units=[home_unit],
    )
    foreign_leader = UserFactory(
        username="foreign_leader", role=Role.UNIT_LEADER, unit=foreign_person.unit
    )
    return supervision.task_accept(actor=foreign_leader, task=made)


def _payload(person, **extra) -> dict:
    return {
        "title": "落实领导批示：推进友城合作",
        "source_kind": "instruction",
        "urgency": "ordinary",
        "instructed_by": "市领导",
        "lead_unit": person.unit_id,
        "responsible_person": person.pk,
        **extra,
    }


# --- reads ----------------------------------------------------------------------------------


def test_a_unit_sees_the_tasks_it_leads_or_supports(api_as, task, foreign_task, supported):
    body = ok(api_as("unit_clerk").get(URL))
    assert {r["id"] for r in body["results"]} == {task.pk, supported.pk}
    assert FOREIGN_MARKER not in json.dumps(body, ensure_ascii=False)
    row = next(r for r in body["results"] if r["id"] == task.pk)
    assert row["number"] == task.number and row["number"].startswith("督办〔")
    assert row["lead_unit"]["code"] == "U-HOME" and row["responsible_person"]["name"] == "张三"
    assert row["state"] == "assigned" and row["state_display"] == "待承办"
    assert row["source_kind"] == "minutes" and row["source_kind_display"] == "会议纪要决定事项"
    assert row["colour"] == "" and row["colour_display"]
    shared = next(r for r in body["results"] if r["id"] == supported.pk)
    assert [u["code"] for u in shared["supporting_units"]] == ["U-HOME"]
    assert {r["id"] for r in ok(api_as("outsider").get(URL))["results"]} == {
        foreign_task.pk,
        supported.pk,
    }
    for role in READERS:
        ids = {r["id"] for r in ok(api_as(role).get(URL))["results"]}
        assert ids == {task.pk, foreign_task.pk, supported.pk}, role


def test_trip_outcomes_are_not_tasks(api_as, cast, task, home_person):
    outcome = services.outcome_create(
        actor=cast["unit_clerk"],
        title="与汉堡市签署经贸合作备忘录",
        kind="agreement",
        responsible_person=home_person,
        responsible_unit=home_person.unit,
        due_date=later(30),
    )
    assert {r["id"] for r in ok(api_as("fao_reviewer").get(URL))["results"]} == {task.pk}
    error(api_as("fao_reviewer").get(f"{URL}{outcome.pk}/"), 404)
    error(send(api_as("unit_leader"), "post", f"{URL}{outcome.pk}/accept/"), 404)
    assert Outcome.objects.get(pk=outcome.pk).state == State.OPEN
    # Nor is a task an outcome: the follow-ups endpoints do not show or change it.
    client = api_as("unit_leader")
    assert {r["id"] for r in ok(client.get("/api/v1/followups/"))["results"]} == {outcome.pk}
    error(client.get(f"/api/v1/followups/{task.pk}/"), 404)
    error(send(client, "post", f"/api/v1/followups/{task.pk}/progress/", {"text": "x"}), 404)
    error(send(client, "post", f"/api/v1/followups/{task.pk}/complete/"), 404)
    assert Outcome.objects.get(pk=task.pk).state == State.ASSIGNED


def test_the_list_filters(api_as, register, foreign_person, home_unit, task):
    late = register(title="逾期的事项", due_date=later(1), source_kind="document")
    Outcome.objects.filter(pk=late.pk).update(due_date=later(-3))
    instruction = register(
        title="领导批示事项",
        source_kind="instruction",
        urgency="urgent",
        lead_unit=foreign_person.unit,
        responsible_person=foreign_person,
        supporting_units=[home_unit],
        assign=False,
    )
    client = api_as("fao_head")

    def ids(**query) -> set[int]:
        return {r["id"] for r in ok(client.get(URL, query))["results"]}

    assert ids(colour="red") == {late.pk}
    assert ids(colour="none") == {task.pk, instruction.pk}  # registered: not given yet
    assert ids(source_kind="instruction") == {instruction.pk}
    assert ids(state="registered") == {instruction.pk}
    assert ids(state="open") == {task.pk, late.pk, instruction.pk}
    assert ids(state="done") == set()
    assert ids(unit=foreign_person.unit_id) == {instruction.pk}
    assert ids(unit=home_unit.pk) == {task.pk, late.pk, instruction.pk}
    assert ids(q="批示") == {instruction.pk}
    assert ids(year=timezone.localdate().year) == {task.pk, late.pk, instruction.pk}
    row = next(r for r in ok(client.get(URL))["results"] if r["id"] == late.pk)
    assert row["colour"] == "red" and row["colour_display"] == "红色警告"
    for bad in (
        {"state": "overdue"},
        {"colour": "green"},
        {"source_kind": "gift"},
        {"unit": "x"},
        {"unit": "0"},
        {"year": "1999"},
        {"page": "2"},
    ):
        assert set(bad) <= set(error(client.get(URL, bad), 400)["fields"]), bad


def test_the_detail_has_labels_and_what_the_caller_may_do(api_as, cast, working):
    supervision.task_progress(actor=cast["unit_clerk"], task=working, text="已召开专题会议")
    body = ok(api_as("unit_leader").get(url(working)))
    assert body["state"] == "in_progress" and body["state_display"] == "落实中"
    (report,) = body["reports"]
    assert report["kind"] == "progress" and report["kind_display"]
    assert report["unit"]["code"] == "U-HOME" and report["evidence_url"] is None
    actions = body["actions"]
    assert actions["progress"] and actions["feedback"] and actions["extend"]
    assert not actions["close"] and not actions["assign"] and not actions["support"]
    office = ok(api_as("fao_reviewer").get(url(working)))["actions"]
    assert office["urge"] and not office["progress"] and not office["drop"]
    assert ok(api_as("fao_head").get(url(working)))["actions"]["drop"]
    assert not any(ok(api_as("auditor").get(url(working)))["actions"].values())
    assert not any(ok(api_as("committee").get(url(working)))["actions"].values())


def test_another_units_task_is_not_found_and_not_changed(api_as, foreign_task):
    before = snapshot(foreign_task)
    clerk, leader = api_as("unit_clerk"), api_as("unit_leader")
    assert error(clerk.get(url(foreign_task)), 404)["code"] == "not_found"
    error(send(leader, "post", url(foreign_task, "accept")), 404)
    error(send(leader, "post", url(foreign_task, "ask-redirect"), {"reason": "不属本单位"}), 404)
    error(send(clerk, "post", url(foreign_task, "progress"), {"text": "x"}), 404)
    error(send(clerk, "post", url(foreign_task, "support"), {"text": "x"}), 404)
    error(
        send(
            clerk,
            "post",
            url(foreign_task, "extension"),
            {"requested_date": later(60).isoformat(), "reason": "x"},
        ),
        404,
    )
    assert snapshot(foreign_task) == before


def test_roles_without_tasks_are_refused(api_as, task):
    for role in NOT_READERS:
        client = api_as(role)
        assert error(client.get(URL), 403)["code"] == "permission_denied", role
        error(client.get(url(task)), 403)
        error(client.get(f"{URL}board/"), 403)


# --- a supporting unit, the auditor ---------------------------------------------------------


def test_a_supporting_unit_sees_reports_its_part_but_cannot_act_for_the_lead(
    api_as, cast, supported
):
    leader = api_as("unit_leader")
    body = ok(leader.get(url(supported)))
    assert body["lead_unit"]["code"] == "U-FOREIGN"
    assert body["actions"]["support"] is True
    assert not any(v for k, v in body["actions"].items() if k != "support")
    before = snapshot(supported)
    for action, payload in (
        ("progress", {"text": "代为报告"}),
        ("feedback", {"text": "已办结"}),
        ("extension", {"requested_date": later(90).isoformat(), "reason": "x"}),
    ):
        assert error(send(leader, "post", url(supported, action), payload), 403)["code"] == (
            "permission_denied"
        ), action
    # Closing is the office's: a unit role is refused before the task is read.
    assert error(send(leader, "post", url(supported, "close"), {}), 403)["code"] == (
        "permission_denied"
    )
    assert snapshot(supported) == before
    response = leader.post(
        url(supported, "support"), {"text": "本单位已完成配合材料", "evidence": pdf()}
    )
    body = ok(response, 201)
    report = body["reports"][0]
    assert report["kind"] == "support" and report["unit"]["code"] == "U-HOME"
    assert report["has_evidence"] and report["evidence_name"] == "纪要.pdf"
    download = api_as("unit_clerk").get(report["evidence_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert trail(supported).count("followups.task.support") == 1


def test_the_auditor_reads_everything_and_writes_nothing(api_as, working, foreign_task):
    client = api_as("auditor")
    assert ok(client.get(url(foreign_task)))["id"] == foreign_task.pk
    ok(client.get(f"{URL}board/"))
    ok(client.get(f"{URL}on-time/"))
    before = snapshot(working)
    writes = [
        ("", {}),
        ("assign", {}),
        ("accept", {}),
        ("ask-redirect", {"reason": "x"}),
        ("keep", {"reason": "x"}),
        ("progress", {"text": "x"}),
        ("support", {"text": "x"}),
        ("urge", {"method": "phone", "text": "x"}),
        ("feedback", {"text": "x"}),
        ("close", {}),
        ("return", {"reason": "x"}),
        ("archive", {}),
        ("drop", {"reason": "x"}),
        ("extension", {"requested_date": later(60).isoformat(), "reason": "x"}),
        ("extension/decide", {"grant": True}),
    ]
    for action, payload in writes:
        path = url(working, action) if action else URL
        err = error(send(client, "post", path, payload), 403)
        assert err["code"] == "permission_denied" and err["message"], action
    assert snapshot(working) == before


# --- registering ----------------------------------------------------------------------------


def test_the_office_registers_a_task_once_per_key(api_as, office, home_person, foreign_unit):
    client = api_as("fao_reviewer")
    payload = _payload(home_person, supporting_units=[foreign_unit.pk], assign=True)
    first = send(client, "post", URL, payload, key="t-1")
    again = send(client, "post", URL, payload, key="t-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    task = Outcome.objects.get(track=Track.TASK)
    body = first.json()
    assert body["id"] == task.pk and body["state"] == "assigned" and body["number"]
    assert body["urgency"] == "ordinary" and body["urgency_display"] == "一般"
    assert body["source_kind_display"] == "领导批示"
    assert [u["id"] for u in body["supporting_units"]] == [foreign_unit.pk]
    assert body["due_date"] == task.due_date.isoformat() > timezone.localdate().isoformat()
    assert body["original_due_date"] == body["due_date"]
    assert trail(task) == ["followups.task.register", "followups.task.assign"]
    reused = send(client, "post", URL, {**payload, "title": "另一件事"}, key="t-1")
    assert error(reused, 422)["code"] == "idempotency_key_reused"
    assert Outcome.objects.filter(track=Track.TASK).count() == 1


def test_bad_tasks_name_the_field_and_record_nothing(api_as, home_person, foreign_person):
    client = api_as("fao_head")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    for payload, field in (
        (_payload(home_person, title=""), "title"),
        (_payload(home_person, source_kind="gossip"), "source_kind"),
        (_payload(home_person, urgency=""), "urgency"),
        (_payload(home_person, lead_unit=999999), "lead_unit"),
        (_payload(home_person, responsible_person=foreign_person.pk), "responsible_person"),
        (_payload(home_person, supporting_units=[home_person.unit_id]), "supporting_units"),
        (_payload(home_person, supporting_units=[999999]), "supporting_units"),
        (_payload(home_person, supporting_units="x"), "supporting_units"),
        (_payload(home_person, due_date=yesterday), "due_date"),
        (_payload(home_person, due_date="9999-12-31"), "due_date"),
        (_payload(home_person, due_date="下个月"), "due_date"),
        (_payload(home_person, source_type="nowhere.thing", source_id=1), "source_type"),
    ):
        err = error(send(client, "post", URL, payload, key="same"), 400)
        assert field in err["fields"], (payload, err)
        assert all(isinstance(m, str) and m for m in err["fields"][field])
    assert not Outcome.objects.filter(track=Track.TASK).exists()
    for role in ("unit_clerk", "unit_leader", "committee", "auditor"):
        err = error(send(api_as(role), "post", URL, _payload(home_person)), 403)
        assert err["code"] == "permission_denied"
    assert not Outcome.objects.exists()


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_refusals_are_in_chinese(api_as, home_person, working):
    err = error(send(api_as("fao_head"), "post", URL, _payload(home_person, title="")), 400)
    assert chinese(err["message"]) and chinese(err["fields"]["title"][0])
    err = error(send(api_as("unit_clerk"), "post", URL, _payload(home_person)), 403)
    assert err["message"] == "只有督办机构可以为督办事项立项。"
    err = error(send(api_as("unit_leader"), "post", url(working, "close")), 403)
    assert err["message"] == "只有督办机构可以将督办事项办结销号。"
    err = error(send(api_as("fao_reviewer"), "post", url(working, "archive")), 400)
    assert chinese(err["fields"]["non_field_errors"][0]), err
    decide = send(api_as("fao_reviewer"), "post", url(working, "extension/decide"), {"grant": True})
    err = error(decide, 400)
    assert err["fields"]["non_field_errors"] == ["没有待审批的延期申请。"]


# --- the flow -------------------------------------------------------------------------------


def test_the_flow_from_assignment_to_the_archive(api_as, register):
    task = register(assign=False)
    office, head, leader, clerk = (
        api_as("fao_reviewer"),
        api_as("fao_head"),
        api_as("unit_leader"),
        api_as("unit_clerk"),
    )
    assert ok(clerk.get(url(task)))["actions"]["accept"] is False
    body = ok(send(office, "post", url(task, "assign"), key="a-1"))
    assert body["state"] == "assigned" and body["number"].startswith("督办〔")
    assert ok(send(office, "post", url(task, "assign"), key="a-1")) == body
    body = ok(send(clerk, "post", url(task, "accept"), key="b-1"))
    assert body["state"] == "in_progress" and body["accepted_at"]
    body = ok(
        send(office, "post", url(task, "urge"), {"method": "phone", "text": "请加快进度"}, key="u"),
        201,
    )
    (urge,) = body["urges"]
    assert urge["method"] == "phone" and urge["method_display"] == "电话" and urge["text"]
    assert ok(clerk.get(url(task)))["urges"][0]["text"] == "请加快进度"
    body = ok(send(clerk, "post", url(task, "progress"), {"text": "已起草方案"}, key="p-1"), 201)
    assert [r["kind"] for r in body["reports"]] == ["progress"]
    first = leader.post(
        url(task, "feedback"),
        {"text": "方案已印发", "evidence": pdf("方案.pdf")},
        HTTP_IDEMPOTENCY_KEY="f-1",
    )
    body = ok(first, 201)
    assert body["state"] == "feedback" and body["reports"][0]["has_evidence"] is True
    again = leader.post(
        url(task, "feedback"),
        {"text": "方案已印发", "evidence": pdf("方案.pdf")},
        HTTP_IDEMPOTENCY_KEY="f-1",
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert ProgressUpdate.objects.filter(outcome=task, kind="feedback").count() == 1
    assert (
        "reason" in error(send(office, "post", url(task, "return"), {"reason": " "}), 400)["fields"]
    )
    body = ok(send(office, "post", url(task, "return"), {"reason": "未见落实成效"}, key="r-1"))
    assert body["state"] == "returned" and body["colour"] == "yellow"
    assert body["reviews"][0]["decision"] == "returned" and body["reviews"][0]["decision_display"]
    body = ok(send(leader, "post", url(task, "feedback"), {"text": "已补充落实"}, key="f-2"), 201)
    assert [r["kind"] for r in body["reports"]] == ["feedback", "feedback", "progress"]
    error(send(clerk, "post", url(task, "close")), 403)
    body = ok(send(office, "post", url(task, "close"), {"comment": "同意办结"}, key="c-1"))
    assert body["state"] == "done" and body["done_at"] and body["colour"] == ""
    assert [r["decision"] for r in body["reviews"]] == ["accepted", "returned"]
    body = ok(send(office, "post", url(task, "archive"), key="z-1"))
    assert body["state"] == "archived" and body["archived_at"]
    assert not any(body["actions"].values())
    assert not any(ok(head.get(url(task)))["actions"].values())
    assert trail(task) == [
        "followups.task.register",
        "followups.task.assign",
        "followups.task.accept",
        "followups.task.urge",
        "followups.task.progress",
        "followups.task.feedback",
        "followups.task.return",
        "followups.task.feedback",
        "followups.task.close",
        "followups.task.archive",
    ]


def test_a_step_out_of_turn_is_refused_and_changes_nothing(api_as, task):
    before = snapshot(task)
    office, leader = api_as("fao_reviewer"), api_as("unit_leader")
    for client, action, payload in (
        (office, "assign", {}),
        (office, "close", {}),
        (office, "archive", {}),
        (office, "return", {"reason": "x"}),
        (office, "redirect", {"lead_unit": 1, "responsible_person": 1}),
        (office, "keep", {"reason": "x"}),
        (leader, "progress", {"text": "x"}),
        (leader, "feedback", {"text": "x"}),
        (leader, "extension", {"requested_date": later(60).isoformat(), "reason": "x"}),
        (office, "extension/decide", {"grant": True}),
    ):
        err = error(send(client, "post", url(task, action), payload, key=f"k-{action}"), 400)
        assert err["code"] == "invalid" and (err["fields"] or err["message"]), action
    assert snapshot(task) == before


def test_bad_input_to_each_step_is_400_and_changes_nothing(api_as, working):
    before = snapshot(working)
    office, leader = api_as("fao_reviewer"), api_as("unit_leader")
    for client, action, payload, field in (
        (leader, "progress", {}, "text"),
        (leader, "progress", {"text": "x" * 5001}, "text"),
        (leader, "feedback", {"text": ""}, "text"),
        (office, "urge", {"method": "fax", "text": "x"}, "method"),
        (office, "urge", {"method": "phone"}, "text"),
        (leader, "extension", {"reason": "x"}, "requested_date"),
        (leader, "extension", {"requested_date": "2200-01-01", "reason": "x"}, "requested_date"),
        (
            leader,
            "extension",
            {"requested_date": later(-1).isoformat(), "reason": "x"},
            "requested_date",
        ),
        (leader, "extension", {"requested_date": later(60).isoformat()}, "reason"),
        (office, "return", {}, "reason"),
        (api_as("fao_head"), "drop", {"reason": ""}, "reason"),
    ):
        err = error(send(client, "post", url(working, action), payload), 400)
        assert field in err["fields"], (action, payload, err)
    fake = SimpleUploadedFile("纪要.pdf", b"MZ not a pdf", content_type="application/pdf")
    err = error(leader.post(url(working, "progress"), {"text": "x", "evidence": fake}), 400)
    assert "evidence" in err["fields"]
    assert snapshot(working) == before


def test_redirect_asked_then_decided_either_way(api_as, register, foreign_person):
    task = register()
    leader, office = api_as("unit_leader"), api_as("fao_reviewer")
    payload = {"reason": "该事项属教育领域，建议由市教育局牵头"}
    body = ok(send(leader, "post", url(task, "ask-redirect"), payload, key="ar-1"))
    assert body["state"] == "redirect_asked" and body["redirect_reason"] == payload["reason"]
    assert ok(office.get(url(task)))["actions"]["redirect"] is True
    body = ok(send(office, "post", url(task, "keep"), {"reason": "仍由本单位牵头"}, key="k-1"))
    assert body["state"] == "assigned" and body["lead_unit"]["code"] == "U-HOME"
    ok(send(leader, "post", url(task, "ask-redirect"), payload))
    before = snapshot(task)
    mismatch = {
        "lead_unit": foreign_person.unit_id,
        "responsible_person": task.responsible_person_id,
    }
    assert (
        "responsible_person"
        in error(send(office, "post", url(task, "redirect"), mismatch), 400)["fields"]
    )
    unknown = {"lead_unit": 999999, "responsible_person": foreign_person.pk}
    assert "lead_unit" in error(send(office, "post", url(task, "redirect"), unknown), 400)["fields"]
    assert snapshot(task) == before
    moved = {"lead_unit": foreign_person.unit_id, "responsible_person": foreign_person.pk}
    body = ok(send(office, "post", url(task, "redirect"), moved, key="rd-1"))
    assert body["state"] == "assigned" and body["lead_unit"]["code"] == "U-FOREIGN"
    # The home unit no longer leads nor supports it.
    error(api_as("unit_clerk").get(url(task)), 404)
    assert ok(api_as("outsider").get(url(task)))["actions"]["accept"] is True


def test_only_the_head_drops_a_task(api_as, working):
    before = snapshot(working)
    for role in ("fao_reviewer", "unit_leader"):
        err = error(send(api_as(role), "post", url(working, "drop"), {"reason": "x"}), 403)
        assert err["code"] == "permission_denied"
    assert snapshot(working) == before
    body = ok(
        send(api_as("fao_head"), "post", url(working, "drop"), {"reason": "情况变化"}, key="d")
    )
    assert body["state"] == "dropped" and body["drop_reason"] == "情况变化"
    assert body["state_display"]


def test_an_extension_is_asked_before_the_deadline_and_decided(api_as, working):
    leader, office = api_as("unit_leader"), api_as("fao_reviewer")
    original = working.due_date
    error(send(office, "post", url(working, "extension/decide"), {"grant": True}), 400)
    asked = {
        "requested_date": (original + dt.timedelta(days=20)).isoformat(),
        "reason": "需协调外方",
    }
    body = ok(send(leader, "post", url(working, "extension"), asked, key="e-1"), 201)
    assert ok(send(leader, "post", url(working, "extension"), asked, key="e-1"), 201) == body
    (extension,) = body["extensions"]
    assert extension["state"] == "asked" and extension["state_display"]
    assert extension["due_before"] == original.isoformat()
    assert body["actions"]["extend"] is False
    assert ok(office.get(url(working)))["actions"]["decide_extension"] is True
    err = error(send(leader, "post", url(working, "extension"), asked), 400)
    assert err["code"] == "invalid"
    error(send(leader, "post", url(working, "extension/decide"), {"grant": True}), 403)
    assert (
        "grant" in error(send(office, "post", url(working, "extension/decide"), {}), 400)["fields"]
    )
    body = ok(send(office, "post", url(working, "extension/decide"), {"grant": True}, key="g-1"))
    assert body["due_date"] == asked["requested_date"]
    assert body["original_due_date"] == original.isoformat()
    assert body["extensions"][0]["state"] == "granted" and body["extensions"][0]["decided_by"]
    # Asked again, refused with a reason (required).
    asked2 = {"requested_date": (original + dt.timedelta(days=40)).isoformat(), "reason": "再延"}
    ok(send(leader, "post", url(working, "extension"), asked2), 201)
    before = snapshot(working)
    err = error(send(office, "post", url(working, "extension/decide"), {"grant": False}), 400)
    assert "reason" in err["fields"]
    assert snapshot(working) == before
    body = ok(
        send(
            office, "post", url(working, "extension/decide"), {"grant": False, "reason": "不予延期"}
        )
    )
    assert body["extensions"][0]["state"] == "refused"
    assert body["due_date"] == asked["requested_date"]


def test_an_extension_asked_after_the_deadline_is_refused(api_as, working):
    Outcome.objects.filter(pk=working.pk).update(due_date=later(-1))
    before = snapshot(working)
    asked = {"requested_date": later(30).isoformat(), "reason": "来不及"}
    err = error(send(api_as("unit_leader"), "post", url(working, "extension"), asked), 400)
    assert err["code"] == "invalid"
    assert snapshot(working) == before
    assert ok(api_as("unit_leader").get(url(working)))["actions"]["extend"] is False


def test_a_large_upload_with_a_key_is_refused_by_name(api_as, working, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    big = SimpleUploadedFile(
        "纪要.pdf", PDF + b"%" * (2 * 1024 * 1024), content_type="application/pdf"
    )
    response = api_as("unit_clerk").post(
        url(working, "progress"), {"text": "签约", "evidence": big}, HTTP_IDEMPOTENCY_KEY="big"
    )
    assert "evidence" in error(response, 400)["fields"]
    assert not ProgressUpdate.objects.filter(outcome=working).exists()


# --- the board and the on-time table --------------------------------------------------------


def test_the_board_counts_by_colour_source_and_unit(api_as, register, foreign_person, task):
    late = register(title="逾期的事项", source_kind="document")
    Outcome.objects.filter(pk=late.pk).update(due_date=later(-2))
    register(title="外单位事项", lead_unit=foreign_person.unit, responsible_person=foreign_person)
    body = ok(api_as("fao_head").get(f"{URL}board/"))
    assert body["total"] == 3
    colours = {c["colour"]: c["count"] for c in body["by_colour"]}
    assert colours == {"red": 1, "yellow": 0, "blue": 0, "": 2}
    assert all(c["colour_display"] for c in body["by_colour"])
    sources = {s["source_kind"]: (s["total"], s["red"]) for s in body["by_source"]}
    assert sources == {"minutes": (2, 0), "document": (1, 1)}
    assert all(s["source_kind_display"] for s in body["by_source"])
    units = [(u["unit"]["code"], u["total"], u["red"]) for u in body["by_unit"]]
    assert units == [("U-HOME", 2, 1), ("U-FOREIGN", 1, 0)]
    home = ok(api_as("unit_clerk").get(f"{URL}board/"))
    assert home["total"] == 2 and [u["unit"]["code"] for u in home["by_unit"]] == ["U-HOME"]


def test_the_on_time_table(api_as, register, cast):
    done = register(title="按期办结", due_date=later(0))
    supervision.task_accept(actor=cast["unit_leader"], task=done)
    supervision.task_feedback(actor=cast["unit_leader"], task=done, text="已完成")
    supervision.task_close(actor=cast["fao_reviewer"], task=done)
    year = done.due_date.year
    body = ok(api_as("fao_reviewer").get(f"{URL}on-time/", {"year": year}))
    (row,) = body
    assert row["unit"]["code"] == "U-HOME" and row["due"] == 1 and row["on_time"] == 1
    assert row["rate"] == 1.0
    assert ok(api_as("fao_reviewer").get(f"{URL}on-time/", {"year": year - 1})) == []
    assert ok(api_as("outsider").get(f"{URL}on-time/", {"year": year})) == []
    for bad in ("x", "1999", "2101"):
        assert (
            "year"
            in error(api_as("fao_reviewer").get(f"{URL}on-time/", {"year": bad}), 400)["fields"]
        )


# --- the schema -----------------------------------------------------------------------------

URL_SCHEMA = "/api/v1/tasks/"
STEPS = (
    "assign",
    "accept",
    "ask-redirect",
    "redirect",
    "keep",
    "progress",
    "support",
    "urge",
    "feedback",
    "close",
    "return",
    "archive",
    "drop",
    "extension",
    "extension/decide",
)


def test_the_schema_documents_every_task_endpoint(api_as, cast):
    schema = ok(api_as("unit_clerk").get("/api/schema/", {"format": "json"}))
    validate_schema(schema)
    paths = schema["paths"]
    assert set(paths[URL_SCHEMA]) == {"get", "post"}
    assert set(paths["/api/v1/tasks/{outcome_pk}/"]) == {"get"}
    assert {"/api/v1/tasks/board/", "/api/v1/tasks/on-time/"} <= set(paths)
    for step in STEPS:
        post = paths[f"/api/v1/tasks/{{outcome_pk}}/{step}/"]["post"]
        assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}, step
        assert {"400", "403", "404", "422"} <= set(post["responses"]), step
        if step not in ("assign", "accept", "archive"):  # nothing to send
            assert "requestBody" in post, step
    for step in ("progress", "support", "feedback"):
        body = paths[f"/api/v1/tasks/{{outcome_pk}}/{step}/"]["post"]["requestBody"]["content"]
        multipart = body["multipart/form-data"]["schema"]
        ref = multipart["$ref"].rsplit("/", 1)[1]
        evidence = schema["components"]["schemas"][ref]["properties"]["evidence"]
        assert evidence["type"] == "string" and evidence["format"] == "binary"
    (state,) = [p for p in paths[URL_SCHEMA]["get"]["parameters"] if p["name"] == "state"]
    client = api_as("fao_reviewer")
    for value in state["schema"]["enum"]:
        assert client.get(URL, {"state": value}).status_code == 200, value
    detail = schema["components"]["schemas"]["TaskActionsOutput"]
    from waishi.followups.workflow import TASK_ACTIONS

    assert set(detail["properties"]) == set(TASK_ACTIONS) == set(detail["required"])


@pytest.mark.parametrize("value", ["9223372036854775808", "0", "-1", "x", "1.5"])
def test_ids_out_of_range_are_refused(api_as, cast, value):
    client = api_as("fao_reviewer")
    assert "unit" in error(client.get(URL, {"unit": value}), 400)["fields"]


@pytest.mark.parametrize("value", ["9223372036854775808", "0"])
@pytest.mark.parametrize("step", ["", "accept/", "progress/", "extension/decide/"])
def test_a_task_id_out_of_range_is_refused(api_as, cast, value, step):
    client = api_as("unit_leader" if step in ("accept/", "progress/") else "fao_reviewer")
    path = f"{URL}{value}/{step}"
    response = client.get(path) if not step else send(client, "post", path, {"text": "x"})
    assert "outcome_pk" in error(response, 400)["fields"]


def _queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        ok(client.get(path))
    return len(captured)


def test_the_list_the_detail_and_the_board_read_in_a_fixed_number_of_queries(
    api_as, cast, register, foreign_unit, working
):
    client = api_as("fao_reviewer")
    register(supporting_units=[foreign_unit])
    supervision.task_progress(actor=cast["unit_clerk"], task=working, text="第一次进展")
    paths = (URL, url(working), f"{URL}board/")
    for path in paths:  # the token's first use is recorded once: not counted
        _queries(client, path)
    before = [_queries(client, p) for p in paths]
    for _ in range(4):
        register(supporting_units=[foreign_unit])
    supervision.task_progress(actor=cast["unit_clerk"], task=working, text="第二次进展")
    supervision.task_urge(actor=cast["fao_reviewer"], task=working, method="notice", text="请报送")
    after = [_queries(client, p) for p in paths]
    assert after == before
