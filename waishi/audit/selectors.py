"""Reads of the audit chain: an object's history, the log, and verification."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet

from waishi.audit.chain import HASHED_FIELDS, Problem, verify_rows
from waishi.audit.messages import describe
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


def _label(object_type: str, field: str) -> str:
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(field).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return field


def readable(events) -> list[HistoryEntry]:
    """Each event as a sentence in the active language plus its field changes."""
    out = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = []
        if isinstance(after, dict):
            for key in after:
                changes.append(
                    Change(
                        _label(event.object_type, key),
                        before.get(key) if isinstance(before, dict) else None,
                        after[key],
                    )
                )
        out.append(HistoryEntry(event, describe(event), changes))
    return out


def history(obj: Model, limit: int = 200) -> list[HistoryEntry]:
    return readable(events_for(obj)[:limit])


def verify_chain(chunk_size: int = 5000) -> Problem | None:
    """Walk the whole chain in order; the first problem found, or None when intact."""
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    rows = AuditEvent.objects.order_by("seq").values(*HASHED_FIELDS, "hash")
    for problem in verify_rows(
        rows.iterator(chunk_size=chunk_size), head_seq=head_seq, head_hash=head_hash
    ):
        return problem
    return None


def chain_length() -> int:
    head = AuditHead.objects.filter(pk=1).first()
    return head.seq if head else 0
