"""Numbers: a meeting is the N-th of its kind in its year (第N次), given under a row lock
and backed by a unique constraint; issued minutes take the year's next 发文字号, written as
GB/T 9704-2012 writes it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from tests.committee.conftest import hold
from waishi.committee import services
from waishi.committee.models import Meeting, MeetingKind

pytestmark = pytest.mark.django_db


def _meeting(office, kind, day):
    return services.meeting_create(actor=office, kind=kind, date=day, place="会议室")


def test_meetings_are_numbered_within_their_year_and_kind(office, members):
    d = dt.date
    a = _meeting(office, MeetingKind.DIRECTORS, d(2026, 3, 1))
    b = _meeting(office, MeetingKind.DIRECTORS, d(2026, 5, 1))
    c = _meeting(office, MeetingKind.PLENARY, d(2026, 5, 2))
    e = _meeting(office, MeetingKind.DIRECTORS, d(2027, 1, 5))
    assert [(m.year, m.number) for m in (a, b, c, e)] == [
        (2026, 1),
        (2026, 2),
        (2026, 1),
        (2027, 1),
    ]
    assert str(b) == "2026年第2次主任会议"


def test_the_database_refuses_a_second_meeting_with_the_same_number(office, members):
    first = _meeting(office, MeetingKind.TOPIC, dt.date(2026, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            kind=first.kind,
            year=first.year,
            number=first.number,
            date=first.date,
            place="别处",
            created_by=office,
        )


def test_a_meeting_keeps_its_year(office, members):
    meeting = _meeting(office, MeetingKind.TOPIC, dt.date(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.meeting_update(actor=office, meeting=meeting, date=dt.date(2027, 1, 3))
    moved = services.meeting_update(actor=office, meeting=meeting, date=dt.date(2026, 4, 8))
    assert (moved.year, moved.number) == (2026, 1)


def test_minutes_take_the_years_next_number_without_leading_zeros(cast, office, members):
    numbers = []
    for day in (dt.date(2026, 2, 1), dt.date(2026, 3, 1)):
        meeting = _meeting(office, MeetingKind.DIRECTORS, day)
        hold(office, meeting)
        minutes = services.minutes_draft(actor=office, meeting=meeting)
        services.minutes_submit(actor=office, minutes=minutes)
        numbers.append(services.minutes_issue(actor=cast["fao_head"], minutes=minutes))
    year = numbers[0].year
    assert [m.number for m in numbers] == [f"外委纪〔{year}〕1号", f"外委纪〔{year}〕2号"]
    assert services.format_number("外委纪", 2026, 10) == "外委纪〔2026〕10号"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_meetings_scheduled_at_once_never_share_a_number(cast, members):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks under real concurrency; SQLite serialises")
    office, threads, results = cast["fao_reviewer"], 8, []
    barrier, lock = threading.Barrier(threads), threading.Lock()

    def schedule() -> None:
        try:
            barrier.wait()
            _meeting(office, MeetingKind.DIRECTORS, dt.date(2026, 6, 1))
            outcome = "ok"
        except Exception as exc:  # reported in the assertion below
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=schedule) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == ["ok"] * threads
    numbers = sorted(
        Meeting.objects.filter(year=2026, kind="directors").values_list("number", flat=True)
    )
    assert numbers == list(range(1, threads + 1))
