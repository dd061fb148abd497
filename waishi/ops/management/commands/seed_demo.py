"""``waishi seed_demo``: build (or refresh) the invented demo city 海滨市, its annual
plan and some trip applications. It lives in ``ops`` (the operations floor, above the
domain apps) because it calls every app's demo loader.

Refuses to run outside demo mode unless ``--force`` is given: it resets the demo
accounts' passwords to a published value, which must never happen in production.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from waishi.arrivals.demo import seed as seed_arrivals
from waishi.audit.services import record_state
from waishi.missions.demo import seed_missions
from waishi.orgs import demo
from waishi.passports.demo import seed_passports, seed_travel
from waishi.plans.demo import seed_plans


class Command(BaseCommand):
    help = (
        "Load the demo city: districts, units, about 300 people, one account per role, "
        "the annual plan and some trip applications."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even when WAISHI_MODE is not 'demo' (never on a production database)",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEMO and not force:
            raise CommandError(
                "seed_demo runs only with WAISHI_MODE=demo (it publishes the demo accounts' "
                "passwords); use --force to seed another database on purpose."
            )
        if settings.PRODUCTION:
            # --force is for development databases; a production one is never seeded.
            raise CommandError("seed_demo never runs with WAISHI_MODE=production.")
        started = time.monotonic()
        counts = demo.load(progress=self.stderr.write)
        self.stderr.write(
            f"demo city {demo.CITY} ready: districts {counts.districts}, units {counts.units}, "
            f"people {counts.people}, accounts {counts.users} "
            f"({time.monotonic() - started:.1f} s)"
        )
        seed_plans(self.stderr)
        created = seed_missions(self.stderr)
        seed_passports(self.stderr)
        seed_travel(self.stderr)
        seed_arrivals(self.stderr)
        # Some demo rows are made directly, not through services: their watched state
        # (roles, second factors, trip and passport states, quota use) goes on the chain,
        # so that a fresh demo verifies clean (waishi.audit.state).
        record_state(actor_name="waishi seed_demo")
        self.stderr.write(
            f"trip applications: {created} created ({time.monotonic() - started:.1f} s in all)"
        )
