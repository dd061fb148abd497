"""Periodic job: mark outcomes past their due date overdue, then escalate them.

The job re-checks each outcome under its row lock and is safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.followups.services import overdue_sweep
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="8", minute="45"))
@once_per(days=1)
def followup_sweep():
    return overdue_sweep()
