"""Reading an uploaded Excel workbook that nobody vouches for: the steps every import
shares (people, the allowance table, arrival lists ...).

1. ``read_upload`` checks the container before any parser sees it: not empty, within
   the size limit, an Office Open XML zip (not an old .xls, not another zip), and not a
   zip bomb (unpacked size bounded by a ratio of the file's size);
2. then counts the first sheet's non-empty rows in its XML (``refuse_beyond``: lxml, no
   cell built, stopping one past the limit), so that a file over an import's row limit
   is refused before the rest of it is parsed or any row checked;
3. then reads the first sheet with openpyxl in ``read_only`` mode, with explicit bounds,
   into the header row and the non-empty data rows with their Excel row numbers.

Every failure is a ``FileProblem`` whose message a person can act on. What the columns
mean and how each row is checked belongs to each import.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.utils.translation import gettext as _
from lxml import etree
from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string
from openpyxl.xml.constants import SHEET_MAIN_NS

# Excel's own limit; a crafted file claiming row 10^9 would otherwise make the reader
# produce a billion empty rows to fill the gap.
EXCEL_MAX_ROW = 1_048_576
MAX_COLUMNS = 50
# A real sheet unpacks to a few times its size; far more than this ratio is a zip bomb.
MAX_UNPACK_RATIO = 20
MAX_SHOWN_VALUE = 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass
class Sheet:
    data: bytes  # the file as checked (for its digest)
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]]  # (Excel row number, values), non-empty only


def binary(upload: Any) -> IO[bytes]:
    """An UploadedFile, a binary file object or bytes -> a binary stream."""
    if isinstance(upload, bytes | bytearray):
        return io.BytesIO(upload)
    # Django's UploadedFile wraps the real file (BytesIO or a temporary file).
    return getattr(upload, "file", upload)


def size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    found = stream.tell()
    stream.seek(0)
    return found


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as text: whole floats without ".0", dates in ISO form, strings stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def shown(value: str) -> str:
    """A value quoted in an error report, cut when long."""
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


class Column(Protocol):
    field: str
    header: str
    required: bool


def map_columns(
    header: tuple[Any, ...],
    *,
    lookup: Callable[[str], str | None],
    columns: Sequence[Column],
    ignored: Callable[[str], bool] = lambda text: False,
) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """The header row -> {position: (field, header as written)} and the positions of the
    columns to ignore; or a FileProblem naming every unknown, repeated and missing column
    and listing the columns an import takes. ``lookup`` turns a header as written into a
    field name (None when unknown); ``ignored`` says which unknown headers to pass over."""
    found: dict[int, tuple[str, str]] = {}
    skipped: set[int] = set()
    seen: set[str] = set()
    problems: list[str] = []
    for position, cell in enumerate(header):
        if is_empty(cell):
            continue
        written = str(cell).strip()
        name = lookup(written)
        if name is None and ignored(written):
            skipped.add(position)
        elif name is None:
            problems.append(
                _("Unknown column “%(header)s”.") % {"header": written[:MAX_SHOWN_VALUE]}
            )
        elif name in seen:
            problems.append(_("The column “%(header)s” appears twice.") % {"header": written})
        else:
            seen.add(name)
            found[position] = (name, written)
    for column in columns:
        if column.required and column.field not in seen:
            problems.append(_("The column “%(header)s” is missing.") % {"header": column.header})
    if problems:
        allowed = "、".join(c.header for c in columns)
        problems.append(_("The columns are: %(columns)s.") % {"columns": allowed})
        raise FileProblem(" ".join(problems))
    return found, skipped


def check_container(upload: Any, *, max_bytes: int) -> bytes:
    """The file's bytes once they look like an .xlsx that is safe to parse."""
    stream = binary(upload)
    length = size(stream)
    if length == 0:
        raise FileProblem(_("The file is empty."))
    if length > max_bytes:
        raise FileProblem(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{max_bytes / 1024 / 1024:g}"}
        )
    data = stream.read()
    stream.seek(0)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            _(
                "This is an old Excel 97-2003 (.xls) file. Open it in Excel or WPS and save it "
                "as an Excel workbook (.xlsx)."
            )
        )
    not_xlsx = FileProblem(_("This file is not an Excel workbook (.xlsx)."))
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise not_xlsx from exc
    if "[Content_Types].xml" not in names:  # every Office Open XML package has one
        raise not_xlsx
    if unpacked > max(length, 1024 * 1024) * MAX_UNPACK_RATIO:
        raise FileProblem(
            _("This file unpacks to far more data than a spreadsheet of this kind holds.")
        )
    return data


def read_upload(upload: Any, *, max_bytes: int, max_rows: int, too_many: str) -> Sheet:
    """Check, then read the first sheet. ``too_many`` is the message (with
    ``%(limit)d``) for a file with more than ``max_rows`` data rows."""
    data = check_container(upload, max_bytes=max_bytes)
    refuse_beyond(data, max_rows, too_many)
    # A parser fed untrusted bytes may raise anything: whatever it is, the file is
    # unreadable, hence the broad excepts.
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; none of it matters here.
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            raise FileProblem(_("This file is not an Excel workbook (.xlsx).")) from exc
        try:
            header, rows = _read_sheet(book, max_rows, too_many)
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem(
                _("This file could not be read as an Excel workbook (.xlsx); it may be damaged.")
            ) from exc
        finally:
            book.close()
    return Sheet(data=data, header=header, rows=rows)


def _read_sheet(book, max_rows: int, too_many: str):
    if not book.worksheets:
        raise FileProblem(_("The workbook has no worksheet."))
    # Explicit bounds: left out, openpyxl stops at the sheet's stored dimensions, which
    # other programs often write wrong, and the rows beyond them would silently vanish.
    cells = book.worksheets[0].iter_rows(
        max_row=EXCEL_MAX_ROW, max_col=MAX_COLUMNS, values_only=True
    )
    header: tuple[Any, ...] | None = None
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in enumerate(cells, start=1):
        if header is None:
            header = values
        elif not all(is_empty(v) for v in values):
            if len(rows) >= max_rows:
                raise FileProblem(too_many % {"limit": max_rows})
            rows.append((number, values))
    if header is None or all(is_empty(v) for v in header):
        raise FileProblem(_("The first row of the first sheet must hold the column headers."))
    return header, rows


# --- counting rows before reading them --------------------------------------------------

_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_VALUE, _INLINE = f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}is"
_TEXT, _RUN = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"


def refuse_beyond(data: bytes, max_rows: int, too_many: str) -> int | None:
    """Raise FileProblem(``too_many``) when the first sheet of ``data`` has more than
    ``max_rows`` non-empty rows under its header, having read at most one more; else the
    number of those rows. None when the limit is Excel's own (nothing to count). Before
    openpyxl opens the workbook: opening a sheet without stored dimensions, openpyxl's
    read-only mode parses it whole to look for them."""
    if max_rows >= EXCEL_MAX_ROW - 1:
        return None
    found = count_data_rows(data, stop_after=max_rows + 1)
    if found > max_rows:
        raise FileProblem(too_many % {"limit": max_rows})
    return found


def count_data_rows(data: bytes, *, stop_after: int) -> int:
    """The non-empty rows under the header of the first sheet of ``data`` (an .xlsx whose
    container ``check_container`` passed), counted as the readers count them (a value
    other than None or blank text in the first MAX_COLUMNS columns, rows 2 to
    EXCEL_MAX_ROW, a row numbered at or below the one before skipped as openpyxl skips
    it), but in the sheet's XML without building cells, several times faster than
    openpyxl, and stopping at ``stop_after``. Odd XML ends the count where it is (so it
    never counts more than the readers): the reader proper says what is wrong."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as in read_upload
        return _count_data_rows(data, stop_after)


def _count_data_rows(data: bytes, stop_after: int) -> int:
    count = 0
    last = 0
    try:
        # openpyxl's own steps to the first worksheet's part and the shared strings,
        # without opening the sheets.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # not a workbook: the reader proper will say so
        return 0
    with reader.archive:
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            part = next(
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            )
            with reader.archive.open(part) as source:
                for number, filled in _sheet_rows(source, reader.shared_strings):
                    if number > EXCEL_MAX_ROW:
                        break
                    if number <= last:
                        continue
                    last = number
                    if number >= 2 and filled:
                        count += 1
                        if count >= stop_after:
                            break
        except Exception:  # untrusted XML: the reader proper will say what is wrong
            return count
    return count


def _sheet_rows(source: IO[bytes], shared: Sequence[Any]) -> Iterator[tuple[int, bool]]:
    """(row number, holds a value) for each row of a sheet's XML, in order."""
    number = 0
    rows = etree.iterparse(
        source, events=("end",), tag=_ROW, resolve_entities=False, no_network=True
    )
    for _event, row in rows:
        mark = row.get("r")
        if mark is None:
            number += 1
        elif float(mark).is_integer():
            number = int(float(mark))
        else:
            raise ValueError(mark)
        yield number, _row_filled(row, shared)
        # Keep memory flat: drop the row and what came before it.
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]


def _row_filled(row, shared: Sequence[Any]) -> bool:
    column = 0
    for cell in row.iterchildren(_CELL):
        coordinate = cell.get("r")
        if coordinate:
            column = column_index_from_string(coordinate.rstrip("0123456789"))
        else:
            column += 1
        if column <= MAX_COLUMNS and _cell_filled(cell, shared):
            return True
    return False


def _cell_filled(cell, shared: Sequence[Any]) -> bool:
    """As openpyxl reads the cell with data_only: not None and not blank text."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        if inline is None:
            return False
        texts = [inline.findtext(_TEXT)] + [r.findtext(_TEXT) for r in inline.iter(_RUN)]
        return any(t and t.strip() for t in texts)
    value = cell.findtext(_VALUE)
    if not value:
        return False
    if kind == "s":
        text = shared[int(value)]
        return not (isinstance(text, str) and not text.strip())
    if kind == "str":
        return bool(value.strip())
    return True  # a number, a date, a boolean, an error
