"""50 approvals race for R remaining batches: exactly R win (PostgreSQL only; SQLite
serialises writers anyway and cannot show the race)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction

from waishi.plans import services
from waishi.plans.models import Category, PlanState, PlanYear, Quota, QuotaLedger
from waishi.plans.services import QuotaExceeded

THREADS = 50
REMAINING = 7


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_threads_consume_exactly_what_is_left(cast, home_unit):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks under real concurrency")
    plan = PlanYear.objects.create(
        year=2033, deadline=date(2033, 1, 31), state=PlanState.APPROVED, version=1
    )
    # 3 batches already used of 10: R = 7 remain.
    quota = Quota.objects.create(
        plan=plan,
        unit=home_unit,
        category=Category.GENERAL,
        batches=10,
        person_trips=200,
        batches_used=3,
        person_trips_used=3,
    )
    actor = cast["fao_head"]
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def approve(i: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                services.quota_consume(
                    actor=actor,
                    unit=home_unit,
                    year=2033,
                    category=Category.GENERAL,
                    person_trips=2,
                    reference=f"missions.mission:{i}",
                )
            outcome = "ok"
        except QuotaExceeded:
            outcome = "refused"
        except Exception as exc:  # reported in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(results) == THREADS
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("ok") == REMAINING
    assert results.count("refused") == THREADS - REMAINING
    quota.refresh_from_db()
    assert quota.batches_used == 10
    assert quota.person_trips_used == 3 + 2 * REMAINING
    ledger = QuotaLedger.objects.filter(quota=quota)
    assert ledger.count() == REMAINING
    assert sum(r.batches for r in ledger) == REMAINING
    assert sum(r.person_trips for r in ledger) == quota.person_trips_used - 3
