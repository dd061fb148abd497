"""The follow-up pages: list, filters, detail, forms, export, evidence, the unit's
obligations, the home card, and what each role may reach."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import PersonFactory
from tests.followups.conftest import PDF, pdf
from waishi.audit.messages import MESSAGES, describe
from waishi.audit.models import AuditEvent
from waishi.followups import obligations, services
from waishi.followups.models import Outcome, State
from waishi.lib.work import cards_for

pytestmark = pytest.mark.django_db


def _english(user) -> None:
    user.language = "en"
    user.save(update_fields=["language"])


@pytest.fixture
def foreign_outcome(cast, make_outcome, foreign_person):
    return make_outcome(
        actor=cast["fao_reviewer"], person=foreign_person, title="外单位投资线索", kind="investment"
    )


def test_list_is_scoped_by_responsible_unit(as_user, outcome, foreign_outcome):
    home = as_user("unit_clerk").get("/followups/").content.decode()
    assert outcome.title in home and foreign_outcome.title not in home
    outsider = as_user("outsider").get("/followups/").content.decode()
    assert foreign_outcome.title in outsider and outcome.title not in outsider
    for role in ("fao_reviewer", "fao_head", "committee", "auditor"):
        body = as_user(role).get("/followups/").content.decode()
        assert outcome.title in body and foreign_outcome.title in body, role
    for role in ("district_officer", "sys_admin", "security_admin", "audit_admin"):
        assert as_user(role).get("/followups/").status_code == 403, role


def test_detail_access_matrix(as_user, outcome, foreign_outcome):
    url = f"/followups/{foreign_outcome.pk}/"
    for role in ("unit_clerk", "unit_leader"):
        assert as_user(role).get(url).status_code == 404, role
    for role in ("outsider", "fao_reviewer", "fao_head", "committee", "auditor"):
        assert as_user(role).get(url).status_code == 200, role
    for role in ("district_officer", "sys_admin"):
        assert as_user(role).get(url).status_code == 403, role
    # Writes of another unit's outcome: not found, and nothing changes.
    client = as_user("unit_leader")
    assert client.post(f"/followups/{foreign_outcome.pk}/complete/").status_code == 404
    assert (
        client.post(f"/followups/{foreign_outcome.pk}/progress/", {"text": "x"}).status_code == 404
    )
    foreign_outcome.refresh_from_db()
    assert foreign_outcome.state == State.OPEN
    # Roles that may read may not write.
    auditor = as_user("auditor")
    assert auditor.post(f"/followups/{outcome.pk}/complete/").status_code == 403
    assert auditor.get(f"/followups/{outcome.pk}/edit/").status_code == 403
    assert as_user("fao_reviewer").get(f"/followups/{outcome.pk}/drop/").status_code == 403
    assert as_user("unit_leader").get(f"/followups/{outcome.pk}/reassign/").status_code == 403


def test_filters_and_search(as_user, cast, make_outcome, foreign_person):
    a = make_outcome(title="签署友好城市协议", kind="agreement")
    b = make_outcome(title="留学生交流项目", kind="exchange")
    c = make_outcome(
        actor=cast["fao_head"], person=foreign_person, title="外方投资意向", kind="investment"
    )
    Outcome.objects.filter(pk=b.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    services.outcome_complete(actor=cast["fao_head"], outcome=a)
    client = as_user("fao_reviewer")

    def titles(**query):
        response = client.get("/followups/", query)
        return {o.title for o in response.context["page_obj"].object_list}

    assert titles() == {a.title, b.title, c.title}
    assert titles(state="done") == {a.title}
    assert titles(kind="exchange") == {b.title}
    assert titles(overdue="on") == {b.title}
    assert titles(unit=foreign_person.unit_id) == {c.title}
    assert titles(q="留学生") == {b.title}
    assert titles(q=foreign_person.name) == {c.title}


def test_create_edit_progress_done_through_the_pages(as_user, cast, home_person):
    clerk = as_user("unit_clerk")
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = clerk.post(
        "/followups/new/",
        {
            "kind": "intention",
            "title": "与大阪府合作意向",
            "description": "",
            "responsible_person": home_person.pk,
            "due_date": due,
        },
    )
    outcome = Outcome.objects.get(title="与大阪府合作意向")
    assert response.status_code == 302 and response["Location"] == f"/followups/{outcome.pk}/"
    assert outcome.responsible_unit == home_person.unit and outcome.created_by == cast["unit_clerk"]

    response = clerk.post(
        f"/followups/{outcome.pk}/edit/",
        {
            "kind": "intention",
            "title": "与大阪府合作意向（修订）",
            "description": "d",
            "responsible_person": home_person.pk,
            "due_date": due,
        },
    )
    assert response.status_code == 302
    response = clerk.post(
        f"/followups/{outcome.pk}/progress/", {"text": "已回函", "evidence": pdf()}
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.state == State.IN_PROGRESS and outcome.title.endswith("（修订）")

    # A file that is not what it claims is refused on the form.
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("scan.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    _english(cast["unit_clerk"])
    response = clerk.post(f"/followups/{outcome.pk}/progress/", {"text": "x", "evidence": bad})
    assert response.status_code == 200
    assert "Evidence must be a PDF" in response.content.decode()
    assert outcome.updates.count() == 1

    update = outcome.updates.get()
    download = as_user("unit_leader").get(f"/followups/updates/{update.pk}/evidence/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert as_user("outsider").get(f"/followups/updates/{update.pk}/evidence/").status_code == 404

    assert clerk.post(f"/followups/{outcome.pk}/complete/").status_code == 403
    response = as_user("unit_leader").post(
        f"/followups/{outcome.pk}/complete/", {"comment": "完成"}
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.state == State.DONE


def test_drop_page_needs_a_reason(as_user, outcome):
    head = as_user("fao_head")
    response = head.post(f"/followups/{outcome.pk}/drop/", {"reason": ""})
    assert response.status_code == 200
    outcome.refresh_from_db()
    assert outcome.state == State.OPEN
    assert head.post(f"/followups/{outcome.pk}/drop/", {"reason": "对方撤回"}).status_code == 302
    outcome.refresh_from_db()
    assert outcome.state == State.DROPPED and outcome.drop_reason == "对方撤回"


def test_reassign_page(as_user, outcome, foreign_person):
    response = as_user("fao_reviewer").post(
        f"/followups/{outcome.pk}/reassign/",
        {"responsible_unit": foreign_person.unit_id, "responsible_person": foreign_person.pk},
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.responsible_unit_id == foreign_person.unit_id
    assert as_user("unit_clerk").get(f"/followups/{outcome.pk}/").status_code == 404


def test_unit_staff_cannot_create_for_another_unit_through_the_form(as_user, foreign_person):
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = as_user("unit_clerk").post(
        "/followups/new/",
        {
            "kind": "other",
            "title": "越权",
            "responsible_person": foreign_person.pk,
            "responsible_unit": foreign_person.unit_id,
            "due_date": due,
        },
    )
    assert response.status_code == 200  # the person is not among the choices
    assert not Outcome.objects.exists()


def test_export_reads_back_and_is_scoped_and_audited(as_user, cast, outcome, foreign_outcome):
    _english(cast["unit_clerk"])
    response = as_user("unit_clerk").get("/followups/export.xlsx", {"kind": "agreement"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("No.", "Outcome", "Kind", "State")
    assert [r[1] for r in rows[1:]] == [outcome.title]
    assert rows[1][4] == outcome.responsible_unit.name and rows[1][5] == "张三"
    event = AuditEvent.objects.filter(action="followups.outcome.export").get()
    assert event.actor_id == cast["unit_clerk"].pk and event.data["count"] == 1

    response = as_user("fao_head").get("/followups/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 3


def test_unit_page_lists_every_providers_obligations_overdue_first(
    as_user, cast, make_outcome, home_unit, foreign_unit
):
    today = timezone.localdate()
    later = make_outcome(title="后到期成果", days=40)
    sooner = make_outcome(title="先到期成果", days=5)
    Outcome.objects.filter(pk=later.pk).update(state=State.OVERDUE)

    def fake(unit):
        if unit.pk != home_unit.pk:
            return []
        return [
            obligations.Obligation(
                "出访报告", "赴德国出访报告", today + dt.timedelta(days=1), "/r/1/"
            ),
            obligations.Obligation(
                "因公护照", "护照待交回", today - dt.timedelta(days=3), "/p/1/", True
            ),
        ]

    obligations.register(fake)
    try:
        response = as_user("unit_clerk").get("/followups/unit/", {"unit": foreign_unit.pk})
        titles = [i.title for i in response.context["items"]]
        # Overdue first (by due date), then the rest by due date; own unit, whatever asked.
        assert titles == ["护照待交回", "后到期成果", "赴德国出访报告", "先到期成果"]
        assert response.context["unit"] == home_unit
        body = response.content.decode()
        assert "赴德国出访报告" in body and f"/followups/{sooner.pk}/" in body

        outsider = as_user("outsider").get("/followups/unit/").context["items"]
        assert outsider == []

        fao = as_user("fao_reviewer")
        assert fao.get("/followups/unit/").context["items"] == []  # pick a unit first
        picked = fao.get("/followups/unit/", {"unit": home_unit.pk}).context["items"]
        assert len(picked) == 4
    finally:
        obligations.unregister(fake)
    assert as_user("sys_admin").get("/followups/unit/").status_code == 403


def test_home_card_counts_the_units_overdue(cast, make_outcome, foreign_person):
    overdue = make_outcome()
    make_outcome()
    foreign = make_outcome(actor=cast["fao_head"], person=foreign_person)
    Outcome.objects.filter(pk__in=[overdue.pk, foreign.pk]).update(state=State.OVERDUE)

    def card(user):
        with translation.override("en"):
            return [c for c in cards_for(user) if c.title == "Overdue follow-ups"]

    assert [c.value for c in card(cast["unit_clerk"])] == [1]
    assert [c.value for c in card(cast["outsider"])] == [1]
    assert [c.value for c in card(cast["fao_reviewer"])] == [2]
    assert card(cast["sys_admin"]) == []
    Outcome.objects.update(state=State.DONE)
    assert [c.value for c in card(cast["unit_clerk"])] == [0]
    assert card(cast["fao_reviewer"]) == []


def test_pages_render_for_every_reader(as_user, outcome):
    services.progress_add(actor=outcome.created_by, outcome=outcome, text="推进中", evidence=pdf())
    for role in ("unit_clerk", "unit_leader", "fao_reviewer", "fao_head", "committee", "auditor"):
        client = as_user(role)
        for url in ("/followups/", f"/followups/{outcome.pk}/", "/followups/unit/"):
            assert client.get(url).status_code == 200, (role, url)
    for role, url in (
        ("unit_clerk", "/followups/new/"),
        ("fao_reviewer", "/followups/new/"),
        ("unit_clerk", f"/followups/{outcome.pk}/edit/"),
        ("unit_clerk", f"/followups/{outcome.pk}/progress/"),
        ("fao_head", f"/followups/{outcome.pk}/drop/"),
        ("fao_reviewer", f"/followups/{outcome.pk}/reassign/"),
    ):
        assert as_user(role).get(url).status_code == 200, (role, url)


def test_every_action_is_audited_with_a_sentence(
    cast, make_outcome, home_unit, foreign_person, as_user
):
    import time_machine

    deputy = PersonFactory(name="王五", unit=home_unit)
    a = make_outcome()
    services.outcome_update(actor=cast["unit_clerk"], outcome=a, responsible_person=deputy)
    update = services.progress_add(actor=cast["unit_clerk"], outcome=a, text="进展", evidence=pdf())
    as_user("unit_leader").get(f"/followups/updates/{update.pk}/evidence/")
    services.outcome_complete(actor=cast["unit_leader"], outcome=a)
    b = make_outcome(days=1)
    services.outcome_reassign(
        actor=cast["fao_reviewer"],
        outcome=b,
        responsible_unit=foreign_person.unit,
        responsible_person=foreign_person,
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        services.overdue_sweep()
        services.outcome_update(
            actor=cast["fao_head"], outcome=b, due_date=timezone.localdate() + dt.timedelta(days=5)
        )
    services.outcome_drop(actor=cast["fao_head"], outcome=b, reason="不再需要")
    as_user("fao_head").get("/followups/export.xlsx")
    events = AuditEvent.objects.filter(action__startswith="followups.")
    actions = set(events.values_list("action", flat=True))
    # The outcome's actions (the supervised task's: tests/followups/test_supervision.py).
    outcome_actions = ("followups.outcome.", "followups.progress.", "followups.evidence.")
    expected = {k for k in MESSAGES if k.startswith(outcome_actions)}
    assert actions == expected
    for event in events:
        assert "{" not in describe(event), event.action
    created = events.get(action="followups.outcome.create", object_id=str(a.pk))
    assert created.actor_id == cast["unit_clerk"].pk and created.after["title"] == a.title
    dropped = events.get(action="followups.outcome.drop")
    assert dropped.before == {"state": "overdue"} or dropped.before == {"state": "in_progress"}
    assert dropped.data["reason"] == "不再需要"
