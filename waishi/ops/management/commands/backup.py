"""``waishi backup [--output PATH]``: a consistent copy of the database and its manifest.

SQLite through the online backup API, PostgreSQL through ``pg_dump -Fc``; MariaDB is
refused (see ``waishi.ops.backup``). Exit 0 with the paths printed, 1 on failure, 2 when
the database is not one this command handles.
"""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from waishi.audit.messages import register
from waishi.audit.services import record
from waishi.ops import backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) into a new "
        "file, mode 0600, with a manifest of row counts and SM3 checksums beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="the backup file, or a folder for a timestamped one (default: var/backups/)",
        )
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="do not add the backup to the audit chain",
        )

    def handle(self, *args, output: str | None, no_record: bool, **options):
        register(backup.AUDIT_MESSAGES)
        progress = backup.Progress(self.stderr.write)
        try:
            result = backup.backup(output, progress)
        except backup.Unsupported as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        if not no_record:
            record(
                action="backup.created",
                actor_name=f"waishi backup ({getpass.getuser()})",
                data={
                    "file": result.path.name,
                    "sm3": manifest["file"]["sm3"],
                    "rows": result.rows,
                    "audit_seq": manifest["audit_head"]["seq"],
                },
            )
        self.stdout.write(
            f"OK: {result.path} ({manifest['file']['bytes']:,} bytes, "
            f"{len(manifest['tables'])} tables, {result.rows:,} rows, audit chain to row "
            f"{manifest['audit_head']['seq']})\nmanifest: {result.manifest_path}\n"
            "The encryption keys are not in the backup: keep them safe separately."
        )
