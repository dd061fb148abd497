"""Tasks assigned at the same moment never share a number (督办〔2026〕N号): on PostgreSQL,
threads assign at once, the first of the year among them (the year's counter is created
by one of them) and again once it exists. SQLite serialises writers and cannot show it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from waishi.followups import supervision
from waishi.followups.models import Outcome, TaskSequence

THREADS = 12


def _assign_at_once(actor, tasks) -> list[str]:
    barrier = threading.Barrier(len(tasks))
    results: list[str] = []
    lock = threading.Lock()

    def assign(task) -> None:
        try:
            barrier.wait()
            supervision.task_assign(actor=actor, task=task)
            outcome = "ok"
        except Exception as exc:  # reported in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=assign, args=(task,)) for task in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_assignments_never_share_a_number(cast, make_task):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (WAISHI_DATABASE_URL=postgres://...): row locks under real "
            "concurrency; SQLite serialises writers"
        )
    office = cast["fao_reviewer"]
    for round_ in range(2):
        tasks = [make_task(title=f"第{round_}轮事项{i}", assign=False) for i in range(THREADS)]
        results = _assign_at_once(office, tasks)
        assert [r for r in results if r != "ok"] == []
        numbers = list(Outcome.objects.filter(seq__isnull=False).values_list("seq", "number"))
        assert len(numbers) == THREADS * (round_ + 1)
        assert sorted(seq for seq, _n in numbers) == list(range(1, THREADS * (round_ + 1) + 1))
        assert len({n for _s, n in numbers}) == len(numbers)
    assert TaskSequence.objects.get().last == 2 * THREADS
