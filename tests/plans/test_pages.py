"""The plan's pages through the client: scoping, the forms, the buttons, the exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook

from tests.plans.conftest import YEAR, accept, entry_values
from waishi.audit.models import AuditEvent
from waishi.plans import services
from waishi.plans.models import EntryState, PlanEntry, PlanYear, Quota
from waishi.ui import navigation, work

pytestmark = pytest.mark.django_db


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


@pytest.fixture
def foreign_entry(cast, plan, foreign_unit):
    return services.entry_create(
        actor=cast["outsider"], plan=plan, **entry_values(title="外单位的团组")
    )


def test_plan_list_and_empty_state(as_user):
    with translation.override("en"):
        page = as_user("unit_clerk").get("/plans/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-testid="empty"' in body(page)


@pytest.mark.parametrize("role", ["sys_admin", "audit_admin", "security_admin", "district_officer"])
def test_non_planning_roles_are_refused(as_user, plan, role):
    assert as_user(role).get("/plans/").status_code == 403
    assert as_user(role).get(f"/plans/{plan.pk}/").status_code == 403


def test_open_a_plan_through_the_form(as_user):
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = as_user("fao_reviewer").post("/plans/new/", {"year": 2040, "deadline": deadline})
    plan = PlanYear.objects.get(year=2040)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert plan.opened_by.username == "fao_reviewer"
    assert as_user("unit_clerk").post("/plans/new/", {"year": 2041}).status_code == 403


def test_a_unit_sees_only_its_entries(as_user, plan, draft, foreign_entry):
    page = body(as_user("unit_clerk").get(f"/plans/{plan.pk}/"))
    assert draft.title in page and foreign_entry.title not in page
    assert as_user("unit_clerk").get(f"/plans/entries/{foreign_entry.pk}/").status_code == 404
    assert as_user("unit_leader").get(f"/plans/entries/{foreign_entry.pk}/").status_code == 404
    fao = body(as_user("fao_reviewer").get(f"/plans/{plan.pk}/"))
    assert draft.title in fao and foreign_entry.title in fao
    assert as_user("auditor").get(f"/plans/entries/{foreign_entry.pk}/").status_code == 200


def test_filters(as_user, plan, draft, foreign_entry, foreign_unit):
    client = as_user("fao_reviewer")
    page = body(client.get(f"/plans/{plan.pk}/", {"unit": foreign_unit.pk}))
    assert foreign_entry.title in page and draft.title not in page
    page = body(client.get(f"/plans/{plan.pk}/", {"state": "submitted"}))
    assert foreign_entry.title not in page and 'data-testid="empty"' in page
    page = body(client.get(f"/plans/{plan.pk}/", {"category": "econ_tech"}))
    assert foreign_entry.title in page


def _form(**overrides) -> dict:
    data = {
        "title": "赴新加坡考察团",
        "purpose": "考察职业教育。",
        "countries": ["SG", "MY"],
        "category": "general",
        "expected_month": "6",
        "budget_estimate": "50000",
        "rank_county_division": "1",
        "rank_section_below": "2",
    }
    data.update(overrides)
    return data


def test_create_edit_and_submit_through_the_pages(as_user, cast, plan):
    clerk = as_user("unit_clerk")
    form_page = body(clerk.get(f"/plans/{plan.pk}/entries/new/"))
    assert "新加坡" in form_page  # countries by their Chinese names
    response = clerk.post(f"/plans/{plan.pk}/entries/new/", _form())
    entry = PlanEntry.objects.get(title="赴新加坡考察团")
    assert response.status_code == 302 and response["Location"] == f"/plans/entries/{entry.pk}/"
    assert entry.size == 3 and entry.countries == ["SG", "MY"]
    assert entry.ranks == ["county_division", "section_below", "section_below"]
    assert entry.unit == cast["unit_clerk"].unit

    response = clerk.post(f"/plans/entries/{entry.pk}/edit/", _form(rank_section_below="0"))
    entry.refresh_from_db()
    assert entry.size == 1
    # No member at all: the form says so and nothing changes.
    response = clerk.post(
        f"/plans/entries/{entry.pk}/edit/", _form(rank_county_division="0", rank_section_below="0")
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.size == 1

    # The clerk has no submit button; the leader has.
    assert 'value="submit"' not in body(clerk.get(f"/plans/entries/{entry.pk}/"))
    leader = as_user("unit_leader")
    assert 'value="submit"' in body(leader.get(f"/plans/entries/{entry.pk}/"))
    clerk.post(f"/plans/entries/{entry.pk}/transition/", {"action": "submit"})
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT  # refused with a message
    leader.post(f"/plans/entries/{entry.pk}/transition/", {"action": "submit"})
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED
    # Submitted: the clerk can no longer edit.
    assert clerk.get(f"/plans/entries/{entry.pk}/edit/").status_code == 403

    reviewer = as_user("fao_reviewer")
    reviewer.post(f"/plans/entries/{entry.pk}/transition/", {"action": "return", "comment": ""})
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED  # a return needs a comment
    reviewer.post(
        f"/plans/entries/{entry.pk}/transition/", {"action": "return", "comment": "补充日程"}
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.RETURNED
    page = body(clerk.get(f"/plans/entries/{entry.pk}/"))
    assert "补充日程" in page
    # The history names every step.
    assert (
        page.count("<time")
        == AuditEvent.objects.filter(object_type="plans.planentry", object_id=str(entry.pk)).count()
        == 4
    )


def test_a_foreign_entry_cannot_be_changed(as_user, foreign_entry):
    clerk = as_user("unit_clerk")
    assert clerk.post(f"/plans/entries/{foreign_entry.pk}/edit/", _form()).status_code == 404
    assert clerk.post(f"/plans/entries/{foreign_entry.pk}/delete/").status_code == 404
    assert (
        as_user("unit_leader")
        .post(f"/plans/entries/{foreign_entry.pk}/transition/", {"action": "submit"})
        .status_code
        == 404
    )
    foreign_entry.refresh_from_db()
    assert foreign_entry.state == EntryState.DRAFT and foreign_entry.title == "外单位的团组"


def test_delete_through_the_page(as_user, plan, draft):
    response = as_user("unit_clerk").post(f"/plans/entries/{draft.pk}/delete/")
    assert response.status_code == 302
    assert not PlanEntry.objects.filter(pk=draft.pk).exists()


def test_plan_buttons_and_approval(as_user, cast, plan, draft):
    accept(cast, draft)
    assert 'value="consolidate"' in body(as_user("fao_head").get(f"/plans/{plan.pk}/"))
    assert 'value="consolidate"' not in body(as_user("fao_reviewer").get(f"/plans/{plan.pk}/"))
    as_user("fao_head").post(f"/plans/{plan.pk}/transition/", {"action": "consolidate"})
    assert (
        as_user("fao_head").post(f"/plans/{plan.pk}/transition/", {"action": "approve"}).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.state == "consolidated"  # the FAO head cannot approve
    as_user("committee").post(f"/plans/{plan.pk}/transition/", {"action": "approve"})
    plan.refresh_from_db()
    assert plan.state == "approved" and plan.version == 1
    assert (
        as_user("auditor").post(f"/plans/{plan.pk}/transition/", {"action": "approve"}).status_code
        == 403
    )


def test_quota_pages(as_user, cast, plan, home_unit, foreign_unit):
    client = as_user("fao_reviewer")
    response = client.post(
        f"/plans/{plan.pk}/quotas/new/",
        {"unit": home_unit.pk, "category": "general", "batches": 3, "person_trips": 12},
    )
    assert response.status_code == 302
    quota = Quota.objects.get(unit=home_unit)
    Quota.objects.filter(pk=quota.pk).update(batches_used=2)
    response = client.post(f"/plans/quotas/{quota.pk}/edit/", {"batches": 1, "person_trips": 12})
    assert response.status_code == 200  # below what is used: the form shows why
    quota.refresh_from_db()
    assert quota.batches == 3
    client.post(f"/plans/quotas/{quota.pk}/edit/", {"batches": 5, "person_trips": 12})
    quota.refresh_from_db()
    assert quota.batches == 5
    # The unit sees its quota with what is left; not other units'.
    Quota.objects.create(plan=plan, unit=foreign_unit, category="general", batches=9)
    page = body(as_user("unit_clerk").get(f"/plans/{plan.pk}/"))
    assert "2 / 5" in page and foreign_unit.short_name not in page
    assert as_user("unit_clerk").get(f"/plans/quotas/{quota.pk}/edit/").status_code == 403


def test_the_quota_table_sums_a_page_of_units_at_a_time(
    as_user, cast, plan, django_assert_max_num_queries
):
    from waishi.orgs.models import Unit
    from waishi.plans.views import QUOTA_UNITS

    units = Unit.objects.bulk_create(
        Unit(code=f"Q{i:03d}", name=f"配额单位{i:03d}") for i in range(QUOTA_UNITS + 3)
    )
    Quota.objects.bulk_create(
        Quota(plan=plan, unit=unit, category="general", batches=i + 1)
        for i, unit in enumerate(units)
    )
    client = as_user("fao_reviewer")
    url = f"/plans/{plan.pk}/"
    client.get(url)
    with django_assert_max_num_queries(15):
        first = body(client.get(url, {"state": "submitted"}))
    assert "配额单位000" in first and f"配额单位{QUOTA_UNITS - 1:03d}" in first
    assert f"配额单位{QUOTA_UNITS:03d}" not in first
    assert "?state=submitted&amp;quota_page=2" in first  # the filter kept
    second = body(client.get(url, {"state": "submitted", "quota_page": 2}))
    assert f"配额单位{QUOTA_UNITS + 2:03d}" in second and "配额单位000" not in second


def test_exports(as_user, cast, approved_plan, home_unit):
    # An amendment in progress: the export shows what was approved.
    entry = PlanEntry.objects.get(plan=approved_plan)
    services.entry_amend(actor=cast["unit_clerk"], entry=entry)
    services.entry_update(actor=cast["unit_clerk"], entry=entry, title="尚未批准的新名称")
    client = as_user("committee")
    response = client.get(f"/plans/{approved_plan.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert str(YEAR) in rows[0][0]
    data = rows[2]
    assert data[0] == "商务局" and data[1] == "赴日本经贸交流团"
    assert "日本" in data[3] and "韩国" in data[3]
    assert data[4] == 3 and data[6] == 5 and float(data[7]) == 98000
    assert "尚未批准的新名称" not in str(rows)
    quotas = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert len(quotas) == 3 and quotas[1][0] == "商务局" and quotas[1][2] == 3

    response = client.get(f"/plans/{approved_plan.pk}/export.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert str(YEAR) in text
    summary, entries = document.tables
    assert summary.rows[1].cells[0].text == "商务局"
    assert summary.rows[1].cells[3].text == "3 / 10"
    assert entries.rows[1].cells[1].text == "赴日本经贸交流团"
    assert len(entries.rows) == 2
    assert AuditEvent.objects.filter(action="plans.plan.export").count() == 2
    # Units do not export the consolidated plan.
    assert as_user("unit_clerk").get(f"/plans/{approved_plan.pk}/export.xlsx").status_code == 403


def test_nav_and_home_card(as_user, cast, plan, draft):
    labels = {str(i.url_name) for i in navigation.for_user(cast["unit_clerk"])}
    assert "plans:plan-list" in labels
    assert "plans:plan-list" not in {i.url_name for i in navigation.for_user(cast["sys_admin"])}
    cards = [c for c in work.cards_for(cast["unit_leader"]) if c.url == "/plans/"]
    assert cards and cards[0].value == 1  # the draft waits for the leader
    assert [c.value for c in work.cards_for(cast["fao_reviewer"]) if c.url == "/plans/"] == [0]
    assert as_user("unit_leader").get("/").status_code == 200


def test_entry_page_shows_versions(as_user, cast, approved_plan):
    entry = PlanEntry.objects.get(plan=approved_plan)
    page = body(as_user("unit_clerk").get(f"/plans/entries/{entry.pk}/"))
    assert 'data-testid="versions"' in page and 'value="amend"' in page


def test_every_form_page_renders(as_user, cast, approved_plan, home_unit):
    quota = Quota.objects.filter(plan=approved_plan).first()
    entry = PlanEntry.objects.get(plan=approved_plan)
    fao = as_user("fao_head")
    for path in (
        "/plans/new/",
        f"/plans/{approved_plan.pk}/edit/",
        f"/plans/{approved_plan.pk}/quotas/new/",
        f"/plans/quotas/{quota.pk}/edit/",
        f"/plans/{approved_plan.pk}/",
        f"/plans/entries/{entry.pk}/",
    ):
        assert fao.get(path).status_code == 200, path
    services.entry_amend(actor=cast["unit_clerk"], entry=entry)
    clerk = as_user("unit_clerk")
    for path in (
        f"/plans/{approved_plan.pk}/entries/new/",
        f"/plans/entries/{entry.pk}/edit/",
        f"/plans/entries/{entry.pk}/",
    ):
        assert clerk.get(path).status_code == 200, path
    page = body(clerk.get(f"/plans/entries/{entry.pk}/edit/"))
    assert 'name="rank_county_division" value="1"' in page.replace(' class="form-control"', "")


def test_plan_page_queries_do_not_grow_with_entries(as_user, cast, plan, foreign_unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user("fao_reviewer")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/plans/{plan.pk}/").status_code == 200
        return len(ctx.captured_queries)

    services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values())
    few = count()
    for i in range(8):
        services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values(title=f"团{i}"))
        services.entry_create(actor=cast["outsider"], plan=plan, **entry_values(title=f"外{i}"))
    assert count() == few
