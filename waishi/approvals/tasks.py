"""Periodic jobs: remind the approvers of overdue steps, then escalate to their superiors;
tell the delegates of the delegations beginning today what already waits for them.

Each job re-checks what it tells and is safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.approvals.notices import delegations_beginning
from waishi.approvals.services import overdue_sweep
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="8", minute="35"))
@once_per(days=1)
def approval_sweep():
    return overdue_sweep()


@db_periodic_task(crontab(hour="7", minute="5"))
@once_per(days=1)
def delegation_start_notices():
    return delegations_beginning()
