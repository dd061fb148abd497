"""``record(...)``: the one way anything enters the audit chain.

Call it inside the transaction of the change it records, so that the change and its
event commit or roll back together. Writers queue on the ``AuditHead`` row lock; on
SQLite the IMMEDIATE transaction mode already serialises writers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from waishi.audit import state as watched
from waishi.audit.chain import head_seal, row_hash
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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_id, name = _who(actor)
    behalf_id, behalf_name = _who(on_behalf_of)
    with transaction.atomic():
        head = _lock_head()
        # Read under the head's lock: the event that comes last holds the latest values.
        recorded = {**(state or {}), **watched.read_state([obj, *state_of])}
        row = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_id": actor_id,
            "actor_name": (actor_name or name)[:150],
            "on_behalf_of_id": behalf_id,
            "on_behalf_of_name": behalf_name[:150],
            "ip": ip or "",
            "request_id": current_request_id() if current_request_id() != "-" else "",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": str(object_repr)[:200],
            "before": _jsonable(before),
            "after": _jsonable(after),
            "data": _jsonable(data),
            "state": recorded or None,
            "prev_hash": head.hash,
        }
        # Hash what the database will give back: microsecond precision, UTC.
        row["hash"] = row_hash(row)
        event = AuditEvent.objects.create(**row)
        # A head moved outside the application (its seal broken) is not sealed again by
        # the next event: that would launder the move.
        sealed = head.seal == head_seal(head.seq, head.hash)
        head.seq, head.hash = row["seq"], row["hash"]
        head.seal = head_seal(head.seq, head.hash) if sealed else ""
        head.save(update_fields=["seq", "hash", "seal"])
    return event


def record_state(
    *, actor_name: str, action: str = "audit.state_recorded", chunk: int = 1000
) -> int:
    """Record the watched state of every watched row as it stands, in events of ``chunk``
    rows; the number of events written. For what creates rows in bulk on purpose (the
    demo, ``seed-scale``) and for ``waishi audit baseline`` after an upgrade: whatever
    it records is taken as done by the application, so run it on a database you trust."""
    events = 0
    for part in watched.all_state(chunk):
        record(action=action, actor_name=actor_name, data={"rows": len(part)}, state=part)
        events += 1
    return events


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
