"""Countries and regions as people pick them: in pinyin order of their Chinese names (in
English, of their English names), found by typing a name, its pinyin, its initials or
the ISO code ("美", "meiguo", "mg", "US"). Every country field of every form is one of
the two fields below, so the order and the search are the same everywhere."""

from __future__ import annotations

import functools
import re

from django import forms
from django.utils.translation import get_language
from pypinyin import Style, lazy_pinyin

from waishi.lib.forms import SearchableSelect, SearchableSelectMultiple
from waishi.policy import reference

# Names whose reading pypinyin's dictionaries get wrong: 佛 is fó in 佛得角 (not fú), 都 is
# dū in 洪都拉斯 (not dōu) (现代汉语词典; the Ministry of Foreign Affairs' country pages).
READINGS: dict[str, tuple[str, ...]] = {
    "佛得角": ("fo", "de", "jiao"),
    "洪都拉斯": ("hong", "du", "la", "si"),
}

_LETTERS = re.compile(r"[a-z]+")


def syllables(name: str) -> tuple[str, ...]:
    """The pinyin syllables of a Chinese name, without tones; brackets and other marks
    dropped ("刚果（金）" -> gang guo jin)."""
    if name in READINGS:
        return READINGS[name]
    return tuple(s for s in (lazy_pinyin(name, style=Style.NORMAL)) if _LETTERS.fullmatch(s))


@functools.cache
def _syllables_of() -> dict[str, tuple[str, ...]]:
    return {code: syllables(c.name_zh) for code, c in reference.COUNTRIES.items()}


@functools.cache
def _keys() -> dict[str, dict[str, str]]:
    keys = {}
    for code, parts in _syllables_of().items():
        keys[code] = {
            "pinyin": "".join(parts),
            "initials": "".join(p[0] for p in parts),
            "code": code,
        }
    return keys


def search_keys(code: str) -> dict[str, str]:
    """{"pinyin": "meiguo", "initials": "mg", "code": "US"} of a country or region."""
    return dict(_keys()[code])


def _english() -> bool:
    return (get_language() or "").startswith("en")


@functools.cache
def _ordered(english: bool) -> tuple[str, ...]:
    if english:
        return tuple(sorted(reference.COUNTRIES, key=lambda c: reference.COUNTRIES[c].name_en))
    # Syllable by syllable, as a dictionary orders: every 阿 (a) before 埃 and 爱 (ai).
    spelled = _syllables_of()
    return tuple(
        sorted(reference.COUNTRIES, key=lambda c: (spelled[c], reference.COUNTRIES[c].name_zh))
    )


def name(code: str, english: bool | None = None) -> str:
    found = reference.country(code or "")
    if found is None:
        return code or ""
    english = _english() if english is None else english
    return found.name_en if english else found.name_zh


def choices(*, exclude=(), first: str = "", english: bool | None = None) -> list[tuple]:
    """(code, name) of every country or region in the page's language and order;
    ``first`` put at the top (China for a nationality), ``exclude`` left out."""
    english = _english() if english is None else english
    codes = [c for c in _ordered(english) if c not in exclude]
    if first in codes:
        codes.remove(first)
        codes.insert(0, first)
    return [(code, name(code, english)) for code in codes]


def option_keys() -> dict[str, dict[str, str]]:
    """What the picker searches besides the name shown: pinyin, initials and code."""
    return _keys()


class CountryField(forms.ChoiceField):
    """One country or region, searchable. ``blank``: the label of "none" (an optional
    field, a filter's "all"); ``first`` and ``exclude`` as in ``choices``."""

    def __init__(self, *, blank=None, first: str = "", exclude=(), **kwargs):
        self.blank, self.first, self.exclude = blank, first, tuple(exclude)
        kwargs.setdefault("widget", SearchableSelect(keys=option_keys))
        super().__init__(choices=self._choices_now, **kwargs)

    def _choices_now(self) -> list[tuple]:
        rows = choices(exclude=self.exclude, first=self.first)
        return rows if self.blank is None else [("", self.blank), *rows]


class CountriesField(forms.MultipleChoiceField):
    """Several countries or regions, searchable, each chosen one a chip."""

    def __init__(self, *, exclude=(), **kwargs):
        self.exclude = tuple(exclude)
        kwargs.setdefault("widget", SearchableSelectMultiple(keys=option_keys))
        super().__init__(choices=self._choices_now, **kwargs)

    def _choices_now(self) -> list[tuple]:
        return choices(exclude=self.exclude)
