"""Outcomes followed to done over the API: scoped reads, every write through the
follow-up services (so the same checks and audit trail as the pages), Idempotency-Key on
every write, evidence checked by its content and downloaded through a scoped endpoint."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import FOREIGN_MARKER
from tests.factories import PersonFactory
from tests.followups import matrix
from waishi.audit.models import AuditEvent
from waishi.followups import services
from waishi.followups.models import Outcome, ProgressUpdate, State

pytestmark = pytest.mark.django_db

URL = "/api/v1/followups/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url(outcome, action: str = "") -> str:
    return f"{URL}{outcome.pk}/" + (f"{action}/" if action else "")


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


def trail(outcome) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="followups.outcome", object_id=str(outcome.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def later(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def snapshot(outcome) -> tuple:
    o = Outcome.objects.get(pk=outcome.pk)
    return (
        o.state,
        o.title,
        o.due_date,
        o.responsible_unit_id,
        o.responsible_person_id,
        o.drop_reason,
        ProgressUpdate.objects.filter(outcome=o).count(),
        len(trail(o)),
    )


@pytest.fixture
def world(cast, foreign_unit, foreign_person, district):
    return SimpleNamespace(
        cast=cast, foreign_unit=foreign_unit, foreign_person=foreign_person, district=district
    )


@pytest.fixture
def outcome(cast, home_person):
    return services.outcome_create(
        actor=cast["unit_clerk"],
        title="与汉堡市签署经贸合作备忘录",
        kind="agreement",
        responsible_person=home_person,
        responsible_unit=home_person.unit,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.fixture
def foreign_outcome(world):
    return matrix._outcome(world)


def _payload(person, **extra) -> dict:
    return {
        "kind": "intention",
        "title": "与大阪府开展青年交流",
        "responsible_person": person.pk,
        "due_date": later(60),
        **extra,
    }


# --- reads ----------------------------------------------------------------------------------


def test_the_list_is_scoped_to_the_responsible_unit(api_as, outcome, foreign_outcome):
    response = api_as("unit_clerk").get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == outcome.pk and row["state"] == "open" and row["kind"] == "agreement"
    assert row["responsible_unit"]["code"] == "U-HOME"
    assert row["responsible_person"]["name"] == "张三" and row["is_overdue"] is False
    assert FOREIGN_MARKER not in response.content.decode()
    unit = foreign_outcome.responsible_unit_id
    assert api_as("unit_leader").get(URL, {"unit": unit}).json()["count"] == 0
    for role in ("fao_reviewer", "committee", "auditor"):
        ids = {r["id"] for r in api_as(role).get(URL).json()["results"]}
        assert ids == {outcome.pk, foreign_outcome.pk}, role


def test_the_list_filters_like_the_page(api_as, cast, outcome, foreign_outcome, home_person):
    late = services.outcome_create(
        actor=cast["fao_head"],
        title="投资线索跟进",
        kind="investment",
        responsible_person=home_person,
        responsible_unit=home_person.unit,
        due_date=timezone.localdate() + dt.timedelta(days=1),
    )
    Outcome.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    client = api_as("fao_reviewer")

    def ids(**query) -> set[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(overdue="true") == {late.pk}
    assert ids(kind="investment") == {late.pk}
    assert ids(q="汉堡") == {outcome.pk}
    assert ids(unit=foreign_outcome.responsible_unit_id) == {foreign_outcome.pk}
    assert ids(state="open") == {outcome.pk, late.pk, foreign_outcome.pk}
    assert ids(state="done") == set()
    for bad in ({"state": "finished"}, {"kind": "gift"}, {"unit": "x"}, {"overdue": "maybe"}):
        assert set(bad) <= set(error(client.get(URL, bad), 400)["fields"])


def test_the_detail_shows_the_updates_and_what_the_caller_may_do(api_as, cast, outcome):
    services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text="已与对方沟通文本")
    body = api_as("unit_leader").get(url(outcome)).json()
    assert body["state"] == "in_progress"
    assert [u["text"] for u in body["updates"]] == ["已与对方沟通文本"]
    assert (
        body["updates"][0]["has_evidence"] is False and body["updates"][0]["evidence_url"] is None
    )
    assert body["actions"] == {
        "edit": True,
        "progress": True,
        "complete": True,
        "drop": False,
        "reassign": False,
    }
    actions = api_as("auditor").get(url(outcome)).json()["actions"]
    assert not any(actions.values())
    assert api_as("fao_head").get(url(outcome)).json()["actions"]["drop"] is True


def test_another_units_outcome_is_not_found(api_as, world, foreign_outcome):
    update = matrix._update(world)
    for role in ("unit_clerk", "unit_leader"):
        client = api_as(role)
        assert error(client.get(url(foreign_outcome)), 404)["code"] == "not_found"
        error(client.get(f"{URL}updates/{update.pk}/evidence/"), 404)
    before = snapshot(foreign_outcome)
    clerk, leader = api_as("unit_clerk"), api_as("unit_leader")
    error(send(clerk, "patch", url(foreign_outcome), {"title": "改"}), 404)
    error(send(clerk, "post", url(foreign_outcome, "progress"), {"text": "改"}), 404)
    error(send(leader, "post", url(foreign_outcome, "complete"), {}), 404)
    assert snapshot(foreign_outcome) == before
    assert api_as("outsider").get(url(foreign_outcome)).status_code == 200
    assert api_as("auditor").get(url(foreign_outcome)).status_code == 200


def test_roles_without_outcomes_are_refused(api_as, outcome):
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        assert error(api_as(role).get(URL), 403)["code"] == "permission_denied"
        assert error(api_as(role).get(url(outcome)), 403)["code"] == "permission_denied"


# --- create and change ----------------------------------------------------------------------


def test_a_clerk_records_an_outcome_of_the_unit_once(api_as, cast, home_person):
    client = api_as("unit_clerk")
    payload = _payload(home_person, description="青年干部互访")
    first = send(client, "post", URL, payload, key="o-1")
    again = send(client, "post", URL, payload, key="o-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    created = Outcome.objects.get()
    assert created.responsible_unit == home_person.unit and created.created_by == cast["unit_clerk"]
    assert first.json()["id"] == created.pk and first.json()["state"] == "open"
    assert trail(created) == ["followups.outcome.create"]


def test_the_fao_names_the_unit_and_may_name_the_source(api_as, cast, foreign_person):
    from tests.missions.matrix import _foreign_mission

    mission = _foreign_mission(
        SimpleNamespace(cast=cast, foreign_unit=foreign_person.unit, foreign_person=foreign_person)
    )
    # Submitted: the FAO sees no unit's draft, so could not name one as the source.
    type(mission).objects.filter(pk=mission.pk).update(
        state="submitted", submitted_at=mission.created_at
    )
    client = api_as("fao_reviewer")
    err = error(send(client, "post", URL, _payload(foreign_person)), 400)
    assert "responsible_unit" in err["fields"]
    payload = _payload(
        foreign_person,
        responsible_unit=foreign_person.unit_id,
        source_type="missions.mission",
        source_id=mission.pk,
    )
    response = send(client, "post", URL, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["responsible_unit"]["id"] == foreign_person.unit_id
    assert body["source"]["type"] == "missions.mission" and body["source"]["id"] == mission.pk
    assert body["source"]["title"] == mission.title


def test_bad_outcomes_name_the_field_and_record_nothing(
    api_as, cast, home_person, foreign_person, foreign_unit
):
    client = api_as("unit_clerk")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    for payload, field in (
        (_payload(home_person, responsible_unit=foreign_unit.pk), "responsible_unit"),
        (_payload(foreign_person), "responsible_person"),
        (_payload(home_person, due_date=yesterday), "due_date"),
        (_payload(home_person, due_date="下个月"), "due_date"),
        (_payload(home_person, title=""), "title"),
        (_payload(home_person, kind="gift"), "kind"),
        (_payload(home_person, source_type="nowhere.thing", source_id=1), "source_type"),
        (_payload(home_person, source_type="missions.mission", source_id=999999), "source_id"),
    ):
        err = error(send(client, "post", URL, payload), 400)
        assert field in err["fields"], (payload, err)
    # A person of the unit's own, but not the responsible unit's (the FAO chose the unit).
    other = PersonFactory(name="李四", unit=foreign_unit)
    payload = _payload(home_person, responsible_unit=other.unit_id)
    err = error(send(api_as("fao_head"), "post", URL, payload), 400)
    assert "responsible_person" in err["fields"]
    assert not Outcome.objects.exists()


def test_readers_who_do_not_manage_outcomes_may_not_write(api_as, home_person, outcome):
    for role in ("auditor", "committee"):
        client = api_as(role)
        err = error(send(client, "post", URL, _payload(home_person)), 403)
        assert err["code"] == "permission_denied"
        error(send(client, "patch", url(outcome), {"title": "改"}), 403)
    assert Outcome.objects.count() == 1 and Outcome.objects.get().title == outcome.title


def test_an_outcome_is_changed_by_patch(api_as, cast, outcome, home_unit):
    client = api_as("unit_leader")
    other = PersonFactory(name="王五", unit=home_unit)
    body = {"title": "与汉堡市签署合作备忘录（修订）", "responsible_person": other.pk}
    response = send(client, "patch", url(outcome), body, key="p-1")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == body["title"]
    assert response.json()["responsible_person"] == {"id": other.pk, "name": "王五"}
    assert trail(outcome)[-1] == "followups.outcome.update"
    before = snapshot(outcome)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert (
        "due_date"
        in error(send(client, "patch", url(outcome), {"due_date": yesterday}), 400)["fields"]
    )
    stranger = PersonFactory(unit=cast["outsider"].unit)
    err = error(send(client, "patch", url(outcome), {"responsible_person": stranger.pk}), 400)
    assert "responsible_person" in err["fields"]
    assert snapshot(outcome) == before


# --- progress and evidence ------------------------------------------------------------------


def test_progress_moves_an_open_outcome_on_once_per_key(api_as, outcome):
    client = api_as("unit_clerk")
    first = send(client, "post", url(outcome, "progress"), {"text": "已起草文本"}, key="g-1")
    again = send(client, "post", url(outcome, "progress"), {"text": "已起草文本"}, key="g-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json()
    assert first.json()["state"] == "in_progress"
    assert ProgressUpdate.objects.filter(outcome=outcome).count() == 1
    assert trail(outcome).count("followups.progress.add") == 1


def test_evidence_is_checked_uploaded_and_downloaded(api_as, cast, outcome):
    client = api_as("unit_clerk")
    fake = SimpleUploadedFile("纪要.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(url(outcome, "progress"), {"text": "签约", "evidence": fake})
    assert "evidence" in error(response, 400)["fields"]
    assert not ProgressUpdate.objects.exists() and Outcome.objects.get().state == State.OPEN
    good = SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf")
    response = client.post(url(outcome, "progress"), {"text": "签约", "evidence": good})
    assert response.status_code == 201, response.content
    update = response.json()["updates"][0]
    assert update["has_evidence"] is True and update["evidence_name"] == "纪要.pdf"
    assert update["evidence_type"] == "application/pdf"
    download = api_as("auditor").get(update["evidence_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert trail(outcome)[-1] == "followups.evidence.download"


def test_a_large_upload_with_a_key_is_refused_by_name(api_as, outcome, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    big = SimpleUploadedFile(
        "纪要.pdf", PDF + b"%" * (2 * 1024 * 1024), content_type="application/pdf"
    )
    response = api_as("unit_clerk").post(
        url(outcome, "progress"), {"text": "签约", "evidence": big}, HTTP_IDEMPOTENCY_KEY="big"
    )
    assert "evidence" in error(response, 400)["fields"]
    assert not ProgressUpdate.objects.exists()


def test_only_the_responsible_unit_records_progress(api_as, outcome):
    before = snapshot(outcome)
    for role in ("fao_reviewer", "fao_head", "auditor"):
        err = error(send(api_as(role), "post", url(outcome, "progress"), {"text": "x"}), 403)
        assert err["code"] == "permission_denied"
    assert (
        "text"
        in error(send(api_as("unit_clerk"), "post", url(outcome, "progress"), {}), 400)["fields"]
    )
    assert snapshot(outcome) == before


# --- done, dropped, given to another unit ---------------------------------------------------


def test_the_units_leader_marks_it_done_and_it_then_stays(api_as, outcome):
    err = error(send(api_as("unit_clerk"), "post", url(outcome, "complete"), {}), 403)
    assert err["code"] == "permission_denied"
    client = api_as("unit_leader")
    first = send(client, "post", url(outcome, "complete"), {"comment": "已签署"}, key="c-1")
    again = send(client, "post", url(outcome, "complete"), {"comment": "已签署"}, key="c-1")
    assert first.status_code == again.status_code == 200, first.content
    assert first.json() == again.json() and first.json()["state"] == "done"
    assert first.json()["done_at"] and trail(outcome).count("followups.outcome.complete") == 1
    before = snapshot(outcome)
    error(send(client, "post", url(outcome, "complete"), {}), 400)
    error(send(api_as("unit_clerk"), "post", url(outcome, "progress"), {"text": "补充"}), 400)
    error(send(client, "patch", url(outcome), {"title": "改"}), 400)
    assert snapshot(outcome) == before


def test_the_fao_head_drops_it_with_a_reason(api_as, outcome):
    for role in ("fao_reviewer", "unit_leader"):
        err = error(send(api_as(role), "post", url(outcome, "drop"), {"reason": "x"}), 403)
        assert err["code"] == "permission_denied"
    client = api_as("fao_head")
    before = snapshot(outcome)
    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        assert "reason" in error(send(client, "post", url(outcome, "drop"), payload), 400)["fields"]
    assert snapshot(outcome) == before
    response = send(client, "post", url(outcome, "drop"), {"reason": "对方机构撤销"}, key="d-1")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "dropped"
    assert response.json()["drop_reason"] == "对方机构撤销"


def test_the_fao_gives_it_to_another_unit(api_as, outcome, foreign_person, home_person):
    payload = {"responsible_unit": foreign_person.unit_id, "responsible_person": foreign_person.pk}
    err = error(send(api_as("unit_leader"), "post", url(outcome, "reassign"), payload), 403)
    assert err["code"] == "permission_denied"
    client = api_as("fao_reviewer")
    before = snapshot(outcome)
    mismatch = {"responsible_unit": foreign_person.unit_id, "responsible_person": home_person.pk}
    err = error(send(client, "post", url(outcome, "reassign"), mismatch), 400)
    assert "responsible_person" in err["fields"]
    err = error(
        send(
            client,
            "post",
            url(outcome, "reassign"),
            {"responsible_unit": 999999, "responsible_person": foreign_person.pk},
        ),
        400,
    )
    assert "responsible_unit" in err["fields"]
    assert snapshot(outcome) == before
    response = send(client, "post", url(outcome, "reassign"), payload, key="r-1")
    assert response.status_code == 200, response.content
    assert response.json()["responsible_unit"]["id"] == foreign_person.unit_id
    # The home unit no longer sees it.
    assert error(api_as("unit_clerk").get(url(outcome)), 404)


def test_the_schema_documents_the_followup_endpoints(api_as):
    paths = api_as("unit_clerk").get("/api/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/v1/followups/"]) >= {"get", "post"}
    assert set(paths["/api/v1/followups/{outcome_pk}/"]) >= {"get", "patch"}
    for action in ("progress", "complete", "drop", "reassign"):
        post = paths[f"/api/v1/followups/{{outcome_pk}}/{action}/"]["post"]
        assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}, action
    assert "/api/v1/followups/updates/{update_pk}/evidence/" in paths
