"""A cut audit chain does not pass: the head's seal, checkpoints published outside the
database, and an empty chain beside business rows (issue 14, item 3).

Every attack is done the way an intruder with database access would: raw SQL, with the
append-only trigger switched off on PostgreSQL (a superuser can do that too)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from tests.audit.test_chain import _tamper, _write
from tests.factories import UnitFactory
from waishi.audit import checkpoints
from waishi.audit.chain import row_hash
from waishi.audit.models import GENESIS, AuditEvent, AuditHead
from waishi.audit.selectors import verify_chain
from waishi.lib.crypto import hmac_sm3


def _head_sql(sql: str, params=()) -> None:
    table = connection.ops.quote_name("audit_audithead")
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def _head() -> tuple[int, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash, seal FROM audit_audithead WHERE id = 1")
        return cursor.fetchone()


def _verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--no-record", stdout=StringIO(), stderr=StringIO())
    return str(exc.value)


def _seal(seq: int, hash_: str) -> str:
    """The head's seal computed here from its definition (HMAC-SM3 under the audit key
    over "waishi audit head", the row number and the hash, NUL-separated)."""
    from django.conf import settings

    key = bytes.fromhex(settings.AUDIT_KEY)
    return hmac_sm3(key, b"waishi audit head\x00" + str(seq).encode() + b"\x00" + hash_.encode())


def test_head_is_sealed_with_the_audit_key(db):
    _write(3)
    seq, hash_, seal = _head()
    assert seq == 3
    assert seal == _seal(3, hash_)


def test_clean_chain_with_checkpoints_verifies(db):
    _write(3)
    assert checkpoints.publish("test") is not None
    _write(2)
    assert verify_chain() is None
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("OK: 5 rows")


def test_fresh_install_verifies(db):
    """``migrate`` alone: a head at row 0, sealed by the migration, no business rows."""
    assert AuditEvent.objects.count() == 0
    seq, hash_, seal = _head()
    assert (seq, hash_) == (0, GENESIS)
    assert seal == _seal(0, GENESIS)
    assert verify_chain() is None


def test_head_wound_back_without_the_key(db):
    _write(6)
    row4 = AuditEvent.objects.get(seq=4)
    _tamper("DELETE FROM {table} WHERE seq > %s", [4])
    _head_sql("UPDATE {table} SET seq = %s, hash = %s WHERE id = 1", [4, row4.hash])
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (4, "head_seal")
    assert "FAILED at row 4 (head_seal)" in _verify_fails()


def test_head_wound_back_to_an_old_seal_is_caught_by_a_checkpoint(db):
    """An intruder who noted an old head (its seal included) replays it after cutting
    the rows written since; the checkpoint published meanwhile names the cut."""
    _write(4)
    old = _head()
    _write(2)
    checkpoints.publish("nightly check")
    _tamper("DELETE FROM {table} WHERE seq > %s", [4])
    _head_sql("UPDATE {table} SET seq = %s, hash = %s, seal = %s WHERE id = 1", list(old))
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (6, "shorter_than_checkpoint")
    assert "FAILED at row 6 (shorter_than_checkpoint)" in _verify_fails()


def test_every_row_and_the_head_deleted_beside_business_rows(db):
    UnitFactory(code="U-1", name="市商务局")
    _write(3)
    _tamper("DELETE FROM {table}")
    _head_sql("DELETE FROM {table}")
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (0, "empty")
    assert "(empty)" in _verify_fails()


def test_every_row_and_the_head_deleted_after_a_checkpoint(db):
    _write(3)
    checkpoints.publish("backup")
    _tamper("DELETE FROM {table}")
    _head_sql("DELETE FROM {table}")
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (3, "shorter_than_checkpoint")


def test_rows_deleted_and_head_reset_to_genesis_beside_business_rows(db):
    UnitFactory(code="U-1", name="市商务局")
    _write(3)
    _tamper("DELETE FROM {table}")
    # The seal of an empty chain is one the intruder may have noted at installation.
    _head_sql(
        "UPDATE {table} SET seq = 0, hash = %s, seal = %s WHERE id = 1",
        [GENESIS, _seal(0, GENESIS)],
    )
    assert verify_chain().kind == "empty"


def test_head_deleted_with_rows_left(db):
    _write(3)
    _head_sql("DELETE FROM {table}")
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (3, "head_missing")
    assert "FAILED at row 3 (head_missing)" in _verify_fails()


def test_head_seal_changed(db):
    _write(3)
    _head_sql("UPDATE {table} SET seal = %s WHERE id = 1", ["0" * 64])
    assert verify_chain().kind == "head_seal"


def test_chain_rewritten_with_the_key_differs_from_its_checkpoint(db):
    """Even someone holding the audit key, who rewrites a row and re-links every row
    after it, cannot change what a published checkpoint says of the chain."""
    _write(6)
    checkpoints.publish("nightly check")
    rows = list(AuditEvent.objects.order_by("seq").values())
    prev = rows[1]["hash"]
    for row in rows[2:]:
        if row["seq"] == 3:
            row["data"] = {"n": 99}
        row["prev_hash"] = prev
        row["hash"] = row_hash(row)
        prev = row["hash"]
        _tamper(
            "UPDATE {table} SET data = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(row["data"]), row["prev_hash"], row["hash"], row["seq"]],
        )
    _head_sql("UPDATE {table} SET hash = %s, seal = %s WHERE id = 1", [prev, _seal(6, prev)])
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (6, "checkpoint_differs")


def test_checkpoint_file_is_appended_one_json_line_each(db, settings):
    _write(2)
    first = checkpoints.publish("nightly check")
    _write(1)
    second = checkpoints.publish("backup")
    lines = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 3]
    data = json.loads(lines[1])
    assert data["hash"] == AuditEvent.objects.get(seq=3).hash == second.hash
    assert data["seal"] == _seal(3, data["hash"])
    assert data["source"] == "backup" and data["at"].endswith("Z")
    assert first.seq == 2
    assert settings.AUDIT_CHECKPOINT_FILE.stat().st_mode & 0o077 == 0


def test_checkpoint_line_made_up_is_named(db, settings):
    _write(2)
    checkpoints.publish("nightly check")
    line = json.loads(settings.AUDIT_CHECKPOINT_FILE.read_text())
    line["seq"] = 1  # moved back, so that a later cut would pass
    with settings.AUDIT_CHECKPOINT_FILE.open("a") as fh:
        fh.write(json.dumps(line) + "\n")
    assert verify_chain().kind == "checkpoint_forged"


def test_head_moved_outside_the_app_is_not_published(db, settings):
    _write(3)
    _head_sql("UPDATE {table} SET seal = %s WHERE id = 1", ["0" * 64])
    assert checkpoints.publish("nightly check") is None
    assert not settings.AUDIT_CHECKPOINT_FILE.exists()


def test_restored_marker_starts_the_checkpoints_again(db):
    _write(5)
    checkpoints.publish("nightly check")
    _tamper("DELETE FROM {table} WHERE seq > %s", [3])
    row3 = AuditEvent.objects.get(seq=3)
    head = {"seq": 3, "hash": row3.hash, "seal": _seal(3, row3.hash)}
    _head_sql(
        "UPDATE {table} SET seq = 3, hash = %s, seal = %s WHERE id = 1", [row3.hash, head["seal"]]
    )
    assert verify_chain().kind == "shorter_than_checkpoint"
    # What `waishi restore` writes after putting back a backup made at row 3.
    checkpoints.publish_head(head, "restore", checkpoints.RESTORED)
    assert verify_chain() is None


def test_nightly_check_publishes_a_checkpoint(db, settings):
    from waishi.notify import tasks

    _write(2)
    assert tasks.verify_audit_chain() is True
    (line,) = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    data = json.loads(line)
    head = AuditHead.objects.get(pk=1)
    assert (data["seq"], data["hash"], data["seal"]) == (head.seq, head.hash, head.seal)


def test_migration_seals_the_existing_head(db):
    from importlib import import_module

    migration = import_module("waishi.audit.migrations.0003_head_seal_and_event_state")
    _write(3)
    _head_sql("UPDATE {table} SET seal = '' WHERE id = 1")
    assert verify_chain().kind == "head_seal"
    migration.seal_head(django_apps, None)
    assert verify_chain() is None


@pytest.mark.parametrize(
    ("kind", "chinese"),
    [
        ("head_seal", "封印"),
        ("head_missing", "链头"),
        ("shorter_than_checkpoint", "检查点"),
        ("checkpoint_differs", "检查点"),
        ("checkpoint_forged", "检查点"),
        ("empty", "审计链为空"),
    ],
)
def test_problems_read_in_chinese(kind, chinese):
    from waishi.audit.chain import Problem

    with translation.override("zh-hans"):
        message = Problem(4, kind, "").message
    assert chinese in message


def test_verify_page_names_a_cut_chain_in_chinese(cast, client):
    from tests.conftest import login

    login(client, cast["audit_admin"])
    _write(4)
    row2 = AuditEvent.objects.get(seq=2)
    _tamper("DELETE FROM {table} WHERE seq > %s", [2])
    _head_sql("UPDATE {table} SET seq = 2, hash = %s WHERE id = 1", [row2.hash])
    response = client.post("/audit/verify/", follow=True)
    text = response.content.decode()
    assert "审计链的链头（第2行）与其封印不符" in text


def test_a_write_after_the_head_was_moved_does_not_seal_it_again(db):
    _write(4)
    row2 = AuditEvent.objects.get(seq=2)
    _tamper("DELETE FROM {table} WHERE seq > %s", [2])
    _head_sql("UPDATE {table} SET seq = 2, hash = %s WHERE id = 1", [row2.hash])
    _write(3)  # the application goes on writing after the intruder left
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (5, "head_seal")
