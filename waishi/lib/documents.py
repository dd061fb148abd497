"""Word documents from templates kept in the repo (python-docx).

A template is an ordinary .docx a person can open and edit in Word or WPS:

- ``{{ name }}`` anywhere in a paragraph or a table cell is replaced by ``context[name]``
  (a placeholder Word has split over several runs is still found: the paragraph's runs are
  joined, and the first run's formatting kept);
- a table row whose first cell starts with ``{{#name}}`` is a row template: it is
  repeated once per item of ``rows[name]`` (a list of dicts), its placeholders filled
  from the item, and the marker removed; no items leave one row saying "—".

A placeholder with no value is an error (``MissingValue``), never a silent blank on an
official document.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
ROW_MARKER = re.compile(r"^\s*\{\{#([a-z_][a-z0-9_]*)\}\}")
EMPTY = "—"


class MissingValue(KeyError):
    """A template names a value the caller did not give."""


def _text(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    return str(value)


def _fill_paragraph(paragraph: Paragraph, values: Mapping[str, Any]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return

    def sub(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise MissingValue(name)
        return _text(values[name])

    new = PLACEHOLDER.sub(sub, ROW_MARKER.sub("", text))
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(new)
        return
    runs[0].text = new
    for run in runs[1:]:
        run.text = ""


def _fill_cells(cells, values: Mapping[str, Any]) -> None:
    for cell in cells:
        for paragraph in cell.paragraphs:
            _fill_paragraph(paragraph, values)
        for table in cell.tables:
            _fill_table(table, values, {})


def _fill_table(table: Table, values: Mapping[str, Any], rows: Mapping[str, Sequence]) -> None:
    for row in list(table.rows):
        first = row.cells[0].text if row.cells else ""
        marker = ROW_MARKER.match(first)
        if marker is None:
            _fill_cells(row.cells, values)
            continue
        name = marker.group(1)
        if name not in rows:
            raise MissingValue(name)
        items = list(rows[name]) or [None]
        template = row._tr
        for item in items:
            clone = copy.deepcopy(template)
            template.addprevious(clone)
            new_row = next(r for r in table.rows if r._tr is clone)
            if item is None:
                for i, cell in enumerate(new_row.cells):
                    for paragraph in cell.paragraphs:
                        _clear(paragraph, EMPTY if i == 0 else "")
            else:
                _fill_cells(new_row.cells, {**values, **item})
        template.getparent().remove(template)


def _clear(paragraph: Paragraph, text: str) -> None:
    runs = paragraph.runs
    if runs:
        runs[0].text = text
        for run in runs[1:]:
            run.text = ""
    elif text:
        paragraph.add_run(text)


def render(
    template: Path | str,
    values: Mapping[str, Any],
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> bytes:
    """The filled document as .docx bytes. Raises ``MissingValue``."""
    document = Document(str(template))
    rows = rows or {}
    for paragraph in document.paragraphs:
        _fill_paragraph(paragraph, values)
    for table in document.tables:
        _fill_table(table, values, rows)
    for section in document.sections:
        for part in (section.header, section.footer):
            for paragraph in part.paragraphs:
                _fill_paragraph(paragraph, values)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_of(data: bytes) -> str:
    """All the text of a .docx (paragraphs and table cells, in order), for tests and
    previews: what a reader of the document would see."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)
