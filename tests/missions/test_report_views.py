"""The trip report pages: the report of a trip (form, stale version, document, publicity,
submission, the FAO's decision), its Word documents read back with python-docx, and the
list of reports (the FAO sees all, a unit its own, overdue first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.missions.test_report import PDF, TEXT, complete, fresh, return_passports, submitted
from tests.missions.travel import back
from waishi.audit.models import AuditEvent
from waishi.lib import documents
from waishi.missions.models import Mission, ReportState, State, TripReport

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url(name: str, mission) -> str:
    return reverse(f"missions:{name}", kwargs={"mission_pk": getattr(mission, "pk", mission)})


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


def _form_data(report: TripReport, **values) -> dict:
    data = {"version": report.version, **dict.fromkeys(TEXT, ""), "agreements": "", "problems": ""}
    data["actual_cost_cny"] = ""
    data.update(values)
    return data


# -- the report page ---------------------------------------------------------------------------


def test_the_clerk_sees_the_form_and_saves_it(as_user, report, trip):
    client = as_user("unit_clerk")
    page = client.get(url("report", trip))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="report-form"' in body and 'data-state="draft"' in body
    assert report.due_date.isoformat() in body and 'data-overdue="no"' in body
    assert 'data-field="publicity"' in body  # what still blocks submission is listed
    response = client.post(
        url("report", trip), _form_data(report, tasks_done="完成洽谈", actual_cost_cny="1200.5")
    )
    assert response.status_code == 302
    row = fresh(report)
    assert row.tasks_done == "完成洽谈" and str(row.actual_cost_cny) == "1200.50"
    assert row.version == report.version + 1


def test_a_stale_form_says_nothing_was_saved_and_keeps_the_text(as_user, cast, report, trip):
    client = as_user("unit_clerk")
    old = _form_data(report, meetings="我在旧窗口写的会见情况")
    client.post(url("report", trip), _form_data(report, meetings="新窗口先保存"))
    response = client.post(url("report", trip), old)
    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale"' in body
    assert "我在旧窗口写的会见情况" in body  # still on the page to copy
    assert fresh(report).meetings == "新窗口先保存"


def test_the_report_is_overdue_on_the_page(as_user, report, trip):
    TripReport.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    body = as_user("fao_reviewer").get(url("report", trip)).content.decode()
    assert 'data-overdue="yes"' in body


def test_the_fao_reads_but_does_not_write_a_draft(as_user, report, trip):
    client = as_user("fao_reviewer")
    body = client.get(url("report", trip)).content.decode()
    assert 'data-testid="report-form"' not in body and 'data-testid="report-content"' in body
    assert 'data-testid="decide-form"' not in body
    assert (
        client.post(url("report", trip), _form_data(report, tasks_done="外办改写")).status_code
        == 403
    )
    assert fresh(report).tasks_done == ""


def test_no_report_before_the_return(as_user, cast, people):
    from tests.missions.travel import approved

    mission = approved(cast, people)
    client = as_user("unit_clerk")
    response = client.get(url("report", mission))
    assert response.status_code == 302 and response["Location"] == url("detail", mission)
    assert client.get(url("report-docx", mission)).status_code == 404
    assert client.post(url("report-submit", mission)).status_code == 404


def test_the_whole_flow_through_the_pages(as_user, cast, report, trip):
    clerk = as_user("unit_clerk")
    clerk.post(url("report", trip), _form_data(report, **TEXT))
    upload = SimpleUploadedFile("签字版.pdf", PDF, content_type="application/pdf")
    clerk.post(url("report-upload", trip), {"version": fresh(report).version, "document": upload})
    assert fresh(report).document_name == "签字版.pdf"
    clerk.post(
        url("report-publish", trip),
        {"version": fresh(report).version, "starts_on": trip.actual_return.isoformat()},
    )
    assert fresh(report).publicity_starts_on is not None
    clerk.post(url("report-submit", trip), {"version": fresh(report).version})
    assert fresh(report).state == ReportState.SUBMITTED

    reviewer = as_user("fao_reviewer")
    body = reviewer.get(url("report", trip)).content.decode()
    assert 'data-testid="decide-form"' in body
    # A return with no comment is refused and the report stays submitted.
    reviewer.post(url("report-decide", trip), {"decision": "return", "comment": ""})
    assert fresh(report).state == ReportState.SUBMITTED
    reviewer.post(url("report-decide", trip), {"decision": "return", "comment": "请补充成果"})
    assert fresh(report).state == ReportState.RETURNED
    body = clerk.get(url("report", trip)).content.decode()
    assert 'data-testid="return-comment"' in body and "请补充成果" in body
    clerk.post(url("report", trip), _form_data(fresh(report), **(TEXT | {"outcomes": "成果三项"})))
    clerk.post(url("report-submit", trip), {"version": fresh(report).version})
    return_passports(cast, trip)
    reviewer.post(url("report-decide", trip), {"decision": "accept", "comment": ""})
    assert fresh(report).state == ReportState.ACCEPTED
    assert Mission.objects.get(pk=trip.pk).state == State.CLOSED


def test_the_signed_report_is_downloaded_by_those_who_see_the_trip(as_user, cast, report, trip):
    from waishi.missions.report import services

    services.report_upload_document(
        actor=cast["unit_clerk"], report=report, document=SimpleUploadedFile("signed.pdf", PDF)
    )
    response = as_user("fao_head").get(url("report-document", trip))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="missions.report.document_download")
    assert event.actor_id == cast["fao_head"].pk and event.data["file"] == "signed.pdf"
    assert as_user("outsider").get(url("report-document", trip)).status_code == 404


# -- the Word documents ------------------------------------------------------------------------


def test_the_report_docx_reads_back(as_user, cast, report, trip):
    from waishi.missions.report import services

    services.report_update(
        actor=cast["unit_clerk"],
        report=report,
        version=report.version,
        **TEXT,
        agreements="签署合作备忘录一份",
        problems="行程偏紧",
        actual_cost_cny="28800",
    )
    response = as_user("unit_leader").get(url("report-docx", trip))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    text = documents.text_of(response.content)
    assert "出访报告" in text and trip.title in text and "市商务局" in text
    assert "李雷" in text and "韩梅梅" in text and "东京" in text
    assert trip.departure_date.isoformat() in text and trip.actual_return.isoformat() in text
    for value in TEXT.values():
        assert value in text
    assert "签署合作备忘录一份" in text and "行程偏紧" in text and "28,800.00元" in text
    assert "{{" not in text
    event = AuditEvent.objects.get(action="missions.report.docx")
    assert event.data["document"] == "trip_report"


def test_the_post_trip_notice_exists_once_published(as_user, cast, report, trip, settings):
    settings.FAO_PHONE = "0571-87000000"
    client = as_user("unit_clerk")
    assert client.get(url("report-publicity-docx", trip)).status_code == 404
    published = complete(cast, report)
    response = client.get(url("report-publicity-docx", trip))
    assert response.status_code == 200
    text = documents.text_of(response.content)
    assert "出访情况公示" in text and trip.title in text
    assert published.publicity_starts_on.isoformat() in text
    assert published.publicity_ends_on.isoformat() in text
    assert "5个工作日" in text and TEXT["outcomes"] in text and "李雷" in text
    assert "0571-87000000" in text  # where objections go (WAISHI_FAO_PHONE)
    assert "{{" not in text


# -- outcomes ----------------------------------------------------------------------------------


def test_the_report_page_links_to_recording_an_outcome_of_the_trip(as_user, report, trip):
    client = as_user("unit_clerk")
    body = client.get(url("report", trip)).content.decode()
    link = f"{reverse('followups:create')}?source_type=missions.mission&amp;source_id={trip.pk}"
    assert link in body
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    assert f'name="source_id" value="{trip.pk}"' in form.content.decode()
    # The auditor reads the report but records no outcome.
    assert (
        'data-testid="record-outcome"'
        not in as_user("auditor").get(url("report", trip)).content.decode()
    )


# -- the list ----------------------------------------------------------------------------------


def _rows(client, **query) -> list[str]:
    body = client.get(reverse("missions:report-list"), query).content.decode()
    return [line for line in body.splitlines() if "/report/" in line and "<a href" in line]


def test_the_list_is_scoped_and_overdue_first(as_user, cast, home_unit, report, foreign_report):
    from tests.factories import PersonFactory

    other = [PersonFactory(name="王五", unit=home_unit, post="科员")]
    later = TripReport.objects.get(mission=back(cast, other, title="赴韩国考察"))
    TripReport.objects.filter(pk=later.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)  # overdue
    )
    fao = _rows(as_user("fao_reviewer"))
    assert len(fao) == 3
    # The two overdue first (by due date), then the one still within its time.
    assert "教育局赴英国访问" in fao[0] and "赴韩国考察" in fao[1]
    assert "赴日本经贸交流" in fao[2]
    home = _rows(as_user("unit_clerk"))
    assert len(home) == 2 and not any("教育局" in row for row in home)
    assert "赴韩国考察" in home[0]
    outsider = _rows(as_user("outsider"))
    assert len(outsider) == 1 and "教育局赴英国访问" in outsider[0]
    # Search by the trip's title, filter by state.
    assert len(_rows(as_user("fao_head"), q="韩国")) == 1
    assert len(_rows(as_user("fao_head"), state="overdue")) == 2
    assert len(_rows(as_user("fao_head"), state="submitted")) == 0
    htmx = as_user("unit_leader").get(
        reverse("missions:report-list"), {"q": "日本"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()


def test_the_list_is_paginated(as_user, cast, people, report):
    from waishi.lib.pages import PER_PAGE

    for n in range(PER_PAGE):
        m = Mission.objects.create(unit=report.mission.unit, title=f"团组{n}", state=State.BACK)
        TripReport.objects.create(mission=m, due_date=timezone.localdate())
    client = as_user("fao_reviewer")
    assert len(_rows(client)) == PER_PAGE
    assert len(_rows(client, page=2)) == 1


@pytest.mark.parametrize("who", ["district_officer", "sys_admin", "audit_admin"])
def test_the_list_is_closed_to_roles_without_trips(as_user, who):
    assert as_user(who).get(reverse("missions:report-list")).status_code == 403


# -- another unit ------------------------------------------------------------------------------

GETS = ("report", "report-document", "report-docx", "report-publicity-docx")
POSTS = ("report", "report-upload", "report-publish", "report-submit", "report-decide")


@pytest.mark.parametrize("who", ["unit_clerk", "unit_leader"])
def test_another_units_report_is_out_of_reach(as_user, foreign_report, who):
    client = as_user(who)
    mission = foreign_report.mission
    before = TripReport.objects.filter(pk=foreign_report.pk).values().get()
    for name in GETS:
        assert client.get(url(name, mission)).status_code in (403, 404), name
    payload = {
        "version": foreign_report.version,
        "tasks_done": "篡改",
        "starts_on": timezone.localdate().isoformat(),
        "decision": "accept",
        "document": SimpleUploadedFile("x.pdf", PDF),
    }
    for name in POSTS:
        assert client.post(url(name, mission), payload).status_code in (403, 404), name
    assert TripReport.objects.filter(pk=foreign_report.pk).values().get() == before
    assert not AuditEvent.objects.filter(action__startswith="missions.report.").exists()


def test_the_unit_cannot_decide_and_the_fao_cannot_submit(as_user, cast, report, trip):
    submitted(cast, report)
    assert (
        as_user("unit_leader").post(url("report-decide", trip), {"decision": "accept"}).status_code
        == 403
    )
    assert fresh(report).state == ReportState.SUBMITTED
    assert as_user("fao_head").post(url("report-submit", trip)).status_code == 403
