"""The daily trip-report job: reminders before and on the due date, escalation after it
(``report.services.report_sweep``; safe to run twice); the daily notice that a trip's
publicity has run (``notices.publicity_ready``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.missions.notices import publicity_ready
from waishi.missions.report.services import report_sweep
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="7", minute="37"))
@once_per(days=1)
def daily_report_sweep():
    return report_sweep()


@db_periodic_task(crontab(hour="8", minute="11"))
@once_per(days=1)
def daily_publicity_ready():
    return publicity_ready()
