"""Django's ``createsuperuser``, refused: waishi has no superuser (三权分立)."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: use `waishi create-account USERNAME --role sys_admin`."

    def add_arguments(self, parser):
        # Django's own options, accepted so that every invocation gets the explanation.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        for option in ("--username", "--email", "--database"):
            parser.add_argument(option)

    def handle(self, *args, **options):
        raise CommandError(
            "waishi has no superuser: the system, security and audit administrators are "
            "separate roles. Use `waishi create-account USERNAME --role sys_admin`."
        )
