"""The arrivals' periodic jobs: escalating late steps (every 15 minutes: a landing check
is due within hours, not days), the daily summary to each district, and the purge of
health details past the retention period."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.notify.periodic import once_per


@db_periodic_task(crontab(minute="*/15"))
@once_per(minutes=15)
def arrivals_escalation_sweep():
    from waishi.arrivals import services

    services.sweep()


@db_periodic_task(crontab(hour="7", minute="5"))
@once_per(days=1)
def arrivals_daily_summary():
    from waishi.arrivals import summary

    summary.daily_summary()


@db_periodic_task(crontab(hour="3", minute="17"))
@once_per(days=1)
def arrivals_health_purge():
    from waishi.arrivals import privacy

    privacy.purge_expired()
