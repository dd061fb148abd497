"""The committee's services: members, meetings, attendance, items, documents and their
versions, opinions, sign-off, minutes through draft, review and issue, decisions into tasks;
one audit event each."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.committee.conftest import docx_upload, hold, pdf_upload
from waishi.audit.messages import MESSAGES
from waishi.audit.models import AuditEvent
from waishi.committee import services
from waishi.committee.models import Attendance, Decision, MinutesState, Opinion, Stage
from waishi.lib.workflow import WorkflowError
from waishi.notify.models import Notification

pytestmark = pytest.mark.django_db


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_every_committee_action_has_a_sentence():
    actions = [a for a in MESSAGES if a.startswith("committee.")]
    assert "committee.minutes.issue" in actions and "committee.version.upload" in actions


def test_a_meeting_invites_the_active_members_present_by_default(meeting, members):
    rows = Attendance.objects.filter(meeting=meeting)
    assert rows.count() == 3 and {r.status for r in rows} == {"present"}
    assert _events("committee.meeting.create") == 1


def test_only_the_office_schedules_meetings(cast, members):
    import datetime as dt

    for name in ("unit_clerk", "committee", "auditor"):
        with pytest.raises(PermissionDenied):
            services.meeting_create(
                actor=cast[name], kind="plenary", date=dt.date(2026, 5, 1), place="会议室"
            )


def test_leave_needs_a_reason_and_representation_a_name(office, meeting, members):
    with pytest.raises(ValidationError):
        services.attendance_set(actor=office, meeting=meeting, member=members[1], status="leave")
    with pytest.raises(ValidationError):
        services.attendance_set(
            actor=office, meeting=meeting, member=members[1], status="represented"
        )
    row = services.attendance_set(
        actor=office, meeting=meeting, member=members[1], status="leave", reason="出差"
    )
    assert row.reason == "出差" and _events("committee.attendance.set") == 1


def test_items_are_ordered(office, meeting, item, home_unit):
    second = services.item_add(
        actor=office, meeting=meeting, title="第二项", submitting_unit=home_unit
    )
    assert (item.order, second.order) == (1, 2)


def test_the_submitting_unit_uploads_and_another_unit_may_not(cast, item, document):
    assert document.versions.get().stage == Stage.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.document_add(actor=cast["outsider"], item=item, title="外单位", file=pdf_upload())


def test_an_upload_is_checked_by_its_content(cast, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("方案.pdf", b"just text", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.document_add(actor=cast["unit_clerk"], item=item, title="假文件", file=fake)
    assert "file" in caught.value.message_dict


def test_opinion_waits_for_the_meeting_and_tells_the_unit(cast, office, meeting, item):
    with pytest.raises(ValidationError):
        services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE_REVISE)
    hold(office, meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE_REVISE, note="补充经费")
    assert Notification.objects.filter(
        recipient=cast["unit_clerk"], kind="committee.opinion"
    ).exists()


def test_agreed_in_principle_signs_off_only_a_revision(cast, office, meeting, item, document):
    hold(office, meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE_REVISE)
    first = document.versions.get()
    with pytest.raises(ValidationError):
        services.item_approve(actor=office, item=item, version=first)
    with pytest.raises(ValidationError):  # a revision says what was revised
        services.version_upload(actor=cast["unit_clerk"], document=document, file=docx_upload("x"))
    revised = services.version_upload(
        actor=cast["unit_clerk"],
        document=document,
        file=docx_upload("第一条 总体要求。", "第二条 主要任务（修改）。"),
        reason="按照会议研究意见修改完善",
    )
    assert (revised.number, revised.stage) == (2, Stage.REVISION)
    with pytest.raises(PermissionDenied):  # a committee member who is not the chair
        services.item_approve(actor=cast["unit_leader"], item=item, version=revised)
    approved = services.item_approve(actor=cast["committee"], item=item, version=revised)
    assert approved.approved_version == revised and approved.approved_by == cast["committee"]
    with pytest.raises(ValidationError):  # signed off: no more versions
        services.version_upload(
            actor=cast["unit_clerk"], document=document, file=docx_upload("y"), reason="再改"
        )


def _issued(cast, office, meeting, item):
    hold(office, meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    services.minutes_submit(actor=office, minutes=minutes)
    return services.minutes_issue(actor=cast["fao_head"], minutes=minutes)


def test_minutes_are_drafted_from_the_meeting(office, meeting, item):
    hold(office, meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE_REVISE)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    assert minutes.state == MinutesState.DRAFT
    assert item.title in minutes.body and "主任会议" in minutes.title
    decision = minutes.decisions.get()
    assert decision.item == item and item.submitting_unit.name in decision.text
    with pytest.raises(ValidationError):
        services.minutes_draft(actor=office, meeting=meeting)


def test_minutes_flow_return_and_issue(
    cast, office, meeting, item, django_capture_on_commit_callbacks
):
    hold(office, meeting)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    services.minutes_submit(actor=office, minutes=minutes)
    with pytest.raises(ValidationError):
        services.minutes_return(actor=cast["fao_head"], minutes=minutes, reason="")
    with pytest.raises((WorkflowError, PermissionDenied)):
        services.minutes_issue(actor=office, minutes=minutes)  # the reviewer does not issue
    minutes = services.minutes_return(actor=cast["fao_head"], minutes=minutes, reason="补充出席")
    assert minutes.state == MinutesState.DRAFT and minutes.return_reason == "补充出席"
    minutes = services.minutes_update(
        actor=office,
        minutes=minutes,
        title=minutes.title,
        body=minutes.body + "\n二、其他事项",
        decisions=["市商务局牵头落实。", "市教育局配合。"],
        copy_no="000012",
        secrecy="secret",
    )
    assert list(minutes.decisions.values_list("text", flat=True)) == [
        "市商务局牵头落实。",
        "市教育局配合。",
    ]
    services.minutes_submit(actor=office, minutes=minutes)
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.minutes_issue(actor=cast["committee"], minutes=minutes)
    assert issued.state == MinutesState.ISSUED and issued.number.endswith(f"〔{issued.year}〕1号")
    assert Notification.objects.filter(kind="committee.minutes_issued").exists()
    with pytest.raises(ValidationError):  # issued: the meeting is closed
        services.item_add(
            actor=office, meeting=meeting, title="迟到", submitting_unit=item.submitting_unit
        )


def test_each_action_writes_one_event(cast, office, meeting, item):
    before = AuditEvent.objects.count()
    hold(office, meeting)
    assert AuditEvent.objects.count() == before + 1
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE)
    assert AuditEvent.objects.count() == before + 2
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    services.minutes_submit(actor=office, minutes=minutes)
    services.minutes_issue(actor=cast["fao_head"], minutes=minutes)
    assert AuditEvent.objects.count() == before + 5


def test_a_decision_of_issued_minutes_becomes_a_task(cast, office, meeting, item, home_person):
    supervision = pytest.importorskip("waishi.followups.supervision")
    minutes = _issued(cast, office, meeting, item)
    decision = minutes.decisions.get()
    task = services.decision_to_task(
        actor=office,
        decision=decision,
        lead_unit=item.submitting_unit,
        responsible_person=home_person,
    )
    decision.refresh_from_db()
    assert decision.task == task
    assert (task.source_type, task.source_id, task.track) == (
        "committee.decision",
        decision.pk,
        "task",
    )
    with pytest.raises(ValidationError):
        services.decision_to_task(
            actor=office,
            decision=decision,
            lead_unit=item.submitting_unit,
            responsible_person=home_person,
        )
    assert supervision is not None


def test_a_decision_of_a_draft_is_no_task(cast, office, meeting, item, home_person):
    pytest.importorskip("waishi.followups.supervision")
    hold(office, meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    with pytest.raises(ValidationError):
        services.decision_to_task(
            actor=office,
            decision=Decision.objects.get(minutes=minutes),
            lead_unit=item.submitting_unit,
            responsible_person=home_person,
        )
