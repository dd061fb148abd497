"""The download helpers every app answers with: an export's sheets, a generated document."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from openpyxl import load_workbook

from waishi.lib import downloads
from waishi.lib.xlsx_stream import Table


def test_spreadsheet_writes_each_table_and_records_the_first_ones_rows():
    counted = []
    rows = ([n, f"=row {n}"] for n in range(3))
    response = downloads.spreadsheet(
        [Table("First", ["No.", "Name"], rows), Table("Second", ["A"], iter([["x"]]))],
        filename="export-20261207.xlsx",
        record=counted.append,
    )
    assert counted == [3]
    assert response["Content-Type"] == downloads.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="export-20261207.xlsx"'
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["First", "Second"]
    assert [[c.value for c in row] for row in book["First"].iter_rows()] == [
        ["No.", "Name"],
        [0, "=row 0"],
        [1, "=row 1"],
        [2, "=row 2"],
    ]
    assert book["First"]["B2"].data_type == "s"
    assert [[c.value for c in row] for row in book["Second"].iter_rows()] == [["A"], ["x"]]


def test_generated_document_records_then_serves_an_attachment():
    recorded = []
    response = downloads.generated_document(
        lambda: (b"PK...", "notice-7.docx"), record=lambda: recorded.append("yes")
    )
    assert recorded == ["yes"]
    assert response.content == b"PK..."
    assert response["Content-Type"] == downloads.DOCX
    assert response["Content-Disposition"] == 'attachment; filename="notice-7.docx"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_document_that_does_not_exist_yet_is_404_and_not_recorded():
    recorded = []

    def make():
        raise ValidationError("not yet")

    with pytest.raises(Http404):
        downloads.generated_document(make, record=lambda: recorded.append("yes"))
    assert recorded == []


def _filename_star(header: str) -> str:
    """The name a client reads from ``filename*`` (RFC 5987), decoded independently."""
    from urllib.parse import unquote

    part = next(p.strip() for p in header.split(";") if p.strip().startswith("filename*="))
    charset, _lang, value = part.removeprefix("filename*=").split("'", 2)
    assert charset.upper() == "UTF-8"
    return unquote(value, encoding="utf-8", errors="strict")


def test_a_chinese_file_name_is_sent_as_utf8_with_an_ascii_fallback():
    import datetime as dt

    response = downloads.spreadsheet(
        [Table("因公出国（境）", ["编号", "出发日期"], iter([[1, dt.date(2026, 3, 1)]]))],
        filename="因公出国（境）-20261207.xlsx",
        fallback="trips-20261207.xlsx",
        record=lambda count: None,
    )
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert _filename_star(header) == "因公出国（境）-20261207.xlsx"
    assert 'filename="trips-20261207.xlsx"' in header
    assert header.isascii()


def test_without_a_fallback_the_ascii_name_keeps_what_it_can():
    header = downloads.disposition("年度计划-2026-v1.xlsx")
    assert _filename_star(header) == "年度计划-2026-v1.xlsx"
    assert 'filename="2026-v1.xlsx"' in header
    assert 'filename="download.docx"' in downloads.disposition("出访报告.docx")


def test_an_export_sheet_reads_like_a_register():
    """Header frozen and bold, dates as dates (no time shown), times to the minute,
    each column wider than its widest value (a Chinese character counts two)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings

    local = ZoneInfo(settings.TIME_ZONE)
    long_title = "赴日本、韩国开展经贸交流与友好城市互访活动"
    rows = [
        [1, long_title, dt.date(2026, 3, 1), dt.datetime(2026, 3, 2, 0, 0), None],
        [2, "短", dt.date(2026, 4, 1), dt.datetime(2026, 4, 2, 9, 30, 45, tzinfo=local), "x"],
    ]
    response = downloads.spreadsheet(
        [Table("团组", ["No.", "标题", "出发日期", "提交时间", "备注"], iter(rows))],
        filename="团组.xlsx",
        record=lambda count: None,
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["B2"].font.b
    date_cell, midnight, moment = sheet["C2"], sheet["D2"], sheet["D3"]
    assert date_cell.is_date and "h" not in date_cell.number_format.lower()
    assert midnight.is_date and "h" not in midnight.number_format.lower()
    assert midnight.value == dt.datetime(2026, 3, 2)
    assert moment.is_date and "h" in moment.number_format and "s" not in moment.number_format
    assert moment.value == dt.datetime(2026, 4, 2, 9, 30)  # local time, to the minute
    widths = {col: sheet.column_dimensions[col].width for col in "ABCD"}
    # The title takes two columns a character: wider than its length counted in characters.
    assert widths["B"] > 2 * len(long_title)
    assert widths["C"] > len("2026-03-01")
    assert widths["D"] > len("2026-04-02 09:30")
    assert widths["A"] > len("No.")
