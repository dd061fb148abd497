"""``waishi api-token create|list|revoke``: personal API tokens from the command line.

``create`` prints the token, once, and nothing else on stdout, so that a script can
capture it (``TOKEN=$(waishi api-token create alice)``); everything else goes to stderr.
The command line acts as ``waishi api-token`` in the audit chain.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from waishi.api import services
from waishi.api.models import ApiToken
from waishi.orgs.models import User


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token for a user; prints it once")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="what the token is for")
        create.add_argument(
            "--days", type=int, default=services.DEFAULT_DAYS, help="days until it expires"
        )
        listing = actions.add_parser("list", help="list tokens (of one user)")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, days: int, **_options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        try:
            token, raw = services.api_token_create(
                actor=None, actor_name=services.CLI_ACTOR, user=user, name=name, days=days
            )
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        self.stderr.write(
            f"created token {token.prefix} for {user.get_username()}, "
            f"expires {_when(token.expires_at)}; it is shown only now:"
        )
        self.stdout.write(raw)

    def _list(self, *, username: str | None, **_options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            if not User.objects.filter(username=username).exists():
                raise CommandError(f"no account named {username!r}")
            tokens = tokens.filter(user__username=username)
        columns = ("prefix", "user", "status", "created", "expires", "last used", "name")
        rows = [
            (
                t.prefix,
                t.user.get_username(),
                t.status,
                _when(t.created_at),
                _when(t.expires_at),
                _when(t.last_used_at),
                t.name,
            )
            for t in tokens
        ]
        widths = [max(len(str(r[i])) for r in [columns, *rows]) for i in range(len(columns))]
        for row in [columns, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
        if not rows:
            self.stderr.write("no tokens")

    def _revoke(self, *, prefix: str, **_options):
        token = ApiToken.objects.filter(pk=prefix.removeprefix("wst_").split("_")[0]).first()
        if token is None:
            raise CommandError(f"no token with prefix {prefix!r}")
        try:
            services.api_token_revoke(actor=None, actor_name=services.CLI_ACTOR, token=token)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        self.stdout.write(f"revoked {token.prefix} ({token.user.get_username()})")
