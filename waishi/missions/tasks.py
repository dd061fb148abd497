"""The daily trip-report job: reminders before and on the due date, escalation after it
(``report.services.report_sweep``; safe to run twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.missions.report.services import report_sweep
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="7", minute="37"))
@once_per(days=1)
def daily_report_sweep():
    return report_sweep()
