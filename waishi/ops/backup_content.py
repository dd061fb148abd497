"""What a backup holds, read the same way from a backup and from a database.

A table's content is its row count and an SM3 over its column names and then its rows in
primary-key order (text keys under the "C" collation on PostgreSQL, so that the order does
not depend on the database's collation), each row as canonical JSON. Both are read from
one snapshot of the database (``sqlite_reader``, ``postgresql_reader``). Keys appear only
as fingerprints.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import shutil
import sqlite3
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from waishi.audit.models import GENESIS, AuditHead

FETCH_ROWS = 2000
CHUNK_BYTES = 1 << 20


class Progress:
    """Lines on stderr: ``say`` always, ``tick`` at most every ``every`` seconds, so that
    only work taking longer than that shows progress."""

    def __init__(self, write: Callable[[str], object] | None = None, every: float = 2.0):
        self._write, self.every = write, every
        self._last = time.monotonic()

    def say(self, text: str) -> None:
        if self._write is not None:
            self._write(text)
        self._last = time.monotonic()

    def tick(self, text: Callable[[], str]) -> None:
        if time.monotonic() - self._last >= self.every:
            self.say(text())


class _Sm3:
    """Incremental SM3 (``waishi.lib.crypto.sm3`` hashes one bytes object)."""

    def __init__(self) -> None:
        self._hash = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


def file_sm3(path: Path, progress: Progress | None = None) -> str:
    digest, done, size = _Sm3(), 0, path.stat().st_size
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress.tick(lambda d=done: f"SM3 of {path.name}: {d >> 20} of {size >> 20} MB")
    return digest.hexdigest()


# --- what is hashed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]  # the columns that order its rows (the primary key)
    text_key: bool  # ordered under the "C" collation on PostgreSQL, whatever the database's

    def spec(self) -> dict:
        return {"key": list(self.key), "text_key": self.text_key}

    @classmethod
    def from_manifest(cls, name: str, entry: dict) -> Table:
        return cls(name, tuple(entry["key"]), bool(entry.get("text_key")))


TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "FilePathField", "FileField"}


def _stored_type(model_field) -> str:
    while model_field.is_relation:
        model_field = model_field.target_field
    return model_field.get_internal_type()


def model_tables() -> list[Table]:
    """Every table of a Django model (many-to-many tables included), and the migrations."""
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.db_table in found:
            continue
        key_fields = list(getattr(opts.pk, "fields", None) or [opts.pk])
        found[opts.db_table] = Table(
            opts.db_table,
            tuple(f.column for f in key_fields),
            any(_stored_type(f) in TEXT_TYPES for f in key_fields),
        )
    found.setdefault("django_migrations", Table("django_migrations", ("id",), False))
    return sorted(found.values(), key=lambda t: t.name)


def _plain(value):
    """JSON for what database drivers return beyond JSON's own types."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.timedelta):
        return str(value)
    return repr(value)


def _line(values) -> bytes:
    text = json.dumps(
        list(values), ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=_plain
    )
    return text.encode() + b"\n"


@dataclass
class Reader:
    """One consistent read of a database: new cursors over one snapshot."""

    vendor: str
    cursor: Callable[[], object]  # a new cursor (server-side on PostgreSQL)
    snapshot: str = ""  # PostgreSQL: the exported snapshot pg_dump can share

    def scalar(self, sql: str, params: tuple = ()):
        with closing(self.cursor()) as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        return row[0] if row else None

    def existing_tables(self) -> set[str]:
        if self.vendor == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            # The tables of the search path's schemas, not the system catalogue's.
            sql = (
                "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                "AND n.nspname = ANY (current_schemas(false)) "
                "AND pg_catalog.pg_table_is_visible(c.oid)"
            )
        with closing(self.cursor()) as cur:
            cur.execute(sql)
            return {row[0] for row in cur.fetchall()}


def quote(name: str) -> str:
    """An SQL identifier, quoted as both SQLite and PostgreSQL read it (names come from the
    manifest too, so an embedded quote is doubled)."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def sqlite_reader(path: Path) -> Iterator[Reader]:
    """A read-only snapshot of a SQLite file (one read transaction for every table)."""
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, isolation_level=None, timeout=20)) as con:
        con.execute("BEGIN")
        try:
            yield Reader("sqlite", con.cursor)
        finally:
            con.execute("ROLLBACK")


@contextmanager
def postgresql_reader(alias: str = DEFAULT_DB_ALIAS) -> Iterator[Reader]:
    """A repeatable-read, read-only transaction on Django's connection, its snapshot
    exported so that pg_dump can read exactly the same rows."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise RuntimeError("a consistent read cannot run inside another transaction")
    with transaction.atomic(using=alias):
        with connection.cursor() as cur:
            # The first statement of the transaction: it fixes the snapshot.
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
        yield Reader("postgresql", connection.chunked_cursor, snapshot)


def digest_table(reader: Reader, table: Table, on_rows: Callable[[int], None]) -> tuple[int, str]:
    """Row count and SM3 of one table: its column names, then each row in key order."""
    collate = ' COLLATE "C"' if reader.vendor == "postgresql" and table.text_key else ""
    order = ", ".join(quote(column) + collate for column in table.key)
    digest, count = _Sm3(), 0
    with closing(reader.cursor()) as cur:
        cur.execute(f"SELECT * FROM {quote(table.name)} ORDER BY {order}")  # noqa: S608
        digest.update(_line(column[0] for column in cur.description))
        while rows := cur.fetchmany(FETCH_ROWS):
            for row in rows:
                digest.update(_line(row))
            count += len(rows)
            on_rows(count)
    return count, digest.hexdigest()


def audit_head(reader: Reader, existing: set[str]) -> dict:
    head = {"seq": 0, "hash": GENESIS}
    table = AuditHead._meta.db_table
    if table in existing:
        with closing(reader.cursor()) as cur:
            # Every column: a database from before the head's seal has no such column.
            cur.execute(f"SELECT * FROM {quote(table)} WHERE id = 1")  # noqa: S608
            names = [column[0] for column in cur.description]
            row = cur.fetchone()
        if row is not None:
            found = dict(zip(names, row, strict=True))
            head = {"seq": int(found["seq"]), "hash": found["hash"]}
            if "seal" in found:
                head["seal"] = found["seal"]
    return head


def read_content(reader: Reader, tables: list[Table], progress: Progress) -> dict:
    """Counts and checksums of those of ``tables`` that exist, and the audit head."""
    existing = reader.existing_tables()
    present = [t for t in tables if t.name in existing]
    out: dict[str, dict] = {}
    done_rows = 0
    for number, table in enumerate(present, 1):

        def report(rows: int, number=number, table=table, before=done_rows) -> None:
            progress.tick(
                lambda: (
                    f"checksums: table {number}/{len(present)} {table.name}, "
                    f"{before + rows:,} rows read"
                )
            )

        rows, digest = digest_table(reader, table, report)
        done_rows += rows
        out[table.name] = {"rows": rows, "sm3": digest, **table.spec()}
    return {"tables": out, "audit_head": audit_head(reader, existing)}


# --- keys and versions -----------------------------------------------------------------------


def _fingerprint(secret: str) -> str:
    """Names a key without revealing it: 64 bits of SM3 over a label and the key."""
    digest = _Sm3()
    digest.update(b"waishi key fingerprint\x00" + secret.encode())
    return digest.hexdigest()[:16]


def key_fingerprints() -> dict:
    field_keys = {}
    for item in settings.FIELD_KEYS.split(","):
        key_id, _sep, hexkey = item.strip().partition(":")
        if key_id:
            field_keys[key_id] = _fingerprint(hexkey.lower())
    return {
        "field_keys": field_keys,
        "blind_index_key": _fingerprint(settings.BLIND_INDEX_KEY),
        "audit_key": _fingerprint(settings.AUDIT_KEY),
    }


def key_warnings(recorded: dict) -> list[str]:
    """What the configured keys cannot do with the restored data."""
    now, out = key_fingerprints(), []
    for key_id, fingerprint in recorded.get("field_keys", {}).items():
        if key_id not in now["field_keys"]:
            out.append(
                f"WAISHI_FIELD_KEYS has no key {key_id!r}, which was configured when the "
                "backup was made: values encrypted with it cannot be read"
            )
        elif now["field_keys"][key_id] != fingerprint:
            out.append(
                f"WAISHI_FIELD_KEYS key {key_id!r} is not the key of that name when the backup "
                "was made: values encrypted with it cannot be read"
            )
    if recorded.get("blind_index_key") not in (None, now["blind_index_key"]):
        out.append(
            "WAISHI_BLIND_INDEX_KEY differs from the backup's: exact search by ID number will "
            "not find the restored people"
        )
    if recorded.get("audit_key") not in (None, now["audit_key"]):
        out.append(
            "WAISHI_AUDIT_KEY differs from the backup's: the restored audit chain cannot verify"
        )
    return out


def app_version() -> dict:
    try:
        version = metadata.version("waishi")
    except metadata.PackageNotFoundError:
        version = None
    revision = None
    checkout = Path(settings.PACKAGE_DIR).parent
    if (checkout / ".git").exists() and shutil.which("git"):
        try:
            done = subprocess.run(  # noqa: S603
                ["git", "-C", str(checkout), "rev-parse", "HEAD"],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if done.returncode == 0:
                revision = done.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            revision = None
    return {"version": version, "git_revision": revision}


def compare(manifest: dict, content: dict) -> list[str]:
    """Every way the restored database differs from the manifest."""
    out = []
    for name, expected in sorted(manifest["tables"].items()):
        found = content["tables"].get(name)
        if found is None:
            out.append(f"table {name} is missing (the backup has {expected['rows']} rows)")
        elif found["rows"] != expected["rows"]:
            out.append(f"table {name}: {found['rows']} rows, the backup has {expected['rows']}")
        elif found["sm3"] != expected["sm3"]:
            out.append(
                f"table {name}: {found['rows']} rows as in the backup, but their content "
                "differs (SM3 checksum)"
            )
    expected_head = manifest["audit_head"]
    # Only what the manifest has (a manifest from before the head's seal has no seal).
    head = {k: content["audit_head"].get(k) for k in expected_head}
    if head != expected_head:
        out.append(
            f"audit head: row {head['seq']} ({head['hash'][:12]}…), the backup has row "
            f"{expected_head['seq']} ({expected_head['hash'][:12]}…)"
        )
    return out
