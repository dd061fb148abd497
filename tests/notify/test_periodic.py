"""Periodic jobs run once per period however many consumers schedule them (issue 7:
"a periodic job runs exactly once per period however many consumers run")."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from waishi.notify import periodic
from waishi.notify.models import PeriodicRun

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _counter():
    calls: list[int] = []

    @periodic.once_per(days=1)
    def job():
        calls.append(1)
        return len(calls)

    return job, calls


def test_a_second_consumer_skips_the_period_and_the_next_period_runs(db):
    job, calls = _counter()
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 35, tzinfo=BEIJING), tick=False):
        assert job() == 1
        assert job() is None  # the other consumer, same morning
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 59, tzinfo=BEIJING), tick=False):
        assert job() is None  # still the same local day
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 1, tzinfo=BEIJING), tick=False):
        assert job() == 2
    run = PeriodicRun.objects.order_by("period_start").first()
    assert run.finished_at is not None
    assert run.period_start == dt.datetime(2026, 3, 2, 0, 0, tzinfo=BEIJING)
    assert len(calls) == 2


def test_quarter_hours_are_periods_on_the_clock():
    length = dt.timedelta(minutes=15)
    at = dt.datetime(2026, 3, 2, 8, 44, 59, tzinfo=dt.UTC)
    assert periodic.period_start(at, length) == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    assert periodic.period_start(at + dt.timedelta(seconds=1), length) == dt.datetime(
        2026, 3, 2, 8, 45, tzinfo=dt.UTC
    )


def test_a_failed_run_gives_its_period_back(db):
    attempts: list[int] = []

    @periodic.once_per(days=1)
    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database went away")
        return "done"

    with pytest.raises(RuntimeError):
        flaky()
    assert not PeriodicRun.objects.exists()
    assert flaky() == "done"


def test_every_periodic_job_of_the_project_runs_once_per_period(db):
    """The decorator is on every job huey schedules: calling each twice in one period
    runs it once (the second call returns None without touching anything)."""
    import importlib

    from django.apps import apps
    from huey.api import PeriodicTask, TaskWrapper

    jobs = []
    for app in apps.get_app_configs():  # what the consumer's autodiscovery imports
        if not app.name.startswith("waishi."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.tasks":
                raise
            continue
        jobs += [
            wrapper
            for wrapper in vars(module).values()
            if isinstance(wrapper, TaskWrapper) and issubclass(wrapper.task_class, PeriodicTask)
        ]
    assert len(jobs) >= 10
    for job in jobs:
        job.call_local()  # the job as the consumer runs it (without closing connections)
        assert job.call_local() is None, job.name
    assert PeriodicRun.objects.count() == len(jobs)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: consumers racing for real"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_consumers_run_the_job_once():
    job, calls = _counter()
    barrier = threading.Barrier(6)
    results: list[object] = []
    lock = threading.Lock()

    def consumer():
        from django.db import connection as own

        try:
            barrier.wait()
            outcome = job()
            with lock:
                results.append(outcome)
        finally:
            own.close()

    threads = [threading.Thread(target=consumer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=repr) == [1, None, None, None, None, None]
    assert len(calls) == 1
    assert PeriodicRun.objects.count() == 1


@pytest.mark.parametrize(
    ("beijing_time", "due"),
    [(dt.datetime(2026, 11, 26, 8, 5), True), (dt.datetime(2026, 11, 26, 16, 5), False)],
)
def test_crontab_hours_are_beijing_time(beijing_time, due):
    """The password-expiry notices are set for 08:05: that is 08:05 in Beijing, not 08:05 UTC
    (16:05 in Beijing), huey's default."""
    from huey.contrib.djhuey import HUEY

    from waishi.notify.tasks import daily_password_expiry_notices

    assert HUEY.utc is False
    with time_machine.travel(beijing_time.replace(tzinfo=BEIJING), tick=False):
        scheduled = {type(task) for task in HUEY.read_periodic(HUEY._get_timestamp())}
    assert (daily_password_expiry_notices.task_class in scheduled) is due
