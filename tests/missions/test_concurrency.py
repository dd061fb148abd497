"""50 trips of one unit wait for their final approval while the unit has R batches
left: 50 threads approve at once through ``mission_decide`` and exactly R succeed; the
others are refused (QuotaExceeded) and stay as they were, step still pending; the
ledger balances and the audit chain verifies. PostgreSQL only: SQLite serialises
writers anyway and cannot show the race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.plans.builders import approved_plan
from waishi.approvals import services as approvals
from waishi.approvals.models import ApprovalRule, ApprovalStep
from waishi.audit.selectors import verify_chain
from waishi.missions import services
from waishi.missions.models import BudgetLine, Member, Mission, Publicity, State, Stop
from waishi.plans.models import Quota, QuotaLedger
from waishi.plans.services import QuotaExceeded

THREADS = 50
REMAINING = 7
SUBJECT = "missions.mission"


def _copy(model, row, **changes):
    values = {
        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return model(**values)


def _missions(clerk, head, unit) -> list[Mission]:
    """One clean trip built through the services, then 49 copies of its rows (direct
    ORM, for speed); each is submitted and gets its chain through the approvals service:
    a single FAO head step, pending, which is the final approval. Publicity exempted."""
    ApprovalRule.objects.filter(applies_to=SUBJECT).exclude(approver_role="fao_head").update(
        active=False
    )
    person = PersonFactory(unit=unit, name="赵六", rank="section_below")
    base = services.mission_submit(actor=clerk, mission=build_mission(clerk, [person]))
    missions = [base]
    stop = base.stops.get()
    member = base.members.get()
    line = base.budget_lines.get()
    for i in range(1, THREADS):
        m = _copy(Mission, base, title=f"{base.title}{i}")
        m.save()
        new_stop = _copy(Stop, stop, mission_id=m.pk)
        new_stop.save()
        Member.objects.create(
            mission=m, person=person, task=member.task, is_leader=True, snapshot=member.snapshot
        )
        _copy(BudgetLine, line, mission_id=m.pk, stop_id=new_stop.pk).save()
        approvals.chain_start(
            actor=clerk, subject_type=SUBJECT, subject_id=m.pk, unit=unit, facts={}
        )
        missions.append(m)
    for m in missions:
        Publicity.objects.create(
            mission=m, exemption="emergency", exemption_reason="紧急任务（测试）", exempted_by=head
        )
    return missions


@pytest.mark.concurrency
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under real concurrency"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_final_approvals_race_for_r_remaining_batches(cast, home_unit):
    clerk, head = cast["unit_clerk"], cast["fao_head"]
    missions = _missions(clerk, head, home_unit)
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
