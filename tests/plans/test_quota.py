"""Quotas and the ledger: set by the FAO, never below what is used; consumed and released
by reference inside the caller's transaction; refused with a message saying what is
left; and backed by database constraints when the services are bypassed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation

from tests.plans.conftest import YEAR
from waishi.audit.models import AuditEvent
from waishi.plans import selectors, services
from waishi.plans.models import Category, LedgerKind, Quota, QuotaLedger
from waishi.plans.services import QuotaExceeded

pytestmark = pytest.mark.django_db


def quota(unit, category=Category.GENERAL) -> Quota:
    return Quota.objects.get(unit=unit, category=category)


def consume(cast, home_unit, n=2, ref="missions.mission:1", category=Category.GENERAL):
    return services.quota_consume(
        actor=cast["fao_head"],
        unit=home_unit,
        year=YEAR,
        category=category,
        person_trips=n,
        reference=ref,
    )


def test_consume_and_release(cast, approved_plan, home_unit):
    row = consume(cast, home_unit, n=4)
    assert (row.kind, row.batches, row.person_trips) == (LedgerKind.CONSUME, 1, 4)
    q = quota(home_unit)
    assert (q.batches_used, q.person_trips_used) == (1, 4)
    assert (q.batches_left, q.person_trips_left) == (2, 6)
    # A retry of the same approval does not count twice.
    assert consume(cast, home_unit, n=4) == row
    assert quota(home_unit).batches_used == 1

    released = services.quota_release(actor=cast["unit_clerk"], reference="missions.mission:1")
    assert (released.kind, released.batches, released.person_trips) == ("release", -1, -4)
    q = quota(home_unit)
    assert (q.batches_used, q.person_trips_used) == (0, 0)
    # Idempotent: a second release changes nothing.
    assert (
        services.quota_release(actor=cast["fao_head"], reference="missions.mission:1") == released
    )
    assert quota(home_unit).batches_used == 0
    assert services.quota_release(actor=cast["fao_head"], reference="missions.mission:99") is None
    assert QuotaLedger.objects.count() == 2
    # Released: the reference cannot consume again.
    with pytest.raises(ValidationError):
        consume(cast, home_unit, n=4)
    consume_event = AuditEvent.objects.get(action="plans.quota.consume")
    assert consume_event.data == {"reference": "missions.mission:1", "person_trips": 4}
    assert consume_event.after == {"batches_used": 1, "person_trips_used": 4}
    assert AuditEvent.objects.filter(action="plans.quota.release").count() == 1


def test_general_and_econ_tech_are_separate(cast, approved_plan, home_unit):
    consume(cast, home_unit, n=3, category=Category.ECON_TECH)
    assert quota(home_unit, Category.ECON_TECH).person_trips_used == 3
    assert quota(home_unit, Category.GENERAL).person_trips_used == 0


def test_academic_trips_use_no_quota(cast, approved_plan, home_unit):
    assert consume(cast, home_unit, category=Category.ACADEMIC) is None
    assert not QuotaLedger.objects.exists()


def test_batches_used_up(cast, approved_plan, home_unit):
    for i in range(3):
        consume(cast, home_unit, n=1, ref=f"m:{i}")
    with pytest.raises(QuotaExceeded) as info, translation.override("en"):
        consume(cast, home_unit, n=1, ref="m:9")
    message = " ".join(info.value.messages)
    assert "used up" in message and "3/3" in message and str(YEAR) in message
    assert isinstance(info.value, ValidationError)
    assert quota(home_unit).batches_used == 3
    assert QuotaLedger.objects.count() == 3


def test_person_trips_short(cast, approved_plan, home_unit):
    consume(cast, home_unit, n=8, ref="m:1")
    with pytest.raises(QuotaExceeded) as info, translation.override("en"):
        consume(cast, home_unit, n=3, ref="m:2")
    message = " ".join(info.value.messages)
    assert "2 person-trips left" in message and "needs 3" in message and "8/10" in message
    assert quota(home_unit).person_trips_used == 8


def test_chinese_message(cast, approved_plan, home_unit):
    for i in range(3):
        consume(cast, home_unit, n=1, ref=f"m:{i}")
    with pytest.raises(QuotaExceeded) as info, translation.override("zh-hans"):
        consume(cast, home_unit, n=1, ref="m:9")
    message = " ".join(info.value.messages)
    # The catalogue may not have it yet; the numbers are there in either language.
    assert "3/3" in message and "商务局" in message


def test_no_quota_row_means_no_quota(cast, approved_plan, foreign_unit):
    with pytest.raises(QuotaExceeded):
        services.quota_consume(
            actor=cast["fao_head"],
            unit=foreign_unit,
            year=YEAR,
            category=Category.GENERAL,
            person_trips=1,
            reference="m:1",
        )


def test_no_quota_before_the_plan_is_approved(cast, plan, home_unit):
    services.quota_set(
        actor=cast["fao_head"],
        plan=plan,
        unit=home_unit,
        category=Category.GENERAL,
        batches=5,
        person_trips=5,
    )
    with pytest.raises(QuotaExceeded):
        consume(cast, home_unit, n=1)
    with pytest.raises(QuotaExceeded):
        services.quota_consume(
            actor=cast["fao_head"],
            unit=home_unit,
            year=YEAR + 5,
            category=Category.GENERAL,
            person_trips=1,
            reference="m:1",
        )


def test_consume_refused_for_other_units_and_readers(cast, approved_plan, home_unit):
    with pytest.raises(PermissionDenied):
        services.quota_consume(
            actor=cast["auditor"],
            unit=home_unit,
            year=YEAR,
            category=Category.GENERAL,
            person_trips=1,
            reference="m:1",
        )
    with pytest.raises(PermissionDenied):
        services.quota_consume(
            actor=cast["outsider"],
            unit=home_unit,
            year=YEAR,
            category=Category.GENERAL,
            person_trips=1,
            reference="m:1",
        )
    consume(cast, home_unit, n=1, ref="m:1")
    with pytest.raises(PermissionDenied):
        services.quota_release(actor=cast["outsider"], reference="m:1")
    assert quota(home_unit).batches_used == 1


def test_consume_rolls_back_with_the_callers_transaction(cast, approved_plan, home_unit):
    with pytest.raises(RuntimeError), transaction.atomic():
        consume(cast, home_unit, n=2)
        raise RuntimeError("the approval failed after the quota was taken")
    assert quota(home_unit).batches_used == 0
    assert not QuotaLedger.objects.exists()


def test_quota_never_below_used(cast, approved_plan, home_unit):
    consume(cast, home_unit, n=6, ref="m:1")
    consume(cast, home_unit, n=1, ref="m:2")
    with pytest.raises(ValidationError) as info:
        services.quota_set(
            actor=cast["fao_reviewer"],
            plan=approved_plan,
            unit=home_unit,
            category=Category.GENERAL,
            batches=1,
            person_trips=5,
        )
    assert set(info.value.message_dict) == {"batches", "person_trips"}
    q = services.quota_set(
        actor=cast["fao_reviewer"],
        plan=approved_plan,
        unit=home_unit,
        category=Category.GENERAL,
        batches=2,
        person_trips=7,
    )
    assert (q.batches, q.person_trips, q.batches_left, q.person_trips_left) == (2, 7, 0, 0)
    event = AuditEvent.objects.filter(action="plans.quota.set").last()
    assert event.before == {"batches": 3, "person_trips": 10}
    assert event.after == {"batches": 2, "person_trips": 7}


def test_quota_set_by_the_fao_only(cast, plan, home_unit):
    for role in ("unit_clerk", "unit_leader", "committee", "auditor"):
        with pytest.raises(PermissionDenied):
            services.quota_set(
                actor=cast[role],
                plan=plan,
                unit=home_unit,
                category=Category.GENERAL,
                batches=1,
                person_trips=1,
            )
    with pytest.raises(ValidationError):
        services.quota_set(
            actor=cast["fao_head"],
            plan=plan,
            unit=home_unit,
            category=Category.ACADEMIC,
            batches=1,
            person_trips=1,
        )
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"batches_used": F("batches") + 1},
        {"person_trips_used": F("person_trips") + 1},
        {"batches": 0, "batches_used": 1},
    ],
)
def test_the_database_refuses_overspending(approved_plan, home_unit, change):
    """Even a write that bypasses the services cannot overspend."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(unit=home_unit, category=Category.GENERAL).update(**change)
    assert quota(home_unit).batches_used == 0


def test_the_database_refuses_a_second_consume_of_one_reference(cast, approved_plan, home_unit):
    row = consume(cast, home_unit, n=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedger.objects.create(
            quota=row.quota, reference=row.reference, kind="consume", batches=1, person_trips=1
        )


def test_summary(cast, approved_plan, home_unit, draft):
    consume(cast, home_unit, n=2, category=Category.ECON_TECH)
    rows = selectors.quota_summary(approved_plan)
    assert [r.unit for r in rows] == [home_unit]
    econ = rows[0].cells[Category.ECON_TECH]
    assert (econ.quota.person_trips_used, econ.planned_batches, econ.planned_person_trips) == (
        2,
        1,
        3,
    )
    assert rows[0].cells[Category.GENERAL].planned_batches == 0
    assert selectors.quota_summary(approved_plan, user=cast["outsider"]) == []


def test_the_builder_for_other_apps(cast, home_unit):
    from tests.plans.builders import approved_plan

    approved_plan(home_unit, year=2027, general=(1, 2), entry=True)
    assert selectors.binding_entries(home_unit, 2027).count() == 1
    services.quota_consume(
        actor=cast["fao_head"],
        unit=home_unit,
        year=2027,
        category=Category.GENERAL,
        person_trips=2,
        reference="x:1",
    )
    with pytest.raises(QuotaExceeded):
        services.quota_consume(
            actor=cast["fao_head"],
            unit=home_unit,
            year=2027,
            category=Category.GENERAL,
            person_trips=1,
            reference="x:2",
        )
