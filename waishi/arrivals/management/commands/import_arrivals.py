"""``waishi import_arrivals FILE --source port --user NAME``: import an arrival list from
the command line, through the same service as the page (``importer.batch_import``): every
row checked first, then all imported or none. Progress goes to stderr, the outcome to
stdout; exit status 0 imported, 1 refused (the problems listed), 2 unusable input.

For lists too large for a browser's upload (the page takes ``ARRIVALS_IMPORT_MAX_ROWS``
rows); the file is checked the same way (size, Office package, zip bomb)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from waishi.arrivals import importer
from waishi.arrivals.models import ImportBatch
from waishi.orgs.models import User

PHASES = {"check": "checked", "import": "imported"}


class Command(BaseCommand):
    help = "Import an arrival list (.xlsx) from the port, an airline or the province."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .xlsx list")
        parser.add_argument(
            "--source",
            required=True,
            choices=[str(kind) for kind in importer.LIST_KINDS],
            help="where the list comes from",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="the account (a city command officer) the import is recorded under",
        )
        parser.add_argument(
            "--max-mb", type=int, default=importer.CLI_MAX_BYTES // 2**20, help="size limit"
        )

    def handle(self, *args, **options):
        translation.activate("zh-hans")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active account {options['user']!r}", returncode=2)

        def progress(phase: str, done: int, total: int | None) -> None:
            of = f"/{total}" if total else ""
            self.stderr.write(f"rows {PHASES.get(phase, phase)}: {done}{of}")

        try:
            with path.open("rb") as upload:
                batch = importer.batch_import(
                    actor=actor,
                    upload=upload,
                    kind=options["source"],
                    filename=path.name,
                    progress=importer.Throttled(progress, seconds=2.0),
                    max_bytes=options["max_mb"] * 2**20,
                )
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        if batch.state == ImportBatch.State.IMPORTED:
            self.stdout.write(
                f"imported {path.name} (import no. {batch.pk}): {batch.rows_total} rows, "
                f"{batch.rows_new} new arrivals, {batch.rows_merged} rows matching known arrivals"
            )
            return
        self.stdout.write(f"NOT imported {path.name} (import no. {batch.pk}): nothing was written")
        for error in batch.errors:
            if "more" in error:
                self.stdout.write(f"... and {error['more']} more")
                continue
            where = f"row {error['row']}, {error['column']}" if error["row"] else "file"
            value = f" [{error['value']}]" if error.get("value") else ""
            self.stdout.write(f"{where}{value}: {error['message']}")
        raise CommandError(f"{path.name} was not imported", returncode=1)
