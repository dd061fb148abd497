"""``record_many``: the bulk form of ``record`` (the history ``seed-scale`` invents)
writes the same rows, the same chain, the same head and seal as ``record`` called once
an event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from waishi.audit.chain import head_seal
from waishi.audit.models import AuditEvent, AuditHead
from waishi.audit.selectors import verify, verify_chain
from waishi.audit.services import record, record_many, record_state

pytestmark = pytest.mark.django_db

COMPARED = (
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
    "state",
    "prev_hash",
    "hash",
)


class _Undo(Exception):
    pass


def _events(cast, home_person) -> list[dict]:
    clerk, leader, reviewer = cast["unit_clerk"], cast["unit_leader"], cast["fao_reviewer"]
    return [
        {"action": "audit.exported", "actor_name": "tester", "data": {"n": 1}, "ip": "10.0.0.1"},
        # Watched objects: their state is read back and written into the event.
        {
            "action": "accounts.user.update",
            "actor": reviewer,
            "obj": clerk,
            "before": {"role": "unit_leader"},
            "after": {"role": "unit_clerk", "when": dt.date(2026, 1, 2)},
        },
        {"action": "accounts.user.update", "actor": reviewer, "obj": clerk, "state_of": [leader]},
        {
            "action": "orgs.person.update",
            "actor": clerk,
            "on_behalf_of": leader,
            "obj": home_person,
            "after": {"post": "科员"},
        },
        {"action": "audit.exported", "actor_name": "tester", "state": {"x:1": {"a": 1}}},
    ]


def _rows(after_seq: int) -> list[tuple]:
    return list(AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq").values_list(*COMPARED))


def _head() -> tuple:
    head = AuditHead.objects.get(pk=1)
    return head.seq, head.hash, head.seal


def _written_then_undone(write) -> tuple[list[tuple], tuple]:
    """The rows and the head ``write`` leaves, then rolled back."""
    start = _head()[0]
    try:
        with transaction.atomic():
            write()
            rows, head = _rows(start), _head()
            raise _Undo
    except _Undo:
        pass
    assert _head()[0] == start
    return rows, head


@pytest.mark.parametrize("chunk", [1000, 2])
def test_the_same_chain_as_record_called_once_an_event(cast, home_person, time_machine, chunk):
    record(action="audit.exported", actor_name="tester")  # a chain to continue
    events = _events(cast, home_person)
    time_machine.move_to(dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC), tick=False)

    one_by_one = _written_then_undone(lambda: [record(**e) for e in events])
    bulk = _written_then_undone(lambda: record_many(events, chunk=chunk))

    assert len(one_by_one[0]) == len(events)
    assert bulk == one_by_one
    # The watched state went into the events that name watched objects.
    states = [row[COMPARED.index("state")] for row in bulk[0]]
    assert states[0] is None
    assert set(states[2]) == {
        f"orgs.user:{cast['unit_clerk'].pk}",
        f"orgs.user:{cast['unit_leader'].pk}",
    }


def test_the_chain_and_the_state_verify_after_a_bulk_write(cast, home_person):
    record_state(actor_name="tester")  # the accounts made by the fixtures
    written = record_many(_events(cast, home_person))
    assert written == 5
    seq, hash_, seal = _head()
    assert seal == head_seal(seq, hash_)
    assert verify_chain() is None
    assert verify().ok


def test_a_given_time_is_kept_and_the_chain_verifies(db):
    when = dt.datetime(2016, 1, 1, 12, tzinfo=dt.UTC)
    record_many(
        {"action": "audit.exported", "actor_name": "seed", "at": when + dt.timedelta(seconds=i)}
        for i in range(7)
    )
    assert [e.at for e in AuditEvent.objects.order_by("seq")] == [
        when + dt.timedelta(seconds=i) for i in range(7)
    ]
    assert verify_chain() is None


def test_a_head_moved_outside_the_application_is_not_sealed_again(db):
    record(action="audit.exported", actor_name="tester")
    AuditHead.objects.filter(pk=1).update(seal="0" * 64)
    record_many({"action": "audit.exported", "actor_name": "tester"} for _ in range(3))
    seq, _, seal = _head()
    assert seq == 4
    assert seal == ""


def test_nothing_to_write_writes_nothing(db):
    assert record_many([]) == 0
    assert not AuditEvent.objects.exists()
