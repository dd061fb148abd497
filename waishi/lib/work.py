"""The registry of "my work" cards: what needs a user's attention, by role.

Each app registers providers (pending approvals, drafts, passports due back ...) with
``register``; the home page (``waishi.ui``) shows ``cards_for(user)``. The registry lives in
``lib`` so that apps register without importing the ``ui`` app that sits above them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Card:
    title: str
    value: int | str
    url: str
    note: str = ""


Provider = Callable[[object], list[Card]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    for provider in PROVIDERS:
        cards.extend(provider(user))
    return cards
