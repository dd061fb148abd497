"""``lib.xlsx_stream``: what it writes opens in openpyxl with the values given, and no
string is ever a formula."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

import waishi
from tests.xlsx_check import HOSTILE, assert_text_cells
from waishi.lib import xlsx_stream
from waishi.lib.xlsx_stream import SheetWriter


def test_values_come_back_as_written():
    handle = io.BytesIO()
    with SheetWriter(handle, "出国（境）团组") as sheet:
        sheet.append(["编号", "标题", "日期", "时间", "人数", "金额", "是", "空"])
        sheet.append(
            [1, "赴<日本>&“交流” \x01", dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30),
             5, Decimal("1234.50"), True, None]
        )  # fmt: skip
        for i in range(1000):
            sheet.append([i, f"第{i}行"])
    book = load_workbook(io.BytesIO(handle.getvalue()), read_only=True)
    assert book.sheetnames == ["出国（境）团组"]
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1002
    assert rows[0][:2] == ("编号", "标题")
    number, title, day, moment, size, amount, yes, empty = rows[1]
    assert (number, title, size, yes, empty) == (1, "赴<日本>&“交流” ", 5, True, None)
    assert day == dt.datetime(2026, 3, 1)  # a date cell, as openpyxl reads one
    assert moment == dt.datetime(2026, 3, 1, 9, 30)
    assert float(amount) == 1234.5
    assert rows[-1][:2] == (999, "第999行")


def test_no_string_is_ever_a_formula():
    handle = io.BytesIO()
    with SheetWriter(handle, "名单") as sheet:
        sheet.append(["姓名", "地址"])
        for value in HOSTILE:
            sheet.append([value, f"前缀{value}"])
    data = handle.getvalue()
    assert_text_cells(data, [*HOSTILE, *(f"前缀{v}" for v in HOSTILE)])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    column = [row[0] for row in sheet.iter_rows(min_row=2)]
    # The value reads as typed (no apostrophe added); the quote prefix keeps a cell text
    # when it is edited in Excel.
    assert [c.value for c in column] == list(HOSTILE)
    assert all(c.quotePrefix for c in column)
    assert not any(row[1].quotePrefix for row in sheet.iter_rows(min_row=2))
    assert not sheet["A1"].quotePrefix


def test_several_sheets_widths_and_styles():
    handle = io.BytesIO()
    with xlsx_stream.WorkbookWriter(handle) as book:
        first = book.sheet("计划/草稿: [一]", widths=(12, 40))
        first.append([xlsx_stream.title("2026年度计划")])
        first.append([xlsx_stream.bold("单位"), xlsx_stream.bold("预算")])
        first.append(["外办", xlsx_stream.money(Decimal("12345.6"))])
        first.append([])
        first.append([xlsx_stream.as_text("110105194912310021"), None, "最后"])
        second = book.sheet("计划/草稿: [一]")
        second.append(["第二页"])
    book = load_workbook(io.BytesIO(handle.getvalue()))
    assert book.sheetnames == ["计划 草稿 一", "计划 草稿 一 2"]
    sheet = book.worksheets[0]
    assert sheet.column_dimensions["A"].width == 12 and sheet.column_dimensions["B"].width == 40
    assert sheet["A1"].value == "2026年度计划" and sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet["A2"].font.b and not sheet["A3"].font.b
    assert float(sheet["B3"].value) == 12345.6 and sheet["B3"].number_format == "#,##0.00"
    assert all(c.value is None for c in sheet[4]) and sheet.max_row == 5
    assert sheet["A5"].value == "110105194912310021" and sheet["A5"].number_format == "@"
    assert sheet["C5"].value == "最后"
    assert book.worksheets[1]["A1"].value == "第二页"


def test_an_empty_workbook_still_opens():
    handle = io.BytesIO()
    xlsx_stream.WorkbookWriter(handle).close()
    assert load_workbook(io.BytesIO(handle.getvalue())).sheetnames == ["Sheet"]


def test_every_xlsx_of_the_project_is_written_by_this_writer():
    # openpyxl's writer makes a formula of any string starting with "=": no module but
    # lib/xlsx_stream writes a workbook (openpyxl stays the reader of uploads).
    root = Path(waishi.__file__).parent
    writers = []
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|WriteOnlyCell|from openpyxl import .*Workbook\b", source):
            writers.append(str(path.relative_to(root)))
    assert writers == []
