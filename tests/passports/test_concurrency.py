"""Twenty FAO threads issue the same passport for the same trip at once: exactly one
succeeds, the others are refused and change nothing; one open custody row, the audit
chain intact. PostgreSQL only: SQLite serialises writers anyway and cannot show the race."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.missions.conftest import build_mission
from tests.passports.conftest import approve, educate, register
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.passports import services
from waishi.passports.models import PassportCustody, PassportState

THREADS = 20


@pytest.mark.concurrency
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under real concurrency"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_threads_issue_one_passport_exactly_once(cast, people):
    fao = cast["fao_reviewer"]
    mission = approve(build_mission(cast["unit_clerk"], people))
    educate(cast["unit_clerk"], mission)
    passport = register(fao, people[0])
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            barrier.wait()
            services.passport_issue(actor=fao, passport=passport, mission=mission)
            outcome = "issued"
        except ValidationError:
            outcome = "refused"
        except Exception as exc:  # reported in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=issue) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [r for r in results if r.startswith("error")] == []
    assert results.count("issued") == 1
    assert results.count("refused") == THREADS - 1
    assert PassportCustody.objects.filter(passport=passport, returned_at__isnull=True).count() == 1
    passport.refresh_from_db()
    assert passport.state == PassportState.ISSUED
    assert AuditEvent.objects.filter(action="passports.passport.issue").count() == 1
    assert verify_chain() is None
