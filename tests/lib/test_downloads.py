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
