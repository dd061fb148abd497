"""The registry of "my work": what needs a user's attention, by role.

Two kinds of entries, each registered by the app that knows them, so that apps register
without importing the ``ui`` app that sits above them:

- cards (``register``): counts (pending approvals, drafts, passports due back ...), the
  home page's tiles;
- work items (``register_items``): each record that waits for this user to act, with its
  due date (an approval step, a trip returned for changes, a report due, a passport to
  return ...), the home page's "to do" list, overdue first, then by due date.

A provider takes the user and answers what that user may see (through the app's own
scoping and selectors), in a query or two, at most ``ITEM_LIMIT`` items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

# The most items one provider answers (the list's page says when there are more).
ITEM_LIMIT = 50


@dataclass
class Card:
    title: str
    value: int | str
    url: str
    note: str = ""


@dataclass
class Item:
    """One record waiting for the user: its title, where to act on it, when it is due."""

    title: str
    url: str
    due: dt.date | None
    kind_label: str  # what it is, in the reader's language: "Trip report", "Approval step"
    state_label: str = ""  # what waits: "Awaiting your approval", "Returned for changes"
    # Past its due date: computed from ``due`` (before today) unless the provider knows
    # better (a step due at an hour of today that has passed).
    overdue: bool | None = None

    def __post_init__(self) -> None:
        if self.overdue is None:
            self.overdue = self.due is not None and self.due < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        if not self.overdue or self.due is None:
            return 0
        return max((timezone.localdate() - self.due).days, 0)


Provider = Callable[[object], list[Card]]
PROVIDERS: list[Provider] = []
ItemProvider = Callable[[object], list[Item]]
ITEM_PROVIDERS: list[ItemProvider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def register_items(provider: ItemProvider) -> ItemProvider:
    if provider not in ITEM_PROVIDERS:
        ITEM_PROVIDERS.append(provider)
    return provider


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    for provider in PROVIDERS:
        cards.extend(provider(user))
    return cards


def sort_key(item: Item) -> tuple:
    """Overdue first, then by due date (undated last), then by title."""
    return (not item.overdue, item.due is None, item.due or dt.date.max, item.title)


def items_for(user) -> list[Item]:
    """Every provider's items for ``user``, overdue first, then by due date."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    items: list[Item] = []
    for provider in ITEM_PROVIDERS:
        items.extend(provider(user))
    return sorted(items, key=sort_key)
