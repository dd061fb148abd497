"""Counts the requests each test sends through Django, for docs/security.md's probe table.

Load it by name: ``pytest -p tests.lib.requestcount tests/test_access_matrix.py``. Every
request the test client, the API client or a live server handles in this process sends
Django's ``request_started`` signal; the plugin counts them per test file and prints a
table at the end ("requests" per file, then the total).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.signals import request_started

_counts: Counter[str] = Counter()
_current: list[str] = [""]


def _count(sender, **kwargs) -> None:
    _counts[_current[0]] += 1


def pytest_configure(config) -> None:
    request_started.connect(_count, dispatch_uid="tests.lib.requestcount")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _current[0] = item.nodeid.split("::", 1)[0]
    try:
        return (yield)
    finally:
        _current[0] = ""


def pytest_terminal_summary(terminalreporter) -> None:
    write = terminalreporter.write_line
    terminalreporter.section("requests sent through Django, per test file")
    for path, n in sorted(_counts.items()):
        write(f"{n:>8}  {path or '(outside a test call)'}")
    write(f"{sum(_counts.values()):>8}  in all")
