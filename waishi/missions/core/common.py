"""What the services of every room share: the version check (``StaleVersion``) and lenient
converters (a draft stores what it can of what was typed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from waishi.policy import reference


class StaleVersion(ValidationError):
    """The application changed since the form was loaded (another tab, another clerk)."""


# -- helpers ---------------------------------------------------------------------------------


def check_version(row, version: Any, message: str) -> None:
    """Refuse with ``StaleVersion(message)`` when a ``version`` was given and the locked
    ``row`` is at another one now (nothing given: nothing to compare). The message may
    name ``%(now)d`` (the row's version) and ``%(read)d`` (the one given)."""
    if version in (None, ""):
        return
    try:
        read = int(version)
    except (TypeError, ValueError):
        read = -1
    if read != row.version:
        raise StaleVersion(message % {"now": row.version, "read": read}, code="stale")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None  # a half-typed date is not stored (the form shows its own error)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e10"):
        return None
    return number.quantize(Decimal("0.01"))


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 32767 else None


def _choice(value: Any, choices, default: str = "") -> str:
    value = _text(value)
    return value if value in choices else default


def _country(value: Any) -> str:
    code = _text(value).upper()
    return code if code and reference.country(code) is not None else ""


def _clean_justifications(values: dict[str, Any]) -> dict[str, str]:
    return {str(k)[:100]: _text(v)[:4000] for k, v in (values or {}).items() if _text(v)}
