"""Pinyin for finding Chinese names by Latin letters: the full spelling and the initials
(张三 -> "zhangsan", "zs"), lower case without spaces, and whether a typed query finds a
name by its characters, its pinyin or its initials. People store theirs
(``Person.name_pinyin``, ``name_initials``); names stored without (units, say) are
spelled here on the fly, each name once per process (``pinyin_of`` is cached)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=20_000)
def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin and initials, lower case without spaces: 张三 -> ("zhangsan", "zs")."""
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return full, initials


def latin_query(q: str) -> str | None:
    """``q`` as pinyin letters to look for (lower case, no spaces), or None when it is not
    letters alone (then only the characters are searched)."""
    lowered = (q or "").lower().replace(" ", "")
    return lowered if lowered and lowered.isascii() and lowered.isalpha() else None


def finds(q: str, *names: str) -> bool:
    """Does ``q`` find one of ``names``: inside the name, or at the start of its pinyin or
    of its initials?"""
    q = (q or "").strip()
    if not q:
        return False
    latin = latin_query(q)
    for name in names:
        if not name:
            continue
        if q.lower() in name.lower():
            return True
        if latin:
            full, initials = pinyin_of(name)
            if full.startswith(latin) or initials.startswith(latin):
                return True
    return False
