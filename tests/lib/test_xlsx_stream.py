"""``lib.xlsx_stream``: what it writes opens in openpyxl with the values given."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

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
