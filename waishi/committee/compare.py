"""Two versions of a Word document compared paragraph by paragraph (difflib over the
paragraphs python-docx reads): each row says in words whether a paragraph was kept,
added, removed or changed, and a changed one marks its deleted and inserted characters
(Chinese has no spaces between words: the comparison inside a paragraph is by character)."""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SAME, ADDED, REMOVED, CHANGED = "same", "added", "removed", "changed"
# How alike two paragraphs must be (difflib's ratio) to count as one paragraph changed.
SIMILAR = 0.5


@dataclass
class Piece:
    kind: str  # "same", "inserted", "deleted"
    text: str


@dataclass
class Row:
    status: str
    old: str = ""
    new: str = ""
    old_no: int | None = None
    new_no: int | None = None
    pieces: list[Piece] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {
            SAME: _("Unchanged"),
            ADDED: _("Added"),
            REMOVED: _("Removed"),
            CHANGED: _("Changed"),
        }[self.status]


def paragraphs(data: bytes) -> list[str]:
    """The non-empty paragraphs of a .docx (its body and its tables' cells, in order)."""
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds on a file that is not Word
        raise ValidationError(_("This file cannot be read as a Word document.")) from exc
    found = [p.text.strip() for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(p.text.strip() for p in cell.paragraphs)
    return [text for text in found if text]


def _pieces(old: str, new: str) -> list[Piece]:
    out: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Piece("same", old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append(Piece("deleted", old[i1:i2]))
        if op in ("insert", "replace"):
            out.append(Piece("inserted", new[j1:j2]))
    return out


def compare(old: list[str], new: list[str]) -> list[Row]:
    """The rows of the comparison, in the order of the documents."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(
                Row(SAME, old[i], new[j], i + 1, j + 1)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        elif op == "delete":
            rows.extend(Row(REMOVED, old=old[i], old_no=i + 1) for i in range(i1, i2))
        elif op == "insert":
            rows.extend(Row(ADDED, new=new[j], new_no=j + 1) for j in range(j1, j2))
        else:
            rows.extend(_replaced(old, new, i1, i2, j1, j2))
    return rows


def _replaced(old, new, i1, i2, j1, j2) -> list[Row]:
    """A block of paragraphs replaced by another: a paragraph of the new block much like
    the next one of the old (``SIMILAR``) is that paragraph changed; the others were
    removed or added, in the documents' order."""
    rows: list[Row] = []
    i, j = i1, j1
    while i < i2 and j < j2:
        ratio = difflib.SequenceMatcher(None, old[i], new[j], autojunk=False).ratio()
        if ratio >= SIMILAR:
            rows.append(Row(CHANGED, old[i], new[j], i + 1, j + 1, _pieces(old[i], new[j])))
            i, j = i + 1, j + 1
            continue
        # Which side to move on: the old paragraph if it resembles a later new one.
        later = any(
            difflib.SequenceMatcher(None, old[i], new[k], autojunk=False).ratio() >= SIMILAR
            for k in range(j + 1, j2)
        )
        if later:
            rows.append(Row(ADDED, new=new[j], new_no=j + 1))
            j += 1
        else:
            rows.append(Row(REMOVED, old=old[i], old_no=i + 1))
            i += 1
    rows.extend(Row(REMOVED, old=old[k], old_no=k + 1) for k in range(i, i2))
    rows.extend(Row(ADDED, new=new[k], new_no=k + 1) for k in range(j, j2))
    return rows


def compare_files(old: bytes, new: bytes) -> list[Row]:
    return compare(paragraphs(old), paragraphs(new))


def summary(rows: list[Row]) -> dict[str, int]:
    counts = {SAME: 0, ADDED: 0, REMOVED: 0, CHANGED: 0}
    for row in rows:
        counts[row.status] += 1
    return counts
