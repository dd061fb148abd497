"""The trip report (出访报告, ``REPORT_DUE``): written by the unit's clerk with a version
check, filed and published inside the unit, submitted only when complete, accepted or
returned by the FAO; acceptance closes the trip once the passports are back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import PersonFactory, UserFactory
from tests.missions.travel import back
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role
from waishi.lib.workflow import WorkflowError
from waishi.missions.application.services.publicity import publicity_period
from waishi.missions.core.common import StaleVersion
from waishi.missions.models import Mission, ReportState, State, TripReport
from waishi.missions.report import services
from waishi.missions.report.workflow import REPORT
from waishi.passports import services as passport_services
from waishi.passports.models import PassportCustody

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% signed report\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT = {
    "tasks_done": "拜访东京都政府，完成洽谈任务",
    "meetings": "会见东京都副知事",
    "outcomes": "达成合作意向两项",
    "costs": "住宿费、伙食费均在标准内",
}


@pytest.fixture
def trip(cast, people):
    return back(cast, people, days_ago=1)


@pytest.fixture
def report(trip):
    return TripReport.objects.get(mission=trip)


def fresh(report: TripReport) -> TripReport:
    return TripReport.objects.select_related("mission").get(pk=report.pk)


def events(prefix: str = "missions.report.") -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def write(clerk, report: TripReport, **values) -> TripReport:
    report = fresh(report)
    return services.report_update(
        actor=clerk, report=report, version=report.version, **(values or TEXT)
    )


def complete(cast, report: TripReport) -> TripReport:
    """Every required field filled in and the report published inside the unit."""
    clerk = cast["unit_clerk"]
    write(clerk, report)
    return services.report_publish(actor=clerk, report=fresh(report))


def submitted(cast, report: TripReport) -> TripReport:
    complete(cast, report)
    return services.report_submit(actor=cast["unit_clerk"], report=fresh(report))


def return_passports(cast, mission: Mission) -> None:
    for custody in PassportCustody.objects.filter(mission=mission, returned_at__isnull=True):
        passport_services.passport_return(actor=cast["fao_reviewer"], custody=custody)


# -- the table ---------------------------------------------------------------------------------


def test_the_docs_show_the_report_table_in_the_code():
    docs = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
    text = docs.read_text(encoding="utf-8")
    assert REPORT.mermaid() in text
    assert "`missions.tripreport`, `waishi/missions/report/workflow.py`" in text


# -- writing -----------------------------------------------------------------------------------


def test_the_clerk_saves_what_was_typed_with_one_event(cast, report):
    clerk = cast["unit_clerk"]
    saved = services.report_update(
        actor=clerk,
        report=report,
        version=report.version,
        tasks_done="  完成任务  ",
        actual_cost_cny="28500.5",
    )
    assert saved.version == report.version + 1
    row = fresh(report)
    assert row.tasks_done == "完成任务"
    assert str(row.actual_cost_cny) == "28500.50"
    assert row.meetings == ""  # incomplete drafts are kept as typed
    event = AuditEvent.objects.get(action="missions.report.update")
    assert event.object_type == "missions.tripreport" and event.object_id == str(report.pk)
    assert event.after == {"tasks_done": "完成任务", "actual_cost_cny": "28500.50"}
    assert event.data["mission"] == report.mission_id
    # The same values again: no write, no event.
    services.report_update(actor=clerk, report=row, version=row.version, tasks_done="完成任务")
    assert fresh(report).version == row.version
    assert events() == ["missions.report.update"]


@pytest.mark.parametrize("who", ["unit_leader", "fao_reviewer", "fao_head", "outsider", "auditor"])
def test_only_a_clerk_of_the_unit_writes_the_report(cast, report, who):
    with pytest.raises(PermissionDenied):
        services.report_update(
            actor=cast[who], report=report, version=report.version, tasks_done="改写"
        )
    assert fresh(report).tasks_done == ""
    assert events() == []


def test_a_stale_version_is_refused_and_nothing_is_saved(cast, report):
    clerk = cast["unit_clerk"]
    loaded = report.version
    services.report_update(actor=clerk, report=report, version=loaded, meetings="第一个窗口")
    with pytest.raises(StaleVersion) as refused:
        services.report_update(actor=clerk, report=report, version=loaded, meetings="第二个窗口")
    assert refused.value.code == "stale"
    row = fresh(report)
    assert row.meetings == "第一个窗口" and row.version == loaded + 1
    assert events() == ["missions.report.update"]


def test_unknown_fields_are_a_programming_error(cast, report):
    with pytest.raises(TypeError):
        services.report_update(
            actor=cast["unit_clerk"], report=report, version=report.version, state="accepted"
        )


# -- the signed document -----------------------------------------------------------------------


def test_the_signed_report_is_checked_by_content_and_stored_under_a_random_name(cast, report):
    clerk = cast["unit_clerk"]
    upload = SimpleUploadedFile("东京出访报告（签字版）.pdf", PDF)
    filed = services.report_upload_document(actor=clerk, report=report, document=upload)
    assert filed.document_name == "东京出访报告（签字版）.pdf"
    assert filed.document_type == "application/pdf"
    assert "东京" not in filed.document.name and filed.document.name.endswith(".pdf")
    assert filed.document.name.startswith("missions/reports/")
    first = filed.document.name
    # A replacement removes the old file once committed.
    services.report_upload_document(
        actor=clerk, report=fresh(report), document=SimpleUploadedFile("v2.pdf", PDF)
    )
    row = fresh(report)
    assert row.document.name != first and row.document_name == "v2.pdf"
    assert events() == ["missions.report.upload", "missions.report.upload"]


@pytest.mark.parametrize(
    "name,content",
    [
        ("report.pdf", b"just text pretending to be a PDF"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100),  # an image is not a signed report
    ],
)
def test_a_file_that_is_not_pdf_or_docx_is_refused(cast, report, name, content):
    with pytest.raises(ValidationError) as refused:
        services.report_upload_document(
            actor=cast["unit_clerk"], report=report, document=SimpleUploadedFile(name, content)
        )
    assert "document" in refused.value.message_dict
    assert not fresh(report).document
    assert events() == []


def test_another_unit_cannot_file_the_report(cast, report):
    with pytest.raises(PermissionDenied):
        services.report_upload_document(
            actor=cast["outsider"], report=report, document=SimpleUploadedFile("a.pdf", PDF)
        )


# -- the post-trip publicity -------------------------------------------------------------------


def test_publicity_runs_the_policy_working_days_from_the_start(cast, report, trip):
    start = trip.actual_return
    published = services.report_publish(actor=cast["unit_leader"], report=report, starts_on=start)
    assert (published.publicity_starts_on, published.publicity_ends_on) == publicity_period(
        start, 5
    )
    event = AuditEvent.objects.get(action="missions.report.publish")
    assert event.data["working_days"] == 5


def test_publicity_cannot_start_in_the_future_or_before_the_return(cast, report, trip):
    leader = cast["unit_leader"]
    for day in (timezone.localdate() + dt.timedelta(days=1), trip.actual_return - dt.timedelta(1)):
        with pytest.raises(ValidationError) as refused:
            services.report_publish(actor=leader, report=report, starts_on=day)
        assert "starts_on" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.report_publish(actor=cast["fao_head"], report=report)
    assert fresh(report).publicity_starts_on is None


# -- submitting --------------------------------------------------------------------------------


def test_submission_names_every_missing_field(cast, report):
    clerk = cast["unit_clerk"]
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=clerk, report=report)
    assert set(refused.value.message_dict) == {
        "tasks_done",
        "meetings",
        "outcomes",
        "costs",
        "publicity",
    }
    write(clerk, report, tasks_done="完成", costs="在标准内", agreements="无")
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=clerk, report=fresh(report))
    assert set(refused.value.message_dict) == {"meetings", "outcomes", "publicity"}
    assert fresh(report).state == ReportState.DRAFT
    assert "missions.report.submit" not in events()


def test_the_leader_submits_a_complete_report(cast, report):
    complete(cast, report)
    done = services.report_submit(actor=cast["unit_leader"], report=fresh(report))
    assert done.state == ReportState.SUBMITTED
    assert done.submitted_by == cast["unit_leader"] and done.submitted_at is not None
    event = AuditEvent.objects.get(action="missions.report.submit")
    assert event.before == {"state": "draft"} and event.after == {"state": "submitted"}
    assert event.data["days_late"] == 0
    # Submitted: the unit no longer edits it.
    with pytest.raises(ValidationError) as refused:
        write(cast["unit_clerk"], report, problems="补充")
    assert refused.value.code == "state"


def test_another_unit_cannot_submit(cast, report):
    complete(cast, report)
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=cast["outsider"], report=fresh(report))
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=cast["fao_reviewer"], report=fresh(report))


# -- the FAO's decision ------------------------------------------------------------------------


def test_return_needs_a_comment_and_the_unit_corrects_and_submits_again(cast, report):
    submitted(cast, report)
    reviewer = cast["fao_reviewer"]
    with pytest.raises(ValidationError) as refused:
        services.report_return(actor=reviewer, report=fresh(report), comment="  ")
    assert "comment" in refused.value.message_dict
    returned = services.report_return(
        actor=reviewer, report=fresh(report), comment="请补充经费使用明细"
    )
    assert returned.state == ReportState.RETURNED
    assert returned.return_comment == "请补充经费使用明细" and returned.decided_by == reviewer
    write(cast["unit_clerk"], report, costs="住宿费12000元，伙食费8000元")
    again = services.report_submit(actor=cast["unit_clerk"], report=fresh(report))
    assert again.state == ReportState.SUBMITTED
    assert events() == [
        "missions.report.update",
        "missions.report.publish",
        "missions.report.submit",
        "missions.report.return",
        "missions.report.update",
        "missions.report.submit",
    ]


def test_only_the_fao_decides_and_only_on_a_submitted_report(cast, report):
    with pytest.raises(WorkflowError):
        services.report_accept(actor=cast["fao_head"], report=report)  # still a draft
    submitted(cast, report)
    for who in ("unit_clerk", "unit_leader", "committee", "auditor"):
        with pytest.raises(PermissionDenied):
            services.report_accept(actor=cast[who], report=fresh(report))
    assert fresh(report).state == ReportState.SUBMITTED


def test_a_member_of_the_trip_does_not_decide_on_its_report(cast, report, fao_unit, people):
    travelling = UserFactory(role=Role.FAO_REVIEWER, unit=fao_unit, person=people[0])
    submitted(cast, report)
    with pytest.raises(WorkflowError):
        services.report_accept(actor=travelling, report=fresh(report))
    assert fresh(report).state == ReportState.SUBMITTED


def test_acceptance_closes_the_trip_only_when_the_passports_are_back(cast, report, trip):
    submitted(cast, report)
    accepted = services.report_accept(actor=cast["fao_reviewer"], report=fresh(report))
    assert accepted.state == ReportState.ACCEPTED
    assert Mission.objects.get(pk=trip.pk).state == State.BACK  # passports still out
    assert not AuditEvent.objects.filter(action="missions.mission.close").exists()
    # The last passport returned after the acceptance closes it.
    return_passports(cast, trip)
    closed = Mission.objects.get(pk=trip.pk)
    assert closed.state == State.CLOSED and closed.closed_at is not None
    assert AuditEvent.objects.filter(action="missions.mission.close").count() == 1


def test_acceptance_with_the_passports_back_closes_the_trip_at_once(cast, report, trip):
    return_passports(cast, trip)
    submitted(cast, report)
    assert Mission.objects.get(pk=trip.pk).state == State.BACK
    services.report_accept(actor=cast["fao_head"], report=fresh(report), comment="同意")
    assert Mission.objects.get(pk=trip.pk).state == State.CLOSED
    event = AuditEvent.objects.get(action="missions.report.accept")
    assert event.data["comment"] == "同意"


def test_acceptance_is_undone_when_closing_fails(cast, report, trip, monkeypatch):
    """All or nothing (security.md I2): a failure while closing leaves the report submitted."""
    from waishi.missions.trip import services as trip_services

    return_passports(cast, trip)
    submitted(cast, report)

    def boom(**kwargs):
        raise RuntimeError("closing failed")

    monkeypatch.setattr(trip_services, "mission_close_if_ready", boom)
    with pytest.raises(RuntimeError):
        services.report_accept(actor=cast["fao_head"], report=fresh(report))
    assert fresh(report).state == ReportState.SUBMITTED
    assert "missions.report.accept" not in events()


# -- obligations and follow-ups ----------------------------------------------------------------


def test_a_report_owed_is_on_the_units_obligations_page(cast, report, home_unit):
    from waishi.followups import obligations

    items = [o for o in obligations.for_unit(home_unit) if o.url.endswith("/report/")]
    assert len(items) == 1 and items[0].due_date == report.due_date and not items[0].overdue
    TripReport.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    items = [o for o in obligations.for_unit(home_unit) if o.url.endswith("/report/")]
    assert items[0].overdue
    submitted(cast, report)
    assert not [o for o in obligations.for_unit(home_unit) if o.url.endswith("/report/")]


def test_an_outcome_is_recorded_against_the_trip(cast, trip, people):
    from waishi.followups import services as followups
    from waishi.followups import sources

    assert sources.url_of("missions.mission", trip.pk) == f"/missions/{trip.pk}/"
    outcome = followups.outcome_create(
        actor=cast["unit_clerk"],
        title="与东京都签署友好交流备忘录",
        kind="agreement",
        responsible_person=people[0],
        responsible_unit=trip.unit,
        due_date=timezone.localdate() + dt.timedelta(days=60),
        source_type="missions.mission",
        source_id=trip.pk,
    )
    assert outcome.source_title == trip.title
    # Another unit's clerk cannot attach an outcome to this trip.
    outsider = cast["outsider"]
    with pytest.raises(ValidationError):
        followups.outcome_create(
            actor=outsider,
            title="冒用",
            kind="agreement",
            responsible_person=PersonFactory(unit=outsider.unit),
            responsible_unit=outsider.unit,
            due_date=timezone.localdate() + dt.timedelta(days=60),
            source_type="missions.mission",
            source_id=trip.pk,
        )
