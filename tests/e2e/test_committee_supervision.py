"""The committee and its supervised tasks, in the browser (issue 17's acceptance test), in
Chinese: the office creates a meeting with two agenda items, uploads a document and its
revision and compares the two, records attendance and the opinions, drafts the minutes,
sends them for review; the FAO head issues them; the office downloads the 公文 and turns
two decisions into supervised tasks led by the clerk's unit. The clerk accepts one,
reports, feeds back; the office returns it with a reason; the clerk feeds back again; the
office closes it. The other task goes red with time moved past its deadline: the daily
sweep tells the unit and the office, and the task's page says 红色警告 in words."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

import waishi
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PersonFactory
from waishi.audit.selectors import verify_chain
from waishi.committee.models import (
    AgendaItem,
    Attendance,
    CommitteeMember,
    Decision,
    Document,
    Meeting,
    Minutes,
    MinutesState,
    Opinion,
    Position,
)
from waishi.followups import supervision
from waishi.followups.models import Colour, Outcome, State
from waishi.notify.models import Notification

OLD_PARAGRAPH = "二、到2027年底，与五个国家的城市建立友好交流关系。"
NEW_PARAGRAPH = "二、到2027年底，与八个国家的城市建立友好合作关系。"


def _docx(paragraphs: list[str]) -> bytes:
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_heading("关于深化国际友好城市交流合作的实施方案", level=1)
    for text in paragraphs:
        word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _page(browser, base, user):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    log_in(page, base, user)
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _zh(msgid: str) -> str:
    """The Chinese of ``msgid`` as the pages say it (read from the compiled catalogue: this
    thread runs Playwright's event loop, where Django's active language is not reliable)."""
    catalogue = gettext.translation(
        "django", localedir=Path(waishi.__file__).parent / "locale", languages=["zh_Hans"]
    )
    return catalogue.gettext(msgid)


# The task's states as the pages name them (``followups.models.State``).
STATE_MSGIDS = {
    State.IN_PROGRESS: "In progress",
    State.FEEDBACK: "Awaiting review",
    State.RETURNED: "Returned for more work",
    State.DONE: "Done",
}


def _state_word(state) -> str:
    word = _zh(STATE_MSGIDS[state])
    assert word != STATE_MSGIDS[state], "the state has no Chinese"
    return word


def _submit(page) -> None:
    page.click('[data-testid="form-submit"]')
    page.wait_for_load_state()


def _act(page, base, task, name: str, **fields) -> None:
    """One action of the task's page: its own page, its form, back to the task."""
    page.goto(f"{base}/followups/tasks/{task.pk}/{name}/")
    for selector, value in fields.items():
        if value is True:
            page.check(f"#id_{selector}")
        else:
            page.fill(f"#id_{selector}", value)
    page.click('[data-testid="action-submit"]')
    page.wait_for_url(f"{base}/followups/tasks/{task.pk}/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_meeting_minutes_tasks_returned_closed_and_red(
    live_server, browser, cast, home_unit, foreign_unit, tmp_path
):
    base = live_server.url
    today = timezone.localdate()
    fao, clerk_user = cast["fao_reviewer"], cast["unit_clerk"]
    # The committee's members are data the office keeps (their pages have their own tests).
    chair = PersonFactory(name="欧阳明远", unit=foreign_unit)
    member = PersonFactory(name="上官文静", unit=home_unit)
    CommitteeMember.objects.create(person=chair, position=Position.CHAIR, order=1)
    CommitteeMember.objects.create(person=member, position=Position.MEMBER, order=2)
    responsible = PersonFactory(name="司马承办", unit=home_unit)

    # -- the office schedules the meeting and its two agenda items -----------------------
    office = _page(browser, base, fao)
    office.goto(f"{base}/committee/meetings/new/")
    office.select_option("#id_kind", "plenary")
    office.fill("#id_date", today.isoformat())
    office.fill("#id_place", "市委第一会议室")
    office.fill("#id_title", "研究国际友好城市工作")
    _submit(office)
    meeting = Meeting.objects.get(place="市委第一会议室")
    office.wait_for_url(f"{base}/committee/meetings/{meeting.pk}/")
    for title, unit in (
        ("关于深化国际友好城市交流合作的实施方案", home_unit),
        ("关于2027年国际教育交流计划的报告", foreign_unit),
    ):
        office.goto(f"{base}/committee/meetings/{meeting.pk}/items/new/")
        office.fill("#id_title", title)
        office.select_option("#id_submitting_unit", str(unit.pk))
        _submit(office)
        office.wait_for_url(f"{base}/committee/meetings/{meeting.pk}/")
    first, second = AgendaItem.objects.filter(meeting=meeting).order_by("order")
    assert (first.submitting_unit, second.submitting_unit) == (home_unit, foreign_unit)

    # -- the submitted version of the first item's plan ------------------------------------
    v1 = tmp_path / "实施方案（送审稿）.docx"
    v1.write_bytes(_docx(["一、总体要求：坚持统筹协调、务实合作。", OLD_PARAGRAPH]))
    office.goto(f"{base}/committee/items/{first.pk}/documents/new/")
    office.fill("#id_title", "国际友好城市交流合作实施方案")
    office.select_option("#id_kind", "plan")
    office.set_input_files("#id_file", str(v1))
    office.fill("#id_reason", "市商务局报送")
    _submit(office)
    document = Document.objects.get(item=first)
    office.wait_for_url(f"{base}/committee/documents/{document.pk}/")

    # -- attendance: the member is on leave; the meeting is held; the opinions ----------
    seat = CommitteeMember.objects.get(person=member)
    office.goto(f"{base}/committee/meetings/{meeting.pk}/attendance/?member={seat.pk}")
    office.select_option("#id_status", "leave")
    office.fill("#id_reason", "因公出访")
    office.click('[data-testid="attendance-save"]')
    office.wait_for_url(f"{base}/committee/meetings/{meeting.pk}/attendance/")
    assert "因公出访" in office.locator("table").inner_text()
    assert Attendance.objects.get(meeting=meeting, member=seat).status == "leave"
    office.goto(f"{base}/committee/meetings/{meeting.pk}/")
    with office.expect_navigation():
        office.click('[data-testid="hold"]')
    for item, opinion in ((first, Opinion.AGREE_REVISE), (second, Opinion.AGREE)):
        office.select_option(f"#opinion-{item.pk}", opinion.value)
        button = f'form[action$="/items/{item.pk}/opinion/"] [data-testid="record-opinion"]'
        with office.expect_navigation():
            office.click(button)
    items_text = office.locator('section[aria-labelledby="items-heading"]').inner_text()
    assert "原则同意并修改完善" in items_text and "同意" in items_text
    assert [i.opinion for i in AgendaItem.objects.filter(meeting=meeting).order_by("order")] == [
        Opinion.AGREE_REVISE,
        Opinion.AGREE,
    ]
    _shot(office, "committee-meeting-opinions")

    # -- the version revised as the meeting asked, compared with the first --------------
    v2 = tmp_path / "实施方案（修改稿）.docx"
    v2.write_bytes(_docx(["一、总体要求：坚持统筹协调、务实合作。", NEW_PARAGRAPH]))
    office.goto(f"{base}/committee/documents/{document.pk}/versions/new/")
    office.set_input_files("#id_file", str(v2))
    office.fill("#id_reason", "按照会议研究意见修改完善")
    _submit(office)
    office.wait_for_url(f"{base}/committee/documents/{document.pk}/")
    assert document.versions.count() == 2
    office.click('[data-testid="compare"]')
    office.locator('[data-testid="comparison"]').wait_for()
    changed = office.locator('[data-testid="comparison"] tr[data-status="changed"]')
    assert changed.count() == 1
    words = changed.text_content()
    assert "八" in changed.locator("ins").first.text_content()
    assert "五" in changed.locator("del").first.text_content()
    assert _zh("inserted") in words and _zh("deleted") in words  # said, not only coloured
    assert office.locator('[data-testid="comparison"] tr[data-status="same"]').count() >= 1
    _shot(office, "committee-compare-versions")

    # -- the minutes: drafted, sent for review, issued by the FAO head -------------------
    office.goto(f"{base}/committee/meetings/{meeting.pk}/")
    office.click('[data-testid="draft-minutes"]')
    minutes = Minutes.objects.get(meeting=meeting)
    office.wait_for_url(f"{base}/committee/minutes/{minutes.pk}/")
    office.click('[data-testid="minutes-submit"]')
    office.locator('[data-testid="minutes-submit"]').wait_for(state="detached")
    assert Minutes.objects.get(pk=minutes.pk).state == MinutesState.REVIEW
    head = _page(browser, base, cast["fao_head"])
    head.goto(f"{base}/committee/minutes/{minutes.pk}/")
    head.click('[data-testid="minutes-issue"]')
    head.locator('[data-testid="minutes-docx"]').wait_for()
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.ISSUED and minutes.number
    _shot(head, "committee-minutes-issued")

    office.goto(f"{base}/committee/minutes/{minutes.pk}/")
    assert minutes.number in office.locator("article").inner_text()
    with office.expect_download() as info:
        office.click('[data-testid="minutes-docx"]')
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    from docx import Document as WordDocument

    word = WordDocument(download.path())
    text = "\n".join(
        [p.text for p in word.paragraphs]
        + [c.text for t in word.tables for row in t.rows for c in row.cells]
        + [p.text for s in word.sections for p in s.header.paragraphs + s.footer.paragraphs]
    )
    assert minutes.number in text  # 发文字号
    assert re.search(r"〔\d{4}〕\d+号", minutes.number)
    assert minutes.title in text

    # -- two decisions become supervised tasks led by the clerk's unit --------------------
    decisions = list(Decision.objects.filter(minutes=minutes).order_by("order", "pk"))
    assert len(decisions) == 2
    red_due = today + dt.timedelta(days=3)
    for decision, due in zip(decisions, (None, red_due), strict=True):
        office.goto(f"{base}/committee/decisions/{decision.pk}/")
        office.select_option("#id_lead_unit", str(home_unit.pk))
        office.select_option("#id_responsible_person", str(responsible.pk))
        if due is not None:
            office.fill("#id_due_date", due.isoformat())
        office.click('[data-testid="register-task"]')
        office.wait_for_url(f"{base}/committee/decisions/{decision.pk}/")
        decision.refresh_from_db()
        assert decision.task_id
    _shot(office, "committee-decision-task")
    task, late = (Outcome.objects.get(pk=d.task_id) for d in decisions)
    assert task.responsible_unit == late.responsible_unit == home_unit
    assert task.state == late.state == State.ASSIGNED
    assert late.due_date == red_due

    # -- the clerk accepts, reports, feeds back ------------------------------------------
    clerk = _page(browser, base, clerk_user)
    _act(clerk, base, task, "accept")
    status = clerk.locator('[data-testid="task-status"]')
    assert _state_word(State.IN_PROGRESS) in status.inner_text()
    _act(clerk, base, task, "progress", text="已起草友城合作三年行动计划，正在征求意见")
    _act(clerk, base, task, "feedback", text="第一次反馈：已与三个国家的城市签署意向书")
    assert _state_word(State.FEEDBACK) in status.inner_text()

    # -- the office returns it as not solved ----------------------------------------------
    _act(office, base, task, "return", reason="缺少签署文本，请补充佐证材料")
    assert _state_word(State.RETURNED) in office.locator('[data-testid="task-status"]').inner_text()

    # -- the clerk sees the reason and feeds back again ------------------------------------
    clerk.goto(f"{base}/followups/tasks/{task.pk}/")
    assert _state_word(State.RETURNED) in status.inner_text()
    assert "缺少签署文本" in clerk.locator('[data-testid="reviews"]').inner_text()
    _act(clerk, base, task, "feedback", text="第二次反馈：补充了三份意向书的签署文本")
    _shot(clerk, "committee-task-fed-back-again")

    # -- the office closes it (confirmation ticked) -----------------------------------------
    office.goto(f"{base}/followups/tasks/{task.pk}/close/")
    office.locator('[data-testid="cannot-undo"]').wait_for()
    _act(office, base, task, "close", confirm=True, comment="材料齐全，同意办结")
    office_status = office.locator('[data-testid="task-status"]').inner_text()
    assert _state_word(State.DONE) in office_status
    reports = office.locator('[data-testid="reports"]').inner_text()
    assert "第一次反馈" in reports and "第二次反馈" in reports
    reviews = office.locator('[data-testid="reviews"]').inner_text()
    assert "缺少签署文本" in reviews
    _shot(office, "committee-task-closed")

    task.refresh_from_db()
    assert task.state == State.DONE and task.done_at is not None
    feedbacks = task.updates.filter(kind="feedback").order_by("recorded_at", "pk")
    assert [u.text[:5] for u in feedbacks] == ["第一次反馈", "第二次反馈"]
    assert list(task.reviews.order_by("at", "pk").values_list("decision", flat=True)) == [
        "returned",
        "accepted",
    ]

    # -- the other task: time moves past its deadline; the daily sweep turns it red -------
    later = dt.datetime.combine(
        red_due + dt.timedelta(days=7), dt.time(9, 30), tzinfo=timezone.get_current_timezone()
    )
    red_title = _zh("Red alert: %(title)s is past its deadline") % {"title": late.title}
    red_word = _zh("Red alert")
    assert red_word == "红色警告"
    with time_machine.travel(later, tick=True):
        counts = supervision.colour_sweep()
        assert counts["red"] >= 1
        late.refresh_from_db()
        assert late.colour == Colour.RED and late.red_since == later.date()
        told = Notification.objects.filter(title=red_title)
        assert {n.recipient_id for n in told} >= {clerk_user.pk, fao.pk}

        # Yesterday's sessions have gone idle: both sign in again, on the later day.
        clerk = _page(browser, base, clerk_user)
        assert red_title in clerk.locator("main").inner_text()  # the home page's notices
        _shot(clerk, "committee-task-red-home")
        clerk.goto(f"{base}/notifications/")
        assert red_title in clerk.locator("main").inner_text()
        clerk.goto(f"{base}/followups/tasks/{late.pk}/")
        late_status = clerk.locator('[data-testid="task-status"]')
        assert red_word in late_status.inner_text()  # a word, not only a colour
        assert late_status.locator('[data-colour="red"]').count() == 1
        _shot(clerk, "committee-task-red")

        office = _page(browser, base, fao)
        office.goto(f"{base}/notifications/")
        assert red_title in office.locator("main").inner_text()
        _shot(office, "committee-task-red-office-inbox")

    assert verify_chain() is None
