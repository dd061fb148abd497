"""The issued minutes (会议纪要) as a Word document in the 公文 layout of GB/T 9704-2012,
written with python-docx (no template: every measure below is the standard's).

- A4, 版心 156 mm × 225 mm: margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
  22 lines a page (a fixed line pitch of 28.95 pt).
- 份号 (six digits, 3号) on the first line and 密级 (3号黑体) on the second, top left,
  only when set.
- 发文机关标志: centred, red, 小标宋.
- 发文字号: two lines below the mark, centred, 3号仿宋, the year in 六角括号〔〕; a red rule
  the width of the 版心 4 mm below it.
- 标题: two lines below the rule, centred, 2号小标宋.
- 正文: 3号仿宋, each paragraph indented two characters; the first level of the structure
  ("一、") in 黑体.
- 出席/请假/列席: the word in 3号黑体 after a two-character indent, a full-width colon, the
  names in 3号仿宋, a second line aligned on the first name.
- 版记 at the foot of the last page: 印发机关 (one character in from the left) and 印发日期
  (one character in from the right, "2026年3月5日印发", no leading zeros), 4号仿宋, between
  two rules.
- 页码: 4号 Arabic numerals between two dashes ("— 1 —"), odd pages on the right, even pages
  on the left, one character in.

Official documents are written in Chinese whatever the reader's language."""

from __future__ import annotations

import io
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from waishi.committee.models import AttendanceStatus, Minutes, MinutesState, Secrecy

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
MARK_SIZE = Pt(36)  # 小初: the mark is at most 22 mm high
RED = RGBColor(0xFF, 0x00, 0x00)
LINE_PITCH = Pt(28.95)  # 22 lines in the 225 mm 版心
TEXT_WIDTH = Mm(156)
INDENT = Pt(32)  # two characters of 三号
SECRECY_WORDS = {Secrecy.SECRET: "秘密", Secrecy.CONFIDENTIAL: "机密"}
FIRST_LEVEL = re.compile(r"^[一二三四五六七八九十]+、")


def cn_date(value) -> str:
    """A date as the standard writes it: the year in full, month and day without a leading
    zero ("2026年3月5日")."""
    return f"{value.year}年{value.month}月{value.day}日"


def _font(run, name: str, size, *, color: RGBColor | None = None, bold: bool = False) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _paragraph(document, text: str = "", *, font=FANGSONG, size=SIZE_3, align=None, **kw):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if text:
        _font(paragraph.add_run(text), font, size, **kw)
    return paragraph


def _border(paragraph, side: str, *, colour: str, eighths: int, space_pt: int = 0) -> None:
    """A rule on one side of the paragraph (as wide as the 版心): ``eighths`` of a point."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(eighths))
    edge.set(qn("w:space"), str(space_pt))
    edge.set(qn("w:color"), colour)
    borders.append(edge)


def _at_foot(paragraph) -> None:
    """Anchor the paragraph at the bottom of the 版心 (a frame): the 版记 sits at the foot
    of the last page however long the text is."""
    ppr = paragraph._p.get_or_add_pPr()
    frame = OxmlElement("w:framePr")
    frame.set(qn("w:wrap"), "around")
    frame.set(qn("w:vAnchor"), "margin")
    frame.set(qn("w:hAnchor"), "margin")
    frame.set(qn("w:yAlign"), "bottom")
    frame.set(qn("w:xAlign"), "center")
    frame.set(qn("w:w"), str(int(TEXT_WIDTH.twips)))
    ppr.insert(0, frame)


def _page_number(footer, *, right: bool) -> None:
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    if right:
        fmt.right_indent = SIZE_4
    else:
        fmt.left_indent = SIZE_4
    _font(paragraph.add_run("— "), SONGTI, SIZE_4)
    run = paragraph.add_run()
    _font(run, SONGTI, SIZE_4)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    _font(paragraph.add_run(" —"), SONGTI, SIZE_4)


def _name_list(document, label: str, names: str) -> None:
    """出席/请假/列席: the word in 黑体 two characters in, a full-width colon, the names in
    仿宋; a second line aligned on the first name."""
    paragraph = _paragraph(document)
    fmt = paragraph.paragraph_format
    fmt.left_indent = INDENT + SIZE_3 * 3  # the indent, the word and its colon
    fmt.first_line_indent = -SIZE_3 * 3
    _font(paragraph.add_run(f"{label}："), HEITI, SIZE_3)
    _font(paragraph.add_run(names), FANGSONG, SIZE_3)


def attendance_lines(minutes: Minutes) -> list[tuple[str, str]]:
    """(出席|请假|列席, the names) as the minutes list them, empty lists left out."""
    from waishi.committee.models import Attendance

    present, leave = [], []
    rows = (
        Attendance.objects.filter(meeting_id=minutes.meeting_id)
        .select_related("member__person__unit")
        .order_by("member__order", "member__pk")
    )
    for row in rows:
        person = row.member.person
        if row.status == AttendanceStatus.PRESENT:
            present.append(person.name)
        elif row.status == AttendanceStatus.REPRESENTED:
            present.append(f"{row.represented_by}（代{person.name}）")
        else:
            leave.append(f"{person.name}（{row.reason}）")
    lines = []
    if present:
        lines.append(("出席", "、".join(present)))
    if leave:
        lines.append(("请假", "、".join(leave)))
    extra = "、".join(
        part.strip()
        for part in re.split(r"[\n、,，;；]+", minutes.meeting.attendees_extra or "")
        if part.strip()
    )
    if extra:
        lines.append(("列席", extra))
    return lines


def render(minutes: Minutes) -> bytes:
    """The issued minutes as .docx bytes; ValidationError for minutes not yet issued."""
    from waishi.committee.services import settings_get

    if minutes.state != MinutesState.ISSUED:
        raise ValidationError(gettext("Minutes not yet issued have no document."))
    settings_row = settings_get()
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)  # the numbers 7 mm below the 版心
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, right=True)
    _page_number(section.even_page_footer, right=False)
    style = document.styles["Normal"]
    _font_style(style)

    used_lines = 0
    if minutes.copy_no:
        _paragraph(document, minutes.copy_no, font=FANGSONG, size=SIZE_3)
        used_lines += 1
    if minutes.secrecy:
        _paragraph(document, SECRECY_WORDS.get(minutes.secrecy, ""), font=HEITI, size=SIZE_3)
        used_lines += 1
    mark = _paragraph(
        document,
        settings_row.issuer_mark,
        font=XIAOBIAOSONG,
        size=MARK_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
    )
    mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # Its upper edge 35 mm below the top of the 版心.
    mark.paragraph_format.space_before = Mm(35) - LINE_PITCH * used_lines
    _paragraph(document)
    _paragraph(document)
    number = _paragraph(document, minutes.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _border(number, "bottom", colour="FF0000", eighths=12, space_pt=11)  # 4 mm below
    _paragraph(document)
    _paragraph(document)
    for line in (minutes.title or "").splitlines() or [""]:
        _paragraph(document, line, font=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document)
    for line in (minutes.body or "").splitlines():
        if not line.strip():
            continue
        paragraph = _paragraph(
            document,
            line.strip(),
            font=HEITI if FIRST_LEVEL.match(line.strip()) else FANGSONG,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
        paragraph.paragraph_format.first_line_indent = INDENT
    decisions = list(minutes.decisions.order_by("order", "pk"))
    if decisions:
        paragraph = _paragraph(document, "会议议定事项如下：")
        paragraph.paragraph_format.first_line_indent = INDENT
        for n, decision in enumerate(decisions, start=1):
            paragraph = _paragraph(
                document, f"{n}.{decision.text}", align=WD_ALIGN_PARAGRAPH.JUSTIFY
            )
            paragraph.paragraph_format.first_line_indent = INDENT
    lines = attendance_lines(minutes)
    if lines:
        _paragraph(document)
    for label, names in lines:
        _name_list(document, label, names)

    issued = timezone.localdate(minutes.issued_at) if minutes.issued_at else timezone.localdate()
    foot = _paragraph(document, font=FANGSONG, size=SIZE_4)
    _at_foot(foot)
    fmt = foot.paragraph_format
    fmt.left_indent = SIZE_4
    fmt.right_indent = SIZE_4
    fmt.tab_stops.add_tab_stop(TEXT_WIDTH - SIZE_4, WD_TAB_ALIGNMENT.RIGHT)
    _border(foot, "top", colour="000000", eighths=8)
    _border(foot, "bottom", colour="000000", eighths=8)
    _font(foot.add_run(settings_row.printer), FANGSONG, SIZE_4)
    _font(foot.add_run("\t"), FANGSONG, SIZE_4)
    _font(foot.add_run(f"{cn_date(issued)}印发"), FANGSONG, SIZE_4)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _font_style(style) -> None:
    style.font.name = FANGSONG
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    style.font.size = SIZE_3


def filename(minutes: Minutes) -> str:
    return f"{minutes.number or minutes.title}.docx".replace("/", "-")
