"""Backups that restore verifiably: the logic of ``waishi backup`` and ``waishi restore``.

A backup is two files side by side: the copy of the database and its manifest
(``<copy>.manifest.json``), which says what the copy holds: the row count and an SM3
checksum of every table (its rows in primary-key order), the audit chain's head, and the
SM3 of the copy itself. The manifest is read from the same snapshot as the copy, so the
two agree even while the application writes:

- SQLite: the online backup API copies the live file in one step. In WAL mode that step is
  one read transaction, which writers do not wait for, so the copy is a consistent
  snapshot; the manifest is then read from the copy itself.
- PostgreSQL: ``pg_dump -Fc`` runs on a snapshot exported (``pg_export_snapshot``) by the
  transaction that reads the manifest, so both see exactly the same committed rows.
- MariaDB/MySQL: refused. ``mariadb-dump`` cannot take a snapshot from us, so a manifest
  could not be made to agree with its dump under load (see ``UNSUPPORTED``).

The manifest is signed: HMAC-SM3 under a key derived from ``WAISHI_AUDIT_KEY`` (from the
environment, never in the database or the backup), so a manifest edited to agree with a
doctored copy is refused. It also holds the checkpoint of the audit chain's head the
backup published (``waishi.audit.checkpoints``), so that a restore keeps it.

``restore`` checks the manifest's signature and the copy's SM3 before touching anything,
refuses to overwrite a database in use unless forced, and afterwards compares every table
with the manifest, verifies the audit chain against the backup's checkpoint and compares
the watched state (roles, units, second factors, trip and passport states, quota use)
with what the chain last recorded (``waishi.audit.state``). The keys (``WAISHI_FIELD_KEYS``
and the others) are never in a backup; the manifest keeps only their fingerprints, so that
a restore can say which configured key differs from the one in use when the backup was
made.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext_lazy as _

from waishi.audit import checkpoints
from waishi.audit.checkpoints import Checkpoint, Published
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify
from waishi.lib.crypto import hmac_sm3
from waishi.ops.backup_content import (
    Progress,
    Reader,
    Table,
    app_version,
    compare,
    file_sm3,
    key_fingerprints,
    key_warnings,
    model_tables,
    postgresql_reader,
    quote,
    read_content,
    sqlite_reader,
)

FORMAT = "waishi-backup"
FORMAT_VERSION = 1
MANIFEST_SUFFIX = ".manifest.json"
SIGNATURE = "signature"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
UNSUPPORTED = (
    "waishi backup and restore do not support MariaDB/MySQL: mariadb-dump cannot share a "
    "snapshot, so no manifest could be made to agree with its dump while the application "
    "writes. Back up with `mariadb-dump --single-transaction --routines --triggers` (or "
    "mariabackup), restore with the `mariadb` client, then run `waishi audit verify`."
)
# Sentences of the audit events the commands record (registered by an app's ready()).
AUDIT_MESSAGES = {
    "backup.created": _("{actor} backed up the database to {file} ({rows} rows)"),
    "backup.restored": _(
        "{actor} restored the database from the backup {file} made at {made}; "
        "differences from the backup: {differences}"
    ),
}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the console."""


class Unsupported(BackupError):
    """The configured database is one these commands do not handle."""


# --- the database --------------------------------------------------------------------------------


def vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    """``sqlite`` or ``postgresql``; anything else is refused with the reason."""
    name = connections[alias].vendor  # a class attribute: no connection is opened
    if name == "mysql":
        raise Unsupported(UNSUPPORTED)
    if name not in SUFFIXES:
        raise Unsupported(f"waishi backup does not support the {name} database")
    return name


def _sqlite_path(alias: str = DEFAULT_DB_ALIAS) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if name in {"", ":memory:"} or name.startswith("file:"):
        raise BackupError(f"the SQLite database {name!r} is not a file that can be backed up")
    return Path(name)


def _pg_client(program: str, alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict, str]:
    """argv (connection options, never a password), environment and database name."""
    exe = shutil.which(program)
    if exe is None:
        raise BackupError(
            f"{program} was not found: install the PostgreSQL client tools of the server's "
            "major version or newer (Debian: postgresql-client-<version>)"
        )
    db = connections[alias].settings_dict
    argv = [exe, "--no-password"]
    if db.get("HOST"):
        argv += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        argv += ["--port", str(db["PORT"])]
    if db.get("USER"):
        argv += ["--username", str(db["USER"])]
    env = dict(os.environ, PGAPPNAME=f"waishi {program}")
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for option, variable in {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "passfile": "PGPASSFILE",
        "service": "PGSERVICE",
    }.items():
        if options.get(option):
            env[variable] = str(options[option])
    return argv, env, str(db["NAME"])


def _run_client(
    argv: list[str],
    env: dict,
    progress: Progress,
    *,
    stdout=None,
    watch: Path | None = None,
    meanwhile: Callable[[], dict] | None = None,
) -> dict | None:
    """Run a PostgreSQL client to the end, ticking progress, and ``meanwhile`` while it
    runs (its result is returned); the client's stderr goes into the error."""
    started, name = time.monotonic(), Path(argv[0]).name
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, env=env, stdout=stdout, stderr=errors)  # noqa: S603
        try:
            result = meanwhile() if meanwhile is not None else None
            while process.poll() is None:
                try:
                    process.wait(timeout=progress.every)
                except subprocess.TimeoutExpired:
                    size = f", {watch.stat().st_size >> 20} MB written" if watch else ""
                    progress.tick(lambda s=size: f"{name}: {time.monotonic() - started:.0f} s{s}")
        except BaseException:
            process.kill()
            process.wait()
            raise
        errors.seek(0)
        text = errors.read().decode(errors="replace").strip()
    if process.returncode != 0:
        raise BackupError(
            f"{name} failed (exit {process.returncode}): {text[-2000:] or 'no message'}"
        )
    return result


def _usage(reader: Reader) -> dict:
    existing = reader.existing_tables()
    counts = {}
    for table in model_tables():
        if table.name in existing and table.name != "django_migrations":
            counts[table.name] = reader.scalar(f"SELECT COUNT(*) FROM {quote(table.name)}")  # noqa: S608
    return {
        "accounts": counts.get(get_user_model()._meta.db_table, 0),
        "audit_events": counts.get(AuditEvent._meta.db_table, 0),
        "rows": sum(counts.values()),
        "tables": sum(1 for n in counts.values() if n),
    }


# --- backup -----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: dict

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _new_file(output: str | None, kind: str, when: dt.datetime) -> Path:
    """The backup's path, created empty with mode 0600 (never an existing file).

    ``output`` is a file, or a folder (existing, or written with a trailing slash) for a
    timestamped name; by default the folder is ``var/backups``."""
    if output is None or output.endswith(os.sep) or Path(output).is_dir():
        folder = Path(output) if output else Path(settings.VAR_DIR) / "backups"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stem = f"waishi-{when:%Y%m%dT%H%M%SZ}"
        candidates = [folder / f"{stem}{SUFFIXES[kind]}"]
        candidates += [folder / f"{stem}-{n}{SUFFIXES[kind]}" for n in range(2, 100)]
    else:
        output_path = Path(output)
        output_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        candidates = [output_path]
    for path in candidates:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        os.chmod(path, 0o600)  # whatever the umask
        return path
    raise BackupError(f"{candidates[0]} already exists: a backup never overwrites a file")


def manifest_path_of(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _sqlite_copy(source: str, target: Path, size: int, progress: Progress, uri: bool) -> None:
    """Copy with the online backup API in one step (pages=-1): a single read transaction
    on the source, hence a consistent snapshot that WAL writers do not wait for (stepping
    page by page would restart the copy on every write made meanwhile). The step runs in
    a thread so that progress can be shown while it copies."""
    failure: list[BaseException] = []

    def copy() -> None:
        try:
            with closing(sqlite3.connect(source, uri=uri, timeout=20)) as src:
                with closing(sqlite3.connect(target, timeout=20)) as dst:
                    src.backup(dst)
        except BaseException as exc:  # raised again in the waiting thread
            failure.append(exc)

    worker = threading.Thread(target=copy, name="waishi-sqlite-copy", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(timeout=progress.every)
        progress.tick(lambda: f"copying: {target.stat().st_size >> 20} of {size >> 20} MB")
    if failure:
        raise failure[0]


def _backup_sqlite(target: Path, progress: Progress) -> dict:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"the database file {source} does not exist")
    progress.say(f"copying {source} ({source.stat().st_size >> 20} MB) to {target} ...")
    _sqlite_copy(str(source), target, source.stat().st_size, progress, uri=False)
    with closing(sqlite3.connect(target)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
    with sqlite_reader(target) as reader:
        return read_content(reader, model_tables(), progress)


def _backup_postgresql(target: Path, progress: Progress) -> dict:
    argv, env, name = _pg_client("pg_dump")
    progress.say(f"dumping the PostgreSQL database {name} to {target} ...")
    with postgresql_reader() as reader, target.open("wb") as out:
        # pg_dump takes the snapshot this transaction exported (it stays open until pg_dump
        # is done); the checksums are read meanwhile, from that same snapshot.
        return _run_client(
            [*argv, "--format=custom", f"--snapshot={reader.snapshot}", "--dbname", name],
            env,
            progress,
            stdout=out,
            watch=target,
            meanwhile=lambda: read_content(reader, model_tables(), progress),
        )


def _server_version(kind: str) -> str:
    if kind == "sqlite":
        return sqlite3.sqlite_version
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


def backup(output: str | None = None, progress: Progress | None = None) -> BackupResult:
    """Copy the configured database to a new file and write its manifest beside it."""
    progress = progress or Progress()
    kind = vendor()
    when = _utc_now()
    path = _new_file(output, kind, when)
    try:
        content = (_backup_sqlite if kind == "sqlite" else _backup_postgresql)(path, progress)
        checkpoint = _checkpoint(content["audit_head"], path, progress)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "vendor": kind,
            "server_version": _server_version(kind),
            "created_at": when.isoformat().replace("+00:00", "Z"),
            "app": app_version(),
            "file": {
                "name": path.name,
                "bytes": path.stat().st_size,
                "sm3": file_sm3(path, progress),
            },
            "tables": content["tables"],
            "audit_head": content["audit_head"],
            "checkpoint": asdict(checkpoint) if checkpoint else None,
            "keys": key_fingerprints(),
            "note": (
                "The encryption keys (WAISHI_FIELD_KEYS, WAISHI_BLIND_INDEX_KEY, "
                "WAISHI_AUDIT_KEY, WAISHI_SECRET_KEY) are not in this backup; only their "
                "fingerprints are. Uploaded files (the media folder) are not in it either."
            ),
        }
        manifest[SIGNATURE] = sign(manifest)
        manifest_path = manifest_path_of(path)
        _write_private(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if checkpoint is not None:
        checkpoints.write(checkpoint)
    return BackupResult(path, manifest_path, manifest)


def _checkpoint(head: dict, path: Path, progress: Progress):
    """The checkpoint of the copy's audit head, or None (with a warning) when the head does
    not match its seal: a backup never vouches for a head moved outside the application."""
    checkpoint = Checkpoint.of_head(head, f"backup {path.name}")
    if checkpoint.sealed:
        return checkpoint
    progress.say(
        f"warning: the audit head (row {head['seq']}) does not match its seal; no checkpoint "
        "was published. Run `waishi audit verify`."
    )
    return None


def _signing_key(audit_key: str | None = None) -> bytes:
    """A key of its own for manifests, derived from the audit key (the environment's)."""
    key = bytes.fromhex(audit_key or settings.AUDIT_KEY)
    return bytes.fromhex(hmac_sm3(key, b"waishi backup manifest"))


def sign(manifest: dict, audit_key: str | None = None) -> str:
    """HMAC-SM3 of the manifest's canonical JSON, its signature left out."""
    content = {k: v for k, v in manifest.items() if k != SIGNATURE}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac_sm3(_signing_key(audit_key), text.encode())


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


# --- restore ----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    path: Path
    manifest: dict
    differences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    chain_intact: bool = False
    head: dict = field(default_factory=dict)


def load_manifest(path: Path) -> tuple[Path, dict]:
    """The backup file and its manifest, given either of the two paths."""
    if path.name.endswith(MANIFEST_SUFFIX):
        manifest_path = path
    else:
        manifest_path = manifest_path_of(path)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            f"no manifest {manifest_path}: a backup is restored only with its manifest"
        ) from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"the manifest {manifest_path} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path} is not a waishi backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{manifest_path} has format version {manifest.get('format_version')}; this "
            f"waishi reads version {FORMAT_VERSION}"
        )
    try:
        name = manifest["file"]["name"]
        _present = (manifest["file"]["bytes"], manifest["file"]["sm3"], manifest["audit_head"])
        _tables = dict(manifest["tables"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"the manifest {manifest_path} is incomplete ({exc!r})") from exc
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise BackupError(f"the manifest {manifest_path} names no file beside it")
    _check_signature(manifest_path, manifest)
    return manifest_path.with_name(name), manifest


def _check_signature(manifest_path: Path, manifest: dict) -> None:
    signature = manifest.get(SIGNATURE)
    if not isinstance(signature, str) or not hmac.compare_digest(signature, sign(manifest)):
        why = "has no signature" if not signature else "does not match its signature"
        keys = key_warnings(manifest.get("keys") or {})
        hint = (
            " (" + "; ".join(keys) + ")"
            if keys
            else ": it was edited, or made by another installation"
        )
        raise BackupError(
            f"the manifest {manifest_path} {why} (HMAC-SM3 under a key derived from "
            f"WAISHI_AUDIT_KEY){hint}. Nothing was restored."
        )


def check_file(path: Path, manifest: dict, progress: Progress) -> None:
    """Refuse a backup file that is not, byte for byte, the one the manifest describes."""
    if not path.is_file():
        raise BackupError(f"the backup file {path} does not exist")
    expected = manifest["file"]
    size = path.stat().st_size
    if size != expected["bytes"] or file_sm3(path, progress) != expected["sm3"]:
        raise BackupError(
            f"the backup file {path} does not match its manifest (SM3 checksum"
            f"{' and size' if size != expected['bytes'] else ''} differ): it is damaged or "
            "was changed; nothing was restored"
        )


@contextmanager
def live_reader() -> Iterator[Reader]:
    if vendor() == "sqlite":
        with sqlite_reader(_sqlite_path()) as reader:
            yield reader
    else:
        with postgresql_reader() as reader:
            yield reader


def usage() -> dict | None:
    """What the configured database holds, or None when it does not exist yet."""
    if vendor() == "sqlite" and not _sqlite_path().exists():
        return None
    with live_reader() as reader:
        return _usage(reader)


def refusal(found: dict | None) -> str | None:
    """Why a restore without --force must not overwrite this database, or None.

    ``waishi migrate`` itself writes a few rows (content types, permissions, the default
    policy and approval rules), so a table with rows does not yet mean a database in use;
    an account or an audit event does (everything done through the app is audited)."""
    if not found or not (found["accounts"] or found["audit_events"]):
        return None
    return (
        f"the database is not empty: it holds {found['accounts']} account(s), "
        f"{found['audit_events']} audit event(s) and {found['rows']:,} rows in "
        f"{found['tables']} tables. Restoring replaces all of it; run again with --force to "
        "do so. Nothing was changed."
    )


def _restore_sqlite(path: Path, progress: Progress) -> None:
    target = _sqlite_path()
    connections.close_all()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    progress.say(f"restoring {path} into {target} ...")
    try:
        source = f"file:{urllib.parse.quote(str(path))}?mode=ro"
        _sqlite_copy(source, target, path.stat().st_size, progress, uri=True)
    except sqlite3.Error as exc:
        raise BackupError(
            f"SQLite could not restore into {target}: {exc}. Stop the application and its "
            "workers and try again"
        ) from exc


def _restore_postgresql(path: Path, progress: Progress) -> None:
    argv, env, name = _pg_client("pg_restore")
    connections.close_all()
    progress.say(f"restoring {path} into the PostgreSQL database {name} ...")
    try:
        _run_client(
            [
                *argv,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                # All or nothing: a failed restore leaves the database as it was.
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                name,
                str(path),
            ],
            env,
            progress,
        )
    except BackupError as exc:
        raise BackupError(
            f"{exc}\nThe restore ran in one transaction: nothing was changed."
        ) from exc


def _migration_warnings() -> list[str]:
    """A backup of another version of waishi: what to do about its schema."""
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        unknown = set(executor.loader.applied_migrations) - set(executor.loader.disk_migrations)
    except Exception as exc:  # the comparison above already says what is wrong
        return [f"the restored migrations could not be read: {exc}"]
    out = []
    if pending:
        out.append(
            f"the backup predates {len(pending)} migration(s) of this version of waishi: "
            "run `waishi migrate` before starting the application"
        )
    if unknown:
        out.append(
            f"the backup holds {len(unknown)} migration(s) this version of waishi does not "
            "know: it was made by a newer version; run that version"
        )
    return out


def verify_restored(manifest: dict, progress: Progress) -> RestoreResult:
    """Compare the configured database with ``manifest``, verify the audit chain against
    the backup's checkpoint and compare the watched state with the chain's last record."""
    tables = [Table.from_manifest(name, e) for name, e in sorted(manifest["tables"].items())]
    progress.say(f"comparing {len(tables)} tables with the manifest ...")
    with live_reader() as reader:
        content = read_content(reader, tables, progress)
        extra = reader.existing_tables() - set(manifest["tables"])
    result = RestoreResult(Path(), manifest, compare(manifest, content))
    result.head = content["audit_head"]
    result.tables = len(content["tables"])
    result.rows = sum(t["rows"] for t in content["tables"].values())
    if extra:
        result.warnings.append(
            "tables not in the backup were left as they were: " + ", ".join(sorted(extra))
        )
    result.warnings += key_warnings(manifest.get("keys", {}))
    result.warnings += _migration_warnings()
    progress.say(f"verifying the audit chain ({content['audit_head']['seq']:,} rows) ...")
    # The backup's own checkpoint binds the restored chain; those published since by the
    # installation describe the history this restore replaces.
    published = Published({}, [])
    if manifest.get("checkpoint"):
        checkpoint = Checkpoint.from_dict(manifest["checkpoint"])
        published.hashes[checkpoint.seq] = checkpoint.hash
    try:
        verification = verify(published=published)
    except Exception as exc:  # any failure to read the chain is a difference to report
        result.differences.append(f"the audit chain could not be read: {exc}")
        return result
    problem = verification.problem
    if problem is not None:
        result.differences.append(
            f"audit chain broken at row {problem.seq} ({problem.kind}): {problem.detail}"
        )
    result.chain_intact = problem is None
    result.differences += [d.detail for d in verification.differences]
    return result


def restore(path: Path, *, force: bool = False, progress: Progress | None = None) -> RestoreResult:
    """Restore the backup at ``path`` (or its manifest) into the configured database."""
    progress = progress or Progress()
    kind = vendor()
    backup_path, manifest = load_manifest(path)
    if manifest.get("vendor") != kind:
        raise BackupError(
            f"{backup_path} is a {manifest.get('vendor')} backup; the configured database is "
            f"{kind}. Nothing was changed."
        )
    check_file(backup_path, manifest, progress)
    if not force:
        reason = refusal(usage())
        if reason:
            raise BackupError(reason)
    (_restore_sqlite if kind == "sqlite" else _restore_postgresql)(backup_path, progress)
    result = verify_restored(manifest, progress)
    result.path = backup_path
    if result.chain_intact:
        # The restored head starts the checkpoints again (see waishi.audit.checkpoints).
        checkpoints.publish_head(result.head, f"restore {backup_path.name}", checkpoints.RESTORED)
    return result
