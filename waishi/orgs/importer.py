"""Excel (.xlsx) import of people: read, check every row, import all rows or none.

The file is untrusted. It is checked by size and content (a zip that openpyxl opens as a
workbook, whose declared uncompressed size is bounded so that a zip bomb is refused
before parsing), read with openpyxl in ``read_only`` mode (streaming, bounded memory),
and every row goes through ``services.person_build``, the same validation as the form.
Any error in any row means nothing is imported: the clerk fixes the file and sends it
again, rather than working out which half of it went in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from waishi.lib import xlsx
from waishi.lib.forms import clean_row
from waishi.lib.xlsx import (  # noqa: F401 (re-exported: XLSX_CONTENT_TYPE, FileProblem)
    MAX_COLUMNS,
    MAX_SHOWN_VALUE,
    XLSX_CONTENT_TYPE,
    FileProblem,
    is_empty,
)
from waishi.lib.xlsx import (
    text as cell_text,
)
from waishi.orgs import idnumbers, scoping, services
from waishi.orgs.models import Person, Rank, Unit

# The accepted words are written out here, not taken from the translated labels, so that
# a file means the same thing whatever language the person importing it has chosen.
RANK_WORDS: dict[str, str] = {
    "省部级": Rank.PROVINCIAL_MINISTERIAL,
    "厅局级": Rank.BUREAU,
    "县处级": Rank.COUNTY_DIVISION,
    "乡科级及以下": Rank.SECTION_BELOW,
    "乡科级": Rank.SECTION_BELOW,
    "无": Rank.NONE,
    "无职级": Rank.NONE,
    "无行政级别": Rank.NONE,
}
TRUE_WORDS = frozenset({"是", "y", "yes", "1", "true", "√"})
FALSE_WORDS = frozenset({"否", "n", "no", "0", "false", ""})
FLAG_FIELDS = (
    "is_party_member",
    "is_unit_leadership",
    "is_city_leader",
    "is_econ_tech",
    "is_retired",
)


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header the template writes
    aliases: tuple[str, ...]  # other spellings accepted (English)
    required: bool
    sample: str  # the template's invented example

    @property
    def help(self) -> str:
        return str(HELP[self.field])


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("name",), True, "王小明"),
    Column("id_number", "身份证号", ("身份证号码", "id number", "resident id number"), False, ""),
    Column("unit", "单位", ("unit",), True, ""),
    Column("post", "职务", ("post",), False, "科员"),
    Column("rank", "职级", ("rank",), False, "乡科级及以下"),
    Column("is_party_member", "中共党员", ("party member",), False, "是"),
    Column("is_unit_leadership", "领导班子成员", ("leadership team",), False, "否"),
    Column("is_city_leader", "市领导", ("city leader",), False, "否"),
    Column("is_econ_tech", "经贸科技人员", ("trade/technology staff",), False, "否"),
    Column("is_retired", "已退休", ("retired",), False, "否"),
    Column("phone", "电话", ("phone", "telephone"), False, ""),
)
_YES_NO = gettext_lazy("是 or 否 (also Y/N, 1/0, true/false). Empty means 否.")
HELP = {
    "name": gettext_lazy("Full name."),
    "id_number": gettext_lazy(
        "18-character resident ID number, checked by its check digit (GB 11643). Format the "
        "column as text: Excel keeps only 15 digits of a number."
    ),
    "unit": gettext_lazy("Unit code, full name or short name (see the list below)."),
    "post": gettext_lazy("Post or title."),
    "rank": gettext_lazy("One of: 省部级, 厅局级, 县处级, 乡科级及以下, 无. Empty means 无."),
    "is_party_member": _YES_NO,
    "is_unit_leadership": _YES_NO,
    "is_city_leader": _YES_NO,
    "is_econ_tech": _YES_NO,
    "is_retired": _YES_NO,
    "phone": gettext_lazy("Telephone number."),
}
COLUMN_OF = {c.field: c for c in COLUMNS}
# Errors on fields the row does not hold directly, shown under the column they come from.
FIELD_OF_ERROR = {"name_pinyin": "name", "name_initials": "name"}
SAMPLE_NAME = "王小明"


def sample_id_number() -> str:
    # Born 1 January 1900, the earliest date the validator accepts: plainly made up.
    body = "11010119000101001"
    return body + idnumbers.check_digit(body)


def _header_key(text: str) -> str:
    return "".join(text.split()).rstrip("*＊").casefold()


HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.header, *_column.aliases):
        HEADER_LOOKUP[_header_key(_alias)] = _column.field


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str  # the header as written in the file, or the column letter
    value: str  # what the cell held, masked if it is an ID number
    message: str
    position: int = 0  # the column's place in the file, to list a row's errors in order
    masked: bool = False


@dataclass
class ImportReport:
    filename: str = ""
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # clean, ready for the service
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def bad_row_count(self) -> int:
        return len({e.row for e in self.row_errors})


def _columns(header: tuple[Any, ...]) -> dict[int, tuple[str, str]]:
    """Position -> (field, header as written), or FileProblem naming the bad headers."""
    found, _ignored = xlsx.map_columns(
        header, lookup=lambda written: HEADER_LOOKUP.get(_header_key(written)), columns=COLUMNS
    )
    return found


# --- checking the rows ---------------------------------------------------------------------


def _shown(name: str, text: str) -> str:
    """The value for the error report: ID numbers masked, long values cut."""
    if name == "id_number" and text:
        number = idnumbers.normalise(text)
        return idnumbers.mask(number) if len(number) >= 8 else "*" * len(number)
    return text if len(text) <= MAX_SHOWN_VALUE else text[:MAX_SHOWN_VALUE] + "…"


def _flag(text: str) -> bool:
    word = text.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError


def _rank_words() -> dict[str, str]:
    words = {k.casefold(): v for k, v in RANK_WORDS.items()}
    for rank in Rank:
        words[rank.value.casefold()] = rank.value
        # Labels as the person importing reads them, and in English; never instead of
        # the fixed Chinese words above.
        words.setdefault(str(rank.label).casefold(), rank.value)
        with translation.override("en"):
            words.setdefault(str(rank.label).casefold(), rank.value)
    return words


class _Units:
    """Active units by code, full name or short name; a unit clerk's own unit only."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.everywhere = scoping.is_reader_of_everything(actor)
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, Unit] = {}
        self.by_short: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(is_active=True):
            self.by_code[unit.code.casefold()] = unit
            self.by_name[unit.name] = unit
            if unit.short_name:
                self.by_short.setdefault(unit.short_name, []).append(unit)

    def find(self, text: str) -> Unit:
        unit = self.by_code.get(text.casefold()) or self.by_name.get(text)
        if unit is None:
            matches = self.by_short.get(text, [])
            if len(matches) > 1:
                raise ValueError(_("Several units have this short name; use the unit code."))
            unit = matches[0] if matches else None
        if unit is None:
            raise ValueError(_("No active unit has this code or name."))
        if not self.everywhere and unit.pk != self.actor.unit_id:
            # The same sentence as services._check_unit_allowed, so one translation serves.
            raise ValueError(_("You can only add people to your own unit."))
        return unit


class _Checker:
    """Checks rows one by one, collecting every problem of every row."""

    def __init__(self, *, actor, columns: dict[int, tuple[str, str]], report: ImportReport):
        self.columns = columns
        self.report = report
        self.units = _Units(actor)
        self.ranks = _rank_words()
        self.header_of = {name: text for name, text in columns.values()}
        self.position_of = {name: position for position, (name, _text) in columns.items()}
        self.first_row_of_id: dict[str, int] = {}
        self.valid_ids: list[tuple[int, str]] = []  # (row, number) for the database check

    def error(
        self, row: int, name: str, raw: str, message: Any, header: str = "", position: int = -1
    ) -> None:
        if not header and name:
            header = self.header_of.get(name, COLUMN_OF[name].header)
            position = self.position_of.get(name, MAX_COLUMNS)
        masked = name == "id_number" and bool(raw)
        self.report.row_errors.append(
            RowError(row, header, _shown(name, raw), str(message), position, masked)
        )

    def row(self, number: int, values: tuple[Any, ...]) -> dict[str, Any] | None:
        """The service's values for one row, or None after recording its errors."""
        before = len(self.report.row_errors)
        bad: set[str] = set()  # fields already reported, so the service's check adds no echo
        raw: dict[str, Any] = {}
        for position, value in enumerate(values):
            if position in self.columns:
                raw[self.columns[position][0]] = value
            elif not is_empty(value):
                letter = get_column_letter(position + 1)
                message = _("This column has no header.")
                self.error(number, "", cell_text(value), message, letter, position)
        text, refused = clean_row({name: cell_text(value) for name, value in raw.items()})

        def fail(name: str, message: Any) -> None:
            bad.add(name)
            self.error(number, name, text.get(name, ""), message)

        for name, message in refused.items():
            fail(name, message)

        out: dict[str, Any] = {
            "name": text.get("name", ""),
            "id_number": idnumbers.normalise(text.get("id_number", "")),
            "post": text.get("post", ""),
            "phone": text.get("phone", ""),
            "unit": None,
            "rank": Rank.NONE,
        }
        if isinstance(raw.get("id_number"), float):
            out["id_number"] = ""
            fail(
                "id_number",
                _(
                    "This ID number was stored as a number, which loses digits; format the "
                    "column as text and enter the number again."
                ),
            )
        if not text.get("unit"):
            fail("unit", _("The unit is required."))
        else:
            try:
                out["unit"] = self.units.find(text["unit"])
            except ValueError as exc:
                fail("unit", str(exc))
        if text.get("rank"):
            rank = self.ranks.get(text["rank"].casefold())
            if rank is None:
                words = "、".join(["省部级", "厅局级", "县处级", "乡科级及以下", "无"])
                fail("rank", _("Unknown rank. Use one of: %(words)s.") % {"words": words})
            else:
                out["rank"] = rank
        for name in FLAG_FIELDS:
            try:
                out[name] = _flag(text.get(name, ""))
            except ValueError:
                fail(name, _("Write 是 or 否 (or leave it empty)."))
        if out["name"] == SAMPLE_NAME and out["id_number"] == sample_id_number():
            fail("name", _("This is the template's invented sample row; replace it or delete it."))
        self._build(number, out, text, bad)
        if out["id_number"] and "id_number" not in bad:
            self._duplicate_in_file(number, out["id_number"])
        return None if len(self.report.row_errors) > before else out

    def _build(self, number: int, out: dict[str, Any], text: dict[str, str], bad: set[str]):
        """The form's own validation (services.person_build), for what is not yet reported."""
        try:
            services.person_build(**out)
        except ValidationError as exc:
            # The row's own fields first, so that "name" speaks before "name_pinyin".
            found = sorted(exc.message_dict.items(), key=lambda kv: kv[0] in FIELD_OF_ERROR)
            for key, messages in found:
                name = FIELD_OF_ERROR.get(key, key if key in COLUMN_OF else "")
                if name in bad:
                    continue
                bad.add(name)
                for message in messages:
                    self.error(number, name, text.get(name, ""), message)

    def _duplicate_in_file(self, number: int, id_number: str) -> None:
        first = self.first_row_of_id.setdefault(id_number, number)
        if first != number:
            self.error(
                number,
                "id_number",
                id_number,
                _("This ID number is also in row %(row)d.") % {"row": first},
            )
        else:
            self.valid_ids.append((number, id_number))

    def against_database(self) -> None:
        """Rows whose ID number someone already has. Unscoped on purpose: the number is
        unique city-wide, and the person form tells a unit clerk the same."""
        by_index = {Person.index_id_number(n): (row, n) for row, n in self.valid_ids}
        indexes = list(by_index)
        for start in range(0, len(indexes), 500):
            taken = Person.objects.filter(id_number_index__in=indexes[start : start + 500])
            for index in taken.values_list("id_number_index", flat=True):
                row, id_number = by_index[index]
                self.error(row, "id_number", id_number, _("A person with this ID number exists."))


def check_upload(*, actor, upload: Any, filename: str = "") -> ImportReport:
    """Read and check a workbook; write nothing. ``upload``: an UploadedFile, a binary
    file object or bytes."""
    report = ImportReport(filename=(filename or getattr(upload, "name", "") or "")[:200])
    try:
        sheet = xlsx.read_upload(
            upload,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            too_many=_(
                "The file has more than %(limit)d rows of people; split it into smaller files."
            ),
        )
        header, data = sheet.header, sheet.rows
        columns = _columns(header)
    except FileProblem as exc:
        report.file_errors.append(str(exc))
        return report
    if not data:
        report.file_errors.append(_("The file has no rows of people under the header."))
        return report
    checker = _Checker(actor=actor, columns=columns, report=report)
    clean = [checker.row(number, values) for number, values in data]
    checker.against_database()
    report.row_errors.sort(key=lambda e: (e.row, e.position))
    report.rows = [] if report.row_errors else clean
    return report


def import_upload(*, actor, upload: Any, filename: str = "", ip: str = "") -> ImportReport:
    """Check the workbook and, only if every row is right, import every row."""
    report = check_upload(actor=actor, upload=upload, filename=filename)
    if not report.ok:
        return report
    try:
        result = services.people_import(
            actor=actor, rows=report.rows, filename=report.filename, ip=ip
        )
    except ValidationError as exc:
        # Someone added one of these people between the check and the import.
        report.file_errors.extend(exc.messages)
    except IntegrityError:
        report.file_errors.append(_("A person with this ID number exists."))
    else:
        report.created = len(result.created)
    return report
