"""The one writer of the project's .xlsx files (exports and import templates): fast, in
bounded memory, and never a formula.

openpyxl's ``write_only`` workbook builds an element per cell: some tens of
microseconds each, over a minute for 100,000 rows of fourteen columns on a busy
machine. This writer streams each sheet's XML as text into the zip, one row at a time,
and writes the few fixed parts of the package around it: a minimal SpreadsheetML
package, read back by openpyxl in the tests (not yet opened in Excel or WPS on the
development machine).

Every string is written as a string cell (an inline string), whatever it starts with:
a name typed as ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` on the public form or in an
imported list stays the text it was, never a formula (openpyxl makes a formula of any
string starting with ``=``). A string starting with a character a spreadsheet reads as
the start of a formula (``= + - @``, tab, CR, LF, and their full-width forms) also gets
a style with Excel's "quote prefix", so that editing the cell keeps it text; its value,
as read, is unchanged (no apostrophe is added). Dates are serial numbers formatted
``yyyy-mm-dd`` (a time at midnight -- a date read as a datetime -- is a date, never
"00:00"), times ``yyyy-mm-dd hh:mm`` in local time, without seconds; numbers are numbers.

A ``Table`` sheet reads like a register: its header row bold and frozen (it stays in
view while scrolling), each column as wide as its widest value (a Chinese character
counts two), up to ``MAX_WIDTH``. To know the widths before the rows, such a sheet
writes its rows to a temporary file first, so memory stays bounded.

``with WorkbookWriter(handle) as book: sheet = book.sheet("title", widths=(12, 30))``,
then ``sheet.append([...])``; sheets are written one after the other. ``SheetWriter``
is the one-sheet shortcut. ``bold``, ``title``, ``as_text`` and ``money`` style a cell.
An export (a header row, then rows) is a ``Table``: ``write_tables`` writes a workbook of
them and ``waishi.lib.downloads.spreadsheet`` answers it as a download.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import IO, Any, NamedTuple
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

# Characters XML 1.0 forbids (Excel refuses the file if they appear).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A literal CR would come back as LF (XML parsers normalise line ends): a reference.
_ENTITIES = {"\r": "&#13;"}
# What a spreadsheet takes for the start of a formula (OWASP's list for CSV, with LF and
# the full-width forms a Chinese input method types).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_EPOCH = dt.datetime(1899, 12, 30)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Fitted column widths, in characters: at least, at most, and the margin added.
MIN_WIDTH, MAX_WIDTH, WIDTH_MARGIN = 6, 80, 2
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"


class Cell(NamedTuple):
    """A value with one of the styles below."""

    value: Any
    style: str


# The styles (cellXfs) of the package, by index.
_NORMAL, _DATE, _DATETIME, _QUOTED, _BOLD, _TITLE, _TEXT, _MONEY = range(8)
_STYLE_OF = {"bold": _BOLD, "title": _TITLE, "text": _TEXT, "money": _MONEY}


def bold(value: Any) -> Cell:
    return Cell(value, "bold")


def title(value: Any) -> Cell:
    """Bold and larger: a sheet's title line."""
    return Cell(value, "title")


def as_text(value: Any) -> Cell:
    """Formatted as text ("@"), so that what a person types there stays as typed (an ID
    number keeps its 18 characters, a date stays a string)."""
    return Cell(value, "text")


def money(value: Any) -> Cell:
    """A number shown with thousands separators and two decimals."""
    return Cell(value, "money")


_CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
)
_CONTENT_TYPE_SHEET = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_RELS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
)
_WORKBOOK_REL_SHEET = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
)
_WORKBOOK_REL_STYLES = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="#,##0.00"/>'
    '<numFmt numFmtId="166" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="8">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _attr(style: int) -> str:
    return f' s="{style}"' if style else ""


def _string(text: str, style: int) -> str:
    if style == _NORMAL and text.startswith(FORMULA_STARTS):
        style = _QUOTED
    text = escape(_ILLEGAL.sub("", text), _ENTITIES)
    return f'<c t="inlineStr"{_attr(style)}><is><t xml:space="preserve">{text}</t></is></c>'


def _cell(value: Any, style: int = _NORMAL) -> str:
    if isinstance(value, Cell):
        return _cell(value.value, _STYLE_OF[value.style])
    if value is None or value == "":
        return f"<c{_attr(style)}/>"
    if isinstance(value, bool):
        return f'<c t="b"{_attr(style)}><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal) or (isinstance(value, float) and math.isfinite(value)):
        if isinstance(value, Decimal) and not value.is_finite():
            return _string(str(value), style)
        return f"<c{_attr(style)}><v>{value}</v></c>"
    if isinstance(value, dt.datetime):
        value = _local(value)
        if value.time() == dt.time(0):
            return _cell(value.date(), style)  # a date read as a datetime: no "00:00"
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c s="{_DATETIME}"><v>{serial:.8f}</v></c>'
    if isinstance(value, dt.date):
        return f'<c s="{_DATE}"><v>{(value - _EPOCH.date()).days}</v></c>'
    # Everything else, whatever it starts with, is a string cell: never a formula.
    return _string(str(value), style)


def _local(value: dt.datetime) -> dt.datetime:
    """A naive local time to the minute (a sheet shows no seconds and no time zone)."""
    if value.tzinfo is not None:
        value = timezone.localtime(value).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


# Characters a sheet shows two columns wide (East Asian Wide and Fullwidth, as
# ``unicodedata.east_asian_width`` says "W" or "F"): CJK, kana, hangul, full-width forms.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd]"
)


def _text_width(text: str) -> int:
    """How many columns ``text`` takes: a wide (CJK) character two, others one; the
    longest line of a multi-line value."""
    if "\n" in text:
        return max(_text_width(line) for line in text.split("\n"))
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _width(value: Any) -> int:
    """The columns a cell's value takes as shown."""
    if isinstance(value, Cell):
        value = value.value
    if value is None or value == "":
        return 0
    if isinstance(value, dt.datetime):
        return len("2026-01-01" if _local(value).time() == dt.time(0) else "2026-01-01 00:00")
    if isinstance(value, dt.date):
        return len("2026-01-01")
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return len(f"{value:,.2f}") if math.isfinite(value) else len(str(value))
    return _text_width(str(value))


def _sheet_name(wanted: str, taken: list[str]) -> str:
    """A name Excel accepts: none of []:*?/\\, not quoted, at most 31 characters, unique."""
    name = " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", str(wanted)).split()).strip("'")[:31]
    name = name or "Sheet"
    base, n = name, 1
    while name.casefold() in {t.casefold() for t in taken}:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]} {n}"
    return name


class Sheet:
    """One sheet being written: ``append`` a row at a time. ``fit``: each column as wide
    as its widest value (the rows wait in a temporary file until the sheet closes);
    ``freeze``: that many rows at the top stay in view (the header of a register)."""

    def __init__(
        self, stream: IO[bytes], widths: Iterable[float], *, fit: bool = False, freeze: int = 0
    ):
        self.stream = stream
        self.buffer: list[str] = []
        self.widths = list(widths)
        self.fit = fit
        self.freeze = freeze
        self.fitted: list[int] = []
        # Fitted: rows go to a temporary file until the widths are known.
        self.rows: IO[bytes] = tempfile.TemporaryFile() if fit else stream
        if not fit:
            self._head()

    def _head(self) -> None:
        head = _SHEET_HEAD
        if self.freeze:
            below = f"A{self.freeze + 1}"
            head += (
                f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{self.freeze}" '
                f'topLeftCell="{below}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>'
                "</sheetView></sheetViews>"
            )
        widths = list(self.widths)
        for i, used in enumerate(self.fitted):
            fitted = min(max(used + WIDTH_MARGIN, MIN_WIDTH), MAX_WIDTH)
            if i < len(widths):
                widths[i] = max(widths[i], fitted)
            else:
                widths.append(fitted)
        columns = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        if columns:
            head += f"<cols>{columns}</cols>"
        self.stream.write((head + "<sheetData>").encode())

    def append(self, values: Iterable[Any]) -> None:
        values = list(values)
        if self.fit:
            for i, value in enumerate(values):
                used = _width(value)
                if i < len(self.fitted):
                    self.fitted[i] = max(self.fitted[i], used)
                else:
                    self.fitted.append(used)
        self.buffer.append("<row>" + "".join(map(_cell, values)) + "</row>")
        if len(self.buffer) >= 500:
            self._flush()

    def _flush(self) -> None:
        self.rows.write("".join(self.buffer).encode())
        self.buffer = []

    def close(self) -> None:
        if self.stream.closed:
            return
        self._flush()
        if self.fit:
            self._head()
            self.rows.seek(0)
            shutil.copyfileobj(self.rows, self.stream, 1 << 16)
            self.rows.close()
        self.stream.write(_SHEET_TAIL.encode())
        self.stream.close()


class WorkbookWriter:
    """A workbook of one or more sheets, written one after the other to ``handle``."""

    def __init__(self, handle: IO[bytes]):
        self.zip = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.names: list[str] = []
        self.current: Sheet | None = None

    def sheet(
        self, name: str, *, widths: Iterable[float] = (), fit: bool = False, freeze: int = 0
    ) -> Sheet:
        """Start the next sheet (ending the one before); ``widths``: of the first
        columns, in characters (the least, when ``fit``); ``fit`` and ``freeze``: see
        ``Sheet``."""
        if self.current is not None:
            self.current.close()
        self.names.append(_sheet_name(name, self.names))
        part = f"xl/worksheets/sheet{len(self.names)}.xml"
        self.current = Sheet(
            self.zip.open(part, "w", force_zip64=True), widths, fit=fit, freeze=freeze
        )
        return self.current

    def close(self) -> None:
        if self.current is None:
            self.sheet("Sheet")
        self.current.close()
        count = len(self.names)
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(self.names, start=1)
        )
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>"
        )
        content_types = (
            _CONTENT_TYPES_HEAD
            + "".join(_CONTENT_TYPE_SHEET.format(n=n) for n in range(1, count + 1))
            + "</Types>"
        )
        workbook_rels = (
            _RELS_HEAD
            + "".join(_WORKBOOK_REL_SHEET.format(n=n) for n in range(1, count + 1))
            + _WORKBOOK_REL_STYLES.format(n=count + 1)
            + "</Relationships>"
        )
        for part, text in (
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", _RELS),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/styles.xml", _STYLES),
        ):
            self.zip.writestr(part, text)
        self.zip.close()

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SheetWriter:
    """``with SheetWriter(handle, "title") as sheet: sheet.append([...])``: a workbook
    of one sheet, rows in order. Times are written as given (pass local times)."""

    def __init__(self, handle: IO[bytes], name: str, *, widths: Iterable[float] = ()):
        self.book = WorkbookWriter(handle)
        self.sheet = self.book.sheet(name, widths=widths)

    def append(self, values: Iterable[Any]) -> None:
        self.sheet.append(values)

    def close(self) -> None:
        self.book.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Table(NamedTuple):
    """One sheet of an export: its name, its header row, then its rows (any iterable,
    read once as the sheet is written: a generator over a queryset's ``iterator()``
    keeps memory bounded)."""

    name: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]


def write_tables(handle: IO[bytes], tables: Iterable[Table]) -> list[int]:
    """A workbook of ``tables``, one sheet each in order, written to ``handle``: the
    header row bold and frozen, the columns fitted to their values. Returns the number
    of rows (headers not counted) of each sheet."""
    counts = []
    with WorkbookWriter(handle) as book:
        for table in tables:
            sheet = book.sheet(table.name, fit=True, freeze=1)
            sheet.append([h if isinstance(h, Cell) else bold(h) for h in table.headers])
            count = 0
            for row in table.rows:
                sheet.append(row)
                count += 1
            counts.append(count)
    return counts


def workbook_bytes(write: Callable[[WorkbookWriter], None]) -> bytes:
    """The file ``write`` makes, as bytes (for small workbooks such as templates)."""
    handle = io.BytesIO()
    with WorkbookWriter(handle) as book:
        write(book)
    return handle.getvalue()


def import_template(
    book: WorkbookWriter,
    *,
    name: str,
    widths: Iterable[float],
    columns: Iterable,
    samples: dict[str, Any],
    notes_widths: Iterable[float],
    intro: str,
    more: Iterable[str] = (),
) -> Sheet:
    """The two sheets of an import's blank file. The first: the columns' headers and one
    invented sample row (``column.sample``, or ``samples[column.field]``), written as text
    so that Excel keeps numbers and dates as typed. Then 说明: ``intro``, what every import
    promises, the ``more`` lines, and what each column takes. Returns 说明 for the caller's
    own reference list (districts, units)."""
    columns = list(columns)
    sheet = book.sheet(name, widths=widths)
    sheet.append([bold(column.header) for column in columns])
    sheet.append([as_text(samples.get(column.field, column.sample)) for column in columns])

    notes = book.sheet("说明", widths=notes_widths)
    for line in (
        intro,
        _("Row 2 is an invented example; replace it or delete it."),
        _("If any row has an error, nothing is imported and every error is listed."),
        *more,
    ):
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("What to enter")])
    for column in columns:
        notes.append([column.header, _("yes") if column.required else _("no"), column.help])
    notes.append([])
    return notes
