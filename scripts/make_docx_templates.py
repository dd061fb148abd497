"""Writes the Word templates of the trip documents (waishi/missions/documents/*.docx).

Run once after changing this script: ``.venv/bin/python scripts/make_docx_templates.py``.
The .docx files are committed; an office may also edit them in Word or WPS directly,
keeping the ``{{ placeholders }}`` and the ``{{#rows}}`` markers (see waishi/lib/documents.py).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

OUT = Path(__file__).resolve().parents[1] / "waishi" / "missions" / "documents"
BODY_FONT, TITLE_FONT = "仿宋_GB2312", "方正小标宋简体"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _document() -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return document


def _title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), TITLE_FONT, 22)


def _line(document, text: str, align=None) -> None:
    paragraph = document.add_paragraph(text)
    if align is not None:
        paragraph.alignment = align


def _table(document, header: list[str], marker: str, cells: list[str]):
    table = document.add_table(rows=2, cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        table.rows[0].cells[i].text = text
    for i, text in enumerate(cells):
        table.rows[1].cells[i].text = (f"{{{{#{marker}}}}}" if i == 0 else "") + text
    return table


def _fields(document, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text = label
        row.cells[1].text = value


MEMBERS = (
    ["序号", "姓名", "工作单位", "职务", "职级", "出访任务"],
    "members",
    ["{{ no }}", "{{ name }}", "{{ unit }}", "{{ post }}", "{{ rank }}", "{{ task }}"],
)
STOPS = (
    ["序号", "国家（地区）", "城市", "抵达", "离开"],
    "stops",
    ["{{ no }}", "{{ country }}", "{{ city }}", "{{ arrive }}", "{{ depart }}"],
)


def approval_form() -> None:
    document = _document()
    _title(document, "因公临时出国任务和预算审批意见表")
    _line(document, "编号：{{ number }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _fields(
        document,
        [
            ("团组名称", "{{ title }}"),
            ("组团单位", "{{ unit }}"),
            ("团长", "{{ leader }}"),
            ("团组人数", "{{ size }}"),
            ("团组类别", "{{ category }}"),
            ("出访国家（地区）", "{{ countries }}"),
            ("出访日期", "{{ departure }} 至 {{ return_date }}（在外{{ days }}天）"),
            ("邀请单位", "{{ inviter }}"),
            ("出访任务", "{{ tasks }}"),
            ("是否列入年度计划", "{{ in_plan }}"),
            ("经费来源", "{{ funding }}"),
            ("经费预算", "{{ budget }}"),
            ("政策核查", "{{ check }}"),
        ],
    )
    _line(document, "团组成员")
    _table(document, *MEMBERS)
    _line(document, "行程安排")
    _table(document, *STOPS)
    _line(document, "审批意见")
    _table(
        document,
        ["审批环节", "审批人", "代为审批", "意见", "日期"],
        "steps",
        ["{{ step }}", "{{ approver }}", "{{ behalf }}", "{{ opinion }}", "{{ date }}"],
    )
    _line(document, "生成时间：{{ generated }}", WD_ALIGN_PARAGRAPH.RIGHT)
    document.save(OUT / "approval_form.docx")


def approval_notice() -> None:
    document = _document()
    _title(document, "因公临时出国任务批件")
    _line(document, "{{ number }}", WD_ALIGN_PARAGRAPH.CENTER)
    _line(document, "{{ unit }}：")
    _line(
        document,
        "    经审核，同意{{ leader }}等{{ size }}人组团，于{{ departure }}至{{ return_date }}"
        "赴{{ countries }}执行“{{ title }}”任务，在外{{ days }}天。所需经费按{{ funding }}"
        "渠道解决，预算{{ budget }}。",
    )
    _line(
        document,
        "    请严格按批准的路线、国家和天数执行，不得擅自变更行程、增加国家或延长停留；"
        "回国后按规定报送出访报告，并于规定期限内交回因公护照。",
    )
    _line(document, "团组成员：")
    _table(document, *MEMBERS)
    _line(document, "审批：{{ approvers }}")
    _line(document, "{{ office }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, "{{ approved_on }}", WD_ALIGN_PARAGRAPH.RIGHT)
    document.save(OUT / "approval_notice.docx")


def publicity() -> None:
    document = _document()
    _title(document, "因公临时出国（境）任务公示")
    _line(
        document,
        "    根据因公临时出国管理有关规定，现将{{ unit }}“{{ title }}”出访任务予以公示。"
        "公示期为{{ period_from }}至{{ period_to }}（{{ period_days }}个工作日）。",
    )
    _fields(
        document,
        [
            ("出访国家（地区）", "{{ countries }}"),
            ("出访日期", "{{ departure }} 至 {{ return_date }}（在外{{ days }}天）"),
            ("出访任务", "{{ tasks }}"),
            ("邀请单位", "{{ inviter }}"),
            ("经费来源", "{{ funding }}"),
            ("经费预算", "{{ budget }}"),
        ],
    )
    _line(document, "团组成员")
    _table(document, *MEMBERS)
    _line(document, "日程安排")
    _table(
        document,
        ["日期", "安排", "活动内容"],
        "days",
        ["{{ date }}", "{{ kind }}", "{{ activities }}"],
    )
    _line(
        document,
        "    {{ objections }}",
    )
    _line(document, "{{ unit }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, "{{ published_on }}", WD_ALIGN_PARAGRAPH.RIGHT)
    document.save(OUT / "publicity.docx")


def trip_report() -> None:
    """出访报告: the trip, the dates approved and actual, members, itinerary, and the
    structured fields the unit wrote (services/report_documents.py fills it)."""
    document = _document()
    _title(document, "因公临时出国（境）任务出访报告")
    _line(document, "编号：{{ number }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _fields(
        document,
        [
            ("团组名称", "{{ title }}"),
            ("组团单位", "{{ unit }}"),
            ("团长", "{{ leader }}"),
            ("团组人数", "{{ size }}"),
            ("出访国家（地区）", "{{ countries }}"),
            ("批准出访日期", "{{ departure }} 至 {{ return_date }}（在外{{ days }}天）"),
            (
                "实际出访日期",
                "{{ actual_departure }} 至 {{ actual_return }}（在外{{ actual_days }}天）",
            ),
            ("与批准行程的偏离", "{{ deviations }}"),
            ("邀请单位", "{{ inviter }}"),
            ("出访任务", "{{ tasks }}"),
            ("报告应报送日期", "{{ due_date }}"),
        ],
    )
    _line(document, "团组成员")
    _table(document, *MEMBERS)
    _line(document, "行程安排")
    _table(document, *STOPS)
    _fields(
        document,
        [
            ("一、任务完成情况", "{{ tasks_done }}"),
            ("二、会见会谈情况", "{{ meetings }}"),
            ("三、签署协议情况", "{{ agreements }}"),
            ("四、取得的成果", "{{ outcomes }}"),
            ("五、经费使用情况", "{{ costs }}"),
            ("实际费用", "{{ actual_cost }}"),
            ("六、存在的问题及建议", "{{ problems }}"),
            ("单位内公示", "{{ publicity_from }} 至 {{ publicity_to }}"),
        ],
    )
    _line(document, "单位负责人（签字）：            （单位盖章）")
    _line(document, "{{ unit }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, "报送日期：{{ submitted_on }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, "生成时间：{{ generated }}", WD_ALIGN_PARAGRAPH.RIGHT)
    document.save(OUT / "trip_report.docx")


def report_publicity() -> None:
    """出访后公示: the post-trip notice the unit publishes inside the unit."""
    document = _document()
    _title(document, "因公临时出国（境）任务出访情况公示")
    _line(
        document,
        "    根据因公临时出国管理有关规定，现将{{ unit }}“{{ title }}”出访情况在本单位内予以公示。"
        "公示期为{{ publicity_from }}至{{ publicity_to }}（{{ period_days }}个工作日）。",
    )
    _fields(
        document,
        [
            ("出访国家（地区）", "{{ countries }}"),
            (
                "实际出访日期",
                "{{ actual_departure }} 至 {{ actual_return }}（在外{{ actual_days }}天）",
            ),
            ("出访任务", "{{ tasks }}"),
            ("任务完成情况", "{{ tasks_done }}"),
            ("取得的成果", "{{ outcomes }}"),
            ("经费使用情况", "{{ costs }}"),
            ("实际费用", "{{ actual_cost }}"),
        ],
    )
    _line(document, "团组成员")
    _table(document, *MEMBERS)
    _line(
        document,
        "    {{ objections }}",
    )
    _line(document, "{{ unit }}", WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, "{{ publicity_from }}", WD_ALIGN_PARAGRAPH.RIGHT)
    document.save(OUT / "report_publicity.docx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    approval_form()
    approval_notice()
    publicity()
    trip_report()
    report_publicity()
    print(f"written to {OUT}")
