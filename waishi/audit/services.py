"""``record(...)``: the one way anything enters the audit chain.

Call it inside the transaction of the change it records, so that the change and its
event commit or roll back together. Writers queue on the ``AuditHead`` row lock; on
SQLite the IMMEDIATE transaction mode already serialises writers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from waishi.audit import state as watched
from waishi.audit.chain import audit_key, head_seal, row_hash
from waishi.audit.models import GENESIS, AuditEvent, AuditHead
from waishi.lib.middleware import current_request_id


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The given fields of ``instance`` as JSON-safe values (foreign keys as ids)."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname)
        out[name] = _jsonable(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value changed, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _who(user) -> tuple[int | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    name = getattr(user, "full_name", "") or ""
    return user.pk, f"{user.get_username()}（{name}）" if name else user.get_username()


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The migrations make the head; only an emptied database lacks it. With rows left
        # it was deleted: the new head stays unsealed, for ``verify`` to report.
        seal = "" if AuditEvent.objects.exists() else head_seal(0, GENESIS)
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS, "seal": seal})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _event(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
    on_behalf_of=None,
    ip: str = "",
    actor_name: str = "",
    state_of: Iterable[models.Model] = (),
    state: dict | None = None,
) -> tuple[dict[str, Any], list, dict]:
    """An event's row without its place in the chain (``seq``, ``at``, ``state``,
    ``prev_hash``, ``hash``); the objects whose watched state it records; the state given."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_id, name = _who(actor)
    behalf_id, behalf_name = _who(on_behalf_of)
    request_id = current_request_id()
    row = {
        "actor_id": actor_id,
        "actor_name": (actor_name or name)[:150],
        "on_behalf_of_id": behalf_id,
        "on_behalf_of_name": behalf_name[:150],
        "ip": ip or "",
        "request_id": request_id if request_id != "-" else "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": str(object_repr)[:200],
        "before": _jsonable(before),
        "after": _jsonable(after),
        "data": _jsonable(data),
    }
    return row, [obj, *state_of], state or {}


def _chained(row: dict, *, seq: int, at, recorded: dict, prev_hash: str, key: bytes) -> dict:
    """``row`` as the ``seq``-th row of the chain, after ``prev_hash``, hashed."""
    row = {
        "seq": seq,
        "at": at,
        **row,
        "state": recorded or None,
        "prev_hash": prev_hash,
    }
    # Hash what the database will give back: microsecond precision, UTC.
    row["hash"] = row_hash(row, key)
    return row


def _move_head(head: AuditHead, seq: int, hash_: str) -> None:
    # A head moved outside the application (its seal broken) is not sealed again by
    # the next event: that would launder the move.
    sealed = head.seal == head_seal(head.seq, head.hash)
    head.seq, head.hash = seq, hash_
    head.seal = head_seal(head.seq, head.hash) if sealed else ""
    head.save(update_fields=["seq", "hash", "seal"])


def record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
    on_behalf_of=None,
    ip: str = "",
    actor_name: str = "",
    state_of: Iterable[models.Model] = (),
    state: dict | None = None,
) -> AuditEvent:
    """Append one event. ``action`` is a dotted code with a readable template in
    ``waishi.audit.messages``; ``obj`` fills the object fields.

    The watched fields (``waishi.audit.state``) of ``obj`` and of ``state_of`` are read
    back from the database and written into the event, so call it after the change it
    records; ``state`` gives such values already read ({key: state})."""
    row, objects, given = _event(
        action=action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        data=data,
        on_behalf_of=on_behalf_of,
        ip=ip,
        actor_name=actor_name,
        state_of=state_of,
        state=state,
    )
    with transaction.atomic():
        head = _lock_head()
        # Read under the head's lock: the event that comes last holds the latest values.
        recorded = {**given, **watched.read_state(objects)}
        row = _chained(
            row,
            seq=head.seq + 1,
            at=timezone.now(),
            recorded=recorded,
            prev_hash=head.hash,
            key=audit_key(),
        )
        event = AuditEvent.objects.create(**row)
        _move_head(head, row["seq"], row["hash"])
    return event


def _insert(rows: list[dict]) -> None:
    """INSERT ``rows`` (complete audit rows) with one prepared statement (``executemany``):
    what ``AuditEvent.objects.create`` stores, without building a model a row (the scale
    data writes two million). Only the time and the JSON fields need the driver's form."""
    fields = list(AuditEvent._meta.concrete_fields)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    plain = [f.attname for f in fields]
    prepared = [
        (n, f)
        for n, f in enumerate(fields)
        if isinstance(f, models.DateTimeField | models.JSONField)
    ]
    params = []
    for row in rows:
        values = [row[name] for name in plain]
        for n, f in prepared:
            values[n] = f.get_db_prep_save(values[n], connection)
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def record_many(events: Iterable[Mapping[str, Any]], *, chunk: int = 1000) -> int:
    """Append many events, as many calls of ``record`` would, one after the other: the
    same rows, the same chain, the same head and seal; the number of events written.

    Each event is a mapping of ``record``'s keyword arguments, and may give ``at`` (an
    aware datetime, when the event happened: history written in bulk, the scale data);
    without it the event is stamped now, as ``record`` does. The events are written
    ``chunk`` at a time under one lock of the head, the watched state of each chunk's
    objects read in one query per model: so make every change the events record
    before calling it, as before ``record``. The head stays locked until the last chunk
    is written, so other writers wait: for what writes history in bulk on purpose (the
    history ``seed-scale`` invents); a page or the API records with ``record``."""
    written = 0
    source = iter(events)
    part = list(itertools.islice(source, chunk))
    if not part:
        return 0
    key = audit_key()
    with transaction.atomic():
        head = _lock_head()
        seq, prev = head.seq, head.hash
        while part:
            prepared = []
            for given_event in part:
                kwargs = dict(given_event)
                at = kwargs.pop("at", None)
                prepared.append((at, *_event(**kwargs)))
            states = watched.read_states([objects for _, _, objects, _ in prepared])
            rows = []
            for (at, row, _, given), read in zip(prepared, states, strict=True):
                seq += 1
                row = _chained(
                    row,
                    seq=seq,
                    at=at or timezone.now(),
                    recorded={**given, **read},
                    prev_hash=prev,
                    key=key,
                )
                prev = row["hash"]
                rows.append(row)
            _insert(rows)
            written += len(rows)
            part = list(itertools.islice(source, chunk))
        _move_head(head, seq, prev)
    return written


def record_state(
    *, actor_name: str, action: str = "audit.state_recorded", chunk: int = 1000
) -> int:
    """Record the watched state of every watched row as it stands, in events of ``chunk``
    rows; the number of events written. For what creates rows in bulk on purpose (the
    demo, ``seed-scale``) and for ``waishi audit baseline`` after an upgrade: whatever
    it records is taken as done by the application, so run it on a database you trust."""
    # One event at a time, each under its own lock of the head: a baseline of a large
    # database does not hold up the application's writers while it reads.
    events = 0
    for part in watched.all_state(chunk):
        record(action=action, actor_name=actor_name, data={"rows": len(part)}, state=part)
        events += 1
    return events


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
