"""The year's work key points read from the office's outline (``lib.outline``): real .docx
and .xlsx files built here with python-docx and openpyxl, read back into the tree, with
their units, deadlines and line numbers; and every problem said in Chinese, by line, with
nothing half-read."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from openpyxl import Workbook

from waishi.lib import outline
from waishi.lib.outline import AREA, POINT, TASK, FileProblem, OutlineInvalid, parse_date

YEAR = 2027


def docx_of(*paragraphs: str | tuple[str, int], title: str | None = None) -> bytes:
    """A Word document: plain strings are body paragraphs, (text, n) a heading of level n."""
    document = Document()
    if title:
        document.add_paragraph(title, style="Title")
    for item in paragraphs:
        if isinstance(item, tuple):
            document.add_heading(item[0], level=item[1])
        else:
            document.add_paragraph(item)
    handle = io.BytesIO()
    document.save(handle)
    return handle.getvalue()


def xlsx_of(rows, *, merge: tuple[str, ...] = (), title: str = "2027年工作要点") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


def tree(found: outline.Outline) -> list[tuple]:
    return [
        (depth, node.level, node.title, node.line, node.due_date, node.lead_unit,
         tuple(node.supporting_units))
        for depth, node in found.walk()
    ]  # fmt: skip


def problems(found: outline.Outline) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.place, p.message) for p in found.problems]


# --- Word -------------------------------------------------------------------------------

OUTLINE_DOCX = (
    "2027年市委外事工作要点",
    "为深入贯彻……，现提出2027年全市外事工作要点如下。",
    "一、深化友好城市交往",
    "（一）拓展友城网络",
    "1. 新缔结国际友好城市2对，2027年6月底前完成。"
    "（牵头单位：市外办；配合单位：市商务局、市文旅局）",
    "2. 举办第三届友城市长论坛",
    "牵头单位：市外办；配合单位：市政府办公室（市外办秘书处）；完成时限：三季度",
    "论坛邀请不少于10个友城参加。",
    "（二）推进务实合作",
    "1. 落实2025年6月签署的合作备忘录，11月15日前报送进展。牵头单位：市商务局",
    "二、服务高水平对外开放",
    "（一）年底前完成重点外资企业走访（牵头单位：市商务局）",
)


def test_a_word_outline_reads_as_areas_key_points_and_tasks():
    found = outline.read_outline(docx_of(*OUTLINE_DOCX), year=YEAR)

    assert found.ok, found.problems
    assert found.kind == outline.DOCX
    assert found.title == "2027年市委外事工作要点"
    assert tree(found) == [
        (0, AREA, "深化友好城市交往", 3, None, "", ()),
        (1, POINT, "拓展友城网络", 4, None, "", ()),
        (2, TASK, "新缔结国际友好城市2对，2027年6月底前完成。", 5, dt.date(2027, 6, 30),
         "市外办", ("市商务局", "市文旅局")),
        (2, TASK, "举办第三届友城市长论坛", 6, dt.date(2027, 9, 30),
         "市外办", ("市政府办公室（市外办秘书处）",)),
        (1, POINT, "推进务实合作", 9, None, "", ()),
        # A date of an earlier year is a reference, not the deadline.
        (2, TASK, "落实2025年6月签署的合作备忘录，11月15日前报送进展。", 10,
         dt.date(2027, 11, 15), "市商务局", ()),
        (0, AREA, "服务高水平对外开放", 11, None, "", ()),
        # Two levels in this area only: the key point is its leaf.
        (1, POINT, "年底前完成重点外资企业走访", 12, dt.date(2027, 12, 31), "市商务局", ()),
    ]  # fmt: skip
    forum = found.nodes()[3]
    assert forum.detail == "论坛邀请不少于10个友城参加。"
    assert forum.due_text == "三季度"
    assert forum.place == "第6段"
    assert [leaf.line for leaf in found.leaves()] == [5, 6, 10, 12]
    assert found.unit_names() == ["市外办", "市商务局", "市文旅局", "市政府办公室（市外办秘书处）"]


def test_heading_styles_give_the_levels_without_numbers():
    data = docx_of(
        ("对外交往", 1),
        ("友城工作", 2),
        ("新结友城", 3),
        "完成时限：2027-10-31；牵头单位：市外办",
        ("礼宾接待", 2),
        title="2027年外事工作要点",
    )
    found = outline.read_outline(data, year=YEAR)

    assert found.ok, found.problems
    assert found.title == "2027年外事工作要点"
    assert [(d, n.level, n.title) for d, n in found.walk()] == [
        (0, AREA, "对外交往"),
        (1, POINT, "友城工作"),
        (2, TASK, "新结友城"),
        (1, POINT, "礼宾接待"),
    ]
    task = found.nodes()[2]
    assert (task.due_date, task.lead_unit) == (dt.date(2027, 10, 31), "市外办")


def test_only_the_levels_used_count_an_outline_of_areas_and_numbered_items():
    found = outline.read_outline(
        docx_of("一、对外交往", "1. 接待来访团组（牵头单位：市外办）", "2. 出访", "二、开放"),
        year=YEAR,
    )
    assert found.ok
    assert [(d, n.level, n.title) for d, n in found.walk()] == [
        (0, AREA, "对外交往"),
        (1, POINT, "接待来访团组"),
        (1, POINT, "出访"),
        (0, AREA, "开放"),
    ]
    assert [leaf.title for leaf in found.leaves()] == ["接待来访团组", "出访", "开放"]


def test_two_lead_units_the_first_leads_and_the_office_is_told():
    found = outline.read_outline(
        docx_of(
            "一、交往", "（一）友城", "1. 办论坛（牵头单位：市外办、市商务局；配合单位：市文旅局）"
        ),
        year=YEAR,
    )
    assert found.ok
    task = found.leaves()[0]
    assert (task.lead_unit, task.supporting_units) == ("市外办", ["市商务局", "市文旅局"])
    assert [w.message for w in found.warnings] == [
        "一项任务只有一个牵头单位：由“市外办”牵头，“市商务局”按配合单位处理。"
    ]


def test_each_problem_of_a_word_outline_is_named_by_its_paragraph_in_chinese():
    data = docx_of(
        "2027年工作要点",
        "（一）没有领域的要点",
        "一、对外交往",
        "1. 没有要点的任务",
        "（一）友城",
        "1. 报送材料，2月30日前完成。",
        "（1）第四级的细项",
        "2. 举办论坛",
        "完成时限：尽快",
        "3. 办展会（完成时限：2026年10月底）",
    )
    found = outline.read_outline(data, year=YEAR)

    assert not found.ok
    assert problems(found) == [
        (2, "第2段", "此项为工作要点，但其前面没有所属的领域。"),
        (4, "第4段", "此项为具体任务，但其前面没有所属的工作要点。"),
        (
            7,
            "第7段",
            "工作要点只有三级（领域、工作要点、具体任务），此项为第四级。"
            "请将其并入上面的具体任务，或改为一项具体任务。",
        ),
        (6, "第6段", "日期“2月30日”不存在。"),
        (
            8,
            "第8段",
            "无法识别完成时限“尽快”，请写成“2027年6月30日前”“6月底前”“三季度”或“年底前”等形式。",
        ),
        (10, "第10段", "完成时限“2026年10月底”早于工作要点所属的2027年。"),
    ]
    with pytest.raises(OutlineInvalid) as refused:
        found.check()
    assert len(refused.value.problems) == 6
    assert str(refused.value).startswith("第2段：此项为工作要点")


def test_a_word_document_holding_the_table_is_read_as_the_table():
    document = Document()
    document.add_paragraph("2027年外事工作要点任务分工")
    table = document.add_table(rows=4, cols=6)
    for row, values in enumerate(
        [
            ("领域", "工作要点", "具体任务", "牵头单位", "配合单位", "完成时限"),
            ("友城交往", "拓展友城", "新结友城2对", "市外办", "市商务局", "6月底前"),
            ("", "", "办论坛", "市外办", "", "9月30日前"),
            ("开放", "走访外企", "", "市商务局", "", "年底前"),
        ]
    ):
        for column, value in enumerate(values):
            table.cell(row, column).text = value
    # Word's vertically merged cell: the area of the second row is the first row's.
    table.cell(1, 0).merge(table.cell(2, 0))
    handle = io.BytesIO()
    document.save(handle)

    found = outline.read_outline(handle.getvalue(), year=YEAR)

    assert found.ok, found.problems
    assert found.title == "2027年外事工作要点任务分工"
    assert [(d, n.title, n.due_date, n.place) for d, n in found.walk()] == [
        (0, "友城交往", None, "表格第2行"),
        (1, "拓展友城", None, "表格第2行"),
        (2, "新结友城2对", dt.date(2027, 6, 30), "表格第2行"),
        (2, "办论坛", dt.date(2027, 9, 30), "表格第3行"),
        (0, "开放", None, "表格第4行"),
        (1, "走访外企", dt.date(2027, 12, 31), "表格第4行"),
    ]


# --- Excel ------------------------------------------------------------------------------

HEADER = ("序号", "领域", "工作要点", "具体任务", "牵头单位", "配合单位", "完成时限")


def test_an_excel_outline_blank_and_merged_cells_are_the_ones_above():
    data = xlsx_of(
        [
            HEADER,
            (1, "友城交往", "拓展友城网络", "新结友城2对", "市外办", "市商务局、市文旅局", "2027年6月底前"),  # noqa: E501
            (2, None, None, "举办论坛", "市外办", None, dt.datetime(2027, 9, 15)),
            (3, None, "务实合作", None, "市商务局", None, "年底前"),
            (4, "对外开放", "走访外企", "走访100家", "市商务局", None, "长期"),
            (5, None, None, "编制报告", None, None, None),
            (6, None, None, "外企座谈", None, None, None),
        ],
        # One lead unit and one deadline for the last two tasks, written once.
        merge=("E6:E7", "G6:G7"),
    )  # fmt: skip
    found = outline.read_outline(data, year=YEAR)

    assert found.ok, found.problems
    assert found.kind == outline.XLSX
    assert found.title == "2027年工作要点"
    assert tree(found) == [
        (0, AREA, "友城交往", 2, None, "", ()),
        (1, POINT, "拓展友城网络", 2, None, "", ()),
        (2, TASK, "新结友城2对", 2, dt.date(2027, 6, 30), "市外办", ("市商务局", "市文旅局")),
        (2, TASK, "举办论坛", 3, dt.date(2027, 9, 15), "市外办", ()),
        (1, POINT, "务实合作", 4, dt.date(2027, 12, 31), "市商务局", ()),
        (0, AREA, "对外开放", 5, None, "", ()),
        (1, POINT, "走访外企", 5, None, "", ()),
        (2, TASK, "走访100家", 5, None, "市商务局", ()),
        # A blank unit stays blank (a leaf with no lead unit); a merged one is the value.
        (2, TASK, "编制报告", 6, None, "", ()),
        (2, TASK, "外企座谈", 7, None, "", ()),
    ]
    assert found.nodes()[3].place == "第3行"


def test_a_merged_lead_unit_covers_every_row_it_spans():
    data = xlsx_of(
        [
            HEADER[1:],
            ("交往", "友城", "甲", "市外办", None, "6月底前"),
            ("交往", "友城", "乙", None, None, None),
            ("交往", "友城", "丙", None, None, "9月底前"),
        ],
        merge=("D2:D4", "A2:A4", "B2:B4"),
    )
    found = outline.read_outline(data, year=YEAR)
    assert found.ok
    assert [(n.title, n.lead_unit, n.due_date) for n in found.leaves()] == [
        ("甲", "市外办", dt.date(2027, 6, 30)),
        ("乙", "市外办", None),
        ("丙", "市外办", dt.date(2027, 9, 30)),
    ]
    assert len(found.roots) == 1 and len(found.roots[0].children) == 1


def test_each_bad_row_of_a_workbook_is_named_in_chinese_and_nothing_is_importable():
    data = xlsx_of(
        [
            HEADER[1:],
            (None, "没有领域", "任务", "市外办", None, None),
            ("开放", None, "没有要点", "市外办", None, None),
            ("开放", "走访外企", "走访", "市商务局", None, "6月31日"),
            (None, None, "报告", "市商务局", None, "尽快"),
            (None, None, None, "市外办", None, None),
        ]
    )
    found = outline.read_outline(data, year=YEAR)

    assert not found.ok
    assert problems(found) == [
        (2, "第2行", "此行没有填写领域，上面的行也没有。"),
        (3, "第3行", "此项具体任务没有填写工作要点，所属领域中上面的行也没有。"),
        (4, "第4行", "日期“6月31日”不存在。"),
        (
            5,
            "第5行",
            "无法识别完成时限“尽快”，请写成“2027年6月30日前”“6月底前”“三季度”或“年底前”等形式。",
        ),
        (6, "第6行", "此行填写了单位或完成时限，但没有领域、工作要点或具体任务。"),
    ]
    with pytest.raises(OutlineInvalid):
        found.check()


def test_a_workbook_without_the_columns_is_refused_whole():
    data = xlsx_of([("名称", "工作要点", "备注"), ("甲", "乙", "丙")])
    with pytest.raises(FileProblem) as refused:
        outline.read_outline(data, year=YEAR)
    assert str(refused.value) == (
        "无法识别的列“名称”。 缺少列“领域”。 "
        "应包含的列为：领域、工作要点、具体任务、牵头单位、配合单位、完成时限。"
    )


# --- files that are not outlines ----------------------------------------------------------


def _damaged_docx() -> bytes:
    """A real outline whose document part is cut in the middle: the container is fine, the
    XML is not."""
    source = docx_of(*OUTLINE_DOCX)
    handle = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(handle, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "word/document.xml":
                body = body[: len(body) // 2]
            new.writestr(info, body)
    return handle.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空。"),
        (b"just some text", "该文件既不是Word文档（.docx），也不是Excel工作簿（.xlsx）。"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "这是旧版Word或Excel 97-2003文件（.doc、.xls）。请用Word、Excel或WPS打开，"
            "另存为.docx或.xlsx后再上传。",
        ),
        (
            docx_of(*OUTLINE_DOCX)[:2000],
            "该文件既不是Word文档（.docx），也不是Excel工作簿（.xlsx）。",
        ),
        (_damaged_docx(), "无法将该文件作为Word文档（.docx）读取，文件可能已损坏。"),
        (docx_of("封面", "只有正文，没有编号的段落。"), None),
    ],
    ids=["empty", "text", "old-office", "truncated", "damaged-xml", "no-items"],
)
def test_a_malformed_file_is_one_clear_error_and_no_tree(data, message):
    if message is None:  # a readable document with no item in it: nothing to import
        found = outline.read_outline(data, year=YEAR)
        assert found.roots == [] and not found.ok
        assert problems(found) == [(None, "", "文件中没有工作要点。")]
        return
    with pytest.raises(FileProblem) as refused:
        outline.read_outline(data, year=YEAR)
    assert str(refused.value) == message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(FileProblem) as refused:
        outline.read_outline(docx_of(*OUTLINE_DOCX), year=YEAR, max_bytes=1000)
    assert str(refused.value) == "文件大小超过0.000953674 MB。"


# --- deadlines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("2027年6月底前", dt.date(2027, 6, 30)),
        ("6月30日前", dt.date(2027, 6, 30)),
        ("6月底", dt.date(2027, 6, 30)),
        ("2月底前", dt.date(2027, 2, 28)),
        ("2028年2月底前", dt.date(2028, 2, 29)),
        ("年底前", dt.date(2027, 12, 31)),
        ("2027年底前", dt.date(2027, 12, 31)),
        ("年内", dt.date(2027, 12, 31)),
        ("上半年", dt.date(2027, 6, 30)),
        ("三季度", dt.date(2027, 9, 30)),
        ("第一季度末", dt.date(2027, 3, 31)),
        ("十月中旬", dt.date(2027, 10, 20)),
        ("十二月底前", dt.date(2027, 12, 31)),
        ("3月至6月", dt.date(2027, 6, 30)),
        ("2027-06-30", dt.date(2027, 6, 30)),
        ("2027/9/1", dt.date(2027, 9, 1)),
        (dt.datetime(2027, 5, 4), dt.date(2027, 5, 4)),
        ("", None),
        ("长期", None),
        ("持续推进", None),
    ],
)
def test_deadlines_as_offices_write_them(written, due):
    assert parse_date(written, year=YEAR) == due


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2月29日前", "日期“2月29日”不存在。"),
        ("13月底前", "日期“13月底”不存在。"),
        ("2027-02-30", "日期“2027-02-30”不存在。"),
        ("2026年12月底前", "完成时限“2026年12月底前”早于工作要点所属的2027年。"),
        (
            "尽快",
            "无法识别完成时限“尽快”，请写成“2027年6月30日前”“6月底前”“三季度”或“年底前”等形式。",
        ),
    ],
)
def test_a_deadline_that_is_not_one_says_why(written, message):
    with pytest.raises(outline.BadDate) as refused:
        parse_date(written, year=YEAR)
    assert str(refused.value) == message


def test_word_numbered_lists_give_the_levels_when_the_numbers_are_drawn_by_word():
    document = Document()
    document.add_paragraph("2027年要点")
    document.add_paragraph("对外交往", style="List Number")
    document.add_paragraph("友城工作", style="List Number 2")
    document.add_paragraph("新结友城（牵头单位：市外办）", style="List Number 3")
    document.add_paragraph("开放合作", style="List Number")
    handle = io.BytesIO()
    document.save(handle)

    found = outline.read_outline(handle.getvalue(), year=YEAR)
    assert found.ok, found.problems
    assert [(d, n.level, n.title, n.lead_unit) for d, n in found.walk()] == [
        (0, AREA, "对外交往", ""),
        (1, POINT, "友城工作", ""),
        (2, TASK, "新结友城", "市外办"),
        (0, AREA, "开放合作", ""),
    ]
