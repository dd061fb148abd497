"""Reads of the audit chain: an object's history, the log, and verification."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit import checkpoints, scope, state
from waishi.audit.chain import HASHED_FIELDS, Problem, head_seal, verify_rows
from waishi.audit.messages import (
    SAVES,
    describe,
    field_formats,
    field_hidden,
    field_label,
    field_value,
)
from waishi.audit.models import GENESIS, AuditEvent, AuditHead


def events_for(obj: Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-seq")


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class HistoryEntry:
    event: AuditEvent
    text: str
    changes: list[Change]
    # A run of saves shown as one entry (``grouped``): the saves, newest first; ``event``
    # is the newest of them.
    saves: list[HistoryEntry] = field(default_factory=list)

    @property
    def first_at(self):
        return self.saves[-1].event.at if self.saves else self.event.at


def _field(object_type: str, field: str):
    try:
        return apps.get_model(object_type)._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _label(object_type: str, field: str, action: str = "") -> str:
    registered = field_label((action, object_type), field)
    if registered is not None:
        return registered
    found = _field(object_type, field)
    return (
        str(found.verbose_name) if found is not None and hasattr(found, "verbose_name") else field
    )


def _pointed_model(found):
    """The model a foreign key field points to, or None for any other field."""
    if getattr(found, "many_to_one", False) or getattr(found, "one_to_one", False):
        return found.related_model
    return None


def _shown(object_type: str, field: str, value, names: dict, action: str = ""):
    """A recorded value as a person reads it: a choice's label rather than its code
    ("审批中", not "in_review"), 是/否 for yes/no, lists joined with 、, a foreign key as
    the name in ``names`` (``_names``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field_formats((action, object_type), field):
        return field_value((action, object_type), field, value)
    if isinstance(value, list):
        return (
            "、".join(str(_shown(object_type, field, item, names, action)) for item in value) or "—"
        )
    if field_label((action, object_type), field) is not None:
        return field_value((action, object_type), field, value)
    if isinstance(value, dict):
        # A structured value nobody gave words to: its parts, never its repr.
        return "；".join(
            f"{_label(object_type, k, action)}：{_shown(object_type, k, v, names, action)}"
            for k, v in value.items()
        )
    found = _field(object_type, field)
    model = _pointed_model(found)
    if model is not None and isinstance(value, int):
        return names.get((model, value), f"#{value}")
    choices = getattr(found, "flatchoices", None) if found is not None else None
    if choices and isinstance(value, str | int):
        for code, label in choices:
            if code == value:
                return str(label)
    return value


def _named(model) -> bool:
    """Only reference data and accounts are named in a history; any other record keeps
    its number (its viewer may not be allowed to see it)."""
    return scope.current().named(model)


def _visible(viewer, model):
    """The rows of ``model`` that ``viewer`` may see, or None for none at all."""
    try:
        allowed = scope.current().restricted(viewer, model)
    except LookupError:
        return None
    return model._default_manager.all() if allowed is None else allowed


def _names(events, known=(), viewer=None) -> dict:
    """{(model, pk): name} of the foreign keys recorded in ``events`` ("市商务局", not 17):
    one query per model pointed to, however many events, none for the ``known`` objects
    (read already by the page). A business record (a person) is named to a ``viewer``
    who may see it. A row that is gone is missing (shown as "#17")."""
    names = {
        (type(obj), obj.pk): str(obj) for obj in known if obj is not None and _named(type(obj))
    }
    wanted: dict = defaultdict(set)
    for event in events:
        after = event.after if isinstance(event.after, dict) else {}
        before = event.before if isinstance(event.before, dict) else {}
        for key in after:
            model = _pointed_model(_field(event.object_type, key))
            if model is None:
                continue
            for value in (before.get(key), after[key]):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, int) and not isinstance(item, bool):
                        if (model, item) not in names:
                            wanted[model].add(item)
    for model, pks in wanted.items():
        rows = model._default_manager.all() if _named(model) else None
        if rows is None and viewer is not None:
            rows = _visible(viewer, model)
        if rows is not None:
            for found in rows.filter(pk__in=pks):
                names[(model, found.pk)] = str(found)
    return names


HIDDEN = "***"


def _model_of(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def hidden_objects(viewer, events) -> set[tuple[str, str]]:
    """(object_type, object_id) of the business records named in ``events`` that
    ``viewer`` may not see.

    The audit administrator reads the log but, by 三权分立, no business record: they
    learn that the person #12 was changed, and by whom, but not the person's name or
    the values. Accounts and reference data (units, districts) stay readable; a model
    nobody registered with ``orgs.scoping`` is hidden (fail closed). What the viewer may
    see is asked of the history scope the organisation app registers (``audit.scope``)."""
    history_scope = scope.current()
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            wanted[event.object_type].add(event.object_id)
    hidden: set[tuple[str, str]] = set()
    for object_type, ids in wanted.items():
        model = _model_of(object_type)
        if model is None:
            continue  # not a model (e.g. an import file): nothing to look up
        try:
            allowed = history_scope.restricted(viewer, model)
        except LookupError:
            hidden |= {(object_type, i) for i in ids}
            continue
        if allowed is None:
            continue
        pks = []
        for raw in ids:
            try:
                pks.append(model._meta.pk.to_python(raw))
            except ValidationError:
                continue
        seen = {str(pk) for pk in allowed.filter(pk__in=pks).values_list("pk", flat=True)}
        hidden |= {(object_type, i) for i in ids - seen}
    return hidden


def readable(events, viewer=None, known=()) -> list[HistoryEntry]:
    """Each event as a sentence in the active language plus its field changes.

    With a ``viewer``, records that viewer may not see appear as "person #12" with
    their values hidden (``hidden_objects``). ``known``: reference rows or accounts the
    page has read already, named without a query."""
    events = list(events)
    hidden = hidden_objects(viewer, events) if viewer is not None else set()
    names = _names(events, known, viewer)
    out = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        masked = (event.object_type, event.object_id) in hidden
        label = None
        if masked:
            model = _model_of(event.object_type)
            name = str(model._meta.verbose_name) if model else event.object_type
            label = f"{name} #{event.object_id}"
        changes = []
        if isinstance(after, dict):
            for key in after:
                if field_hidden((event.action, event.object_type), key):
                    continue
                old = before.get(key) if isinstance(before, dict) else None
                new = after[key]
                old = _shown(event.object_type, key, old, names, event.action)
                new = _shown(event.object_type, key, new, names, event.action)
                if masked:
                    old = HIDDEN if old is not None else None
                    new = HIDDEN
                changes.append(Change(_label(event.object_type, key, event.action), old, new))
        out.append(HistoryEntry(event, describe(event, object_label=label), changes))
    return out


# Saves further apart than this start a new entry: a new sitting at the form.
SESSION_GAP = timedelta(minutes=30)


def _same_sitting(run: list[HistoryEntry], entry: HistoryEntry) -> bool:
    last = run[-1].event  # the entries come newest first: ``entry`` is older
    return (
        entry.event.actor_id == last.actor_id
        and entry.event.actor_name == last.actor_name
        and last.at - entry.event.at <= SESSION_GAP
    )


def _run_entry(run: list[HistoryEntry]) -> HistoryEntry:
    newest, oldest = run[0].event, run[-1].event
    start = timezone.localtime(oldest.at).strftime("%H:%M")
    end = timezone.localtime(newest.at).strftime("%H:%M")
    text = _("%(actor)s saved changes %(count)d times (%(when)s)") % {
        "actor": newest.actor_name or _("System"),
        "count": len(run),
        "when": start if start == end else f"{start}–{end}",
    }
    return HistoryEntry(newest, text, [], saves=run)


def grouped(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """``entries`` (newest first) with each run of saves (``messages.SAVES``) by one
    person, no more than ``SESSION_GAP`` apart, as one entry that holds them; a single
    save stays as it is."""
    out: list[HistoryEntry] = []
    run: list[HistoryEntry] = []

    def close() -> None:
        if len(run) > 1:
            out.append(_run_entry(list(run)))
        else:
            out.extend(run)
        run.clear()

    for entry in entries:
        if entry.event.action in SAVES:
            if run and not _same_sitting(run, entry):
                close()
            run.append(entry)
            continue
        close()
        out.append(entry)
    close()
    return out


def history(obj: Model, limit: int = 200, known=()) -> list[HistoryEntry]:
    """``obj``'s history for its page, newest first, a sitting's saves as one entry."""
    return grouped(readable(events_for(obj)[:limit], known=known))


def _walk(
    published: checkpoints.Published | None, states: dict | None, chunk_size: int
) -> Problem | None:
    """The chain's first problem; ``states`` filled with the last recorded state of each
    watched row on the way (``waishi.audit.state``)."""
    if published is None:
        published = checkpoints.load()
    if published.forged:
        seq = published.forged[0]
        return Problem(seq, "checkpoint_forged", f"a checkpoint line (row {seq}) is not ours")
    head = AuditHead.objects.filter(pk=1).values("seq", "hash", "seal").first()
    if head is None:
        # Only an emptied database has no head (the migrations make it): with rows, it
        # was deleted.
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        if last is not None:
            return Problem(last, "head_missing", "the head of the chain is missing")
        head = {"seq": 0, "hash": GENESIS, "seal": head_seal(0, GENESIS)}
    rows = AuditEvent.objects.filter(seq__lte=head["seq"]).order_by("seq")
    for problem in verify_rows(
        rows.values(*HASHED_FIELDS, "state", "hash").iterator(chunk_size=chunk_size),
        head_seq=head["seq"],
        head_hash=head["hash"],
        checkpoints=published.hashes,
        states=states,
    ):
        return problem
    # record() moves the head in the transaction that adds a row: a row beyond the
    # head was written some other way (or the head was wound back to hide it).
    current_head = Coalesce(Subquery(AuditHead.objects.filter(pk=1).values("seq")[:1]), Value(0))
    beyond = (
        AuditEvent.objects.filter(seq__gt=current_head)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if beyond is not None:
        return Problem(
            beyond,
            "inserted",
            f"row {beyond} lies beyond the head of the chain (row {head['seq']})",
        )
    if head["seal"] != head_seal(head["seq"], head["hash"]):
        return Problem(
            head["seq"],
            "head_seal",
            f"the head (row {head['seq']}) does not match its seal: it was moved",
        )
    if published.top > head["seq"]:
        return Problem(
            published.top,
            "shorter_than_checkpoint",
            f"the chain ends at row {head['seq']} but a checkpoint was published at row "
            f"{published.top}",
        )
    if head["seq"] == 0 and state.business_rows():
        return Problem(0, "empty", "the chain is empty but the business tables hold rows")
    return None


def verify_chain(
    chunk_size: int = 5000, published: checkpoints.Published | None = None
) -> Problem | None:
    """Walk the whole chain in order; the first problem found, or None when intact.

    Besides each row's link and seal: the head's seal, the checkpoints published outside
    the database (``published``, by default those of ``checkpoints.path()``), and that an
    empty chain goes with empty business tables.

    Safe while others write: the rows up to the head as read first are checked (each
    was committed with the head that counts it), and rows beyond the head are looked
    for in one statement with the head, so a row committed meanwhile is not a forgery."""
    return _walk(published, None, chunk_size)


@dataclass
class Verification:
    problem: Problem | None
    differences: list[state.Difference]

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.differences


def verify(chunk_size: int = 5000, published: checkpoints.Published | None = None) -> Verification:
    """``verify_chain``, then the watched state the chain last recorded compared with the
    database (collected in the same pass over the rows; one read of each watched model).
    The comparison is skipped when the chain itself is broken: its rows cannot be trusted."""
    states: dict = {}
    problem = _walk(published, states, chunk_size)
    if problem is not None:
        return Verification(problem, [])
    return Verification(None, state.compare(states))


def chain_length() -> int:
    head = AuditHead.objects.filter(pk=1).first()
    return head.seq if head else 0
