"""``waishi create-account USERNAME --role ROLE``: an account made on the server console.

There is no default administrator (security.md A1): the first system administrator is
created this way by whoever operates the server, and everyone else by that administrator
in the application. The one-time password is printed once and must be changed at the
first login; roles other than the unit clerk enrol a second factor then too."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from waishi.accounts.services import user_create_from_console
from waishi.lib.roles import Role
from waishi.orgs.models import District, Unit


class Command(BaseCommand):
    help = "Create an account (e.g. the first system administrator); prints its one-time password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--unit", help="unit code, for unit roles")
        parser.add_argument("--district", help="district code, for district officers")

    def handle(self, *args, username, role, full_name, email, unit, district, **options):
        values = {"username": username, "role": role, "full_name": full_name, "email": email}
        try:
            if unit:
                values["unit"] = Unit.objects.get(code=unit)
            if district:
                values["district"] = District.objects.get(code=district)
        except (Unit.DoesNotExist, District.DoesNotExist) as exc:
            raise CommandError(f"no such unit or district: {unit or district}") from exc
        try:
            user, password = user_create_from_console(operator="waishi create-account", **values)
        except ValidationError as exc:
            messages = (
                "; ".join(
                    f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
                )
                if hasattr(exc, "error_dict")
                else " ".join(exc.messages)
            )
            raise CommandError(messages) from exc
        self.stderr.write(
            f"created {user.username} ({Role(user.role).label}); "
            "one-time password (shown once, change at first login):"
        )
        self.stdout.write(password)
