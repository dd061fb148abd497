"""``waishi audit verify``: check the whole chain; exit 1 naming the first broken row."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from waishi.audit.selectors import chain_length, verify_chain
from waishi.audit.services import record


class Command(BaseCommand):
    help = "Audit chain tools. `verify` checks every row of the chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="do not add the result of the check to the chain",
        )

    def handle(self, *args, action: str, no_record: bool, **options):
        started = time.monotonic()
        total = chain_length()
        self.stderr.write(f"verifying {total} audit rows ...")
        problem = verify_chain()
        seconds = time.monotonic() - started
        if problem is None:
            if not no_record:
                record(
                    action="audit.verified",
                    actor_name="waishi audit verify",
                    data={"result": "OK", "rows": total},
                )
            self.stdout.write(f"OK: {total} rows, chain intact ({seconds:.1f} s)")
            return
        if not no_record:
            record(
                action="audit.verified",
                actor_name="waishi audit verify",
                data={"result": "FAILED", "seq": problem.seq, "kind": problem.kind},
            )
        raise CommandError(f"FAILED at row {problem.seq} ({problem.kind}): {problem.detail}")
