"""What a viewer of the audit history may see, asked of the app that knows.

The audit app is on the floor below the apps whose records it names, so it does not
import the scoping (``waishi.orgs.scoping``): that app registers a ``HistoryScope`` here
when it is ready (``OrgsConfig.ready``). Without one, history fails closed: no record
is named, every business record is masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class HistoryScope:
    # Whether a history may name the records of a model to anybody (reference data and
    # accounts: "市商务局", not "#17"); anything else keeps its number.
    named: Callable[[type[Model]], bool]
    # (viewer, model) -> None when the viewer may see every record of the model, else the
    # queryset of those they may see; LookupError for a model nobody scoped.
    restricted: Callable[[object, type[Model]], QuerySet | None]


def _unnamed(model: type[Model]) -> bool:
    return False


def _unscoped(viewer, model: type[Model]) -> QuerySet | None:
    raise LookupError(f"no history scope registered for {model._meta.label}")


_FAIL_CLOSED = HistoryScope(named=_unnamed, restricted=_unscoped)
_registered: list[HistoryScope] = []


def register(scope: HistoryScope) -> None:
    """Set the history scope (the last one registered counts)."""
    _registered.append(scope)


def current() -> HistoryScope:
    return _registered[-1] if _registered else _FAIL_CLOSED
