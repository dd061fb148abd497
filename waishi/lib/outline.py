"""Reading the year's work key points (年度工作要点) from the office's outline: a Word
document or an Excel workbook, into a plain tree (areas → key points → tasks).

Nothing here knows a model: units are names as written, dates are dates. The committee's
import (``committee.keypoint_services``) matches the names with units and makes the tree.

**Word (.docx).** The structure comes from the paragraphs:

- a heading style (标题 1/2/3, Heading 1/2/3), or else the number a paragraph starts with
  in the order of a 公文: ``一、`` then ``（一）`` then ``1.``; ``（1）`` and ``①`` are a fourth
  level, which key points do not have (an error, to be merged into its task);
- the levels used, shallowest first, are the areas, the key points and the tasks (a
  document with only ``一、`` and ``1.`` has areas and key points, the key points its leaves);
- a paragraph without a number belongs to the item above it; before the first item the
  first one is the document's title;
- ``牵头单位：X；配合单位：Y、Z`` and ``完成时限：…`` in an item or the paragraphs under it give
  its units (by name) and its deadline (``（牵头单位：…）`` in brackets is taken out of the
  title); otherwise a date written in the item (``2027年6月底前``, ``6月30日前``, ``年底前``,
  ``三季度``…) is its deadline, the latest one when it names several;
- a document whose paragraphs have no numbers but which holds a table with the columns of
  the workbook is read as that table.

**Excel (.xlsx).** The first sheet, headers in its first row: 领域, 工作要点, 具体任务,
牵头单位, 配合单位, 完成时限 (and a few usual other names for each). A blank 领域 or 工作要点
is the one above (a merged cell reads as its value in every row it covers); a blank unit or
deadline is blank unless the cell is part of a merged one.

The result is an ``Outline``: the tree, each node with its line (a paragraph or a row
number), and the problems found, each with its line, in Chinese. A file that cannot be read
at all raises ``FileProblem`` and gives no tree; a tree with problems must not be imported
(``Outline.ok``; ``Outline.check()`` raises ``OutlineInvalid``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from waishi.lib.xlsx import FileProblem, binary, is_empty, shown, size
from waishi.lib.xlsx import text as cell_text

AREA, POINT, TASK = "area", "point", "task"
LEVELS = (AREA, POINT, TASK)
DOCX, XLSX = "docx", "xlsx"

MAX_BYTES = 5 * 1024 * 1024
MAX_PARAGRAPHS = 20_000
MAX_ROWS = 5_000
MAX_NODES = 3_000
MAX_COLUMNS = 30
MAX_UNPACK_RATIO = 40

__all__ = [
    "AREA",
    "LEVELS",
    "POINT",
    "TASK",
    "FileProblem",
    "Node",
    "Outline",
    "OutlineInvalid",
    "Problem",
    "parse_date",
    "read_outline",
]


# --- the tree -------------------------------------------------------------------------


@dataclass
class Problem:
    line: int | None  # the paragraph or row number; None for the file as a whole
    place: str  # "第3行", "第12段", "表格第4行" (for a person)
    message: str
    excerpt: str = ""  # the text concerned, cut when long


@dataclass
class Node:
    level: str  # AREA, POINT or TASK
    title: str
    line: int
    place: str
    due_date: dt.date | None = None
    due_text: str = ""  # the deadline as written
    lead_unit: str = ""
    supporting_units: list[str] = field(default_factory=list)
    detail: str = ""  # the paragraphs under an item that are not items themselves
    children: list[Node] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Node]]:
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    def leaves(self) -> Iterator[Node]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass
class Outline:
    kind: str  # DOCX or XLSX
    year: int
    title: str = ""
    roots: list[Node] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.roots)

    def walk(self) -> Iterator[tuple[int, Node]]:
        for root in self.roots:
            yield from root.walk()

    def nodes(self) -> list[Node]:
        return [node for _depth, node in self.walk()]

    def leaves(self) -> list[Node]:
        return [leaf for root in self.roots for leaf in root.leaves()]

    def unit_names(self) -> list[str]:
        """Every unit named, in the order first named."""
        names: dict[str, None] = {}
        for node in self.nodes():
            for name in (node.lead_unit, *node.supporting_units):
                if name:
                    names.setdefault(name, None)
        return list(names)

    def check(self) -> Outline:
        if not self.ok:
            raise OutlineInvalid(self.problems or [_no_items_problem()])
        return self


class OutlineInvalid(Exception):
    """The outline has problems: nothing of it may be imported."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(
            "；".join(f"{p.place}{'：' if p.place else ''}{p.message}" for p in self.problems[:5])
        )


def _no_items_problem() -> Problem:
    return Problem(None, "", _("The file holds no key points."))


# --- dates ----------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇零一二两三四五六七八九十"
_NUM = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})"

_MONTH_DATE = re.compile(
    rf"(?:(?P<year>(?:19|20)\d\d)\s*年\s*)?"
    rf"(?<![\d{_CN}])(?P<month>{_NUM})\s*月(?!份?[以之]?来)"
    rf"(?:\s*(?P<day>{_NUM})\s*[日号])?"
    rf"(?P<part>底|末|上旬|中旬|下旬|初)?"
)
_PERIOD = re.compile(
    r"(?:(?P<year>(?:19|20)\d\d)\s*年\s*(?P<ypart>底|末|内|上半年|下半年|第?[一二三四1-4]季度)"
    r"|(?<![\d年])(?P<part>年底|年末|年内|上半年|下半年|第?[一二三四1-4]季度))"
)
_ISO_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"
)
# Written where a deadline would be, but meaning "none": the default applies.
_NO_DATE = {
    "长期",
    "长期坚持",
    "持续",
    "持续推进",
    "常态化",
    "常态化推进",
    "全年",
    "无",
    "—",
    "-",
    "/",
}


class BadDate(ValueError):
    """A date is written but does not exist (2月30日, 13月底); the message says so."""


def _cn_number(written: str) -> int:
    if written.isdigit():
        return int(written)
    if written == "十":
        return 10
    if "十" in written:
        tens, _ten, units = written.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (
            _CN_DIGITS.get(units, 0) if units else 0
        )
    value = 0
    for char in written:
        value = value * 10 + _CN_DIGITS.get(char, 0)
    return value


def _quarter(written: str) -> int:
    digit = written.strip("第季度")[:1]
    return int(digit) if digit.isdigit() else _cn_number(digit)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period_date(year: int, part: str) -> dt.date:
    if part in {"底", "末", "内", "年底", "年末", "年内", "下半年"}:
        return dt.date(year, 12, 31)
    if part == "上半年":
        return dt.date(year, 6, 30)
    return _month_end(year, _quarter(part) * 3)


def _found_dates(text: str, year: int) -> list[tuple[int, int, dt.date | BadDate, str]]:
    """(start, end, date or the reason it is not one, as written) for each date in text."""
    found: list[tuple[int, int, dt.date | BadDate, str]] = []

    def bad(written: str) -> BadDate:
        return BadDate(_("The date “%(date)s” does not exist.") % {"date": written})

    for match in _ISO_DATE.finditer(text):
        try:
            value: dt.date | BadDate = dt.date(
                int(match["year"]), int(match["month"]), int(match["day"])
            )
        except ValueError:
            value = bad(match[0])
        found.append((match.start(), match.end(), value, match[0]))
    for match in _MONTH_DATE.finditer(text):
        the_year = int(match["year"]) if match["year"] else year
        month = _cn_number(match["month"])
        written = match[0]
        if not 1 <= month <= 12:
            found.append((match.start(), match.end(), bad(written), written))
            continue
        if match["day"]:
            try:
                value = dt.date(the_year, month, _cn_number(match["day"]))
            except ValueError:
                value = bad(written)
        elif match["part"] in {"上旬", "初"}:
            value = dt.date(the_year, month, 10)
        elif match["part"] == "中旬":
            value = dt.date(the_year, month, 20)
        else:
            value = _month_end(the_year, month)
        found.append((match.start(), match.end(), value, written))
    for match in _PERIOD.finditer(text):
        if match["year"]:
            value = _period_date(int(match["year"]), match["ypart"])
        else:
            value = _period_date(year, match["part"])
        found.append((match.start(), match.end(), value, match[0]))
    # An ISO date's digits are not also a month; the longest match at a place wins.
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, dt.date | BadDate, str]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


def parse_date(written: Any, *, year: int) -> dt.date | None:
    """A deadline as written in a 完成时限 cell or field: a date, or None when it says
    there is none (blank, 长期, 持续推进…). The latest date when it names several (a range
    3月至6月 is due at its end). Raises BadDate (with the reason for a person) when the
    text is not a deadline or names a date that does not exist or falls before ``year``."""
    if isinstance(written, dt.datetime):
        return _in_year(written.date(), year, written.date().isoformat())
    if isinstance(written, dt.date):
        return _in_year(written, year, written.isoformat())
    text = cell_text(written)
    if not text or text in _NO_DATE:
        return None
    found = _found_dates(text, year)
    for _start, _end, value, _written in found:
        if isinstance(value, BadDate):
            raise value
    dates = [value for _s, _e, value, _w in found if isinstance(value, dt.date)]
    if not dates:
        raise BadDate(
            _(
                "The deadline “%(text)s” cannot be read: write it as 2027年6月30日前, "
                "6月底前, 三季度 or 年底前."
            )
            % {"text": shown(text)}
        )
    return _in_year(max(dates), year, text)


def _in_year(value: dt.date, year: int, written: str) -> dt.date:
    if value.year < year:
        raise BadDate(
            _("The deadline “%(date)s” is before the year %(year)d of the key points.")
            % {"date": shown(written), "year": year}
        )
    return value


def _date_in_text(text: str, year: int) -> tuple[dt.date | None, str, BadDate | None]:
    """The deadline a free text names (the latest of its dates in or after ``year``; a
    date of an earlier year is a reference to the past, not a deadline), as written, or
    the first date in it that does not exist."""
    best: tuple[dt.date, str] | None = None
    for _start, _end, value, written in _found_dates(text, year):
        if isinstance(value, BadDate):
            return None, written, value
        if value.year >= year and (best is None or value > best[0]):
            best = (value, written)
    if best is None:
        return None, "", None
    return best[0], best[1], None


# --- units and deadlines written in an item ---------------------------------------------

_LEAD_KEYS = ("牵头单位", "牵头部门", "责任单位", "主责单位", "责任部门")
_SUPPORT_KEYS = ("配合单位", "配合部门", "协办单位", "参与单位", "协同单位")
_DUE_KEYS = ("完成时限", "完成时间", "时限要求", "时间要求", "时限")
_FIELD = re.compile(
    "(?P<key>" + "|".join((*_LEAD_KEYS, *_SUPPORT_KEYS, *_DUE_KEYS)) + r")\s*[:：]\s*"
)
_OPEN, _CLOSE = "（(", "）)"
_UNIT_SPLIT = re.compile(r"[、，,；;/／\s]+")


@dataclass
class _Fields:
    lead: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    due: str | None = None  # as written, when a 完成时限 field is there
    rest: str = ""  # the text without the fields (and their brackets)


def _value_end(text: str, start: int, stop: int) -> int:
    """Where a field's value that starts at ``start`` ends: at ；。 or a closing bracket
    not opened inside it, or at ``stop`` (the next field)."""
    depth = 0
    for index in range(start, stop):
        char = text[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            if depth == 0:
                return index
            depth -= 1
        elif char in "；;。\n" and depth == 0:
            return index
    return stop


def _brackets(text: str) -> list[tuple[int, int]]:
    """The spans of the top-level bracketed parts of text (both ends included)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            if depth == 0:
                opened = index
            depth += 1
        elif char in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, index + 1))
    return spans


def units_of(written: str) -> list[str]:
    """Unit names as written in a cell or a field, in order, each once; ``等`` at the end
    of a list dropped."""
    names: dict[str, None] = {}
    for part in _UNIT_SPLIT.split(written.strip()):
        name = part.strip().strip("。")
        if name.endswith("等") and len(name) > 2:
            name = name[:-1]
        if name:
            names.setdefault(name, None)
    return list(names)


def _fields(text: str) -> _Fields:
    found = _Fields()
    matches = list(_FIELD.finditer(text))
    if not matches:
        found.rest = text.strip()
        return found
    cut: list[tuple[int, int]] = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        end = _value_end(text, match.end(), stop)
        value = text[match.end() : end].strip().rstrip("，,；;。")
        key = match["key"]
        if key in _LEAD_KEYS:
            found.lead.extend(units_of(value))
        elif key in _SUPPORT_KEYS:
            found.supporting.extend(units_of(value))
        else:
            found.due = value
        cut.append((match.start(), end))
    # A bracketed part holding a field goes out whole; the fields outside brackets, with
    # what follows them up to the next field.
    spans = [
        (start, end)
        for start, end in _brackets(text)
        if any(start <= c_start < end for c_start, _c_end in cut)
    ]
    spans += [(s, e) for s, e in cut if not any(a <= s < b for a, b in spans)]
    kept: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start >= position:
            kept.append(text[position:start])
            position = end
        else:
            position = max(position, end)
    kept.append(text[position:])
    rest = "".join(kept)
    rest = re.sub(r"[；;，,]\s*([；;，,。])", r"\1", rest).strip()
    rest = rest.lstrip("；;，,。：: ").rstrip("，,；;：: ").strip()
    found.rest = "" if rest in {"。", "."} else rest
    return found


# --- building the tree ------------------------------------------------------------------


class _Builder:
    """What both readers share: nodes with their units and deadline, problems by line."""

    def __init__(self, kind: str, year: int):
        self.outline = Outline(kind=kind, year=year)
        self.count = 0

    def problem(self, line: int | None, place: str, message: str, excerpt: str = "") -> None:
        self.outline.problems.append(Problem(line, place, message, shown(excerpt)))

    def warning(self, line: int | None, place: str, message: str, excerpt: str = "") -> None:
        self.outline.warnings.append(Problem(line, place, message, shown(excerpt)))

    def node(self, level: str, title: str, line: int, place: str) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise FileProblem(
                _("The file has more than %(limit)d items; split it into smaller files.")
                % {"limit": MAX_NODES}
            )
        return Node(level=level, title=title, line=line, place=place)

    def set_units(self, node: Node, lead: Sequence[str], supporting: Sequence[str]) -> None:
        lead = [name for name in lead if name]
        if lead:
            if node.lead_unit and node.lead_unit != lead[0]:
                self.problem(
                    node.line,
                    node.place,
                    _("The lead unit is given twice: “%(first)s” and “%(second)s”.")
                    % {"first": node.lead_unit, "second": lead[0]},
                    node.title,
                )
            node.lead_unit = lead[0]
            if len(lead) > 1:
                self.warning(
                    node.line,
                    node.place,
                    _(
                        "A task has one lead unit: “%(lead)s” leads, %(others)s are taken as "
                        "supporting units."
                    )
                    % {"lead": lead[0], "others": "、".join(f"“{n}”" for n in lead[1:])},
                    node.title,
                )
        for name in (*lead[1:], *supporting):
            if name and name != node.lead_unit and name not in node.supporting_units:
                node.supporting_units.append(name)

    def set_due(self, node: Node, written: Any, *, strict: bool) -> None:
        """A deadline from a 完成时限 field or cell (``strict``: it must read as one) or
        from the item's own text (the latest date in it, if any)."""
        year = self.outline.year
        if strict:
            try:
                value = parse_date(written, year=year)
            except BadDate as exc:
                self.problem(node.line, node.place, str(exc), node.title)
                return
            if value is not None:
                node.due_date, node.due_text = value, cell_text(written)
            return
        if node.due_date is not None:
            return
        value, as_written, bad = _date_in_text(str(written), year)
        if bad is not None:
            self.problem(node.line, node.place, str(bad), node.title)
        elif value is not None:
            node.due_date, node.due_text = value, as_written

    def finish(self) -> Outline:
        outline = self.outline
        if not outline.roots and not outline.problems:
            outline.problems.append(_no_items_problem())
        return outline


# --- Word -------------------------------------------------------------------------------

# The numbers a paragraph starts with, by depth (一、 / （一） / 1. / （1） and ①).
_MARKERS = (
    (1, re.compile(rf"^(?P<n>[{_CN}百]{{1,4}})\s*[、．.]\s*")),
    (2, re.compile(rf"^[（(]\s*(?P<n>[{_CN}百]{{1,4}})\s*[）)]\s*[、，,.．]?\s*")),
    (3, re.compile(r"^(?P<n>\d{1,3})\s*(?:[.．](?!\d)|、)\s*")),
    (4, re.compile(r"^(?:[（(]\s*(?P<n>\d{1,3})\s*[）)]|(?P<c>[①-⑳]))\s*[、，,.．]?\s*")),
)
_HEADING = re.compile(r"^(?:heading|标题)\s*(?P<n>[1-9])$", re.IGNORECASE)
# Word's numbered list styles: the number is drawn by Word, not written in the text.
_LIST_STYLE = re.compile(r"^(?:list number|列表编号)\s*(?P<n>[1-9])?$", re.IGNORECASE)


def _paragraph_depth(paragraph) -> tuple[int | None, str]:
    """(depth, the text without its number) of a paragraph; depth None for body text."""
    text = paragraph.text.strip()
    depth: int | None = None
    try:
        style = paragraph.style.name if paragraph.style is not None else ""
    except Exception:  # a style a damaged file points at but does not hold
        style = ""
    heading = _HEADING.match(style or "")
    if heading:
        depth = int(heading["n"])
    for marker_depth, marker in _MARKERS:
        found = marker.match(text)
        if found:
            return (depth or marker_depth), text[found.end() :].strip()
    if depth is None:
        num = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if num is not None and num.ilvl is not None and num.numId is not None:
            depth = int(num.ilvl.val) + 1
        elif listed := _LIST_STYLE.match(style or ""):
            depth = int(listed["n"] or 1)
    return depth, text


def _is_title_style(paragraph) -> bool:
    try:
        name = (paragraph.style.name or "").lower()
    except Exception:
        return False
    return name in {"title", "标题"}


def _read_docx(data: bytes, year: int) -> Outline:
    from docx import Document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            document = Document(io.BytesIO(data))
        except Exception as exc:
            raise FileProblem(
                _("This file could not be read as a Word document (.docx); it may be damaged.")
            ) from exc
        try:
            paragraphs = []
            for number, paragraph in enumerate(document.paragraphs, start=1):
                if number > MAX_PARAGRAPHS:
                    raise FileProblem(
                        _("The document has more than %(limit)d paragraphs.")
                        % {"limit": MAX_PARAGRAPHS}
                    )
                if paragraph.text.strip():
                    depth, text = _paragraph_depth(paragraph)
                    paragraphs.append(
                        (len(paragraphs) + 1, depth, text, _is_title_style(paragraph))
                    )
            tables = [_table_rows(table) for table in document.tables[:20]]
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem(
                _("This file could not be read as a Word document (.docx); it may be damaged.")
            ) from exc
    if not any(depth for _n, depth, _t, _title in paragraphs):
        for number, rows in enumerate(tables, start=1):
            if rows and _looks_like_header(rows[0][1]):
                outline = _read_rows(
                    DOCX, year, rows[0][1], rows[1:], place=_table_place(number, len(tables))
                )
                outline.title = next((t for _n, _d, t, _ti in paragraphs), "")
                return outline
    return _docx_tree(paragraphs, year)


def _table_place(number: int, count: int):
    if count == 1:
        return lambda row: _("Table row %(row)d") % {"row": row}
    return lambda row: _("Table %(table)d, row %(row)d") % {"table": number, "row": row}


def _table_rows(table) -> list[tuple[int, tuple[str, ...]]]:
    rows = []
    for number, row in enumerate(table.rows, start=1):
        if number > MAX_ROWS:
            raise FileProblem(
                _("The table has more than %(limit)d rows; split it into smaller files.")
                % {"limit": MAX_ROWS}
            )
        values = tuple(cell.text.strip() for cell in row.cells[:MAX_COLUMNS])
        if any(values):
            rows.append((number, values))
    return rows


def _paragraph_place(number: int) -> str:
    return _("Paragraph %(number)d") % {"number": number}


def _docx_tree(paragraphs, year: int) -> Outline:
    build = _Builder(DOCX, year)
    outline = build.outline
    depths = sorted({depth for _n, depth, _t, _ti in paragraphs if depth})
    rank = {depth: index for index, depth in enumerate(depths)}
    # The open item at each rank; its text so far (for the fields and the date).
    open_nodes: list[Node] = []
    texts: dict[int, list[str]] = {}
    nodes_in_order: list[Node] = []
    for number, depth, text, is_title in paragraphs:
        place = _paragraph_place(number)
        if depth is None:
            if open_nodes:
                texts[id(open_nodes[-1])].append(text)
            elif not outline.title or is_title:
                outline.title = text
            continue
        level_index = rank[depth]
        if level_index >= len(LEVELS):
            build.problem(
                number,
                place,
                _(
                    "Key points have three levels (areas, key points, tasks); this item is a "
                    "fourth. Merge it into the task above it or make it a task."
                ),
                text,
            )
            continue
        if level_index > len(open_nodes):
            build.problem(
                number,
                place,
                _("This item is a %(level)s but no %(parent)s comes before it.")
                % {
                    "level": level_label(LEVELS[level_index]),
                    "parent": level_label(LEVELS[level_index - 1]),
                },
                text,
            )
            continue
        node = build.node(LEVELS[level_index], text, number, place)
        del open_nodes[level_index:]
        if open_nodes:
            open_nodes[-1].children.append(node)
        else:
            outline.roots.append(node)
        open_nodes.append(node)
        texts[id(node)] = []
        nodes_in_order.append(node)
    for node in nodes_in_order:
        first = _fields(node.title)
        node.title = first.rest or node.title
        lead, supporting, due = list(first.lead), list(first.supporting), first.due
        details: list[str] = []
        for extra in texts[id(node)]:
            found = _fields(extra)
            lead += found.lead
            supporting += found.supporting
            if found.due is not None:
                due = found.due
            if found.rest:
                details.append(found.rest)
        node.detail = "\n".join(details)
        build.set_units(node, lead, supporting)
        if due is not None:
            build.set_due(node, due, strict=True)
        else:
            build.set_due(node, " ".join([node.title, *details]), strict=False)
        if not node.title:
            build.problem(node.line, node.place, _("This item has no title."), "")
    return build.finish()


# --- Excel ------------------------------------------------------------------------------

_COLUMNS = {
    "area": ("领域", "工作领域", "重点领域", "板块", "方面"),
    "point": ("工作要点", "要点", "重点工作", "工作重点", "重点任务"),
    "task": ("具体任务", "任务", "工作任务", "具体措施", "主要任务", "任务内容"),
    "lead": (*_LEAD_KEYS, "牵头"),
    "supporting": (*_SUPPORT_KEYS, "配合"),
    "due": (*_DUE_KEYS, "截止日期", "截止时间", "完成期限"),
}
_IGNORED = ("序号", "编号", "备注", "说明")
_HEADERS = ("领域", "工作要点", "具体任务", "牵头单位", "配合单位", "完成时限")


def _header_key(written: Any) -> str:
    return re.sub(r"[\s（(].*$", "", cell_text(written)).strip()


def _column_of(written: Any) -> str | None:
    key = _header_key(written)
    for name, headers in _COLUMNS.items():
        if key in headers:
            return name
    return None


def _looks_like_header(values: Sequence[Any]) -> bool:
    names = {_column_of(v) for v in values if not is_empty(v)}
    return "point" in names and ("area" in names or "task" in names)


def _map_header(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    problems: list[str] = []
    for position, cell in enumerate(header):
        if is_empty(cell):
            continue
        name = _column_of(cell)
        written = cell_text(cell)
        if name is None:
            if _header_key(cell) not in _IGNORED:
                problems.append(_("Unknown column “%(header)s”.") % {"header": shown(written)})
        elif name in found:
            problems.append(_("The column “%(header)s” appears twice.") % {"header": written})
        else:
            found[name] = position
    for name, label in (("area", "领域"), ("point", "工作要点")):
        if name not in found:
            problems.append(_("The column “%(header)s” is missing.") % {"header": label})
    if problems:
        problems.append(_("The columns are: %(columns)s.") % {"columns": "、".join(_HEADERS)})
        raise FileProblem(" ".join(problems))
    return found


def _row_place(row: int) -> str:
    return _("Row %(row)d") % {"row": row}


def _read_rows(kind: str, year: int, header, rows, *, place=_row_place) -> Outline:
    columns = _map_header(header)
    build = _Builder(kind, year)
    outline = build.outline
    area: Node | None = None
    point: Node | None = None
    areas: dict[str, Node] = {}
    points: dict[tuple[int, str], Node] = {}

    def value(values, name: str) -> Any:
        position = columns.get(name)
        if position is None or position >= len(values):
            return None
        return values[position]

    for line, values in rows:
        where = place(line)
        area_text = cell_text(value(values, "area"))
        point_text = cell_text(value(values, "point"))
        task_text = cell_text(value(values, "task"))
        lead = units_of(cell_text(value(values, "lead")))
        supporting = units_of(cell_text(value(values, "supporting")))
        due = value(values, "due")
        excerpt = task_text or point_text or area_text
        if area_text:
            if area is None or area.title != area_text:
                area = areas.get(area_text)
                if area is None:
                    area = build.node(AREA, area_text, line, where)
                    areas[area_text] = area
                    outline.roots.append(area)
                point = None
        elif area is None:
            build.problem(
                line, where, _("This row has no area (领域), and no row above gives one."), excerpt
            )
            continue
        if point_text:
            if point is None or point.title != point_text:
                key = (id(area), point_text)
                point = points.get(key)
                if point is None:
                    point = build.node(POINT, point_text, line, where)
                    points[key] = point
                    area.children.append(point)
        if task_text:
            if point is None:
                build.problem(
                    line,
                    where,
                    _(
                        "This task has no key point (工作要点), and no row above in its area "
                        "gives one."
                    ),
                    excerpt,
                )
                continue
            target = build.node(TASK, task_text, line, where)
            point.children.append(target)
        elif point_text:
            target = point
        elif area_text:
            target = area
        else:
            if lead or supporting or not is_empty(due):
                build.problem(
                    line,
                    where,
                    _("This row gives units or a deadline but no area, key point or task."),
                    "",
                )
            continue
        build.set_units(target, lead, supporting)
        if not is_empty(due):
            build.set_due(target, due, strict=True)
        else:
            build.set_due(target, target.title, strict=False)
    return build.finish()


def _merged_fill(sheet, last_row: int, last_column: int) -> dict[tuple[int, int], Any]:
    """The value every covered cell of a merged range reads as (its top-left cell's), for
    the cells within the rows and columns read; a file with an absurd merging refused."""
    fill: dict[tuple[int, int], Any] = {}
    budget = 4 * last_row * last_column + 1000
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        anchor = sheet.cell(row=top, column=left).value
        for row in range(top, min(merged.max_row, last_row) + 1):
            for column in range(left, min(merged.max_col, last_column) + 1):
                budget -= 1
                if budget < 0:
                    raise FileProblem(
                        _("This file merges more cells than a key points table holds.")
                    )
                if (row, column) != (top, left):
                    fill[(row, column)] = anchor
    return fill


def _read_xlsx(data: bytes, year: int) -> Outline:
    from openpyxl import load_workbook

    from waishi.lib.xlsx import refuse_beyond

    too_many = _("The file has more than %(limit)d rows; split it into smaller files.")
    refuse_beyond(data, MAX_ROWS, too_many)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
        except Exception as exc:
            raise FileProblem(_("This file is not an Excel workbook (.xlsx).")) from exc
        try:
            if not book.worksheets:
                raise FileProblem(_("The workbook has no worksheet."))
            sheet = book.worksheets[0]
            last_row = min(sheet.max_row or 0, MAX_ROWS + 1000)
            last_column = min(sheet.max_column or 0, MAX_COLUMNS)
            fill = _merged_fill(sheet, last_row, last_column)
            grid: list[tuple[int, tuple[Any, ...]]] = []
            for number, cells in enumerate(
                sheet.iter_rows(min_row=1, max_row=last_row, max_col=last_column, values_only=True),
                start=1,
            ):
                values = tuple(
                    fill.get((number, column), value) if is_empty(value) else value
                    for column, value in enumerate(cells, start=1)
                )
                if not all(is_empty(v) for v in values):
                    grid.append((number, values))
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem(
                _("This file could not be read as an Excel workbook (.xlsx); it may be damaged.")
            ) from exc
        finally:
            book.close()
    if not grid or grid[0][0] != 1:
        raise FileProblem(_("The first row of the first sheet must hold the column headers."))
    outline = _read_rows(XLSX, year, grid[0][1], grid[1:])
    outline.title = sheet.title if not re.fullmatch(r"Sheet\d*", sheet.title or "") else ""
    return outline


# --- the file ---------------------------------------------------------------------------


def _container(upload: Any, max_bytes: int) -> tuple[str, bytes]:
    """(DOCX or XLSX, the bytes) once the file looks like one that is safe to parse."""
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
                "This is an old Word or Excel 97-2003 file (.doc, .xls). Open it in Word, "
                "Excel or WPS and save it as .docx or .xlsx."
            )
        )
    neither = FileProblem(
        _("This file is neither a Word document (.docx) nor an Excel workbook (.xlsx).")
    )
    if not data.startswith(b"PK\x03\x04"):
        raise neither
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise neither from exc
    if "[Content_Types].xml" not in names:
        raise neither
    if unpacked > max(length, 1024 * 1024) * MAX_UNPACK_RATIO:
        raise FileProblem(_("This file unpacks to far more data than an outline holds."))
    if "word/document.xml" in names:
        return DOCX, data
    if "xl/workbook.xml" in names:
        return XLSX, data
    raise neither


def read_outline(upload: Any, *, year: int, max_bytes: int = MAX_BYTES) -> Outline:
    """The outline in an uploaded .docx or .xlsx (an UploadedFile, a binary file or
    bytes), for the key points of ``year`` (the year of a date written without one).
    Raises FileProblem when the file cannot be read; otherwise the tree and its
    problems, all of them (``Outline.ok``)."""
    kind, data = _container(upload, max_bytes)
    try:
        if kind == DOCX:
            return _read_docx(data, year)
        return _read_xlsx(data, year)
    except FileProblem:
        raise
    except Exception as exc:  # untrusted content: whatever breaks, nothing half-read
        raise FileProblem(_("This file could not be read; it may be damaged.")) from exc


def level_label(level: str) -> str:
    return {
        AREA: pgettext("key points level", "area"),
        POINT: pgettext("key points level", "key point"),
        TASK: pgettext("key points level", "task"),
    }[level]
