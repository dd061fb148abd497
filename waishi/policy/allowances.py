"""The 附表2 allowance table (财行〔2013〕516号: per person per day lodging, meals and
incidentals by country and city) as an Excel file: read and check an upload, compare it
with the table in force, and write the table back out in the same format.

The file is untrusted and read through ``waishi.lib.xlsx`` like every import: checked by
size and content before parsing (a zip that is an Office package, not a zip bomb), then
read with openpyxl in ``read_only`` mode. Every
problem of every row is reported by row (as Excel numbers it) and column; if there is
any, nothing is imported. Writing the version is ``services.allowance_table_import``.

Columns (Chinese headers; English accepted; a 序号 column is ignored):

- 国家（地区）: ISO 3166-1 alpha-2 code, or the Chinese (or English) name;
- 城市: empty, 其他 or 全境 for the country's row that covers every city not named in
  another row; else one or several cities separated by 、 or a comma;
- 币种: three capital letters (ISO 4217), or one of a few Chinese currency names;
- 住宿费标准, 伙食费标准, 公杂费标准: whole numbers, at least 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from waishi.lib import xlsx, xlsx_stream
from waishi.lib.crypto import sm3
from waishi.lib.xlsx import MAX_COLUMNS, FileProblem, is_empty
from waishi.lib.xlsx import text as cell_text
from waishi.orgs.importer import RowError
from waishi.policy import reference
from waishi.policy.reference import BudgetTable

# 附表2 has about two hundred countries and a few hundred named cities; the file is tens
# of kB. The caps leave room and keep a checked file small enough to hold between the
# check and the confirmation (allowance_views keeps it in the session).
MAX_ROWS = 3000
MAX_BYTES = 2 * 1024 * 1024
MAX_AMOUNT = 100_000_000
MAX_CITY_LENGTH = 100

# The words written in the file; fixed here, not taken from translated labels, so that a
# file means the same whatever language the person importing it reads.
OTHER_CITY_WORDS = frozenset(
    {"其他", "其它", "其他城市", "其它城市", "其余城市", "全境", "全部", "所有城市"}
    | {"other", "others", "all", "other cities", "all cities", "(other)", "(all)"}
)
_OTHER_KEYS = frozenset(
    "".join(unicodedata.normalize("NFKC", word).split()).casefold().strip("()")
    for word in OTHER_CITY_WORDS
)
CITY_SEPARATORS = re.compile(r"[、,，;；]")
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
AMOUNT_TEXT = re.compile(r"\d+|\d{1,3}(,\d{3})+", re.ASCII)  # 1200 or 1,200
CURRENCY_WORDS = {
    "美元": "USD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "瑞士法郎": "CHF",
    "港元": "HKD",
    "港币": "HKD",
    "澳门元": "MOP",
    "澳元": "AUD",
    "加元": "CAD",
    "新加坡元": "SGD",
    "韩元": "KRW",
    "卢布": "RUB",
    "人民币": "CNY",
}
AMOUNT_FIELDS = ("lodging", "meals", "incidentals")


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header the export writes
    aliases: tuple[str, ...]
    required: bool


COLUMNS: tuple[Column, ...] = (
    Column(
        "country",
        "国家（地区）",
        (
            "国家",
            "地区",
            "国家或地区",
            "国家/地区",
            "country",
            "country/region",
            "country or region",
        ),
        True,
    ),
    Column("city", "城市", ("city", "cities"), False),
    Column("currency", "币种", ("货币", "currency"), True),
    Column("lodging", "住宿费标准", ("住宿费", "lodging"), True),
    Column("meals", "伙食费标准", ("伙食费", "meals"), True),
    Column("incidentals", "公杂费标准", ("公杂费", "incidentals"), True),
)
IGNORED_HEADERS = frozenset({"序号", "no", "no.", "#"})
COLUMN_OF = {c.field: c for c in COLUMNS}
HELP = {
    "country": gettext_lazy(
        "ISO code (e.g. JP) or Chinese name (e.g. 日本) of the country or region."
    ),
    "city": gettext_lazy(
        "One or several cities at the same rates, separated by 、 or a comma. Empty, 其他 or "
        "全境: every other city of the country."
    ),
    "currency": gettext_lazy("Three capital letters (ISO 4217), e.g. USD, EUR, JPY."),
    "lodging": gettext_lazy("Lodging, per person and day: a whole number."),
    "meals": gettext_lazy("Meals, per person and day (flat rate): a whole number."),
    "incidentals": gettext_lazy("Incidentals, per person and day (flat rate): a whole number."),
}


def _normal(text: str) -> str:
    """NFKC (full-width brackets and letters), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _header_key(text: str) -> str:
    return _normal(text).rstrip("*")


HEADER_LOOKUP: dict[str, str] = {
    _header_key(alias): column.field
    for column in COLUMNS
    for alias in (column.header, *column.aliases)
}


@dataclass
class AllowanceReport:
    filename: str = ""
    sm3: str = ""  # of the file as uploaded
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # budget rows, when all is well
    # Against the table in force (per country and city), filled by the service.
    changes: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "changed": 0, "removed": 0}
    )
    previous_version: str = ""
    version: Any = None  # the PolicySet created by the import

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def bad_row_count(self) -> int:
        return len({e.row for e in self.row_errors})

    @property
    def places(self) -> int:
        """Countries' and cities' standards the rows give (a row may name several cities)."""
        return sum(len(row["cities"] or (None,)) for row in self.rows)


# --- reading the workbook ------------------------------------------------------------------


def max_bytes() -> int:
    return min(settings.IMPORT_MAX_BYTES, MAX_BYTES)


def _columns(header: tuple[Any, ...]) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """Position -> (field, header as written), and the positions of ignored columns; or
    FileProblem naming every bad header."""

    def lookup(written: str) -> str | None:
        key = _header_key(written)
        # "住宿费标准（每人每天）": the words before a closing bracket.
        return HEADER_LOOKUP.get(key) or HEADER_LOOKUP.get(re.sub(r"\([^()]*\)$", "", key))

    return xlsx.map_columns(
        header,
        lookup=lookup,
        columns=COLUMNS,
        ignored=lambda written: _header_key(written) in IGNORED_HEADERS,
    )


# --- checking the rows ---------------------------------------------------------------------


def _cities(text: str) -> list[str] | None:
    """The canonical city names of a 城市 cell (None: the country's row), or ValueError."""
    parts = [part.strip() for part in CITY_SEPARATORS.split(text)]
    parts = [part for part in parts if part]
    if not parts:
        return None
    other = [part for part in parts if _normal(part).strip("()") in _OTHER_KEYS]
    if other:
        if len(parts) > 1:
            raise ValueError(
                _("%(word)s stands for every other city; do not list it with city names.")
                % {"word": other[0]}
            )
        return None
    cities: list[str] = []
    for part in parts:
        if len(part) > MAX_CITY_LENGTH:
            raise ValueError(
                _("A city name has at most %(limit)d characters.") % {"limit": MAX_CITY_LENGTH}
            )
        city = reference.canonical_city(part)
        if city in cities:
            raise ValueError(_("%(city)s is named twice in this cell.") % {"city": part})
        cities.append(city)
    return cities


def _currency(text: str) -> str:
    word = CURRENCY_WORDS.get(text.strip())
    if word:
        return word
    if not CURRENCY_CODE.fullmatch(text.strip()):
        raise ValueError(_("Write the currency as three capital letters (ISO 4217), e.g. USD."))
    return text.strip()


def _amount(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Write a whole number of at least 0."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not AMOUNT_TEXT.fullmatch(text):
            raise ValueError(_("Write a whole number of at least 0."))
        value = int(text.replace(",", ""))
    if not isinstance(value, int) or value < 0:
        raise ValueError(_("Write a whole number of at least 0."))
    if value > MAX_AMOUNT:
        raise ValueError(_("This amount is too large."))
    return value


class _Checker:
    """Checks the rows one by one, collecting every problem of every row."""

    def __init__(self, columns: dict[int, tuple[str, str]], ignored: set[int], report):
        self.columns = columns
        self.ignored = ignored
        self.report = report
        self.header_of = {name: text for name, text in columns.values()}
        self.position_of = {name: position for position, (name, _t) in columns.items()}
        self.first_row_of: dict[tuple[str, str | None], int] = {}

    def error(self, row: int, name: str, raw: str, message: str) -> None:
        self.report.row_errors.append(
            RowError(
                row,
                self.header_of.get(name, COLUMN_OF[name].header),
                xlsx.shown(raw),
                message,
                self.position_of.get(name, MAX_COLUMNS),
            )
        )

    def row(self, number: int, values: tuple[Any, ...]) -> dict[str, Any] | None:
        before = len(self.report.row_errors)
        raw: dict[str, Any] = {}
        for position, value in enumerate(values):
            if position in self.columns:
                raw[self.columns[position][0]] = value
            elif position not in self.ignored and not is_empty(value):
                self.report.row_errors.append(
                    RowError(
                        number,
                        get_column_letter(position + 1),
                        xlsx.shown(cell_text(value)),
                        _("This column has no header."),
                        position,
                    )
                )
        text = {name: cell_text(value) for name, value in raw.items()}
        out: dict[str, Any] = {"country": None, "cities": None, "currency": None}

        country = text.get("country", "")
        if not country:
            self.error(number, "country", "", _("Give the country or region."))
        else:
            out["country"] = reference.country_code(country)
            if out["country"] is None:
                self.error(
                    number,
                    "country",
                    country,
                    _(
                        "Unknown country or region: write its ISO code (e.g. JP) or its "
                        "Chinese name (e.g. 日本)."
                    ),
                )
        cities_ok = True
        try:
            out["cities"] = _cities(text.get("city", ""))
        except ValueError as exc:
            cities_ok = False
            self.error(number, "city", text.get("city", ""), str(exc))
        if not text.get("currency"):
            self.error(number, "currency", "", _("Give the currency."))
        else:
            try:
                out["currency"] = _currency(text["currency"])
            except ValueError as exc:
                self.error(number, "currency", text["currency"], str(exc))
        for name in AMOUNT_FIELDS:
            if is_empty(raw.get(name)):
                self.error(number, name, "", _("Give the amount."))
                continue
            try:
                out[name] = _amount(raw[name])
            except ValueError as exc:
                self.error(number, name, text.get(name, ""), str(exc))
        if out["country"] and cities_ok:
            self._duplicates(number, out["country"], out["cities"], text.get("city", ""))
        return None if len(self.report.row_errors) > before else out

    def _duplicates(self, number: int, code: str, cities: list[str] | None, raw: str) -> None:
        for city in cities or (None,):
            first = self.first_row_of.setdefault((code, city), number)
            if first != number:
                name = "city" if "city" in self.header_of else "country"
                place = f"{code} {city}" if city else code
                self.error(
                    number,
                    name,
                    raw if name == "city" else code,
                    _("%(place)s is also in row %(row)d.") % {"place": place, "row": first},
                )


def check_upload(*, upload: Any, filename: str = "") -> AllowanceReport:
    """Read and check an allowance table file; write nothing, read no database.
    ``upload``: an UploadedFile, a binary file object or bytes."""
    report = AllowanceReport(filename=(filename or getattr(upload, "name", "") or "")[:200])
    try:
        sheet = xlsx.read_upload(
            upload,
            max_bytes=max_bytes(),
            max_rows=MAX_ROWS,
            too_many=_("The file has more than %(limit)d rows; an allowance table has far fewer."),
        )
        report.sm3 = sm3(sheet.data)
        header, found = sheet.header, sheet.rows
        columns, ignored = _columns(header)
    except FileProblem as exc:
        report.file_errors.append(str(exc))
        return report
    if not found:
        report.file_errors.append(_("The file has no rows under the header."))
        return report
    checker = _Checker(columns, ignored, report)
    clean = [checker.row(number, values) for number, values in found]
    report.row_errors.sort(key=lambda e: (e.row, e.position))
    if not report.row_errors:
        BudgetTable(clean)  # cannot fail after the checks above; a bug if it does
        report.rows = clean
    return report


def compare(old: list[dict], new: list[dict]) -> dict[str, int]:
    """How many country/city standards ``new`` adds, changes and removes against ``old``."""

    def places(rows) -> dict:
        return {
            (s.country, s.city): (s.currency, s.lodging, s.meals, s.incidentals)
            for s in BudgetTable(rows).standards
        }

    before, after = places(old), places(new)
    return {
        "added": len(after.keys() - before.keys()),
        "changed": sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
        "removed": len(before.keys() - after.keys()),
    }


# --- writing the table ---------------------------------------------------------------------


def city_cell(row: dict, countries_with_cities: set[str]) -> str:
    """What 城市 says for a row: its cities, or 其他 / 全境 for the country's row."""
    if row["cities"]:
        return "、".join(row["cities"])
    return "其他" if row["country"] in countries_with_cities else "全境"


def country_name(code: str) -> str:
    found = reference.country(code)
    return found.name_zh if found else code


def workbook(table: BudgetTable, *, title: str = "") -> bytes:
    """The table as an .xlsx in the import format (so it serves as the template too):
    the rows on the first sheet, a 说明 sheet explaining the columns."""
    rows = table.rows
    with_cities = {row["country"] for row in rows if row["cities"]}

    def write(book: xlsx_stream.WorkbookWriter) -> None:
        sheet = book.sheet("附表2", widths=(20, 36, 8, 12, 12, 12))
        sheet.append([xlsx_stream.bold(column.header) for column in COLUMNS])
        for row in rows:
            sheet.append(
                [
                    country_name(row["country"]),
                    city_cell(row, with_cities),
                    row["currency"],
                    row["lodging"],
                    row["meals"],
                    row["incidentals"],
                ]
            )
        notes = book.sheet("说明", widths=(16, 90))
        lines = [
            _(
                "Allowance standards for temporary official trips abroad (财行〔2013〕516号 "
                "附表2), per person and day."
            ),
            _("One row per country or region, or per group of cities at the same rates."),
            _("If any row has an error, nothing is imported and every error is listed."),
            _("At most %(rows)d rows and %(mb)s MB per file.")
            % {"rows": MAX_ROWS, "mb": f"{max_bytes() / 1024 / 1024:g}"},
        ]
        if title:
            lines.insert(0, title)
        for line in lines:
            notes.append([line])
        notes.append([])
        notes.append([_("Column"), _("What to enter")])
        for column in COLUMNS:
            notes.append([column.header, str(HELP[column.field])])

    return xlsx_stream.workbook_bytes(write)
