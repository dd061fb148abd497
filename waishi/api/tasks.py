"""Periodic jobs of the API: forgetting old idempotency keys."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.api import idempotency
from waishi.notify.periodic import once_per


@db_periodic_task(crontab(hour="4", minute="23"))
@once_per(days=1)
def purge_idempotency_keys():
    idempotency.purge()
