"""Periodic jobs: mark outcomes past their due date overdue, then escalate them; colour
the supervised tasks (blue, yellow, red) in working days and tell of those turning red.

Each job re-checks what it changes under its row lock and is safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.followups.services import overdue_sweep
from waishi.followups.supervision import colour_sweep
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="8", minute="45"))
@once_per(days=1)
def followup_sweep():
    return overdue_sweep()


# Before the working day (Beijing time): a unit opens its page on the day's colours.
@db_periodic_task(crontab(hour="6", minute="35"))
@once_per(days=1)
def supervision_colour_sweep():
    return colour_sweep()
