"""Periodic job: remind the approvers of overdue steps, then escalate to their superiors.

The job re-checks each step under its row lock and is safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.approvals.services import overdue_sweep
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="8", minute="35"))
@once_per(days=1)
def approval_sweep():
    return overdue_sweep()
