"""Working days (工作日) by the Chinese calendar: weekends, public holidays and the
adjusted working weekends (调休) the State Council announces each year.

The ``chinesecalendar`` package carries the announced years. For a year it does not know
yet (the notice comes out each November), Monday to Friday count as working days, and
``known(day)`` says so, so that a deadline computed that far ahead can be marked as an
estimate.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import chinese_calendar


def known(day: date) -> bool:
    """True when the holiday notice for ``day``'s year is in the calendar."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # year not announced yet: weekdays only
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted):
    3 working days from Wednesday 30 Sep 2026 is Saturday 10 Oct 2026 (National Day
    week off, the Saturday after it worked). ``days`` = 0 gives ``start``."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
