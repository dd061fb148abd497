"""``waishi audit verify``: check the whole chain and the watched state; exit 1 naming the
first broken row and every row changed outside the application.

``waishi audit baseline``: record the watched state of every watched row as it stands
(once, after upgrading to a version that watches state; see README)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from waishi.audit.selectors import chain_length, verify
from waishi.audit.services import record, record_state

# At most this many differences are written into the audit event of a failed check.
RECORDED_DIFFERENCES = 20


class Command(BaseCommand):
    help = (
        "Audit chain tools. `verify` checks every row of the chain, its head's seal, the "
        "checkpoints published outside the database and the watched state (roles, units, "
        "second factors, trip and passport states, quota use); `baseline` records the "
        "watched state as it stands."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "baseline"])
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="do not add the result of the check to the chain",
        )

    def handle(self, *args, action: str, no_record: bool, **options):
        if action == "baseline":
            events = record_state(actor_name="waishi audit baseline")
            self.stdout.write(f"OK: the watched state recorded in {events} audit event(s)")
            return
        started = time.monotonic()
        total = chain_length()
        self.stderr.write(f"verifying {total} audit rows ...")
        result = verify()
        seconds = time.monotonic() - started
        problem, differences = result.problem, result.differences
        if result.ok:
            if not no_record:
                record(
                    action="audit.verified",
                    actor_name="waishi audit verify",
                    data={"result": "OK", "rows": total},
                )
            self.stdout.write(
                f"OK: {total} rows, chain intact, watched state as recorded ({seconds:.1f} s)"
            )
            return
        if not no_record:
            data = {"result": "FAILED"}
            if problem is not None:
                data.update(seq=problem.seq, kind=problem.kind)
            if differences:
                data["differences"] = len(differences)
                data["changed"] = [f"{d.label}:{d.pk}" for d in differences[:RECORDED_DIFFERENCES]]
            record(action="audit.verified", actor_name="waishi audit verify", data=data)
        if problem is not None:
            raise CommandError(f"FAILED at row {problem.seq} ({problem.kind}): {problem.detail}")
        for difference in differences:
            self.stderr.write(f"  - {difference.detail}")
        raise CommandError(
            f"FAILED: {len(differences)} row(s) changed outside the application (the audit "
            f"chain itself is intact, {total} rows)"
        )
