"""A supervised task's default deadline by its source (supervision.md), in working days of
the Chinese calendar (``waishi.lib.workdays``: weekends, the State Council's holidays and
the 调休 Saturdays worked), from the numbers of the policy parameter ``SUPERVISION`` in
force (dated versions the office edits, never constants here).

| source | default |
| --- | --- |
| a decision in meeting minutes | ``minutes_days`` from the minutes' issue |
| a document's requirement | ``document_days`` |
| a leader's instruction | ``instruction_urgent_days`` / ``_ordinary_`` / ``_difficult_`` |
| a work key point of the year | the date in the key points, else 31 December |
| a trip's or visit's outcome, other | ``outcome_days`` (when no date is given) |
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.utils import timezone

from waishi.followups.models import SourceKind, Urgency
from waishi.lib.workdays import add_working_days, working_days_between
from waishi.policy import selectors as policy_selectors


def parameters(on: date | None = None) -> dict:
    """``SUPERVISION`` of the policy in force on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return policy_selectors.policy_in_force_db(on).parameters["SUPERVISION"]


def working_days_for(source_kind: str, *, urgency: str = "", on: date | None = None) -> int | None:
    """The working days a task of this source is given by default; None for a key point
    (its date comes from the key points)."""
    p = parameters(on)
    if source_kind == SourceKind.MINUTES:
        return int(p["minutes_days"])
    if source_kind == SourceKind.DOCUMENT:
        return int(p["document_days"])
    if source_kind == SourceKind.INSTRUCTION:
        key = {
            Urgency.URGENT: "instruction_urgent_days",
            Urgency.DIFFICULT: "instruction_difficult_days",
        }.get(urgency, "instruction_ordinary_days")
        return int(p[key])
    if source_kind == SourceKind.KEY_POINT:
        return None
    return int(p["outcome_days"])


def default_due(
    source_kind: str, *, start: date, urgency: str = "", key_point_date: date | None = None
) -> date:
    """The default deadline of a task of ``source_kind`` counted from ``start`` (the day of
    the minutes' issue, of the document, of the instruction, or of registration): that many
    working days later (``start`` not counted). A key point is due on its own date, else
    on 31 December of ``start``'s year."""
    if source_kind == SourceKind.KEY_POINT:
        return key_point_date or date(start.year, 12, 31)
    days = working_days_for(source_kind, urgency=urgency, on=start)
    return add_working_days(start, days)


def accept_by(assigned: date) -> date:
    """The day by which the lead unit accepts (签收) a task assigned on ``assigned``."""
    return add_working_days(assigned, int(parameters(assigned)["accept_days"]))


def blue_limit(today: date) -> date:
    """The last deadline that is "within ``blue_days`` working days" of ``today``: a task
    due on or before it (and not yet past) shows the blue notice."""
    return add_working_days(today, int(parameters(today)["blue_days"]))


def working_days_left(due: date, today: date) -> int:
    """Working days from ``today`` to ``due`` (0 when due today or past)."""
    return working_days_between(today, due)


def report_day(year: int, month: int, day: int) -> date:
    """The monthly report's day in ``year``/``month`` (a day past the month's end: its
    last day)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def report_window(today: date) -> tuple[date, date]:
    """The monthly report period that has ended by ``today``: (the report day of the month
    before, the last report day before ``today``). A major task must have reported after
    the first and (at the latest) by the second; a report after it still counts, late."""
    day = int(parameters(today)["monthly_report_day"])
    this = report_day(today.year, today.month, day)
    if this < today:
        last = this
    else:
        prev_month = today.replace(day=1) - timedelta(days=1)
        last = report_day(prev_month.year, prev_month.month, day)
    before = last.replace(day=1) - timedelta(days=1)
    return report_day(before.year, before.month, day), last
