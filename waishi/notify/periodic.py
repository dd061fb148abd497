"""Periodic jobs run once per period however many huey consumers schedule them.

Every consumer runs huey's scheduler, so with two consumers (two machines) each periodic
job is enqueued twice per period. ``once_per`` wraps a job: before it runs, it inserts the
row (job, start of the period) into ``PeriodicRun``; the unique constraint lets exactly
one insert succeed, and every other consumer skips that period. A job that fails gives
its period back (the row is deleted), so that it can be run again by hand; the error
is raised for huey to log.

    @db_periodic_task(crontab(minute="*/15"))
    @once_per(minutes=15)
    def sweep(): ...
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from waishi.notify.models import PeriodicRun

logger = logging.getLogger(__name__)
EPOCH = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)  # a Monday, 00:00 UTC


def period_start(now: dt.datetime, length: dt.timedelta) -> dt.datetime:
    """The start of the period of ``length`` that holds ``now``. Days start at midnight
    Beijing time (the crontab's hours are local), shorter periods on the clock."""
    if length >= dt.timedelta(days=1):
        local_midnight = dt.datetime.combine(
            timezone.localdate(now), dt.time(0), tzinfo=timezone.get_current_timezone()
        )
        days = (local_midnight.date() - EPOCH.date()).days
        whole = length.days
        return local_midnight - dt.timedelta(days=days % whole)
    seconds = int((now - EPOCH).total_seconds())
    step = int(length.total_seconds())
    return EPOCH + dt.timedelta(seconds=seconds - seconds % step)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(task: str, length: dt.timedelta, now: dt.datetime | None = None) -> PeriodicRun | None:
    """The run of ``task`` for the period holding ``now``, or None when another consumer
    has it already."""
    start = period_start(now or timezone.now(), length)
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(task=task, period_start=start, worker=_worker())
    except IntegrityError:
        return None


def once_per(*, days: int = 0, hours: int = 0, minutes: int = 0) -> Callable:
    length = dt.timedelta(days=days, hours=hours, minutes=minutes)
    if length <= dt.timedelta(0):
        raise ValueError("once_per needs a period")

    def decorate(job: Callable) -> Callable:
        name = f"{job.__module__}.{job.__qualname__}"

        @functools.wraps(job)
        def run(*args, **kwargs):
            ticket = claim(name, length)
            if ticket is None:
                logger.info("%s: this period's run belongs to another consumer", name)
                return None
            try:
                result = job(*args, **kwargs)
            except Exception:
                PeriodicRun.objects.filter(pk=ticket.pk).delete()
                raise
            PeriodicRun.objects.filter(pk=ticket.pk).update(finished_at=timezone.now())
            return result

        return run

    return decorate
