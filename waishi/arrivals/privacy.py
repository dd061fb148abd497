"""Retention of health data (issue 6, deliverable 7; security.md P2).

Health details are kept ``ArrivalSettings.current().retention_days`` days, then purged:

- every health declaration and test result of an arrival closed longer ago than that;
- every health declaration of a resident made longer ago than that (a resident who left
  the city stops declaring, so all of theirs go in time);
- the free-text notes of the test steps of those arrivals (where a result may have been
  written down).

Purged means deleted: the ``HealthDeclaration`` and ``TestResult`` rows are removed, so
nothing health-related is left to leak (the ``purged_at`` column is not used). Before a
row goes, it is counted into ``HealthTally`` (per district, month and what), which keeps
the numbers for statistics without any person.

The work goes in chunks, each in its own transaction that locks its rows, counts them
and deletes them: a second run (or two at once) finds nothing left to count, so running
it again never counts anything twice. One audit event per run gives the counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals.models import (
    ArrivalSettings,
    ArrivalState,
    HealthDeclaration,
    HealthTally,
    Step,
    StepKind,
    TestOutcome,
    TestResult,
)
from waishi.audit.services import record

CHUNK = 500
What = HealthTally.What

TallyKey = tuple[int, dt.date, str]  # district id, first day of the month, what


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    return now - dt.timedelta(days=ArrivalSettings.current().retention_days)


def _month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


def _add(counts: dict[TallyKey, int]) -> None:
    """Add ``counts`` to the tallies: an UPDATE ... SET count = count + n that the
    database applies atomically, or the row created; a row created by another run in the
    meantime is updated instead."""
    for (district_id, month, what), n in sorted(counts.items()):
        if not n:
            continue
        row = HealthTally.objects.filter(district_id=district_id, month=month, what=what)
        if row.update(count=F("count") + n):
            continue
        try:
            with transaction.atomic():
                HealthTally.objects.create(district_id=district_id, month=month, what=what, count=n)
        except IntegrityError:
            row.update(count=F("count") + n)


def _lock(model, ids: list[int]) -> list[int]:
    """Lock the chunk's rows and return those still there: a run that got here first has
    counted and deleted the others, and what is left after the lock is ours alone to
    count. The lock is taken on the table alone (no join), which every database allows
    (PostgreSQL refuses FOR UPDATE on the nullable side of an outer join)."""
    return list(model.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))


def expired_declarations(limit: dt.datetime):
    return HealthDeclaration.objects.filter(
        Q(arrival__state=ArrivalState.CLOSED, arrival__closed_at__lt=limit)
        | Q(resident__isnull=False, declared_at__lt=limit)
    )


def expired_tests(limit: dt.datetime):
    return TestResult.objects.filter(
        arrival__state=ArrivalState.CLOSED, arrival__closed_at__lt=limit
    )


def _purge_declarations(limit: dt.datetime) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                expired_declarations(limit).order_by("pk").values_list("pk", flat=True)[:CHUNK]
            )
            if not ids:
                return done
            rows = list(
                HealthDeclaration.objects.filter(pk__in=_lock(HealthDeclaration, ids)).values(
                    "pk",
                    "declared_at",
                    "symptoms",
                    "test_outcome",
                    "arrival__district_id",
                    "resident__district_id",
                )
            )
            counts: Counter[TallyKey] = Counter()
            for row in rows:
                district = row["arrival__district_id"] or row["resident__district_id"]
                month = _month(row["declared_at"])
                counts[(district, month, What.DECLARATIONS)] += 1
                if row["symptoms"]:
                    counts[(district, month, What.SYMPTOMS)] += 1
                if row["test_outcome"] not in ("", TestOutcome.NOT_TAKEN):
                    counts[(district, month, What.TESTS)] += 1
                if row["test_outcome"] == TestOutcome.POSITIVE:
                    counts[(district, month, What.POSITIVE)] += 1
            _add(counts)
            HealthDeclaration.objects.filter(pk__in=[r["pk"] for r in rows]).delete()
            done += len(rows)


def _purge_tests(limit: dt.datetime) -> tuple[int, int]:
    """(test results deleted, notes of test steps blanked)."""
    done = notes = 0
    while True:
        with transaction.atomic():
            ids = list(expired_tests(limit).order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return done, notes
            rows = list(
                TestResult.objects.filter(pk__in=_lock(TestResult, ids)).values(
                    "pk", "sampled_on", "outcome", "arrival__district_id", "arrival_id"
                )
            )
            counts: Counter[TallyKey] = Counter()
            for row in rows:
                key = (row["arrival__district_id"], _month(row["sampled_on"]))
                counts[(*key, What.TESTS)] += 1
                if row["outcome"] == TestOutcome.POSITIVE:
                    counts[(*key, What.POSITIVE)] += 1
            _add(counts)
            TestResult.objects.filter(pk__in=[r["pk"] for r in rows]).delete()
            notes += (
                Step.objects.filter(
                    arrival_id__in={r["arrival_id"] for r in rows}, kind=StepKind.TEST
                )
                .exclude(note="")
                .update(note="")
            )
            done += len(rows)


def purge_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Purge the health details past the retention period, keeping their counts.
    Returns {"declarations", "tests", "notes"}: how many of each went. Idempotent."""
    now = now or timezone.now()
    settings = ArrivalSettings.current()
    limit = now - dt.timedelta(days=settings.retention_days)
    declarations = _purge_declarations(limit)
    tests, notes = _purge_tests(limit)
    counts = {"declarations": declarations, "tests": tests, "notes": notes}
    record(
        action="arrivals.health.purge",
        actor_name=_("system"),
        object_type="arrivals.healthtally",
        object_repr=_("Health details past the retention period"),
        data={
            **counts,
            "retention_days": settings.retention_days,
            "before": limit.isoformat(timespec="seconds"),
        },
    )
    return counts
