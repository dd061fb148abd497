"""``waishi policy-check [--policy FILE] [--on YYYY-MM-DD] INPUT.json|-``: judge one trip
against the policy, per ``contracts/policy-check.md``.

Prints one JSON object; exits 0 when no finding is an error, 1 when one is, 2 when the
input cannot be judged (one line on stderr naming the field, nothing on stdout).

Without ``--policy`` the version in force on the judging date comes from the database
when it is reachable and migrated, else from the shipped file: so it also runs on a
fresh checkout before any migration. With ``--policy`` the overrides apply to the file."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from waishi.policy.output import exit_status, result_json
from waishi.policy.params import policy_in_force
from waishi.policy.parse import parse_date
from waishi.policy.run import judge
from waishi.policy.types import InputError


class Command(BaseCommand):
    help = "Check a trip (JSON) against the policy; exit 0 pass/warn, 1 fail, 2 bad input."
    # System checks are not needed to judge a file and would cost most of the run time.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("input", metavar="INPUT.json|-", help="the trip, or - for stdin")
        parser.add_argument("--policy", metavar="FILE", help="JSON parameter overrides")
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="judge as of this date")
        parser.add_argument(
            "--language",
            default="zh-hans",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages (default: zh-hans)",
        )

    def handle(self, *args, input, policy, on, language, **options):
        with translation.override(language):
            try:
                data = _read_json(input, "input")
                overrides = _read_json(policy, "--policy") if policy else None
                day = parse_date(on, "--on") if on is not None else None
                result = judge(data, on=day, overrides=overrides, lookup=_lookup(policy))
            except InputError as exc:
                self.stderr.write(f"policy-check: {exc}")
                sys.exit(2)
            self.stdout.write(json.dumps(result_json(result), ensure_ascii=False, indent=2))
        status = exit_status(result)
        if status:
            sys.exit(status)


def _lookup(policy_file: str | None):
    """The database's versions only when no override file is given and the database is
    there; the import waits until then, so a run without a database stays light."""
    if policy_file:
        return policy_in_force
    from waishi.policy import selectors

    return selectors.policy_in_force_db if selectors.database_ready() else policy_in_force


def _read_json(name: str, field: str) -> Any:
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            with open(name, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        message = getattr(exc, "strerror", None) or str(exc)
        raise InputError(field, f"cannot read {name}: {message}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(field, f"not JSON: {exc}") from None
