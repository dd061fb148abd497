"""What a person must never read on a page: the code's own names.

``find_leaks(text)`` returns one line per internal name found in a page's visible text:
dotted codes (``missions.mission.depart``), Python's reprs (``{'always': True}``,
``None``, ``<Foo object at 0x7f..>``), snake_case and CamelCase identifiers, field paths
(``stops[0].country``), rule codes standing alone (``LEAD_TIME``), a record's number in
place of its name (``持照人: #122``) and, on a Chinese page, English words.

The crawl test (``tests/test_no_internal_names.py``) and the browser tests run it on
every page; its own tests are ``tests/test_leaks.py``. Keep the signature stable:
``find_leaks(text) -> list[str]`` (the keyword arguments are optional).

What stays allowed, and why:

- ``ACRONYMS``: abbreviations a Chinese office writes in Latin letters itself (ID, PDF,
  Excel, Word, API, URL, IP …) and units of measure (km, kg). Each is listed, never a
  pattern, so a new word is a decision.
- Codes that are data, not the program's names: anything with a digit in it (a trip's
  number WS-2026-0012, a passport number E12345678, SM4, 2FA), and upper-case codes
  joined by hyphens (a unit's code HB-COM) — an office reads and types them. Upper-case
  codes of two or three letters (country codes CN, USA; the document codes a passport
  carries) are allowed for the same reason: the country picker searches by them.
- e-mail addresses, web addresses, domain names (a dotted name ending in a top-level
  domain) and file names (a dotted name ending in a known file extension).
"""

from __future__ import annotations

import re

import lxml.html

ACRONYMS = frozenset(
    {
        # Formats and programs an office names in Latin letters.
        "PDF",
        "Excel",
        "Word",
        "CSV",
        "JSON",
        "XLSX",
        "DOCX",
        "JPEG",
        # Technical words the security and account pages use as the office does.
        "ID",
        "API",
        "URL",
        "IP",
        "OTP",
        "TOTP",
        "HTTP",
        "HTTPS",
        "e-mail",
        "E-mail",
        "Email",
        "email",
        # Units of measure.
        "km",
        "kg",
    }
)

# The last part of a dotted name that makes it a domain name or a file name, not a code.
TOP_LEVEL_DOMAINS = frozenset({"cn", "com", "org", "net", "gov", "edu", "int", "example", "test"})
FILE_EXTENSIONS = frozenset(
    {"pdf", "xlsx", "xls", "docx", "doc", "csv", "txt", "png", "jpg", "jpeg", "zip", "json"}
)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WEB_ADDRESS = re.compile(r"\bhttps?://\S+")
_EXTENSIONS = "|".join(sorted(FILE_EXTENSIONS))
_DOMAINS = "|".join(sorted(TOP_LEVEL_DOMAINS))
FILE_NAME = re.compile(rf"[^\s/\\:：，、；]+\.(?:{_EXTENSIONS})(?![A-Za-z0-9])", re.I)
DOMAIN = re.compile(
    rf"(?<![A-Za-z0-9_.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:{_DOMAINS})(?![A-Za-z0-9_.-])"
)

FIELD_PATH = re.compile(r"\b[A-Za-z_]\w*(?:\[\d+\])+(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*", re.ASCII)
DICT_REPR = re.compile(r"\{\s*(?:'[^']*'|\"[^\"]*\")\s*:", re.ASCII)
LIST_REPR = re.compile(r"\[\s*(?:'[^']*'|\"[^\"]*\")\s*[,\]]", re.ASCII)
EMPTY_REPR = re.compile(r"(?<![\w\]])(?:\{\}|\[\]|\(\))(?![\w(])", re.ASCII)
OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>|\b0x[0-9a-fA-F]{6,}\b", re.ASCII)
MODEL_REPR = re.compile(r"\b[A-Z]\w* object \(\d+\)", re.ASCII)
PY_CONSTANT = re.compile(r"(?<![\w-])(None|True|False)(?![\w-])(?!\s+[a-z])", re.ASCII)
DOTTED = re.compile(
    r"(?<![\w.@-])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?![\w@-])", re.ASCII
)
SNAKE = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w-])", re.ASCII)
LEADING_UNDERSCORE = re.compile(r"(?<![\w-])_[A-Za-z]\w*", re.ASCII)
CAMEL = re.compile(
    r"(?<![\w-])(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z]+[A-Z]\w*)(?![\w-])", re.ASCII
)
NUMBER_FOR_NAME = re.compile(r"[:：]\s*#\d+")
# A Latin "word": letters, possibly joined by hyphens or apostrophes; digits make a code.
WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9'-]*(?![\w-])", re.ASCII)
# McDonald, MacArthur: names, not identifiers.
SURNAME = re.compile(r"(?:Mc|Mac)[A-Z][a-z]+$")
# "U.S.", "e.g.": abbreviations, not codes: single letters with dots.
ABBREVIATION = re.compile(r"[A-Za-z](?:\.[A-Za-z])+")
HYPHENATED_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)+")


def is_chinese(text: str) -> bool:
    """A page is Chinese when Chinese characters are a good part of its letters."""
    han = len(CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return han > 0 and han * 4 >= latin


def _without_addresses(text: str) -> str:
    """``text`` less its e-mail and web addresses, domain names and file names."""
    text = WEB_ADDRESS.sub(" ", EMAIL.sub(" ", text))
    text = FILE_NAME.sub(" ", text)
    return DOMAIN.sub(" ", text)


def _english_word(word: str) -> bool:
    if word in ACRONYMS or any(ch.isdigit() for ch in word):
        return False
    if HYPHENATED_CODE.fullmatch(word):
        return False
    if word.isupper() and len(word) <= 3:
        return False  # country and document codes (CN, USA), see the module's note
    return len(word) >= 2


def find_leaks(text: str, *, chinese: bool | None = None) -> list[str]:
    """The internal names in ``text``, each as "kind: what was found", in order of kind.

    ``chinese``: whether English words are leaks; by default, when the text itself is
    mostly Chinese (``is_chinese``). A page passes it for each of its lines."""
    if chinese is None:
        chinese = is_chinese(text)
    text = _without_addresses(text)
    found: list[str] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match) -> None:
        start, end = match.span()
        if any(s <= start and end <= e for s, e in taken):
            return  # part of a leak named already ("country" in "stops[0].country")
        taken.append((start, end))
        found.append(f"{kind}: {match.group(0)}")

    for match in FIELD_PATH.finditer(text):
        add("field path", match)
    for pattern in (DICT_REPR, LIST_REPR, EMPTY_REPR, OBJECT_REPR, MODEL_REPR):
        for match in pattern.finditer(text):
            add("Python repr", match)
    for match in PY_CONSTANT.finditer(text):
        add("Python constant", match)
    for match in DOTTED.finditer(text):
        if not ABBREVIATION.fullmatch(match.group(0)):
            add("dotted code", match)
    for match in SNAKE.finditer(text):
        word = match.group(0)
        add("rule code" if word.isupper() else "snake_case name", match)
    for match in LEADING_UNDERSCORE.finditer(text):
        add("snake_case name", match)
    for match in CAMEL.finditer(text):
        if match.group(0) not in ACRONYMS and not SURNAME.match(match.group(0)):
            add("CamelCase name", match)
    for match in NUMBER_FOR_NAME.finditer(text):
        add("a record's number for its name", match)
    if chinese:
        for match in WORD.finditer(text):
            if _english_word(match.group(0)):
                add("English word", match)
    return found


# Text a person never sees.
INVISIBLE = "//script|//style|//template|//noscript|//*[@hidden]|//input[@type='hidden']"
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


def visible_lines(html: str) -> list[str]:
    """The page's visible text, one line per text node, with the attributes people read
    (an input's value is read only for a button: a field's value is what someone typed)."""
    root = lxml.html.document_fromstring(html)
    for element in root.xpath(INVISIBLE):
        if element.getparent() is not None:
            element.drop_tree()
    lines = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail):
            if text and text.strip():
                lines.append(" ".join(text.split()))
        for name in READ_ATTRIBUTES:
            value = element.get(name)
            if value and value.strip():
                lines.append(value.strip())
        # An input button shows its value; a <button>'s value is sent, never shown.
        if element.tag == "input" and element.get("type") in {"submit", "button", "reset"}:
            if element.get("value"):
                lines.append(element.get("value"))
    return lines
