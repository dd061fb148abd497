"""Fail when a string of the zh_Hans catalogue is untranslated or fuzzy."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check that every message of the zh_Hans catalogue is translated."

    def handle(self, *args, **options):
        problems = []
        catalogues = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                catalogues += 1
                catalogue = polib.pofile(str(po_path))
                for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries():
                    problems.append(f"{po_path}: {entry.msgid!r}")
                self.stdout.write(f"{po_path}: {catalogue.percent_translated()}% translated")
        if catalogues == 0:
            raise CommandError("no catalogue found")
        if problems:
            raise CommandError("untranslated or fuzzy:\n" + "\n".join(problems))
        self.stdout.write("every message is translated")
