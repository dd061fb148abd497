"""A file over an import's row limit is refused after reading at most one row more,
before any row is parsed into cells or checked (``lib.xlsx.refuse_beyond``); the rows
are counted in the sheet's XML as openpyxl's reader counts them."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from tests.xlsx_check import count_reads
from waishi.lib import xlsx, xlsx_stream

TOO_MANY = "more than %(limit)d rows"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


@pytest.fixture
def reads(monkeypatch):
    return count_reads(monkeypatch)


def generated(rows: int, columns: int = 8) -> bytes:
    handle = io.BytesIO()
    with xlsx_stream.SheetWriter(handle, "名单") as sheet:
        sheet.append([f"列{c}" for c in range(columns)])
        for n in range(rows):
            sheet.append([f"第{n}行", n, *("值" for _ in range(columns - 2))])
    return handle.getvalue()


def test_a_large_file_is_refused_after_one_row_more_than_the_limit(reads):
    data = generated(20_000)
    with pytest.raises(xlsx.FileProblem) as refused:
        xlsx.read_upload(data, max_bytes=50 << 20, max_rows=1000, too_many=TOO_MANY)
    assert str(refused.value) == "more than 1000 rows"
    assert reads["xml"] <= 1 + 1001  # the header and one row past the limit
    assert reads["openpyxl"] == 0  # no row read into cells
    assert reads["opened"] == 0  # openpyxl never opened the sheet


def test_a_file_at_the_limit_is_read_whole(reads):
    sheet = xlsx.read_upload(generated(1000), max_bytes=50 << 20, max_rows=1000, too_many="x")
    assert len(sheet.rows) == 1000
    number, values = sheet.rows[-1]
    assert (number, values[:8]) == (1001, ("第999行", 999, "值", "值", "值", "值", "值", "值"))


def _package(sheet_xml: str, shared: list[str]) -> bytes:
    """A workbook whose first sheet is ``sheet_xml`` (the <sheetData> content), with a
    shared-string table: shapes other programs write."""
    handle = io.BytesIO()
    with xlsx_stream.WorkbookWriter(handle) as book:
        book.sheet("s").append(["x"])
    out = io.BytesIO()
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with (
        zipfile.ZipFile(io.BytesIO(handle.getvalue())) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">'
                    f"<sheetData>{sheet_xml}</sheetData></worksheet>"
                ).encode()
            elif item.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
                content = content.replace(b"</Types>", override.encode() + b"</Types>")
            target.writestr(item.filename, content)
        strings = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
        target.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}">{strings}</sst>',
        )
    return out.getvalue()


ODD_SHEET = "".join(
    [
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',  # the header
        '<row r="2"><c r="A2" t="s"><v>1</v></c></row>',  # shared blank: empty
        '<row r="3"><c r="A3" t="s"><v>0</v></c></row>',  # shared text
        '<row r="4"><c r="A4" t="inlineStr"><is><t>  </t></is></c></row>',  # blank: empty
        '<row r="5"><c r="A5" t="inlineStr"><is><r><t>富</t></r></is></c></row>',  # runs
        '<row r="6"><c r="AY6"><v>1</v></c></row>',  # column 51: beyond the columns read
        '<row r="7"><c r="AX7"><v>0</v></c></row>',  # column 50, a zero
        '<row r="8"><c r="A8"><f>1+1</f></c></row>',  # a formula never computed: empty
        '<row r="9"><c r="A9" t="str"><f>A1</f><v>算</v></c></row>',  # its cached text
        "<row><c><v>1</v></c><c/></row>",  # no numbers: row 10, column A
        '<row r="9"><c r="A9"><v>9</v></c></row>',  # an earlier row again: skipped
        '<row r="4"><c r="A4"><v>4</v></c></row>',  # an earlier row: skipped
        '<row r="12"><c r="B12" t="b"><v>0</v></c></row>',  # FALSE is a value
        '<row r="13"><c r="C13"><v></v></c></row>',  # an empty value
        '<row r="14"><c r="A14" t="e"><v>#N/A</v></c></row>',
        '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',  # beyond Excel's rows
    ]
)


def test_the_count_is_the_readers_count_for_odd_sheets():
    data = _package(ODD_SHEET, ["姓名", " \t "])
    read = xlsx.read_upload(data, max_bytes=1 << 20, max_rows=1000, too_many=TOO_MANY)
    numbers = [number for number, _values in read.rows]
    assert numbers == [3, 5, 7, 9, 10, 12, 14]
    assert xlsx.count_data_rows(data, stop_after=1000) == len(numbers)
    assert xlsx.count_data_rows(data, stop_after=3) == 3
    # At the limit it is read; one below, refused.
    assert len(xlsx.read_upload(data, max_bytes=1 << 20, max_rows=7, too_many="x").rows) == 7
    with pytest.raises(xlsx.FileProblem):
        xlsx.read_upload(data, max_bytes=1 << 20, max_rows=6, too_many=TOO_MANY)


def test_the_count_matches_a_file_excel_style_with_shared_strings():
    book = Workbook()  # openpyxl's full writer: a shared-string table, dimensions stored
    sheet = book.active
    sheet.append(["姓名", "备注"])
    for n in range(300):
        sheet.append([f"人{n}" if n % 7 else "   ", None if n % 5 else n])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    read = xlsx.read_upload(data, max_bytes=1 << 20, max_rows=1000, too_many=TOO_MANY)
    assert xlsx.count_data_rows(data, stop_after=1000) == len(read.rows)
    assert 200 < len(read.rows) < 300


def test_broken_xml_is_left_to_the_reader():
    data = _package('<row r="1"><c r="A1"><v>1</v></c></row><row r="x"/>', [])
    with pytest.raises(xlsx.FileProblem) as refused:
        xlsx.read_upload(data, max_bytes=1 << 20, max_rows=5, too_many=TOO_MANY)
    assert "more than" not in str(refused.value)
