"""An arrival list (.xlsx) from the port, an airline or the province: its columns, how the
sheet is read (streaming, for lists of 100,000 rows), and how each row is checked.

Nothing here writes. ``waishi.arrivals.importer`` runs the check and the import.

The file is untrusted: ``waishi.lib.xlsx.check_container`` checks its size, that it is an
Office Open XML package and not a zip bomb before openpyxl sees it; the first sheet is
then read in ``read_only`` mode, row by row, with the same explicit bounds as
``xlsx.read_upload`` -- but never held whole in memory (a list of 100,000 rows of sixteen
cells would take more than the whole import may). Under a row limit (the page's), the
rows are first counted in the sheet's XML (``xlsx.refuse_beyond``): a longer list is
refused before any of its rows is read into cells or checked.

Columns (Chinese headers; a few other spellings and the English names are accepted):

    姓名, 类别 (中国公民/外籍人员), 国籍, 护照号码, 出生日期 (optional), 联系电话, 来自国家,
    来自城市, 航班或线路, 出发日期, 入境日期, 入境时间 (optional), 入境口岸, 目的地址,
    目的区县, 入境事由 (optional)
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from waishi.arrivals.models import (
    PASSPORT_AAD,
    Category,
    Purpose,
    mask_passport,
    normalise_passport,
    passport_index,
    validate_passport,
)
from waishi.lib import crypto, xlsx
from waishi.lib.forms import clean_row
from waishi.lib.xlsx import MAX_COLUMNS, FileProblem, is_empty, map_columns
from waishi.lib.xlsx import text as cell_text
from waishi.orgs.models import District
from waishi.policy import reference

# The words written in the file, fixed here rather than taken from translated labels, so
# that a file means the same whatever language the person importing it reads.
CATEGORY_WORDS: dict[str, str] = {
    "中国公民": Category.RETURNEE,
    "中国籍": Category.RETURNEE,
    "中国人": Category.RETURNEE,
    "归国人员": Category.RETURNEE,
    "外籍人员": Category.FOREIGN,
    "外籍": Category.FOREIGN,
    "外国人": Category.FOREIGN,
    "外国公民": Category.FOREIGN,
    "returnee": Category.RETURNEE,
    "chinese citizen": Category.RETURNEE,
    "foreign": Category.FOREIGN,
    "foreign national": Category.FOREIGN,
}
PURPOSE_WORDS: dict[str, str] = {
    "回国": Purpose.HOME,
    "返乡": Purpose.HOME,
    "回家": Purpose.HOME,
    "回国定居": Purpose.HOME,
    "工作": Purpose.WORK,
    "务工": Purpose.WORK,
    "就业": Purpose.WORK,
    "学习": Purpose.STUDY,
    "留学": Purpose.STUDY,
    "上学": Purpose.STUDY,
    "商务": Purpose.BUSINESS,
    "经商": Purpose.BUSINESS,
    "商务活动": Purpose.BUSINESS,
    "探亲": Purpose.FAMILY,
    "探亲访友": Purpose.FAMILY,
    "家庭团聚": Purpose.FAMILY,
    "其他": Purpose.OTHER,
    "其它": Purpose.OTHER,
    **{value: value for value in Purpose.values},
}
# A Chinese citizen's nationality: China, including Hong Kong, Macao and Taiwan.
CHINESE = frozenset({"CN", "HK", "MO", "TW"})
# The template's invented sample row is refused if it is left in the file.
SAMPLE_PASSPORT = "E00000000"
EARLIEST = dt.date(1900, 1, 1)
FIRST_ARRIVAL = dt.date(2000, 1, 1)
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
TIME_TEXT = re.compile(r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*(?:[:：分]\s*(?:(\d{1,2})\s*秒?)?)?")
PHONE = re.compile(r"\+?[0-9][0-9 \-()]{4,28}")
# Excel stores a date as a day count; a date typed into a "General" cell arrives so.
EXCEL_SERIALS = range(20_000, 80_000)  # 1954 .. 2119


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header the template writes
    aliases: tuple[str, ...]
    required: bool
    sample: Any  # the template's invented example

    @property
    def help(self) -> str:
        return str(HELP[self.field])


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("name",), True, "样例人员"),
    Column("category", "类别", ("人员类别", "category"), True, "中国公民"),
    Column("nationality", "国籍", ("nationality",), True, "中国"),
    Column(
        "passport",
        "护照号码",
        ("护照号", "证件号码", "passport number", "passport"),
        True,
        SAMPLE_PASSPORT,
    ),
    Column("birth_date", "出生日期", ("date of birth",), False, "1990-01-01"),
    Column("phone", "联系电话", ("电话", "手机号码", "phone"), True, "13800000000"),
    Column(
        "origin_country",
        "来自国家",
        ("出发国家", "来源国家", "coming from (country)"),
        True,
        "日本",
    ),
    Column("origin_city", "来自城市", ("出发城市", "来源城市", "coming from (city)"), True, "东京"),
    Column(
        "route", "航班或线路", ("航班号", "航班", "航班号或线路", "flight or route"), True, "MU272"
    ),
    Column("departs_on", "出发日期", ("departure date",), True, "2026-03-01"),
    Column("arrival_date", "入境日期", ("arrival date",), True, "2026-03-02"),
    Column("arrival_time", "入境时间", ("arrival time",), False, "14:30"),
    Column("port", "入境口岸", ("口岸", "port of entry"), True, "浦东国际机场"),
    Column(
        "address",
        "目的地址",
        ("目的地详细地址", "详细地址", "address in the city"),
        True,
        "海滨路1号",
    ),
    Column("district", "目的区县", ("目的地区县", "区县", "县（市、区）", "district"), True, ""),
    Column("purpose", "入境事由", ("事由", "purpose"), False, "回国"),
)
COLUMN_OF = {c.field: c for c in COLUMNS}
UNKNOWN_COUNTRY = gettext_lazy(
    "Unknown country or region: write its ISO code (e.g. JP) or its Chinese name (e.g. 日本)."
)
MAX_LENGTH = {"name": 100, "origin_city": 100, "route": 100, "port": 100, "address": 300}
_DATE_HELP = gettext_lazy("A date such as 2026-03-01 (an Excel date cell, or text).")
HELP = {
    "name": gettext_lazy("Full name, as in the passport."),
    "category": gettext_lazy(
        "中国公民 (Chinese citizen returning) or 外籍人员 (foreign national)."
    ),
    "nationality": gettext_lazy(
        "ISO code (e.g. JP) or Chinese name (e.g. 日本) of the country or region."
    ),
    "passport": gettext_lazy(
        "Passport number: 5 to 20 letters and digits. The same passport number and arrival "
        "date in several rows or lists is one arrival."
    ),
    "birth_date": _DATE_HELP,
    "phone": gettext_lazy("A phone number where the person can be reached in the city."),
    "origin_country": gettext_lazy(
        "The country or region the person comes from: ISO code or Chinese name."
    ),
    "origin_city": gettext_lazy("The city the person comes from."),
    "route": gettext_lazy("Flight number, or the route by land or sea."),
    "departs_on": _DATE_HELP,
    "arrival_date": _DATE_HELP,
    "arrival_time": gettext_lazy("Time of arrival such as 14:30 (local time)."),
    "port": gettext_lazy("Port of entry, e.g. the airport."),
    "address": gettext_lazy("Address where the person will stay in the city."),
    "district": gettext_lazy(
        "The district of that address: its name or six-digit code (see the list of "
        "districts). It decides which district manages the arrival."
    ),
    "purpose": gettext_lazy(
        "One of: 回国, 工作, 学习, 商务, 探亲, 其他. Empty means 回国 (returning home)."
    ),
}


def _normal(text: str) -> str:
    """NFKC (full-width letters and brackets), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _header_key(text: str) -> str:
    return _normal(text).rstrip("*")


HEADER_LOOKUP: dict[str, str] = {
    _header_key(alias): column.field
    for column in COLUMNS
    for alias in (column.header, *column.aliases)
}
CATEGORY_LOOKUP = {_normal(k): v for k, v in CATEGORY_WORDS.items()}
PURPOSE_LOOKUP = {_normal(k): v for k, v in PURPOSE_WORDS.items()}


def columns_of(header: tuple[Any, ...]) -> dict[int, tuple[str, str]]:
    """Position -> (field, header as written), or FileProblem naming every bad header."""
    found, _ignored = map_columns(
        header, lookup=lambda written: HEADER_LOOKUP.get(_header_key(written)), columns=COLUMNS
    )
    return found


# --- reading ---------------------------------------------------------------------------


@dataclass
class Sheet:
    header: tuple[Any, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (Excel row number, values), non-empty only
    # Data rows counted before reading (under a row limit), else those the sheet says it
    # has (not to be trusted).
    size_hint: int | None


@contextmanager
def open_sheet(data: bytes, *, max_rows: int, too_many: str) -> Iterator[Sheet]:
    """The first sheet of a workbook whose container ``xlsx.check_container`` passed, as a
    stream of rows. ``too_many``: the message (with ``%(limit)d``) for more than
    ``max_rows`` data rows. Every failure of the parser is a FileProblem."""
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; none of it matters here.
        warnings.simplefilter("ignore")
        # Over the limit: refused before the rest is parsed or a row checked (the count
        # reads at most one row more). Else the count is the progress total.
        hint = xlsx.refuse_beyond(data, max_rows, too_many)
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            raise FileProblem(_("This file is not an Excel workbook (.xlsx).")) from exc
        try:
            if not book.worksheets:
                raise FileProblem(_("The workbook has no worksheet."))
            sheet = book.worksheets[0]
            if hint is None:
                hint = sheet.max_row - 1 if isinstance(sheet.max_row, int) else None
            # Explicit bounds, as in xlsx.read_upload: a sheet's stored dimensions are
            # often wrong, and rows beyond them would silently vanish.
            cells = sheet.iter_rows(
                max_row=xlsx.EXCEL_MAX_ROW, max_col=MAX_COLUMNS, values_only=True
            )
            header = _next(cells)
            if header is None or all(is_empty(v) for v in header):
                raise FileProblem(
                    _("The first row of the first sheet must hold the column headers.")
                )
            yield Sheet(header, _data_rows(cells, max_rows, too_many), hint)
        finally:
            book.close()


def _next(cells):
    try:
        return next(cells, None)
    except FileProblem:
        raise
    except Exception as exc:  # a parser fed untrusted bytes may raise anything
        raise FileProblem(
            _("This file could not be read as an Excel workbook (.xlsx); it may be damaged.")
        ) from exc


def _data_rows(cells, max_rows: int, too_many: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    count = 0
    number = 1
    while True:
        values = _next(cells)
        if values is None:
            return
        number += 1
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        count += 1
        if count > max_rows:
            raise FileProblem(too_many % {"limit": max_rows})
        yield number, values


# --- checking a row --------------------------------------------------------------------


class Record(NamedTuple):
    """A checked row, ready to be written (compact: 100,000 of them go through a
    temporary file, not memory). ``data`` holds ``services.ARRIVAL_FIELDS`` values."""

    row: int
    data: dict[str, Any]
    passport_enc: str
    passport_index: str
    passport_masked: str
    district_id: int

    @property
    def key(self) -> tuple[str, dt.date]:
        return self.passport_index, self.data["arrival_date"]


@dataclass
class Problems:
    """Every problem found, the first ``keep`` of them in full (a file wrong in every one
    of 100,000 rows needs fixing at its source, not a report of 100,000 lines)."""

    keep: int = 1000
    items: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    bad_rows: set[int] = field(default_factory=set)

    def add(self, row: int | None, column: str, letter: str, value: str, message: str) -> None:
        self.count += 1
        if row is not None:
            self.bad_rows.add(row)
        if len(self.items) < self.keep:
            self.items.append(
                {"row": row, "column": column, "letter": letter, "value": value, "message": message}
            )

    def file(self, message: str) -> None:
        self.add(None, "", "", "", message)

    def stored(self) -> list[dict[str, Any]]:
        """What ``ImportBatch.errors`` keeps: the items, and how many more there were."""
        more = self.count - len(self.items)
        return [*self.items, {"more": more}] if more > 0 else list(self.items)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if int(value) == value and int(value) in EXCEL_SERIALS:
            return from_excel(int(value)).date()
        value = cell_text(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        found = DATE_TEXT.fullmatch(text) or COMPACT_DATE.fullmatch(text)
        if found:
            return dt.date(*(int(part) for part in found.groups()))
    raise ValueError


def _time(value: Any) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # a fraction of a day
        seconds = round(value * 86400)
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    if isinstance(value, str):
        found = TIME_TEXT.fullmatch(unicodedata.normalize("NFKC", value).strip())
        if found:
            hour, minute, second = found.groups()
            return dt.time(int(hour), int(minute), int(second or 0))
    raise ValueError


def shown_passport(text: str) -> str:
    number = normalise_passport(text)
    return mask_passport(number) if len(number) >= 5 else "*" * len(number)


class Districts:
    """The districts by code and by name, read once."""

    def __init__(self) -> None:
        self.by_key: dict[str, District] = {}
        self.by_id: dict[int, District] = {}
        for district in District.objects.all():
            self.by_id[district.pk] = district
            self.by_key[district.code] = district
            self.by_key[_normal(district.name)] = district

    def find(self, text: str) -> District | None:
        return self.by_key.get(text) or self.by_key.get(_normal(text))


class Checker:
    """Checks rows one by one, recording every problem of every row in ``problems``.
    With ``encrypt`` the passport number is encrypted for writing; a check alone needs
    only its blind index (to find the same person in other rows and lists)."""

    def __init__(self, *, columns: dict[int, tuple[str, str]], problems: Problems, encrypt: bool):
        self.columns = columns
        self.problems = problems
        self.encrypt = encrypt
        self.districts = Districts()
        self.header_of = {name: text for name, text in columns.values()}
        self.position_of = {name: position for position, (name, _t) in columns.items()}
        self.today = timezone.localdate()
        self.latest_arrival = self.today + dt.timedelta(days=366)

    def error(self, row: int, name: str, raw: str, message: Any) -> None:
        position = self.position_of.get(name)
        self.problems.add(
            row,
            self.header_of.get(name, COLUMN_OF[name].header),
            get_column_letter(position + 1) if position is not None else "",
            shown_passport(raw) if name == "passport" and raw else xlsx.shown(raw),
            str(message),
        )

    def row(self, number: int, values: tuple[Any, ...]) -> Record | None:
        """The row's record, or None after recording its problems."""
        before = self.problems.count
        raw: dict[str, Any] = {}
        for position, value in enumerate(values):
            if value is None:
                continue
            if position in self.columns:
                raw[self.columns[position][0]] = value
            elif not is_empty(value):
                self.problems.add(
                    number,
                    get_column_letter(position + 1),
                    get_column_letter(position + 1),
                    xlsx.shown(cell_text(value)),
                    _("This column has no header."),
                )
        text, refused = clean_row({name: cell_text(value) for name, value in raw.items()})
        data: dict[str, Any] = {}

        def fail(name: str, message: Any) -> None:
            self.error(number, name, text.get(name, ""), message)

        for name, message in refused.items():
            fail(name, message)

        for column in COLUMNS:
            if column.required and not text.get(column.field):
                fail(column.field, _("This column is required."))
        for name, limit in MAX_LENGTH.items():
            value = text.get(name, "")
            if len(value) > limit:
                fail(name, _("At most %(limit)d characters.") % {"limit": limit})
            elif value:
                data[name] = value
        self._category(text, data, fail)
        self._countries(text, data, fail)
        self._dates(raw, text, data, fail)
        if text.get("phone"):
            if PHONE.fullmatch(text["phone"]):
                data["phone"] = text["phone"]
            else:
                fail("phone", _("Write a phone number: digits, with + - ( ) or spaces if need be."))
        if text.get("purpose"):
            purpose = PURPOSE_LOOKUP.get(_normal(text["purpose"]))
            if purpose is None:
                words = "、".join(["回国", "工作", "学习", "商务", "探亲", "其他"])
                fail("purpose", _("Unknown purpose. Use one of: %(words)s.") % {"words": words})
            else:
                data["purpose"] = purpose
        district = None
        if text.get("district"):
            district = self.districts.find(text["district"])
            if district is None:
                fail(
                    "district",
                    _("No district has this name or code; the template lists the districts."),
                )
        passport = self._passport(text, fail)
        if passport == SAMPLE_PASSPORT:
            fail(
                "passport",
                _("This is the template's invented sample row; replace it or delete it."),
            )
        if self.problems.count > before or passport is None or district is None:
            return None
        encrypted = crypto.encrypt(passport, associated=PASSPORT_AAD) if self.encrypt else ""
        index = passport_index(passport)
        return Record(number, data, encrypted, index, mask_passport(passport), district.pk)

    def _passport(self, text: dict[str, str], fail) -> str | None:
        if not text.get("passport"):
            return None
        try:
            return validate_passport(text["passport"])
        except ValidationError as exc:
            fail("passport", exc.messages[0])
            return None

    def _category(self, text: dict[str, str], data: dict[str, Any], fail) -> None:
        if text.get("category"):
            category = CATEGORY_LOOKUP.get(_normal(text["category"]))
            if category is None:
                fail("category", _("Write 中国公民 or 外籍人员."))
            else:
                data["category"] = category

    def _countries(self, text: dict[str, str], data: dict[str, Any], fail) -> None:
        for name in ("nationality", "origin_country"):
            if text.get(name):
                code = reference.country_code(text[name])
                if code is None:
                    fail(name, UNKNOWN_COUNTRY)
                else:
                    data[name] = code
        if data.get("origin_country") == "CN":
            fail(
                "origin_country",
                _(
                    "An arrival from abroad does not come from the mainland; for Hong Kong, "
                    "Macao or Taiwan write 香港, 澳门 or 台湾."
                ),
            )
        nationality, category = data.get("nationality"), data.get("category")
        if category == Category.FOREIGN and nationality == "CN":
            fail("nationality", _("A foreign national's nationality is not China."))
        elif category == Category.RETURNEE and nationality and nationality not in CHINESE:
            fail(
                "nationality",
                _("A Chinese citizen's nationality is China (or 香港, 澳门, 台湾)."),
            )

    def _dates(self, raw: dict[str, Any], text: dict[str, str], data: dict[str, Any], fail):
        for name in ("birth_date", "departs_on", "arrival_date"):
            if text.get(name):
                try:
                    data[name] = _date(raw[name])
                except ValueError:
                    fail(name, _("Write a date such as 2026-03-01."))
        if text.get("arrival_time"):
            try:
                data["arrival_time"] = _time(raw["arrival_time"])
            except ValueError:
                fail("arrival_time", _("Write a time such as 14:30."))
        arrival = data.get("arrival_date")
        if arrival is not None and not FIRST_ARRIVAL <= arrival <= self.latest_arrival:
            fail("arrival_date", _("An arrival date lies between 2000 and a year from today."))
            arrival = None
        departs = data.get("departs_on")
        if arrival is not None and departs is not None and departs > arrival:
            fail("departs_on", _("The departure date is after the arrival date."))
        born = data.get("birth_date")
        if born is not None and not EARLIEST <= born <= (arrival or self.today):
            fail("birth_date", _("A date of birth lies between 1900 and the arrival date."))
