"""Hashing and verification of the audit chain (no Django request objects in here)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from waishi.lib.crypto import hmac_sm3

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "on_behalf_of_id",
    "on_behalf_of_name",
    "ip",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "data",
    "prev_hash",
)


def _default(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    raise TypeError(f"cannot hash {type(value).__name__}")


def canonical(row: dict) -> bytes:
    return json.dumps(
        {k: row[k] for k in HASHED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_default,
    ).encode()


def row_hash(row: dict) -> str:
    return hmac_sm3(bytes.fromhex(settings.AUDIT_KEY), canonical(row))


KIND_MESSAGES = {
    "edited": _("row %(seq)d was changed after it was written"),
    "missing": _("row %(seq)d is missing: it was deleted"),
    "inserted": _("row %(seq)d was inserted from outside the application"),
    "inserted_or_deleted": _(
        "row %(seq)d does not follow the row before it: a row was inserted or deleted there"
    ),
    "truncated": _("the chain stops before row %(seq)d: rows were deleted at its end"),
}


@dataclass(frozen=True)
class Problem:
    seq: int  # the row to look at
    kind: str  # edited | missing | inserted | inserted_or_deleted | truncated
    detail: str  # English, for the command line and the logs

    @property
    def message(self) -> str:
        """The problem in the reader's language, for pages and notices."""
        return str(KIND_MESSAGES[self.kind]) % {"seq": self.seq}


def verify_rows(rows: Iterable[dict], *, head_seq: int, head_hash: str) -> Iterator[Problem]:
    """Yield the problems of a chain given in ``seq`` order; stops at the first break.

    ``rows`` are the rows up to the head (``seq <= head_seq``); rows beyond the head are
    the caller's to look for (``selectors.verify_chain``)."""
    from waishi.audit.models import GENESIS

    expected_seq, prev = 1, GENESIS
    for row in rows:
        seq = row["seq"]
        if seq < expected_seq:
            # Numbers are handed out from 1 and never twice: a lower one was not ours.
            yield Problem(seq, "inserted", f"row {seq} lies outside the sequence")
            return
        if seq > expected_seq:
            yield Problem(
                expected_seq, "missing", f"row {expected_seq} is missing (found row {seq} next)"
            )
            return
        if row["prev_hash"] != prev:
            yield Problem(
                seq, "inserted_or_deleted", f"row {seq} does not follow the row before it"
            )
            return
        if row_hash(row) != row["hash"]:
            yield Problem(
                seq, "edited", f"row {seq} does not match its seal: changed after it was written"
            )
            return
        prev = row["hash"]
        expected_seq += 1
    last = expected_seq - 1
    if last != head_seq or prev != head_hash:
        yield Problem(
            last + 1,
            "truncated",
            f"the chain ends at row {last} but its head records row {head_seq}",
        )
