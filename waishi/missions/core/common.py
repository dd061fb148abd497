"""What every service of the trip application shares: who may draft, the lock with
its version check, and lenient converters (a draft stores what it can of what was typed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from waishi.lib.roles import Role, has
from waishi.missions.models import EDITABLE_STATES, Mission
from waishi.policy import reference

DRAFTS = frozenset({Role.UNIT_CLERK})
LAST_STEP = 6


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


def _require_drafter(actor, unit_id: int | None) -> None:
    """Only a clerk of the application's own unit drafts and edits it."""
    if not has(actor, DRAFTS) or actor.unit_id is None or actor.unit_id != unit_id:
        raise PermissionDenied(_("Only a clerk of the unit may edit its trip applications."))


def _lock(actor, mission: Mission, version: int | None) -> Mission:
    """The mission re-read under a row lock, after the permission, state and version
    checks. Call inside ``transaction.atomic()``."""
    _require_drafter(actor, mission.unit_id)
    locked = Mission.objects.select_for_update().get(pk=mission.pk)
    _require_drafter(actor, locked.unit_id)
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The application is %(state)s and can no longer be edited.")
            % {"state": locked.get_state_display()},
            code="state",
        )
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _(
                "This application was changed in another window or by someone else since you "
                "opened it. Nothing was saved: reload the page to see the current version, "
                "then make your change again."
            ),
            code="stale",
        )
    return locked


def _bump(locked: Mission, fields: Iterable[str] = (), step: int | None = None) -> None:
    locked.version += 1
    names = {*fields, "version", "updated_at"}
    if step is not None and step > locked.step:
        locked.step = min(step, LAST_STEP)
        names.add("step")
    locked.save(update_fields=sorted(names))


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


def _bump_step_only(locked: Mission, step: int) -> None:
    """Record the furthest step reached without counting it as a change of content."""
    if step > locked.step:
        locked.step = step
        locked.save(update_fields=["step"])


def _clean_justifications(values: dict[str, Any]) -> dict[str, str]:
    return {str(k)[:100]: _text(v)[:4000] for k, v in (values or {}).items() if _text(v)}
