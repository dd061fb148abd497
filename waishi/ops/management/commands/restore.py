"""``waishi restore PATH [--force]``: put a backup made by ``waishi backup`` back.

The file's SM3 is checked against its manifest before anything is touched; a database in
use (accounts or audit events) is overwritten only with ``--force``. Afterwards every
table is compared with the manifest and the audit chain is verified. Exit 0 when all
match, 1 on a refusal, a failure or any difference (each one printed), 2 when the
database is not one this command handles.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from waishi.audit.messages import register
from waishi.audit.services import record
from waishi.ops import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `waishi backup` into the configured database, then check "
        "counts, checksums and the audit chain against its manifest. Stop the application "
        "and its workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file (or its .manifest.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database that holds accounts or audit events",
        )
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="do not add the restore to the audit chain",
        )

    def handle(self, *args, path: str, force: bool, no_record: bool, **options):
        register(backup.AUDIT_MESSAGES)
        progress = backup.Progress(self.stderr.write)
        try:
            result = backup.restore(Path(path), force=force, progress=progress)
        except backup.Unsupported as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if not no_record:
            record(
                action="backup.restored",
                actor_name=f"waishi restore ({getpass.getuser()})",
                data={
                    "file": result.path.name,
                    "sm3": manifest["file"]["sm3"],
                    "made": manifest["created_at"],
                    "differences": len(result.differences),
                },
            )
        if result.differences:
            self.stderr.write("The restored database differs from the backup:")
            for difference in result.differences:
                self.stderr.write(f"  - {difference}")
            raise CommandError(
                f"FAILED: {len(result.differences)} difference(s) from the backup {result.path}"
            )
        self.stdout.write(
            f"OK: restored {result.path} (made {manifest['created_at']}): {result.tables} "
            f"tables, {result.rows:,} rows, counts and SM3 checksums match the manifest; audit "
            f"chain intact to row {manifest['audit_head']['seq']}"
        )
