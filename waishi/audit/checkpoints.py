"""Checkpoints of the chain's head published outside the database.

The head's seal stops someone without the audit key from winding the head back to a
head they make up, but not to an older head they saw (its seal is in the database). So
the nightly check and every backup publish the head they vouch for — row number, hash,
seal, time — as a log line and as one JSON line appended to a file under the var
directory (``settings.AUDIT_CHECKPOINT_FILE``, opened ``O_APPEND``; make it append-only
with ``chattr +a`` or ship the log elsewhere). ``waishi audit verify`` then fails when the
chain is shorter than a published checkpoint or differs from it at its row.

Each line carries a ``mac`` (HMAC-SM3 under a key derived from the audit key), so a line
cannot be made up from what the database shows. ``waishi restore`` appends a line of kind
``restored`` for the head of the backup it put back: the checkpoints before it describe a
history the restore replaced, and only those after it are checked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

from waishi.audit.chain import head_seal
from waishi.audit.models import AuditHead
from waishi.lib.crypto import hmac_sm3

log = logging.getLogger(__name__)

CHECKPOINT, RESTORED = "checkpoint", "restored"


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _mac_key() -> bytes:
    return bytes.fromhex(hmac_sm3(bytes.fromhex(settings.AUDIT_KEY), b"waishi audit checkpoint"))


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    seal: str
    at: str
    source: str
    kind: str = CHECKPOINT

    def content(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    def mac(self) -> str:
        return hmac_sm3(_mac_key(), self.content())

    @property
    def sealed(self) -> bool:
        return self.seal == head_seal(self.seq, self.hash)

    def line(self) -> str:
        return json.dumps({**asdict(self), "mac": self.mac()}, ensure_ascii=False) + "\n"

    @classmethod
    def of_head(cls, head: dict, source: str, kind: str = CHECKPOINT) -> Checkpoint:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return cls(int(head["seq"]), head["hash"], head.get("seal") or "", now, source, kind)

    @classmethod
    def from_dict(cls, data: dict) -> Checkpoint:
        return cls(
            int(data["seq"]),
            str(data["hash"]),
            str(data["seal"]),
            str(data["at"]),
            str(data.get("source", "")),
            str(data.get("kind", CHECKPOINT)),
        )


def write(checkpoint: Checkpoint) -> None:
    """Append ``checkpoint`` to the file (one ``write`` of one line, ``O_APPEND``) and log it."""
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, checkpoint.line().encode())
    finally:
        os.close(fd)
    log.info(
        "audit checkpoint (%s, %s): row %d, hash %s, seal %s",
        checkpoint.kind,
        checkpoint.source,
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.seal,
    )


def publish_head(head: dict, source: str, kind: str = CHECKPOINT) -> Checkpoint | None:
    """Publish ``head`` ({seq, hash, seal}) when its seal holds; None (and an error in the
    log) when it does not: a checkpoint never vouches for a head moved outside the app."""
    checkpoint = Checkpoint.of_head(head, source, kind)
    if not checkpoint.sealed:
        log.error(
            "audit checkpoint not published (%s): the head (row %d) does not match its seal",
            source,
            checkpoint.seq,
        )
        return None
    write(checkpoint)
    return checkpoint


def publish(source: str) -> Checkpoint | None:
    """Publish the database's current head."""
    head = AuditHead.objects.filter(pk=1).values("seq", "hash", "seal").first()
    if head is None:
        return None
    return publish_head(head, source)


@dataclass
class Published:
    """The checkpoints that bind the chain now: {seq: hash} of those since the last
    restore, the highest row among them, and the lines that are not ours."""

    hashes: dict[int, str]
    forged: list[int]

    @property
    def top(self) -> int:
        return max(self.hashes, default=0)


def load(file: Path | None = None) -> Published:
    target = file or path()
    hashes: dict[int, str] = {}
    forged: list[int] = []
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Published(hashes, forged)
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            checkpoint = Checkpoint.from_dict(data)
            genuine = data.get("mac") == checkpoint.mac() and checkpoint.sealed
        except (ValueError, KeyError, TypeError, AttributeError):
            data, checkpoint, genuine = {}, None, False
        if not genuine:
            seq = data.get("seq") if isinstance(data, dict) else None
            forged.append(seq if isinstance(seq, int) else 0)
            continue
        if checkpoint.kind == RESTORED:
            hashes = {}
        hashes[checkpoint.seq] = checkpoint.hash
    return Published(hashes, forged)
