"""The periodic jobs the consumer runs call the arrivals' sweeps."""

from __future__ import annotations

import datetime as dt

import time_machine

from waishi.arrivals import tasks
from waishi.arrivals.models import Step
from waishi.audit.models import AuditEvent
from waishi.notify.models import Notification


def test_the_quarter_hourly_task_escalates_a_late_landing_check(arrival, command):
    mine = arrival(arrival_time=dt.time(8, 0))
    landing = mine.steps.get(sequence=1)
    with time_machine.travel(landing.due_at + dt.timedelta(minutes=20), tick=False):
        tasks.arrivals_escalation_sweep.call_local()
    assert Step.objects.get(pk=landing.pk).escalated_at is not None
    assert Notification.objects.filter(recipient=command, kind="arrivals.escalation").exists()


def test_the_daily_tasks_run_the_summary_and_the_purge(arrival, officer):
    arrival()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        tasks.arrivals_daily_summary.call_local()
        tasks.arrivals_health_purge.call_local()
    assert Notification.objects.filter(recipient=officer, kind="arrivals.summary").exists()
    assert AuditEvent.objects.filter(action__startswith="arrivals.health.purge").exists()
