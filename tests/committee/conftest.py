"""The committee's records for its tests, made through the services as the pages do."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import PersonFactory
from waishi.committee import services
from waishi.committee.models import MeetingKind

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*paragraphs: str) -> bytes:
    """A real Word document holding ``paragraphs``, written by python-docx."""
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_upload(*paragraphs: str, name: str = "方案.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(*paragraphs), content_type=DOCX_TYPE)


def pdf_upload(name: str = "报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def office(cast):
    return cast["fao_reviewer"]


@pytest.fixture
def members(cast, office, fao_unit, home_unit):
    """A chair (the committee account's person), a vice chair and a member."""
    chair_person = PersonFactory(name="王主任", unit=fao_unit)
    cast["committee"].person = chair_person
    cast["committee"].save(update_fields=["person"])
    chair = services.member_add(actor=office, person=chair_person, position="chair", order=1)
    vice = services.member_add(
        actor=office,
        person=PersonFactory(name="李副主任", unit=fao_unit),
        position="vice_chair",
        order=2,
    )
    member = services.member_add(
        actor=office, person=PersonFactory(name="赵委员", unit=home_unit), order=3
    )
    return [chair, vice, member]


@pytest.fixture
def meeting(office, members):
    return services.meeting_create(
        actor=office,
        kind=MeetingKind.DIRECTORS,
        date=timezone.localdate() + dt.timedelta(days=3),
        place="市委第一会议室",
        convener=members[0].person,
        attendees_extra="市商务局\n市教育局",
    )


@pytest.fixture
def item(office, meeting, home_unit):
    return services.item_add(
        actor=office,
        meeting=meeting,
        title="关于加强友好城市交流的实施方案",
        submitting_unit=home_unit,
    )


@pytest.fixture
def document(cast, item):
    return services.document_add(
        actor=cast["unit_clerk"],
        item=item,
        title="实施方案（送审稿）",
        kind="plan",
        file=docx_upload("第一条 总体要求。", "第二条 主要任务。", "第三条 保障措施。"),
    )


def hold(office, meeting):
    return services.meeting_hold(actor=office, meeting=meeting)
