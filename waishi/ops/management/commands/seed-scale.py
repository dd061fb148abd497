"""``waishi seed-scale [--scale F] [--force]``: an invented province, in bulk.

Builds 2,000 units in 100 districts, 100,000 people, 1,000,000 trips over ten years in
every state (with members, stops and approval steps), 2,000,000 audit rows continuing
the chain, 500,000 arrivals (the last 90 days' with their steps), passports for a fifth
of the people with their hand-outs, follow-ups of closed trips, this year's plan and
100,000 supervised tasks, times ``--scale``; ``--only tasks`` builds the organisation and
the tasks alone (the tasks' benchmark). Progress goes to stderr.
Refuses a database that already holds business data unless ``--force``, and always
refuses in production.
"""

from __future__ import annotations

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from waishi.ops.scale import Seeder, has_business_data


def _stages(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = sorted(set(names) - set(Seeder.STAGES))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown stage {', '.join(unknown)}; the stages: {', '.join(Seeder.STAGES)}"
        )
    return names


class Command(BaseCommand):
    help = "Fill the database with an invented province at scale (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is the full set")
        parser.add_argument("--seed", type=int, default=20161, help="random seed")
        parser.add_argument(
            "--force", action="store_true", help="add to a database that has business data"
        )
        parser.add_argument(
            "--only",
            type=_stages,
            default=Seeder.STAGES,
            help="comma-separated stages to build (the organisation always): "
            + ", ".join(Seeder.STAGES),
        )

    def handle(self, *args, scale: float, seed: int, force: bool, only=Seeder.STAGES, **options):
        if settings.MODE == "production":
            raise CommandError("seed-scale never runs with WAISHI_MODE=production.")
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        if has_business_data() and not force:
            raise CommandError(
                "This database already holds business data; use --force to add to it."
            )
        Seeder(scale, seed=seed, out=self.stderr).run(stages=only)
