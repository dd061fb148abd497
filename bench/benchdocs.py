"""docs/performance.md: each benchmark writes its own section of it."""

from __future__ import annotations

import os
import platform
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


def machine() -> str:
    """The machine a figure was measured on: cores, CPU model, memory, Python, system."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "?"
    system = f"{platform.system()} {platform.release()}"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"')
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}, {system}"
