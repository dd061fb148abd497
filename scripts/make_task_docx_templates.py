"""Writes the Word templates of the supervised tasks (waishi/followups/documents/*.docx):
the supervision notice (督办通知单) and the reminder (催办单), in the layout of a 公文
(GB/T 9704-2012): A4 with its margins, the issuing office's mark in red over a red line,
the number beneath it, the title, the unit addressed, the body in 仿宋 三号, the office
and the date at the foot, and the 版记 (copied to, printed by) between two lines.

Run once after changing this script: ``.venv/bin/python scripts/make_task_docx_templates.py``.
The .docx files are committed; an office may edit them in Word or WPS, keeping the
``{{ placeholders }}`` (filled by waishi/followups/task_docx.py through
waishi/lib/documents.py). The fonts and the table helpers are the trip documents' own
(scripts/make_docx_templates.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_docx_templates import (
    BODY_FONT,
    TITLE_FONT,
    _document,
    _fields,
    _font,
)

OUT = Path(__file__).resolve().parents[1] / "waishi" / "followups" / "documents"
RED = RGBColor(0xC0, 0x00, 0x00)
SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14  # 二号, 三号, 四号, in points


def _page(document) -> None:
    """A4, 天头 37 mm, 订口 28 mm: a type area of 156 x 225 mm."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = document.styles["Normal"]
    style.font.size = Pt(SIZE_3)
    style.paragraph_format.line_spacing = Pt(28)


def _rule(paragraph, colour: str, size: int = 12) -> None:
    """A line under the paragraph: the red separator of the 版头, the 版记's black lines."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), colour)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _head(document, mark: str, number: str) -> None:
    """发文机关标志 in red, then the number, over the red line."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(mark)
    _font(run, TITLE_FONT, 26)
    run.font.color.rgb = RED
    document.add_paragraph()
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(number), BODY_FONT, SIZE_3)
    _rule(paragraph, "C00000", 18)


def _title(document, text: str) -> None:
    document.add_paragraph()
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), TITLE_FONT, SIZE_2)
    document.add_paragraph()


def _para(document, text: str, *, indent: bool = True, align=None) -> None:
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), BODY_FONT, SIZE_3)


def _sign(document) -> None:
    document.add_paragraph()
    _para(document, "{{ office }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(document, "{{ dated }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _colophon(document) -> None:
    """版记: 抄送 and 印发机关和印发日期, between lines, in 四号."""
    document.add_paragraph()
    top = document.add_paragraph()
    _rule(top, "000000", 8)
    paragraph = document.add_paragraph()
    _font(paragraph.add_run("抄送：{{ copy_to }}"), BODY_FONT, SIZE_4)
    _rule(paragraph, "000000", 4)
    paragraph = document.add_paragraph()
    _font(paragraph.add_run("{{ office }}　　　　{{ dated }}印发"), BODY_FONT, SIZE_4)
    _rule(paragraph, "000000", 8)


def supervision_notice() -> None:
    """督办通知单: the task as it is sent to the lead unit (交办)."""
    document = _document()
    _page(document)
    _head(document, "{{ office_mark }}", "{{ number }}")
    _title(document, "督办通知单")
    _para(document, "{{ lead_unit }}：", indent=False)
    _para(
        document,
        "根据{{ source }}，现将“{{ title }}”列为督办事项，交由你单位牵头办理"
        "{{ supporting_clause }}。请于{{ due_date }}前办结，并及时报送办理情况；"
        "确需延期的，请在办理时限届满前提出申请。",
    )
    _fields(
        document,
        [
            ("督办编号", "{{ number }}"),
            ("督办事项", "{{ title }}"),
            ("事项来源", "{{ source }}"),
            ("办理要求", "{{ description }}"),
            ("牵头单位", "{{ lead_unit }}"),
            ("配合单位", "{{ supporting_units }}"),
            ("责任人", "{{ responsible_person }}"),
            ("办理时限", "{{ due_date }}"),
            ("进展报送", "{{ reporting }}"),
        ],
    )
    _sign(document)
    _colophon(document)
    document.save(OUT / "supervision_notice.docx")


def reminder() -> None:
    """催办单: one urge of the office, on paper."""
    document = _document()
    _page(document)
    _head(document, "{{ office_mark }}", "{{ number }}")
    _title(document, "催办单")
    _para(document, "{{ lead_unit }}：", indent=False)
    _para(
        document,
        "“{{ title }}”（{{ task_number }}）是{{ source }}确定的督办事项，由你单位牵头办理，"
        "办理时限为{{ due_date }}。截至{{ as_of }}，该事项{{ standing }}。"
        "请抓紧办理，及时报送办理情况。",
    )
    _fields(
        document,
        [
            ("督办编号", "{{ task_number }}"),
            ("督办事项", "{{ title }}"),
            ("牵头单位", "{{ lead_unit }}"),
            ("配合单位", "{{ supporting_units }}"),
            ("责任人", "{{ responsible_person }}"),
            ("原定办理时限", "{{ original_due_date }}"),
            ("现办理时限", "{{ due_date }}"),
            ("办理状态", "{{ state }}"),
            ("预警", "{{ colour }}"),
            ("催办次数", "{{ ordinal }}"),
            ("催办方式", "{{ method }}"),
            ("催办内容", "{{ text }}"),
            ("催办人", "{{ urged_by }}"),
            ("催办时间", "{{ urged_at }}"),
        ],
    )
    _sign(document)
    _colophon(document)
    document.save(OUT / "reminder.docx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    supervision_notice()
    reminder()
    print(f"written to {OUT}")
