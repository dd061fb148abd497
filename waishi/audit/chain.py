"""Hashing and verification of the audit chain (no Django request objects in here)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from waishi.audit.models import GENESIS
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
        # What strftime("%Y-%m-%dT%H:%M:%S.%fZ") gives, several times faster (verify
        # formats every row's time).
        utc = value.astimezone(dt.UTC).replace(tzinfo=None)
        return utc.isoformat(timespec="microseconds") + "Z"
    raise TypeError(f"cannot hash {type(value).__name__}")


def canonical(row: dict) -> bytes:
    """The bytes a row's hash covers. ``state`` (the watched fields' values after the
    event, ``waishi.audit.state``) joins them only when the row has one, so the rows
    written before it existed keep their hashes."""
    content = {k: row[k] for k in HASHED_FIELDS}
    if row.get("state") is not None:
        content["state"] = row["state"]
    return json.dumps(
        content,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_default,
    ).encode()


def audit_key() -> bytes:
    return bytes.fromhex(settings.AUDIT_KEY)


def row_hash(row: dict, key: bytes | None = None) -> str:
    """``key``: ``audit_key()`` read once by a caller hashing many rows."""
    return hmac_sm3(key or audit_key(), canonical(row))


def head_seal(seq: int, hash_: str) -> str:
    """The seal of the chain's head: HMAC-SM3 under the audit key over its row number and
    hash, so that someone who can write the database but has not the key cannot wind the
    head back to hide rows deleted at the end."""
    message = b"waishi audit head\x00%d\x00%s" % (seq, hash_.encode())
    return hmac_sm3(audit_key(), message)


KIND_MESSAGES = {
    "edited": _("row %(seq)d was changed after it was written"),
    "missing": _("row %(seq)d is missing: it was deleted"),
    "inserted": _("row %(seq)d was inserted from outside the application"),
    "inserted_or_deleted": _(
        "row %(seq)d does not follow the row before it: a row was inserted or deleted there"
    ),
    "truncated": _("the chain stops before row %(seq)d: rows were deleted at its end"),
    "head_missing": _(
        "the head of the chain is missing: it was deleted (the last row found is %(seq)d)"
    ),
    "head_seal": _(
        "the head of the chain (row %(seq)d) does not match its seal: it was moved or "
        "changed outside the application"
    ),
    "shorter_than_checkpoint": _(
        "the chain is shorter than a checkpoint published outside the database (row "
        "%(seq)d): rows were deleted at its end"
    ),
    "checkpoint_differs": _(
        "row %(seq)d differs from the checkpoint published outside the database: the "
        "chain was rewritten"
    ),
    "checkpoint_forged": _(
        "a checkpoint in the file outside the database (row %(seq)d) is not sealed with "
        "the audit key: the file was changed"
    ),
    "empty": _(
        "the chain is empty but the database holds accounts, units or trips: the chain was deleted"
    ),
}


@dataclass(frozen=True)
class Problem:
    seq: int  # the row to look at
    kind: str  # a key of KIND_MESSAGES
    detail: str  # English, for the command line and the logs

    @property
    def message(self) -> str:
        """The problem in the reader's language, for pages and notices."""
        return str(KIND_MESSAGES[self.kind]) % {"seq": self.seq}


def verify_rows(
    rows: Iterable[dict],
    *,
    head_seq: int,
    head_hash: str,
    checkpoints: dict[int, str] | None = None,
    states: dict[str, dict | None] | None = None,
) -> Iterator[Problem]:
    """Yield the problems of a chain given in ``seq`` order; stops at the first break.

    ``rows`` are the rows up to the head (``seq <= head_seq``); rows beyond the head are
    the caller's to look for (``selectors.verify_chain``). ``checkpoints``: {seq: hash}
    published outside the database, each checked as its row goes by. ``states``, when
    given, is filled in the same pass with the last recorded state of each watched object
    (``waishi.audit.state``)."""
    checkpoints = checkpoints or {}
    key = audit_key()
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
        if row_hash(row, key) != row["hash"]:
            yield Problem(
                seq, "edited", f"row {seq} does not match its seal: changed after it was written"
            )
            return
        if checkpoints and seq in checkpoints and checkpoints[seq] != row["hash"]:
            yield Problem(seq, "checkpoint_differs", f"row {seq} differs from its checkpoint")
            return
        if states is not None and row.get("state"):
            states.update(row["state"])
        prev = row["hash"]
        expected_seq += 1
    last = expected_seq - 1
    if last != head_seq or prev != head_hash:
        yield Problem(
            last + 1,
            "truncated",
            f"the chain ends at row {last} but its head records row {head_seq}",
        )
