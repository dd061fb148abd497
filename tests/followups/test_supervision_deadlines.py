"""A supervised task's default deadline in working days (supervision.md) across the 2026
Spring Festival: 15–23 February off, Saturday 14 and Saturday 28 February worked (调休).
The expected dates come from a small calendar written here, not from ``lib.workdays``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.followups.supervised import day, set_supervision
from waishi.followups import deadlines
from waishi.followups.models import Colour
from waishi.followups.supervision import colour_of

pytestmark = pytest.mark.django_db

# The State Council's notice for 2026 (国办发明电〔2025〕7号), as far as these tests go.
SPRING_FESTIVAL = {dt.date(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)}
WORKED_SATURDAYS = {dt.date(2026, 2, 14), dt.date(2026, 2, 28)}
# No other holiday between (清明 begins on Saturday 4 April).
KNOWN_FROM, KNOWN_TO = dt.date(2026, 2, 1), dt.date(2026, 4, 3)


def is_working(d: dt.date) -> bool:
    assert KNOWN_FROM <= d <= KNOWN_TO, f"{d} is outside this test's calendar"
    if d in WORKED_SATURDAYS:
        return True
    return d.weekday() < 5 and d not in SPRING_FESTIVAL


def plus_working_days(start: dt.date, n: int) -> dt.date:
    d = start
    while n:
        d += dt.timedelta(days=1)
        n -= is_working(d)
    return d


def test_the_calendar_of_this_test_is_the_announced_one():
    assert not is_working(day("2026-02-16")) and not is_working(day("2026-02-23"))
    assert is_working(day("2026-02-14")) and is_working(day("2026-02-28"))
    assert is_working(day("2026-02-24")) and not is_working(day("2026-03-01"))


@pytest.mark.parametrize(
    ("source_kind", "urgency", "start", "days", "expected"),
    [
        # 20 working days from Tuesday 10 Feb: the worked Saturdays count, the festival not.
        ("minutes", "", "2026-02-10", 20, "2026-03-16"),
        ("document", "", "2026-02-12", 30, "2026-04-01"),
        ("instruction", "urgent", "2026-02-12", 5, "2026-02-26"),
        ("instruction", "ordinary", "2026-02-13", 15, "2026-03-12"),
        ("instruction", "difficult", "2026-02-09", 30, "2026-03-27"),
        # On the last working day before the festival: the next working day is the 14th.
        ("instruction", "urgent", "2026-02-13", 1, "2026-02-14"),
        # From inside the festival: the first day counted is Tuesday 24 February.
        ("instruction", "urgent", "2026-02-18", 1, "2026-02-24"),
        ("trip", "", "2026-02-02", 30, "2026-03-20"),
    ],
)
def test_default_deadlines_by_source_in_working_days(source_kind, urgency, start, days, expected):
    start = day(start)
    if urgency == "urgent":  # the office sets 1 to 5 days; the parameter is the most
        set_supervision(instruction_urgent_days=days)
    due = deadlines.default_due(source_kind, start=start, urgency=urgency)
    assert due == plus_working_days(start, days)
    if expected:
        assert due == day(expected)
    # Calendar days would say otherwise whenever the festival lies between.
    if start < day("2026-02-15") < due:
        assert due > start + dt.timedelta(days=days)


def test_a_key_point_keeps_its_own_date_or_the_end_of_the_year():
    start = day("2026-02-10")
    assert deadlines.default_due("key_point", start=start) == day("2026-12-31")
    given = day("2026-06-30")
    assert deadlines.default_due("key_point", start=start, key_point_date=given) == given


def test_the_numbers_are_the_policy_s(db):
    set_supervision(minutes_days=5)
    start = day("2026-02-12")
    assert deadlines.default_due("minutes", start=start) == plus_working_days(start, 5)
    assert deadlines.default_due("minutes", start=start) == day("2026-02-26")


def test_a_task_registered_before_the_festival_is_due_after_it(make_task):
    with time_machine.travel(
        dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ):
        task = make_task()
    assert task.due_date == task.original_due_date == plus_working_days(day("2026-02-10"), 20)


@pytest.mark.parametrize(
    ("today", "colour"),
    [
        ("2026-02-10", Colour.NONE),  # 12, 13, 14, 24: four working days before the 24th
        ("2026-02-11", Colour.NONE),  # 12, 13, 14, 24
        ("2026-02-12", Colour.BLUE),  # 13, 14, 24: three, though twelve calendar days
        ("2026-02-14", Colour.BLUE),
        ("2026-02-20", Colour.BLUE),  # inside the festival: one working day left
        ("2026-02-24", Colour.BLUE),  # due today: not late yet
        ("2026-02-25", Colour.RED),
    ],
)
def test_the_blue_notice_counts_working_days_across_the_festival(make_task, today, colour):
    with time_machine.travel(
        dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ):
        task = make_task(due_date=day("2026-02-24"))
    assert colour_of(task, day(today)) == colour
    working_days_left = sum(
        is_working(day("2026-02-24") - dt.timedelta(days=n))
        for n in range((day("2026-02-24") - day(today)).days)
    )
    assert (colour == Colour.BLUE) == (
        0 <= working_days_left <= 3 and day(today) <= day("2026-02-24")
    )
