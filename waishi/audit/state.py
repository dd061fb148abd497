"""The security-relevant state the chain watches, and its comparison with the database.

Each watched model names the fields whose values after an event are written into the
event's hashed ``state`` (``services.record`` does it for the event's object and for
the objects given as ``state_of``). ``waishi audit verify`` collects the last recorded
state of every watched row in the same pass that checks the chain, then reads each
watched model once and compares: a row whose watched fields differ, a row of which the
chain has no state, or a recorded row that is gone was changed outside the application
(an SQL ``UPDATE``, a doctored copy restored).

The models are named by label and found through the app registry, so the audit app,
on the floor below them, imports none of them (architecture.md, floors).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Related:
    """A computed field: the ids of the rows of another model pointing to the watched
    row through ``fk`` and matching ``condition`` (an account's confirmed second-factor
    devices)."""

    name: str
    label: str
    fk: str
    condition: tuple[tuple[str, object], ...]
    verbose_name: object


@dataclass(frozen=True)
class Watch:
    label: str
    fields: tuple[str, ...]
    related: tuple[Related, ...] = ()


WATCHED: tuple[Watch, ...] = (
    Watch(
        "orgs.user",
        ("role", "unit", "is_active"),
        related=(
            Related(
                "second_factor",
                "otp_totp.totpdevice",
                "user",
                (("confirmed", True),),
                _("second-factor devices"),
            ),
        ),
    ),
    Watch("missions.mission", ("state",)),
    Watch("plans.quota", ("batches_used", "person_trips_used")),
    Watch("passports.passport", ("state",)),
)

# Tables that hold rows only once the office works with the application (``migrate``
# alone fills none of them): while any does, the audit chain cannot be empty.
BUSINESS = (
    "orgs.user",
    "orgs.unit",
    "orgs.person",
    "missions.mission",
    "passports.passport",
    "plans.quota",
)


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _watches() -> dict[str, Watch]:
    return {w.label: w for w in WATCHED if _model(w.label) is not None}


def key(label: str, pk) -> str:
    return f"{label}:{pk}"


def _rows(watch: Watch, pks: Iterable | None = None) -> Iterator[tuple[object, dict]]:
    """(pk, state) of the watched model's rows (of ``pks`` only when given), as stored."""
    model = _model(watch.label)
    attnames = [model._meta.get_field(name).attname for name in watch.fields]
    rows = model._base_manager.order_by()
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    related: dict[str, dict] = {}
    for rel in watch.related:
        other = _model(rel.label)
        if other is None:
            continue
        fk = other._meta.get_field(rel.fk).attname
        found: dict = defaultdict(list)
        linked = other._base_manager.filter(**dict(rel.condition)).order_by("pk")
        if pks is not None:
            linked = linked.filter(**{f"{fk}__in": list(pks)})
        for owner, pk in linked.values_list(fk, "pk").iterator(chunk_size=5000):
            found[owner].append(pk)
        related[rel.name] = found
    for row in rows.values_list("pk", *attnames).iterator(chunk_size=5000):
        state = dict(zip(watch.fields, row[1:], strict=True))
        for rel in watch.related:
            if rel.name in related:
                state[rel.name] = related[rel.name].get(row[0], [])
        yield row[0], state


def read_state(objects: Iterable[Model]) -> dict[str, dict | None]:
    """The watched state of ``objects`` as the database holds it now ({key: state}, None
    for a row that is gone): one query per model. Objects of unwatched models are left out."""
    return read_states([objects])[0]


def read_states(groups: Iterable[Iterable[Model]]) -> list[dict[str, dict | None]]:
    """``read_state`` of each group of objects (the objects of each event written in
    bulk), with one query per model for all the groups together."""
    watches = _watches()
    wanted: list[dict[str, set]] = []
    every: dict[str, set] = defaultdict(set)
    for objects in groups:
        group: dict[str, set] = defaultdict(set)
        for obj in objects:
            if obj is None or obj.pk is None:
                continue
            # obj._meta, not type(obj)._meta: request.user is a lazy proxy of the account.
            watch = watches.get(obj._meta.concrete_model._meta.label_lower)
            if watch is not None:
                group[watch.label].add(obj.pk)
                every[watch.label].add(obj.pk)
        wanted.append(group)
    found = {label: dict(_rows(watches[label], pks)) for label, pks in every.items()}
    out: list[dict[str, dict | None]] = []
    for group in wanted:
        state: dict[str, dict | None] = {}
        for label, pks in group.items():
            for pk in sorted(pks):
                state[key(label, pk)] = found[label].get(pk)
        out.append(state)
    return out


def all_state(chunk: int = 1000) -> Iterator[dict[str, dict]]:
    """The watched state of every watched row, ``chunk`` rows at a time (what a baseline
    event records: the demo, ``seed-scale``, ``waishi audit baseline``)."""
    for watch in _watches().values():
        part: dict[str, dict] = {}
        for pk, state in _rows(watch):
            part[key(watch.label, pk)] = state
            if len(part) >= chunk:
                yield part
                part = {}
        if part:
            yield part


def business_rows() -> bool:
    """Whether any business table holds a row."""
    for label in BUSINESS:
        model = _model(label)
        if model is not None and model._base_manager.exists():
            return True
    return False


# --- the comparison ----------------------------------------------------------------------------


CHANGED, UNRECORDED, DELETED = "changed", "unrecorded", "deleted"


@dataclass(frozen=True)
class Difference:
    """A watched row that does not hold what the chain last recorded for it."""

    label: str
    pk: str
    kind: str  # changed | unrecorded | deleted
    fields: tuple[str, ...] = ()
    recorded: dict | None = None
    found: dict | None = None
    name: str = ""  # how the row is called (an account's username), when it exists

    def _field_label(self, name: str) -> str:
        watch = _watches().get(self.label)
        for rel in watch.related if watch else ():
            if rel.name == name:
                return str(rel.verbose_name)
        model = _model(self.label)
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # a field renamed since it was recorded
            return name

    def _object(self) -> str:
        if self.label == "orgs.user":
            return gettext("account %(name)s") % {"name": self.name or f"#{self.pk}"}
        model = _model(self.label)
        return f"{model._meta.verbose_name if model else self.label} #{self.pk}"

    @property
    def message(self) -> str:
        """In the reader's language, for pages and notices."""
        if self.kind == CHANGED:
            return gettext("%(object)s: %(fields)s changed outside the application") % {
                "object": self._object(),
                "fields": gettext(", ").join(self._field_label(f) for f in self.fields),
            }
        if self.kind == UNRECORDED:
            return gettext(
                "%(object)s was created outside the application: the audit chain has no "
                "record of it"
            ) % {"object": self._object()}
        return gettext("%(object)s was deleted outside the application") % {
            "object": self._object()
        }

    @property
    def detail(self) -> str:
        """In English, for the command line and the logs."""
        who = f"{self.label} {self.pk}" + (f" ({self.name})" if self.name else "")
        if self.kind == CHANGED:
            changes = "; ".join(
                f"{f}: recorded {(self.recorded or {}).get(f)!r}, "
                f"found {(self.found or {}).get(f)!r}"
                for f in self.fields
            )
            return f"{who} changed outside the application ({changes})"
        if self.kind == UNRECORDED:
            return f"{who} was created outside the application: the chain has no record of it"
        return f"{who} was deleted outside the application"


def _plain(state: dict | None) -> dict | None:
    """A state as it reads back from JSON (lists for tuples, string keys)."""
    if state is None:
        return None
    return {str(k): list(v) if isinstance(v, tuple) else v for k, v in state.items()}


def compare(recorded: dict[str, dict | None]) -> list[Difference]:
    """Every watched row whose state differs from ``recorded`` (the last state the chain
    holds for each key): one read of each watched model."""
    out: list[Difference] = []
    for watch in _watches().values():
        prefix = watch.label + ":"
        seen: set[str] = set()
        for pk, state in _rows(watch):
            k = key(watch.label, pk)
            seen.add(k)
            if k not in recorded:
                out.append(Difference(watch.label, str(pk), UNRECORDED, found=state))
                continue
            before, now = recorded[k], _plain(state)
            if before != now:
                before = before or {}
                fields = tuple(f for f in now if before.get(f) != now[f])
                out.append(Difference(watch.label, str(pk), CHANGED, fields, recorded[k], now))
        for k, state in recorded.items():
            if k.startswith(prefix) and state is not None and k not in seen:
                out.append(Difference(watch.label, k[len(prefix) :], DELETED, recorded=state))
    return _named(out)


def _named(differences: list[Difference]) -> list[Difference]:
    """Accounts named by their username (one query), so that a reader knows whose."""
    users = [d.pk for d in differences if d.label == "orgs.user" and d.kind != DELETED]
    if not users:
        return differences
    model = _model("orgs.user")
    names = {
        str(pk): name
        for pk, name in model._base_manager.filter(pk__in=users).values_list(
            "pk", model.USERNAME_FIELD
        )
    }
    return [
        Difference(d.label, d.pk, d.kind, d.fields, d.recorded, d.found, names.get(d.pk, ""))
        if d.label == "orgs.user"
        else d
        for d in differences
    ]
