"""Restore drills for ``waishi backup`` / ``waishi restore`` (security.md B1).

Each drill runs the real commands in subprocesses against a database of its own (a
SQLite file, or PostgreSQL databases named ``waishi_backup_*``), loaded once per module
with the demo city: back up, change data, see the restore refused without ``--force``
and nothing changed, restore, then the counts, checksums and audit chain are those of
the backup; a damaged backup is refused and changes nothing.

The drill runs on the database the suite runs on (``make test`` SQLite, ``make test-pg``
PostgreSQL), as the concurrency tests do; every suite checks that MariaDB is refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from waishi.audit.messages import describe, register
from waishi.lib.crypto import sm3
from waishi.ops import backup
from waishi.ops.backup_content import (
    Progress,
    Table,
    digest_table,
    file_sm3,
    read_content,
    sqlite_reader,
)

TIMEOUT = 120
# What the drill compares: every table's count and checksum, and the audit head.
CONTENT = (
    "import json, django; django.setup()\n"
    "from waishi.ops.backup import live_reader\n"
    "from waishi.ops.backup_content import Progress, model_tables, read_content\n"
    "with live_reader() as reader:\n"
    "    print(json.dumps(read_content(reader, model_tables(), Progress())))\n"
)
# Writes audit events until told to stop: the application at work during a backup.
WRITER = (
    "import pathlib, sys, time, django; django.setup()\n"
    "from waishi.audit.services import record\n"
    "ready, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])\n"
    "deadline, n = time.monotonic() + 60, 0\n"
    "while not stop.exists() and time.monotonic() < deadline:\n"
    "    record(action='test.tick', actor_name='writer', data={'n': n})\n"
    "    n += 1\n"
    "    ready.touch()\n"
    "print(n)\n"
)


@dataclass
class Site:
    """One installation: a database, a var folder (its keys) and the commands on it."""

    url: str
    var: Path
    vendor: str
    extra_env: dict | None = None

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAISHI_")}
        env.update(
            DJANGO_SETTINGS_MODULE="waishi.settings",
            WAISHI_MODE="demo",
            WAISHI_VAR_DIR=str(self.var),
            WAISHI_DATABASE_URL=self.url,
            **(self.extra_env or {}),
            **extra,
        )
        return env

    def run(self, *args: str, **extra) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "waishi", *args],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess:
        done = self.run(*args)
        assert done.returncode == 0, f"waishi {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def content(self) -> dict:
        if self.vendor == "sqlite":
            with sqlite_reader(Path(self.url.removeprefix("sqlite:///"))) as reader:
                return read_content(reader, backup.model_tables(), Progress())
        done = subprocess.run(
            [sys.executable, "-c", CONTENT],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        )
        return json.loads(done.stdout)

    def sql(self, statement: str) -> None:
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as con, con:
                con.execute(statement)
        else:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as con:
                con.execute(statement)

    def markers(self) -> tuple:
        """Cheap signs of any change the drill makes: two counts and the audit head."""
        statement = (
            "SELECT (SELECT COUNT(*) FROM orgs_user), (SELECT COUNT(*) FROM arrivals_testresult),"
            " (SELECT seq FROM audit_audithead), (SELECT hash FROM audit_audithead)"
        )
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as con:
                return tuple(con.execute(statement).fetchone())
        import psycopg

        with psycopg.connect(self.url) as con:
            return tuple(con.execute(statement).fetchone())

    def back_up(self, folder: Path, *args: str) -> tuple[Path, dict]:
        self.ok("backup", "--output", f"{folder}{os.sep}", *args)
        (path,) = [p for p in folder.iterdir() if not p.name.endswith(".json")]
        return path, json.loads(backup.manifest_path_of(path).read_text())


def copy_backup(path: Path, folder: Path) -> tuple[Path, dict]:
    """A private copy of a backup and its manifest, for a test to spoil."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (path, backup.manifest_path_of(path)):
        shutil.copy(source, folder / source.name)
    copy = folder / path.name
    return copy, json.loads(backup.manifest_path_of(copy).read_text())


def expected(manifest: dict) -> dict:
    return {"tables": manifest["tables"], "audit_head": manifest["audit_head"]}


def refused_and_unchanged(site: Site, *args: str) -> str:
    before = site.markers()
    done = site.run("restore", *args)
    assert done.returncode == 1, done.stdout + done.stderr
    assert site.markers() == before
    return done.stderr


def change_data(site: Site) -> None:
    """Rows added (an account and its audit event) and rows deleted."""
    site.ok("create-account", "backup_drill_user", "--role", "auditor")
    delete_rows(site)


def delete_rows(site: Site) -> None:
    site.sql(
        "DELETE FROM arrivals_testresult WHERE id IN "
        "(SELECT id FROM arrivals_testresult ORDER BY id LIMIT 5)"
    )


# --- SQLite --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill runs in the SQLite suite (make test)")
    root = tmp_path_factory.mktemp("backup-sqlite")
    site = Site(f"sqlite:///{root / 'template.sqlite3'}", root / "var", "sqlite")
    site.ok("migrate", "--noinput", "-v", "0")
    _copy_sqlite(root / "template.sqlite3", root / "migrated.sqlite3")
    site.ok("seed_demo")
    # One backup of the loaded city for the tests that need any backup (on the record, so
    # the copies of the template hold one audit event more than the backup).
    site.back_up(root / "backups")
    return root


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture
def template_backup(sqlite_template, tmp_path) -> tuple[Path, dict]:
    (path,) = [p for p in (sqlite_template / "backups").iterdir() if p.suffix == ".sqlite3"]
    return copy_backup(path, tmp_path / "backups")


@pytest.fixture
def sqlite_site(sqlite_template, tmp_path):
    _copy_sqlite(sqlite_template / "template.sqlite3", tmp_path / "db.sqlite3")
    return Site(f"sqlite:///{tmp_path / 'db.sqlite3'}", sqlite_template / "var", "sqlite")


def test_sqlite_restore_drill(sqlite_site, tmp_path):
    site = sqlite_site
    path, manifest = site.back_up(tmp_path / "backups")

    # The copy and its manifest are the owner's only, and the manifest describes the copy.
    for made in (path, backup.manifest_path_of(path)):
        assert made.stat().st_mode & 0o777 == 0o600
    assert path.name.startswith("waishi-") and path.suffix == ".sqlite3"
    assert manifest["vendor"] == "sqlite" and manifest["format_version"] == 1
    assert manifest["file"]["sm3"] == sm3(path.read_bytes())
    with sqlite_reader(path) as reader:
        assert read_content(reader, backup.model_tables(), Progress()) == expected(manifest)
    assert manifest["tables"]["orgs_user"]["rows"] >= 12
    assert manifest["tables"]["audit_auditevent"]["rows"] == manifest["audit_head"]["seq"] > 100
    # No key is in the copy or the manifest.
    secrets = json.loads((site.var / "secrets.json").read_text())
    copy, text = path.read_bytes(), json.dumps(manifest)
    for value in secrets.values():
        for part in value.split(","):
            assert part.encode() not in copy and part not in text

    # The backup is on the record, with the copy's checksum.
    with closing(sqlite3.connect(site.url.removeprefix("sqlite:///"))) as con:
        action, data = con.execute(
            "SELECT action, data FROM audit_auditevent ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert action == "backup.created"
    assert json.loads(data)["sm3"] == manifest["file"]["sm3"]

    change_data(site)
    changed = site.content()
    assert changed["tables"]["orgs_user"]["rows"] == manifest["tables"]["orgs_user"]["rows"] + 1
    assert (
        changed["tables"]["arrivals_testresult"]["rows"]
        == manifest["tables"]["arrivals_testresult"]["rows"] - 5
    )

    stderr = refused_and_unchanged(site, str(path))
    assert "not empty" in stderr and "--force" in stderr
    assert site.content() == changed

    done = site.ok("restore", str(path), "--force", "--no-record")
    assert "OK: restored" in done.stdout
    assert site.content() == expected(manifest)
    assert "chain intact" in site.ok("audit", "verify", "--no-record").stdout


def test_sqlite_damaged_backup_changes_nothing(sqlite_site, template_backup):
    site, (path, _manifest) = sqlite_site, template_backup
    delete_rows(site)
    before = site.content()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    stderr = refused_and_unchanged(site, str(path), "--force")
    assert "does not match its manifest" in stderr and "nothing was restored" in stderr

    backup.manifest_path_of(path).unlink()
    stderr = refused_and_unchanged(site, str(path), "--force")
    assert "no manifest" in stderr
    assert site.content() == before


def audit_key(site: Site) -> str:
    """The site's audit key (in its var folder, as the demo makes it)."""
    return json.loads((site.var / "secrets.json").read_text())["WAISHI_AUDIT_KEY"]


def test_restore_names_every_difference(sqlite_site, template_backup):
    """A manifest that disagrees with its (intact) copy: each difference is named. (The
    manifest is signed again with the site's key: one edited by hand is refused, below.)"""
    site, (path, manifest) = sqlite_site, template_backup
    manifest["tables"]["orgs_unit"]["rows"] += 1
    manifest["tables"]["orgs_person"]["sm3"] = "0" * 64
    manifest["audit_head"]["seq"] += 1
    manifest["signature"] = backup.sign(manifest, audit_key(site))
    backup.manifest_path_of(path).write_text(json.dumps(manifest))
    done = site.run("restore", str(path), "--force", "--no-record")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    units = manifest["tables"]["orgs_unit"]["rows"]
    head = manifest["audit_head"]
    assert lines == [
        f"  - table orgs_person: {manifest['tables']['orgs_person']['rows']} rows as in the "
        "backup, but their content differs (SM3 checksum)",
        f"  - table orgs_unit: {units - 1} rows, the backup has {units}",
        f"  - audit head: row {head['seq'] - 1} ({head['hash'][:12]}…), the backup has row "
        f"{head['seq']} ({head['hash'][:12]}…)",
    ]
    assert "FAILED: 3 difference(s)" in done.stderr


def test_restore_into_new_or_merely_migrated_database(sqlite_template, template_backup, tmp_path):
    path, manifest = template_backup
    # A database that does not exist yet, and one `waishi migrate` just made: no --force.
    _copy_sqlite(sqlite_template / "migrated.sqlite3", tmp_path / "migrated.sqlite3")
    for name in ("new.sqlite3", "migrated.sqlite3"):
        site = Site(f"sqlite:///{tmp_path / name}", sqlite_template / "var", "sqlite")
        site.ok("restore", str(backup.manifest_path_of(path)))
        restored = site.content()
        # The restore itself is on the record, after the backup's rows.
        assert restored["audit_head"]["seq"] == manifest["audit_head"]["seq"] + 1
        assert without_audit(restored) == without_audit(expected(manifest))
    assert "chain intact" in site.ok("audit", "verify", "--no-record").stdout
    assert (tmp_path / "new.sqlite3").stat().st_mode & 0o077 == 0


def without_audit(content: dict) -> dict:
    return {k: v for k, v in content["tables"].items() if not k.startswith("audit_")}


def test_restore_with_other_keys_says_which(sqlite_template, template_backup, tmp_path):
    path, _manifest = template_backup
    target = Site(
        f"sqlite:///{tmp_path / 'other.sqlite3'}",
        sqlite_template / "var",
        "sqlite",
        {"WAISHI_AUDIT_KEY": "ab" * 32, "WAISHI_FIELD_KEYS": "k2:" + "cd" * 16},
    )
    done = target.run("restore", str(path), "--no-record")
    # The manifest is signed with a key derived from the audit key: with another audit
    # key it cannot be trusted, so nothing is restored, and the refusal says which keys
    # differ.
    assert done.returncode == 1
    assert "does not match its signature" in done.stderr
    assert "WAISHI_AUDIT_KEY differs from the backup's" in done.stderr
    assert "WAISHI_FIELD_KEYS has no key 'k1'" in done.stderr
    assert "Nothing was restored" in done.stderr
    assert "WAISHI_BLIND_INDEX_KEY" not in done.stderr
    assert not (tmp_path / "other.sqlite3").exists()


def test_manifest_edited_by_hand_is_refused(sqlite_site, template_backup):
    """Someone who changed the copy and made its manifest agree (checksums carry no key)
    cannot sign it: the restore refuses and changes nothing."""
    site, (path, manifest) = sqlite_site, template_backup
    manifest["tables"]["orgs_user"]["rows"] += 1
    backup.manifest_path_of(path).write_text(json.dumps(manifest))
    stderr = refused_and_unchanged(site, str(path), "--force")
    assert "does not match its signature" in stderr and "Nothing was restored" in stderr
    del manifest["signature"]
    backup.manifest_path_of(path).write_text(json.dumps(manifest))
    stderr = refused_and_unchanged(site, str(path), "--force")
    assert "has no signature" in stderr


def test_doctored_database_does_not_restore_as_ok(sqlite_site, tmp_path):
    """The issue's case: an account made FAO head with an SQL UPDATE, the database backed
    up, the backup restored: not OK, naming the account."""
    site = sqlite_site
    site.sql("UPDATE orgs_user SET role = 'fao_head' WHERE username = 'clerk'")
    path, manifest = site.back_up(tmp_path / "backups", "--no-record")
    # The backup published its checkpoint outside the database, and keeps it.
    checkpoint = manifest["checkpoint"]
    assert (checkpoint["seq"], checkpoint["hash"]) == (
        manifest["audit_head"]["seq"],
        manifest["audit_head"]["hash"],
    )
    published = [
        json.loads(line) for line in (site.var / "audit-checkpoints.log").read_text().splitlines()
    ]
    assert {"seq": checkpoint["seq"], "source": f"backup {path.name}"}.items() <= (
        published[-1].items()
    )
    fresh = Site(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", site.var, "sqlite")
    done = fresh.run("restore", str(path), "--no-record")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "changed outside the application" in done.stderr
    assert "(clerk)" in done.stderr and "role: recorded 'unit_clerk', found 'fao_head'" in (
        done.stderr
    )
    assert "FAILED: 1 difference(s)" in done.stderr


@contextmanager
def app_writing(site: Site, folder: Path) -> Iterator[dict]:
    """The application writing audit events from its first write until it has written past
    the backup the caller makes (whose manifest it puts in the yielded dict as
    ``manifest``); then ``written`` holds how many it wrote and ``head`` the audit head."""
    folder.mkdir(parents=True, exist_ok=True)
    ready, stop = folder / "ready", folder / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(ready), str(stop)],
        env=site.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    outcome: dict = {}
    try:
        wait_for(ready.exists, writer, "the writer never wrote")
        yield outcome
        # Until the writer has gone on past the backup (it is alive: only a matter of time).
        seq = outcome["manifest"]["audit_head"]["seq"]
        wait_for(lambda: site.markers()[2] > seq, writer, "the writer stopped writing")
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=TIMEOUT)
    assert writer.returncode == 0, err
    outcome["written"] = int(out)
    outcome["head"] = site.markers()[2]


def wait_for(condition: Callable[[], bool], writer: subprocess.Popen, failure: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)


def assert_caught_mid_stream(manifest: dict, writes: dict) -> None:
    # The copy holds some of the writer's rows, not all: the writer went on after it.
    seq = manifest["audit_head"]["seq"]
    assert writes["head"] - writes["written"] < seq < writes["head"]


def test_sqlite_backup_is_consistent_while_the_app_writes(sqlite_site, tmp_path):
    with app_writing(sqlite_site, tmp_path / "writer") as writes:
        path, writes["manifest"] = sqlite_site.back_up(tmp_path / "backups", "--no-record")
    manifest = writes["manifest"]
    assert_caught_mid_stream(manifest, writes)
    # The copy is consistent: its chain verifies and its counts are its manifest's.
    fresh = Site(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", sqlite_site.var, "sqlite")
    fresh.ok("restore", str(path), "--no-record")
    assert fresh.content() == expected(manifest)


def test_table_checksum_follows_content_not_insertion_order(tmp_path):
    def make(name: str, rows: list[tuple]) -> Path:
        path = tmp_path / name
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)")
            con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        con.close()
        return path

    def digest(path: Path) -> tuple[int, str]:
        with sqlite_reader(path) as reader:
            return digest_table(reader, Table("t", ("id",), False), lambda rows: None)

    rows = [(1, "张三", b"\x00\x01"), (2, None, None), (3, "x", b"")]
    first = digest(make("a.sqlite3", rows))
    assert first[0] == 3
    assert digest(make("b.sqlite3", list(reversed(rows)))) == first
    assert digest(make("c.sqlite3", [*rows[:2], (3, "y", b"")]))[1] != first[1]
    assert file_sm3(tmp_path / "a.sqlite3") == sm3((tmp_path / "a.sqlite3").read_bytes())


def test_backup_never_overwrites_a_file(tmp_path):
    target = tmp_path / "taken.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(backup.BackupError, match="never overwrites"):
        backup._new_file(str(target), "sqlite", backup._utc_now())
    assert target.read_bytes() == b"keep me"


def test_postgresql_password_goes_in_the_environment_not_argv(monkeypatch):
    db = connection.settings_dict
    for key, value in {
        "NAME": "waishi",
        "HOST": "db.example",
        "PORT": 6543,
        "USER": "waishi",
        "PASSWORD": "s3cret-pw",
        "OPTIONS": {"sslmode": "verify-full"},
    }.items():
        monkeypatch.setitem(db, key, value)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    argv, env, name = backup._pg_client("pg_dump")
    assert argv == [
        "/usr/bin/pg_dump",
        "--no-password",
        "--host",
        "db.example",
        "--port",
        "6543",
        "--username",
        "waishi",
    ]
    assert name == "waishi"
    assert env["PGPASSWORD"] == "s3cret-pw" and env["PGSSLMODE"] == "verify-full"
    assert not any("s3cret" in arg for arg in argv)


# --- MariaDB: refused, with what to use instead -----------------------------------------------


@pytest.mark.parametrize("command", [["backup"], ["restore", "x.sqlite3"]])
def test_mariadb_is_refused_with_the_alternative(tmp_path, command):
    site = Site("mysql://root@127.0.0.1:3306/waishi_backup_none", tmp_path, "mysql")
    done = site.run(*command)
    assert done.returncode == 2
    assert "do not support MariaDB" in done.stderr and "mariadb-dump" in done.stderr


# --- PostgreSQL ------------------------------------------------------------------------------

PG_TEMPLATE = "waishi_backup_src"


def _pg_admin_url(name: str = "postgres") -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _pg_execute(*statements: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin_url(), autocommit=True, connect_timeout=5) as con:
        for statement in statements:
            con.execute(statement)


def _pg_major(version_text: str) -> int:
    found = re.search(r"\(PostgreSQL\) (\d+)", version_text)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module")
def pg_template(tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL drill runs in the PostgreSQL suite (make test-pg)")
    import psycopg

    with psycopg.connect(_pg_admin_url(), autocommit=True, connect_timeout=5) as con:
        server = con.info.server_version // 10000
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip(f"pg_dump/pg_restore missing: install postgresql-client-{server}")
    client = subprocess.run(
        ["pg_dump", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if _pg_major(client) < server:
        pytest.skip(
            f"{client} is older than the server ({server}): install postgresql-client-{server}"
        )
    _pg_execute(
        f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)", f"CREATE DATABASE {PG_TEMPLATE}"
    )
    root = tmp_path_factory.mktemp("backup-pg")
    site = Site(_pg_admin_url(PG_TEMPLATE), root / "var", "postgresql")
    site.ok("migrate", "--noinput", "-v", "0")
    site.ok("seed_demo")
    yield site
    _pg_execute(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")


@pytest.fixture
def pg_databases(pg_template):
    """A copy of the loaded database, and an empty one; both dropped afterwards."""
    _pg_execute(
        "DROP DATABASE IF EXISTS waishi_backup_drill WITH (FORCE)",
        "DROP DATABASE IF EXISTS waishi_backup_dst WITH (FORCE)",
        f"CREATE DATABASE waishi_backup_drill TEMPLATE {PG_TEMPLATE}",
        "CREATE DATABASE waishi_backup_dst",
    )
    yield (
        Site(_pg_admin_url("waishi_backup_drill"), pg_template.var, "postgresql"),
        Site(_pg_admin_url("waishi_backup_dst"), pg_template.var, "postgresql"),
    )
    _pg_execute(
        "DROP DATABASE IF EXISTS waishi_backup_drill WITH (FORCE)",
        "DROP DATABASE IF EXISTS waishi_backup_dst WITH (FORCE)",
    )


def test_postgresql_restore_drill(pg_databases, tmp_path):
    site, empty = pg_databases
    # pg_dump and the manifest read one snapshot while the application writes.
    with app_writing(site, tmp_path / "writer") as writes:
        path, writes["manifest"] = site.back_up(tmp_path / "backups", "--no-record")
    manifest = writes["manifest"]
    assert_caught_mid_stream(manifest, writes)
    at_backup = site.markers()
    assert path.suffix == ".pgdump" and path.read_bytes()[:5] == b"PGDMP"  # custom format
    assert path.stat().st_mode & 0o777 == 0o600
    assert manifest["vendor"] == "postgresql"
    assert manifest["file"]["sm3"] == sm3(path.read_bytes())
    assert manifest["tables"]["audit_auditevent"]["rows"] == manifest["audit_head"]["seq"] > 100

    change_data(site)
    assert site.markers() != at_backup
    stderr = refused_and_unchanged(site, str(path))
    assert "not empty" in stderr and "--force" in stderr

    # A damaged dump is refused before pg_restore runs.
    damaged = tmp_path / "damaged" / path.name
    damaged.parent.mkdir()
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01
    damaged.write_bytes(bytes(data))
    shutil.copy(backup.manifest_path_of(path), backup.manifest_path_of(damaged))
    stderr = refused_and_unchanged(site, str(damaged), "--force")
    assert "does not match its manifest" in stderr

    done = site.ok("restore", str(path), "--force", "--no-record")
    assert "OK: restored" in done.stdout and "warning" not in done.stderr
    assert site.content() == expected(manifest)
    assert "chain intact" in site.ok("audit", "verify", "--no-record").stdout

    # Into an empty database (created, never migrated): no --force needed.
    empty.ok("restore", str(path))
    restored = empty.content()
    assert restored["audit_head"]["seq"] == manifest["audit_head"]["seq"] + 1
    assert without_audit(restored) == without_audit(expected(manifest))
    assert "chain intact" in empty.ok("audit", "verify", "--no-record").stdout


def test_backup_events_read_as_sentences():
    register(backup.AUDIT_MESSAGES)
    made = SimpleNamespace(
        action="backup.created",
        actor_name="waishi backup (root)",
        object_repr="",
        data={"file": "waishi-20260501T020000Z.sqlite3", "sm3": "ab" * 32, "rows": 1505},
    )
    restored = SimpleNamespace(
        action="backup.restored",
        actor_name="waishi restore (root)",
        object_repr="",
        data={
            "file": "waishi-20260501T020000Z.sqlite3",
            "made": "2026-05-01T02:00:00Z",
            "differences": 0,
        },
    )
    with translation.override("en"):
        assert describe(made) == (
            # The command reads as its label, the operating-system account kept.
            "the backup command (root) backed up the database to waishi-20260501T020000Z.sqlite3 "
            "(1505 rows)"
        )
        assert describe(restored) == (
            "the restore command (root) restored the database from the backup "
            "waishi-20260501T020000Z.sqlite3 made at 2026-05-01T02:00:00Z; differences from "
            "the backup: 0"
        )
