"""Checks of the .xlsx files the project writes, with two real parsers: the sheet XML
itself (unzipped, parsed with ElementTree) and openpyxl; and ``count_reads``, how many
rows the readers of uploads went through.

``HOSTILE`` are values a spreadsheet would take for formulas if written carelessly
(OWASP's "CSV injection" list: ``= + - @``, tab, CR); ``assert_text_cells`` says that
each of them is in the file as a string cell reading back exactly as typed, and that no
cell of the file is a formula."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from waishi.lib import xlsx

HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=2+2",
    "＝1+1",
)
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314 (ours)
    return ["".join(t.text or "" for t in si.iter(f"{NS}t")) for si in root.iter(f"{NS}si")]


def xml_strings(data: bytes) -> list[str]:
    """Every string cell's text in every sheet, as the XML holds it; fails on any
    formula (an ``<f>`` element)."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shared = _shared_strings(archive)
        sheets = [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        ]
        assert sheets, archive.namelist()
        for name in sheets:
            # The file the project just wrote, not untrusted data.
            root = ElementTree.fromstring(archive.read(name))  # noqa: S314
            formulas = list(root.iter(f"{NS}f"))
            assert not formulas, (name, [f.text for f in formulas])
            for cell in root.iter(f"{NS}c"):
                kind = cell.get("t")
                if kind == "inlineStr":
                    found.append("".join(t.text or "" for t in cell.iter(f"{NS}t")))
                elif kind == "s":
                    found.append(shared[int(cell.find(f"{NS}v").text)])
                elif kind in ("str", "e"):
                    raise AssertionError(f"{name}: a cell of type {kind}")
    return found


def assert_text_cells(data: bytes, expected: Iterable[str] = HOSTILE) -> None:
    expected = list(expected)
    in_xml = xml_strings(data)
    missing = [value for value in expected if value not in in_xml]
    assert not missing, (missing, in_xml)
    book = load_workbook(io.BytesIO(data))  # not read_only: each cell's data_type
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for value in expected:
        matching = [cell for cell in cells if cell.value == value]
        assert matching, (value, [c.value for c in cells])
        assert all(cell.data_type == "s" for cell in matching), value


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def count_reads(monkeypatch) -> dict[str, int]:
    """Counts, as they happen, the rows ``lib.xlsx`` counted in a sheet's XML ("xml"),
    the rows openpyxl's parser read into cells ("openpyxl") and the sheets openpyxl
    opened ("opened": in read-only mode, a sheet without stored dimensions is parsed
    whole on opening)."""
    seen = {"xml": 0, "openpyxl": 0, "opened": 0}
    count_rows, parse_row = xlsx._sheet_rows, WorkSheetParser.parse_row
    get_size = ReadOnlyWorksheet._get_size

    def opened(self):
        seen["opened"] += 1
        return get_size(self)

    def counted(source, shared):
        for item in count_rows(source, shared):
            seen["xml"] += 1
            yield item

    def parsed(self, row):
        seen["openpyxl"] += 1
        return parse_row(self, row)

    monkeypatch.setattr(xlsx, "_sheet_rows", counted)
    monkeypatch.setattr(WorkSheetParser, "parse_row", parsed)
    monkeypatch.setattr(ReadOnlyWorksheet, "_get_size", opened)
    return seen
