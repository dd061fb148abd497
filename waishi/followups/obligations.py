"""What a unit still owes: reports due, passports out, outcomes due ...

Each app registers a provider, ``Callable[[unit], list[Obligation]]``, from its
``AppConfig.ready()``::

    from waishi.followups import obligations

    obligations.register(trip_reports_due)  # unit -> [Obligation(...), ...]

The unit page (``/followups/unit/``) lists them all, overdue first, then by due date.
This app sits below the apps that register, and never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Obligation:
    kind: Any  # a label: "Trip report", "Passport to return", "Outcome" ...
    title: str
    due_date: dt.date | None
    url: str
    overdue: bool = False


Provider = Callable[[Any], list[Obligation]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def sort_key(item: Obligation) -> tuple:
    return (not item.overdue, item.due_date is None, item.due_date or dt.date.max, item.title)


def for_unit(unit) -> list[Obligation]:
    """Every registered provider's obligations of ``unit``: overdue first, then by due
    date (undated last)."""
    items: list[Obligation] = []
    for provider in _PROVIDERS:
        items.extend(provider(unit))
    return sorted(items, key=sort_key)
