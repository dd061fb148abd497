"""The committee's demo: its members and office, this year's three meetings (a plenary and
a directors' meeting held, a meeting on one subject to come), an item whose document was
revised twice after the meeting and then signed off, minutes issued and minutes under
review, and decisions of the issued minutes turned into supervised tasks.

Everything goes through the services, each past step on its own day (``orgs.demo.clock``).
Call ``seed(today)`` after the demo city is loaded; a second call does nothing."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from waishi.committee import services
from waishi.committee.models import CommitteeMember, Meeting, MeetingKind, Opinion
from waishi.orgs.demo import CITY, clock, moment

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARK = f"{CITY}委外事工作委员会会议纪要"

PLAN_V1 = [
    "关于加强友好城市交流合作的实施方案（送审稿）",
    "一、总体要求",
    "坚持服务全市发展大局，拓展友好城市交流合作。",
    "二、主要任务",
    "每年与友好城市开展互访一次。",
    "三、保障措施",
    "各单位按职责分工抓好落实。",
]
PLAN_V2 = [
    "关于加强友好城市交流合作的实施方案（修改稿）",
    "一、总体要求",
    "坚持服务全市发展大局，拓展与友好城市的务实交流合作。",
    "二、主要任务",
    "每年与友好城市开展互访一次，重点推进经贸、教育、文化领域合作。",
    "三、保障措施",
    "各单位按职责分工抓好落实。",
    "市财政局统筹安排交流合作经费。",
]
PLAN_V3 = [
    "关于加强友好城市交流合作的实施方案",
    "一、总体要求",
    "坚持服务全市发展大局，拓展与友好城市的务实交流合作。",
    "二、主要任务",
    "每年与友好城市开展互访一次，重点推进经贸、教育、文化领域合作。",
    "建立友好城市合作项目库，实行清单化管理。",
    "三、保障措施",
    "各单位按职责分工抓好落实，市委外办牵头督促检查。",
    "市财政局统筹安排交流合作经费。",
]


def _docx(name: str, paragraphs: list[str]) -> SimpleUploadedFile:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=DOCX_TYPE)


def _pdf(name: str) -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _day(today: dt.date, days_ago: int, earliest: int) -> dt.date:
    """``days_ago`` before ``today``, kept in this year (on the ``earliest``-th of January
    at the soonest) and not after ``today``."""
    day = today - dt.timedelta(days=days_ago)
    floor = dt.date(today.year, 1, earliest)
    return min(max(day, floor), today)


def _at(today: dt.date, day: dt.date, hour: int):
    """The services' clock on ``day`` at ``hour``, never after ``today``."""
    return clock(moment(min(day, today), hour))


def _head(units, code: str):
    from waishi.orgs.models import Person

    return (
        Person.objects.filter(unit=units[code], is_active=True, is_unit_leadership=True)
        .order_by("pk")
        .first()
        or Person.objects.filter(unit=units[code], is_active=True).order_by("pk").first()
    )


def seed(today: dt.date) -> dict[str, int]:
    """Seed the committee as on ``today``; returns what it made (all zero when the demo
    city is not loaded or the committee is seeded already)."""
    from waishi.orgs.models import Unit, User

    made = {"members": 0, "meetings": 0, "items": 0, "versions": 0, "minutes": 0, "tasks": 0}
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    codes = ["HB-FAO", "HB-CPC", "HB-COM", "HB-EDU", "HB-CT", "HB-FIN", "HB-PSB", "HB-CCPIT"]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if len(users) < len(DEMO_USERS) or len(units) < len(codes):
        return made
    if Meeting.objects.filter(year=today.year).exists() or CommitteeMember.objects.exists():
        return made
    office, head, committee = users["reviewer"], users["head"], users["committee"]
    clerk, clerk2 = users["clerk"], users["clerk2"]

    start = _day(today, 120, 2)
    with _at(today, start, 9):
        services.settings_update(
            actor=office,
            office_unit=units["HB-FAO"],
            issuer_mark=MARK,
            number_prefix="海外委纪",
            printer=f"{CITY}委外事工作委员会办公室",
        )
        seats = [
            (committee.person, "chair", "主任"),
            (head.person, "vice_chair", "副主任、办公室主任"),
            (_head(units, "HB-COM"), "member", ""),
            (_head(units, "HB-EDU"), "member", ""),
            (_head(units, "HB-CT"), "member", ""),
            (_head(units, "HB-FIN"), "member", ""),
            (_head(units, "HB-PSB"), "member", ""),
        ]
        members = []
        for order, (person, position, office_role) in enumerate(seats, start=1):
            if person is None or CommitteeMember.objects.filter(person=person).exists():
                continue
            members.append(
                services.member_add(
                    actor=office,
                    person=person,
                    position=position,
                    office_role=office_role,
                    order=order,
                )
            )
        made["members"] = len(members)

    # 1. The plenary meeting, held: the key points agreed, the friendship-city plan agreed in
    #    principle, revised twice by the commerce bureau and signed off by the office.
    first_day = _day(today, 90, 10)
    with _at(today, first_day - dt.timedelta(days=7), 9):
        plenary = services.meeting_create(
            actor=office,
            kind=MeetingKind.PLENARY,
            date=first_day,
            place="市委常委会议室",
            convener=committee.person,
            title="研究部署全年外事工作",
            attendees_extra="市委办公室\n市政府办公室",
        )
        points = services.item_add(
            actor=office,
            meeting=plenary,
            title=f"{today.year}年全市外事工作要点",
            submitting_unit=units["HB-FAO"],
        )
        plan = services.item_add(
            actor=office,
            meeting=plenary,
            title="关于加强友好城市交流合作的实施方案",
            submitting_unit=units["HB-COM"],
        )
        services.document_add(
            actor=office,
            item=points,
            title=f"{today.year}年全市外事工作要点（送审稿）",
            kind="plan",
            file=_docx("外事工作要点.docx", ["全年外事工作要点", "一、服务高质量发展"]),
        )
        plan_doc = services.document_add(
            actor=clerk,
            item=plan,
            title="关于加强友好城市交流合作的实施方案",
            kind="policy",
            file=_docx("友好城市实施方案（送审稿）.docx", PLAN_V1),
            reason="提请委员会全体会议审议",
        )
        made["items"] += 2
        made["versions"] += 2
    with _at(today, first_day, 15):
        if members:
            services.attendance_set(
                actor=office,
                meeting=plenary,
                member=members[-1],
                status="leave",
                reason="带队出访",
            )
        services.meeting_hold(actor=office, meeting=plenary)
        services.item_opinion(actor=office, item=points, opinion=Opinion.AGREE)
        services.item_opinion(
            actor=office,
            item=plan,
            opinion=Opinion.AGREE_REVISE,
            note="补充经费保障和合作项目清单。",
        )
        plenary_minutes = services.minutes_draft(actor=office, meeting=plenary)
        services.minutes_submit(actor=office, minutes=plenary_minutes)
    with _at(today, first_day + dt.timedelta(days=2), 10):
        plenary_minutes = services.minutes_issue(actor=head, minutes=plenary_minutes)
        made["minutes"] += 1
    with _at(today, first_day + dt.timedelta(days=5), 11):
        services.version_upload(
            actor=clerk,
            document=plan_doc,
            file=_docx("友好城市实施方案（修改稿）.docx", PLAN_V2),
            reason="按照会议研究意见修改完善：补充经费保障",
        )
    with _at(today, first_day + dt.timedelta(days=9), 11):
        final = services.version_upload(
            actor=clerk,
            document=plan_doc,
            file=_docx("友好城市实施方案（修改二稿）.docx", PLAN_V3),
            reason="按照委员会办公室意见补充合作项目库",
        )
        made["versions"] += 2
    with _at(today, first_day + dt.timedelta(days=10), 10):
        services.item_approve(actor=office, item=plan, version=final)
        services.item_approve(
            actor=office, item=points, version=points.documents.get().versions.get()
        )
    made["tasks"] += _tasks(plenary_minutes, office, units, first_day + dt.timedelta(days=3), today)

    # 2. The directors' meeting, held: the year's trips abroad agreed; the education
    #    exchange programme to be revised and submitted again. Its minutes under review.
    second_day = _day(today, 20, 20)
    with _at(today, second_day - dt.timedelta(days=5), 9):
        directors = services.meeting_create(
            actor=office,
            kind=MeetingKind.DIRECTORS,
            date=second_day,
            place="市委外办第一会议室",
            convener=head.person,
        )
        trips = services.item_add(
            actor=office,
            meeting=directors,
            title=f"{today.year}年度因公出国（境）计划",
            submitting_unit=units["HB-FAO"],
        )
        exchange = services.item_add(
            actor=office,
            meeting=directors,
            title="国际教育交流合作项目方案",
            submitting_unit=units["HB-EDU"],
        )
        services.document_add(
            actor=office,
            item=trips,
            title=f"{today.year}年度因公出国（境）计划汇总表",
            kind="plan",
            file=_pdf("出国计划汇总表.pdf"),
        )
        services.document_add(
            actor=clerk2,
            item=exchange,
            title="国际教育交流合作项目方案",
            kind="plan",
            file=_docx("国际教育交流方案.docx", ["国际教育交流合作项目方案", "一、项目内容"]),
        )
        made["items"] += 2
        made["versions"] += 2
    if second_day < today:
        with _at(today, second_day, 16):
            services.meeting_hold(actor=office, meeting=directors)
            services.item_opinion(actor=office, item=trips, opinion=Opinion.AGREE)
            services.item_opinion(
                actor=office,
                item=exchange,
                opinion=Opinion.RESUBMIT,
                note="进一步明确经费来源和安全保障措施。",
            )
            minutes = services.minutes_draft(actor=office, meeting=directors)
            services.minutes_submit(actor=office, minutes=minutes)
            made["minutes"] += 1

    # 3. A meeting on one subject, to come: an item with an internal document.
    # (in this year's last days, on the 31st: the demo's year keeps its three meetings)
    third_day = min(today + dt.timedelta(days=10), dt.date(today.year, 12, 31))
    topic = services.meeting_create(
        actor=office,
        kind=MeetingKind.TOPIC,
        date=third_day,
        place="市委外办第二会议室",
        convener=head.person,
        title="涉外安全工作专题会议",
        attendees_extra="市公安局",
    )
    security = services.item_add(
        actor=office,
        meeting=topic,
        title="重大涉外活动安全保障工作方案",
        submitting_unit=units["HB-PSB"],
    )
    services.document_add(
        actor=office,
        item=security,
        title="重大涉外活动安全保障工作方案（送审稿）",
        kind="plan",
        internal=True,
        readers=[committee, head],
        file=_pdf("安全保障方案.pdf"),
    )
    made["items"] += 1
    made["versions"] += 1
    made["meetings"] = Meeting.objects.filter(year=today.year).count()
    return made


DEMO_USERS = ("reviewer", "head", "committee", "clerk", "clerk2")


def _tasks(minutes, office, units, on: dt.date, today: dt.date) -> int:
    """The issued minutes' decisions as supervised tasks."""
    from waishi.orgs.models import Person

    count = 0
    with _at(today, on, 10):
        for decision in minutes.decisions.select_related("item__submitting_unit"):
            unit = decision.item.submitting_unit if decision.item_id else units["HB-FAO"]
            person = Person.objects.filter(unit=unit, is_active=True).order_by("pk").first()
            if person is None:
                continue
            supporting = [units["HB-FIN"]] if unit.code == "HB-COM" else []
            services.decision_to_task(
                actor=office,
                decision=decision,
                lead_unit=unit,
                responsible_person=person,
                supporting_units=supporting,
            )
            count += 1
    return count
