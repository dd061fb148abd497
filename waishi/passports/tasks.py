"""The daily passport job (expiry, reminders, escalation, the unit lock)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.notify.periodic import once_per
from waishi.passports import services


@db_periodic_task(crontab(hour="7", minute="23"))
@once_per(days=1)
def daily_passport_sweep():
    services.sweep()
