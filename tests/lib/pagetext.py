"""Look for a translatable sentence in a page, in whatever language the page speaks.

Pages default to Chinese; before the catalogue has a translation the Chinese "text" is
the English msgid. Asserting ``zh(msgid) in body`` holds before and after translation."""

from __future__ import annotations

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext


def zh(msgid: str, **values: object) -> str:
    """``msgid`` as a Chinese page shows it (translated, %-formatted, HTML-escaped)."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return escape(text % values if values else text)


def has_catalogue(msgid: str, language: str = "zh-hans") -> bool:
    """True when ``msgid`` has a translation into ``language``."""
    with translation.override(language):
        return gettext(msgid) != msgid
