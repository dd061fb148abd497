"""50 trips of one unit wait for their final approval while the unit has R batches
left: 50 threads approve at once through ``mission_decide`` and exactly R succeed; the
others are refused (QuotaExceeded) and stay as they were, step still pending; the
ledger balances and the audit chain verifies. PostgreSQL only: SQLite serialises
writers anyway and cannot show the race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.missions.decisions import awaiting_final_approval
from tests.plans.builders import approved_plan
from waishi.approvals.models import ApprovalStep
from waishi.audit.selectors import verify_chain
from waishi.missions.application import services
from waishi.missions.models import Mission, State
from waishi.plans.models import Quota, QuotaLedger
from waishi.plans.services import QuotaExceeded

THREADS = 50
REMAINING = 7
SUBJECT = "missions.mission"


@pytest.mark.concurrency
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under real concurrency"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_final_approvals_race_for_r_remaining_batches(cast, home_unit):
    clerk, head = cast["unit_clerk"], cast["fao_head"]
    missions = awaiting_final_approval(clerk, head, home_unit, THREADS)
    year = missions[0].departure_date.year
    approved_plan(home_unit, year=year, general=(10, 200))
    Quota.objects.filter(unit=home_unit, plan__year=year, category="general").update(
        batches_used=10 - REMAINING
    )
    assert all(
        ApprovalStep.objects.get(subject_id=m.pk, state="pending").approver_role == "fao_head"
        for m in missions
    )
    barrier = threading.Barrier(THREADS)
    results: dict[int, str] = {}
    lock = threading.Lock()

    def approve(mission: Mission) -> None:
        try:
            barrier.wait()
            outcome = services.mission_decide(actor=head, mission=mission, decision="approve")
        except QuotaExceeded:
            outcome = "refused"
        except Exception as exc:  # reported in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results[mission.pk] = outcome

    threads = [threading.Thread(target=approve, args=(m,)) for m in missions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(results) == THREADS
    assert [r for r in results.values() if r.startswith("error")] == []
    won = [pk for pk, r in results.items() if r == "approved"]
    lost = [pk for pk, r in results.items() if r == "refused"]
    assert len(won) == REMAINING and len(lost) == THREADS - REMAINING
    assert set(Mission.objects.filter(state=State.APPROVED).values_list("pk", flat=True)) == set(
        won
    )
    assert Mission.objects.filter(
        pk__in=lost, state=State.SUBMITTED, approved_at=None
    ).count() == len(lost)
    assert ApprovalStep.objects.filter(subject_id__in=lost, state="pending").count() == len(lost)
    quota = Quota.objects.get(unit=home_unit, plan__year=year, category="general")
    assert quota.batches_used == 10
    ledger = QuotaLedger.objects.filter(quota=quota)
    assert ledger.count() == REMAINING
    assert {r.reference for r in ledger} == {f"{SUBJECT}:{pk}" for pk in won}
    assert quota.person_trips_used == sum(r.person_trips for r in ledger) == REMAINING
    assert verify_chain() is None
