"""May this actor act on this record? The write-side twin of ``orgs.scoping``.

``scoping`` answers "what may I see"; this module answers "may I act on it". An action
is named by the roles that take it (a set from ``waishi.lib.roles`` or a workflow
table's transition); the record's unit and district are read through the paths its
model registered in ``scoping`` (``Scope.unit``, ``Scope.district``), or given directly
as ids when there is no record yet.

The rule, the same for every app:
- the actor is signed in, active and holds one of the action's roles;
- a unit role (unit clerk, unit leader) acts only on its own unit's records;
- a district officer acts only on its own district's records, for models that have one;
- every other role acts on every record it may take the action on.

``refusal`` gives the page's or the API's message when a unit role reaches for another
unit's record (each subject words it its own way); workflow guards call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from waishi.lib.roles import DISTRICT_ROLES, UNIT_ROLES, has
from waishi.orgs.scoping import scope_of


def _follow(record: Model, path: str):
    """The value at a scoping path ("mission__unit_id") read on an instance."""
    value = record
    for name in path.split("__"):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def unit_of(record) -> int | None:
    """The unit id a record belongs to; a record may also be given as its unit (an id,
    a ``Unit``) or None."""
    if record is None or isinstance(record, int):
        return record
    if not isinstance(record, Model):
        raise TypeError(f"not a record or a unit id: {record!r}")
    if record._meta.label == "orgs.Unit":
        return record.pk
    path = scope_of(type(record)).unit
    return _follow(record, path) if path else None


def district_ids_of(record) -> set[int]:
    """The district ids a record belongs to (a hand-over belongs to two)."""
    if not isinstance(record, Model):
        return set()
    paths = scope_of(type(record)).district
    if not paths:
        return set()
    paths = (paths,) if isinstance(paths, str) else paths
    return {v for v in (_follow(record, p) for p in paths) if v is not None}


def acts_for(actor, record) -> bool:
    """True unless ``actor`` works inside one unit (or district) and ``record`` belongs to
    another; an actor of a unit role without a unit acts for none."""
    role = getattr(actor, "role", None)
    if role in UNIT_ROLES:
        return actor.unit_id is not None and actor.unit_id == unit_of(record)
    if role in DISTRICT_ROLES and isinstance(record, Model) and scope_of(type(record)).district:
        return actor.district_id is not None and actor.district_id in district_ids_of(record)
    return True


def may(actor, roles: frozenset[str], record) -> bool:
    """May ``actor`` take the action that ``roles`` take, on ``record`` (or on the unit
    given in its place, as an id)? A unit role acts on no record without a unit."""
    return has(actor, roles) and acts_for(actor, record)


def may_for_district(actor, roles: frozenset[str], district_id: int | None) -> bool:
    """May ``actor`` take the action that ``roles`` take for the district given as an id
    (the district asked to take a hand-over, say, rather than the record's own)?"""
    return has(actor, roles) and actor.district_id is not None and actor.district_id == district_id


def refusal(actor, record, message: str) -> str | None:
    """``message`` when ``actor`` may not act on ``record`` because it belongs to another
    unit (or district), else None. The role itself is asked by the caller (a workflow
    table, or ``may``)."""
    return None if acts_for(actor, record) else message


def unit_guard(message) -> Callable[[Any, Any], str | None]:
    """A workflow guard ``(record, actor) -> refusal``: ``message`` (a lazy translation,
    read in the language of the request) when the actor acts for another unit."""

    def guard(record, actor) -> str | None:
        return refusal(actor, record, str(message))

    return guard


def require(actor, roles: frozenset[str], record, message) -> None:
    """``PermissionDenied(message)`` unless ``may(actor, roles, record)``."""
    if not may(actor, roles, record):
        raise PermissionDenied(str(message))


__all__ = [
    "acts_for",
    "district_ids_of",
    "may",
    "may_for_district",
    "refusal",
    "require",
    "unit_guard",
    "unit_of",
]
