"""The issued minutes as a Word document, checked against the rules of GB/T 9704-2012
(not against the writer): the page, the order of the elements, their fonts, sizes and
colours, the 发文字号 and the date as the standard writes them; and the minutes as a page."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.committee.conftest import hold
from waishi.audit.models import AuditEvent
from waishi.committee import minutes_docx, services
from waishi.committee.models import Opinion

pytestmark = pytest.mark.django_db

RED = "FF0000"


def _issue(cast, office, meeting, item, members, **extra):
    services.attendance_set(
        actor=office, meeting=meeting, member=members[1], status="leave", reason="出国访问"
    )
    services.attendance_set(
        actor=office,
        meeting=meeting,
        member=members[2],
        status="represented",
        represented_by="钱副局长",
    )
    hold(office, meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    if extra:
        minutes = services.minutes_update(
            actor=office,
            minutes=minutes,
            title=minutes.title,
            body=minutes.body,
            decisions=[d.text for d in minutes.decisions.all()],
            **extra,
        )
    services.minutes_submit(actor=office, minutes=minutes)
    return services.minutes_issue(actor=cast["fao_head"], minutes=minutes)


def _document(minutes) -> Document:
    return Document(io.BytesIO(minutes_docx.render(minutes)))


def _texts(document) -> list:
    return [p for p in document.paragraphs if p.text.strip()]


def _east_asian(run) -> str:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else ""


def _border(paragraph, side: str):
    borders = paragraph._p.pPr.find(qn("w:pBdr"))
    return None if borders is None else borders.find(qn(f"w:{side}"))


def test_the_page_is_a4_with_the_standard_margins(cast, office, meeting, item, members):
    section = _document(_issue(cast, office, meeting, item, members)).sections[0]
    mm = lambda length: round(length / Mm(1))  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    # 版心 156 mm x 225 mm: top 37, bottom 35, left 28, right 26.
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37, 35)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28, 26)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156


def test_the_elements_come_in_the_standards_order_with_its_fonts(
    cast, office, meeting, item, members
):
    minutes = _issue(cast, office, meeting, item, members, copy_no="000012", secrecy="secret")
    paragraphs = _texts(_document(minutes))
    texts = [p.text for p in paragraphs]
    copy_no, secrecy, mark, number, title = paragraphs[:5]
    # 份号: six digits, first line; 密级: second line, 3号黑体.
    assert copy_no.text == "000012" and re.fullmatch(r"\d{6}", copy_no.text)
    assert secrecy.text == "秘密"
    assert _east_asian(secrecy.runs[0]) == "黑体" and secrecy.runs[0].font.size == Pt(16)
    # 发文机关标志: centred, red, 小标宋.
    assert mark.text == services.settings_get().issuer_mark
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(str(r.font.color.rgb) == RED for r in mark.runs)
    assert "小标宋" in _east_asian(mark.runs[0])
    # 发文字号: centred, the year in 六角括号, no leading zero, no 第; a red rule below.
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    year = timezone.localdate().year
    assert re.fullmatch(rf".+〔{year}〕[1-9]\d*号", number.text) and "第" not in number.text
    assert number.runs[0].font.size == Pt(16) and "仿宋" in _east_asian(number.runs[0])
    rule = _border(number, "bottom")
    assert rule is not None and rule.get(qn("w:color")).upper() == RED
    # 发文机关标志下空二行 and 红色分隔线下空二行: two empty lines between.
    every = [p.text for p in _document(minutes).paragraphs]
    at = every.index(number.text)
    assert every[at - 2 : at] == ["", ""] and every[at + 1 : at + 3] == ["", ""]
    # 标题: 2号小标宋, centred.
    assert title.text == minutes.title
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22) and "小标宋" in _east_asian(title.runs[0])
    # 正文: 3号仿宋, two characters in; the first level ("一、") in 黑体.
    body = paragraphs[5 : texts.index(next(t for t in texts if t.startswith("出席")))]
    assert body and all(p.paragraph_format.first_line_indent == Pt(32) for p in body)
    for p in body:
        run = p.runs[0]
        assert run.font.size == Pt(16)
        expected = "黑体" if re.match(r"^[一二三四五六七八九十]+、", p.text) else "仿宋"
        assert expected in _east_asian(run), p.text
    assert any(p.text.startswith("一、") for p in body)
    assert item.title in "".join(p.text for p in body)


def test_present_on_leave_and_also_attending(cast, office, meeting, item, members):
    paragraphs = _texts(_document(_issue(cast, office, meeting, item, members)))
    texts = [p.text for p in paragraphs]
    lines = [p for p in paragraphs if re.match(r"^(出席|请假|列席)：", p.text)]
    assert [p.text[:3] for p in lines] == ["出席：", "请假：", "列席："]
    present, leave, extra = lines
    assert "王主任" in present.text and "钱副局长（代赵委员）" in present.text
    assert leave.text == "请假：李副主任（出国访问）"
    assert extra.text == "列席：市商务局、市教育局"
    for p in lines:
        label, names = p.runs[0], p.runs[1]
        assert _east_asian(label) == "黑体" and label.font.size == Pt(16)
        assert "仿宋" in _east_asian(names) and names.font.size == Pt(16)
        # Two characters in; a second line aligned on the first name after "出席：".
        fmt = p.paragraph_format
        assert fmt.left_indent + fmt.first_line_indent == Pt(32)
        assert fmt.left_indent == Pt(32 + 48)
    # After the text, before the 版记.
    assert texts.index(present.text) > texts.index(next(t for t in texts if t.startswith("一、")))


def test_printed_by_and_the_date_at_the_foot(cast, office, meeting, item, members):
    minutes = _issue(cast, office, meeting, item, members)
    foot = _texts(_document(minutes))[-1]
    issued = timezone.localdate(minutes.issued_at)
    printer, date = foot.text.split("\t")
    assert printer == services.settings_get().printer
    # The year in full, month and day without a leading zero, then 印发.
    assert date == f"{issued.year}年{issued.month}月{issued.day}日印发"
    assert all(r.font.size == Pt(14) for r in foot.runs if r.text.strip())
    assert all("仿宋" in _east_asian(r) for r in foot.runs)
    assert foot.paragraph_format.left_indent == Pt(14)
    assert foot.paragraph_format.right_indent == Pt(14)
    assert _border(foot, "top") is not None and _border(foot, "bottom") is not None
    frame = foot._p.pPr.find(qn("w:framePr"))
    assert frame is not None and frame.get(qn("w:yAlign")) == "bottom"


def test_without_copy_number_or_classification_the_mark_comes_first(
    cast, office, meeting, item, members
):
    minutes = _issue(cast, office, meeting, item, members)
    first = _texts(_document(minutes))[0]
    assert first.text == services.settings_get().issuer_mark
    assert "秘密" not in [p.text for p in _document(minutes).paragraphs]


def test_page_numbers_between_dashes_outside_on_odd_and_even_pages(
    cast, office, meeting, item, members
):
    document = _document(_issue(cast, office, meeting, item, members))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in p._p.xml


def test_the_docx_is_served_once_issued_and_recorded(cast, office, meeting, item, members, as_user):
    hold(office, meeting)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    client = as_user("committee")
    assert client.get(f"/committee/minutes/{minutes.pk}/document/").status_code == 404
    services.minutes_submit(actor=office, minutes=minutes)
    services.minutes_issue(actor=cast["fao_head"], minutes=minutes)
    response = client.get(f"/committee/minutes/{minutes.pk}/document/")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert AuditEvent.objects.filter(action="committee.minutes.download").count() == 1
    page = client.get(f"/committee/minutes/{minutes.pk}/").content.decode()
    minutes.refresh_from_db()
    assert minutes.number in page and minutes.title in page and "印发" in page
    assert as_user("unit_clerk").get(f"/committee/minutes/{minutes.pk}/").status_code == 403
