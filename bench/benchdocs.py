"""docs/performance.md: each benchmark writes its own section of it."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(section: str, text: str) -> None:
    """Replace the section headed ``section`` (up to the next ``## `` heading) by
    ``text``, or append it. Read, replace and write at once: another benchmark may be
    writing its own section of the same file."""
    current = DOCS.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _m: text.rstrip("\n") + "\n\n", current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    DOCS.write_text(current.rstrip("\n") + "\n", encoding="utf-8")
