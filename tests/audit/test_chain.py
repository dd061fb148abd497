"""The audit chain: linking, verification, tamper detection, append-only (security.md L2)."""

from __future__ import annotations

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from waishi.audit.chain import row_hash
from waishi.audit.models import GENESIS, AppendOnlyError, AuditEvent, AuditHead
from waishi.audit.selectors import chain_length, verify_chain
from waishi.audit.services import record

TRIGGER = "audit_event_append_only"


def _write(n: int = 6) -> list[AuditEvent]:
    return [
        record(action="audit.exported", actor_name="tester", data={"n": i}, ip="10.0.0.1")
        for i in range(n)
    ]


def _tamper(sql: str, params: list | tuple = ()) -> None:
    """Raw SQL as an intruder with database access would run it. On PostgreSQL the
    append-only trigger is switched off for the statement (the intruder is assumed to
    be able to do that too: the chain, not the trigger, is what detects it)."""
    table = connection.ops.quote_name("audit_auditevent")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql.format(table=table, after=connection.ops.quote_name("after")), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", "--no-record", stdout=out, stderr=StringIO())
    return out.getvalue()


def _verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        _verify()
    return str(exc.value)


def test_record_links_rows(db):
    events = _write(5)
    seqs = [e.seq for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    rows = list(AuditEvent.objects.order_by("seq"))
    assert rows[0].seq == 1
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.seq == before.seq + 1
        assert after.prev_hash == before.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
    assert chain_length() == rows[-1].seq


def test_stored_row_hashes_as_written(db):
    """The hash covers exactly what the database gives back (time zone, precision)."""
    _write(3)
    for row in AuditEvent.objects.order_by("seq").values():
        assert row_hash(row) == row["hash"]


def test_verify_ok_on_an_intact_chain(db):
    _write(4)
    out = _verify()
    assert out.startswith("OK: 4 rows")


def test_verify_records_its_result(db):
    _write(2)
    call_command("audit", "verify", stdout=StringIO())
    event = AuditEvent.objects.latest("seq")
    assert event.action == "audit.verified"
    assert event.data == {"result": "OK", "rows": 2}
    assert verify_chain() is None  # the result row is itself part of the chain


def test_verify_ok_on_an_empty_chain(db):
    assert verify_chain() is None


def test_edited_row_is_named(db):
    _write(6)
    _tamper("UPDATE {table} SET {after} = %s WHERE seq = %s", ['{"n": 99}', 3])
    message = _verify_fails()
    assert "FAILED at row 3 (edited)" in message
    assert verify_chain().seq == 3


def test_edited_actor_is_named(db):
    _write(6)
    _tamper("UPDATE {table} SET actor_name = %s WHERE seq = %s", ["someone else", 5])
    assert "FAILED at row 5 (edited)" in _verify_fails()


def test_deleted_middle_row_is_named(db):
    _write(6)
    _tamper("DELETE FROM {table} WHERE seq = %s", [4])
    assert "FAILED at row 4 (missing)" in _verify_fails()


def test_forged_row_after_the_head_is_named(db):
    _write(6)
    last = AuditEvent.objects.latest("seq")
    # A plausible row, linked to the last one, but sealed without the key.
    forged = AuditEvent(
        seq=last.seq + 1,
        at=last.at,
        actor_name="tester",
        action="audit.exported",
        prev_hash=last.hash,
        hash="f" * 64,
    )
    forged.save(force_insert=True)
    assert f"FAILED at row {last.seq + 1} (inserted)" in _verify_fails()


def test_forged_row_with_the_head_moved_is_named(db):
    _write(6)
    last = AuditEvent.objects.latest("seq")
    AuditEvent(
        seq=last.seq + 1,
        at=last.at,
        action="audit.exported",
        prev_hash=last.hash,
        hash="f" * 64,
    ).save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(seq=last.seq + 1, hash="f" * 64)
    assert f"FAILED at row {last.seq + 1} (edited)" in _verify_fails()


def test_forged_row_below_the_sequence_is_named(db):
    _write(3)
    first = AuditEvent.objects.get(seq=1)
    AuditEvent(seq=0, at=first.at, action="auth.login", prev_hash=GENESIS, hash="0" * 64).save(
        force_insert=True
    )
    assert "FAILED at row 0 (inserted)" in _verify_fails()


def test_deleted_last_rows_are_named(db):
    _write(6)
    _tamper("DELETE FROM {table} WHERE seq > %s", [4])
    assert "FAILED at row 5 (truncated)" in _verify_fails()


def test_deleted_last_row_is_named(db):
    _write(6)
    _tamper("DELETE FROM {table} WHERE seq = %s", [6])
    assert "FAILED at row 6 (truncated)" in _verify_fails()


def test_renumbered_rows_are_named(db):
    """Deleting a row and closing the gap still breaks the links."""
    _write(6)
    _tamper("DELETE FROM {table} WHERE seq = %s", [3])
    for seq in (4, 5, 6):
        _tamper("UPDATE {table} SET seq = %s WHERE seq = %s", [seq - 1, seq])
    AuditHead.objects.filter(pk=1).update(seq=5)
    assert "FAILED at row 3 (inserted_or_deleted)" in _verify_fails()


def test_verify_failure_is_recorded(db):
    _write(4)
    _tamper("UPDATE {table} SET ip = %s WHERE seq = %s", ["10.6.6.6", 2])
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO())
    event = AuditEvent.objects.latest("seq")
    assert event.action == "audit.verified"
    assert event.data == {"result": "FAILED", "seq": 2, "kind": "edited"}


def test_orm_offers_no_update_or_delete(db):
    _write(2)
    event = AuditEvent.objects.get(seq=1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(actor_name="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.actor_name = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert verify_chain() is None


def test_no_code_writes_audit_events_but_record():
    """Only ``record()`` creates events: grep the package for other writers."""
    import pathlib
    import re

    import waishi

    writer = re.compile(r"AuditEvent(\.objects)?[^\n]*\.(create|bulk_create|update|delete)\(")
    offenders = []
    for path in pathlib.Path(waishi.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if writer.search(line) and path.name != "services.py":
                offenders.append(f"{path}:{number}")
    assert offenders == []


# --- PostgreSQL: the trigger, and concurrent writers -----------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@postgres_only
def test_trigger_refuses_update(db):
    _write(2)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET ip = '1.2.3.4'")
    assert verify_chain() is None


@postgres_only
def test_trigger_refuses_delete(db):
    _write(2)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


@pytest.mark.concurrency
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need a real PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_the_chain_contiguous():
    threads, per_thread = 8, 15
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record(action="audit.exported", actor_name=f"thread {n}", data={"i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    assert verify_chain() is None
    assert chain_length() == threads * per_thread
