"""``waishi seed_demo``: build (or refresh) the invented demo city 海滨市 as it stands on
the day it runs (or ``--today``): last year's and this year's annual plans approved and
next year's open, some forty trips in every state of their life, passports out and
overdue, arrivals in every state in two districts with officers. It lives in ``ops``
(the operations floor, above the domain apps) because it calls every app's demo loader.

Refuses to run outside demo mode unless ``--force`` is given: it resets the demo
accounts' passwords to a published value, which must never happen in production.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from waishi.arrivals.demo import seed as seed_arrivals
from waishi.audit.services import record_state
from waishi.committee.demo import seed as seed_committee
from waishi.ops.demo import run_sweeps, seed_passport_application, seed_trips
from waishi.ops.demo_tasks import minutes_tasks
from waishi.ops.demo_tasks import seed as seed_tasks
from waishi.orgs import demo
from waishi.plans.demo import seed_plans


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Load the demo city as it stands today: districts, units, about 300 people, one "
        "account per role, the annual plans, some forty trips in every state, passports "
        "and arrivals."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even when WAISHI_MODE is not 'demo' (never on a production database)",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="build the demo as it would stand on this day (YYYY-MM-DD; default today)",
        )

    def handle(self, *args, force: bool, today: dt.date | None = None, **options):
        if not settings.DEMO and not force:
            raise CommandError(
                "seed_demo runs only with WAISHI_MODE=demo (it publishes the demo accounts' "
                "passwords); use --force to seed another database on purpose."
            )
        if settings.PRODUCTION:
            # --force is for development databases; a production one is never seeded.
            raise CommandError("seed_demo never runs with WAISHI_MODE=production.")
        frozen = contextlib.nullcontext()
        if today is not None and today != timezone.localdate():
            now = timezone.localtime()
            frozen = demo.clock(demo.moment(today, now.hour, now.minute))
        # What the demo's steps notify goes to the inboxes; the demo's e-mail addresses
        # are invented, so no mail is sent (nor printed on the console) for them.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with frozen, quiet:
            self._seed(timezone.localdate())

    def _seed(self, today: dt.date) -> None:
        started = time.monotonic()
        write = self.stderr.write

        def stage(message: str) -> None:
            write(f"{message} ({time.monotonic() - started:.1f} s)")

        write(f"demo city {demo.CITY} as on {today.isoformat()}")
        counts = demo.load(progress=write)
        stage(
            f"city: districts {counts.districts}, units {counts.units}, "
            f"people {counts.people}, accounts {counts.users}"
        )
        seed_plans(_Lines(stage), today)
        seeded = seed_trips(stage, today)
        if not seeded.skipped:
            stage(
                f"trips: {seeded.trips} trips, {seeded.changes} change requests, "
                f"{seeded.outcomes} follow-up outcomes"
            )
        if seed_passport_application(today):
            stage("passports: one application for a new passport waits for the FAO")
        seed_arrivals(_Lines(stage))
        made = seed_committee(today)
        if any(made.values()):
            stage("committee: " + ", ".join(f"{k} {v}" for k, v in made.items()))
        tasks = seed_tasks(today, stage, extra=minutes_tasks())
        if tasks:
            stage(f"supervised tasks: {sum(tasks.values())} in {len(tasks)} states")
        swept = run_sweeps()
        stage("daily jobs: " + ", ".join(f"{k} {v}" for k, v in swept.items()))
        # Some demo rows are made directly, not through services: their watched state
        # (roles, second factors, trip and passport states, quota use) goes on the chain,
        # so that a fresh demo verifies clean (waishi.audit.state).
        record_state(actor_name="waishi seed_demo")
        stage("demo ready")


class _Lines:
    """A writer for the loaders that write whole lines: each line goes to ``stage``."""

    def __init__(self, stage):
        self.stage = stage

    def write(self, text: str) -> None:
        for line in str(text).splitlines():
            if line.strip():
                self.stage(line)
