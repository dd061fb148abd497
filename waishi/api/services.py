"""Creating and revoking personal API tokens; each leaves one audit event."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.api import tokens
from waishi.api.models import ApiToken
from waishi.audit.services import record
from waishi.lib.roles import MANAGES_SECURITY, has

# How the command line appears in the audit chain when it acts (there is no user).
CLI_ACTOR = "waishi api-token"
DEFAULT_DAYS = 90
_PREFIX_ATTEMPTS = 5


def _check_cli(actor, actor_name: str) -> None:
    """``actor=None`` is the command line, which must say so in ``actor_name``: a view
    always passes the signed-in user, so no web request can act as the CLI."""
    if actor is None and not actor_name:
        raise PermissionDenied(_("You are not allowed to do this."))


def _validate(*, user, name: str, days: int) -> str:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name that says what it is for.")]
    elif len(name) > 100:
        errors["name"] = [_("The name can have at most 100 characters.")]
    maximum = settings.API_TOKEN_MAX_DAYS
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= maximum:
        errors["days"] = [
            _("A token is valid for 1 to %(max)d days.") % {"max": maximum},
        ]
    if not user.is_active or user.is_expired:
        errors.setdefault("__all__", []).append(
            _("This account is disabled or has expired; it cannot hold an API token.")
        )
    if errors:
        raise ValidationError(errors)
    return name


def api_token_create(
    *, actor, user, name: str, days: int = DEFAULT_DAYS, ip: str = "", actor_name: str = ""
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and the clear token, which is shown once.

    A user creates tokens for themselves only; the command line (``actor=None``) creates
    them for a named user."""
    _check_cli(actor, actor_name)
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("You can only create API tokens for yourself."))
    name = _validate(user=user, name=name, days=days)
    now = timezone.now()
    secret = tokens.new_secret()
    with transaction.atomic():
        for _attempt in range(_PREFIX_ATTEMPTS):
            raw = tokens.compose(tokens.new_prefix(), secret)
            try:
                # A savepoint per attempt: a clash of the random prefix rolls back only itself.
                with transaction.atomic():
                    token = ApiToken.objects.create(
                        prefix=tokens.prefix_of(raw),
                        user=user,
                        name=name,
                        digest=tokens.digest(raw),
                        created_at=now,
                        expires_at=now + dt.timedelta(days=days),
                    )
            except IntegrityError:
                continue
            break
        else:  # pragma: no cover - five clashes of 32 random bits
            raise RuntimeError("could not find a free API token prefix")
        record(
            action="api.token.create",
            actor=actor,
            actor_name=actor_name,
            obj=token,
            ip=ip,
            after={"user": user.pk, "name": name, "expires_at": token.expires_at},
            data={"user": user.get_username(), "days": days},
        )
    return token, raw


def api_token_revoke(*, actor, token: ApiToken, ip: str = "", actor_name: str = "") -> ApiToken:
    """Revoke at once; the owner or the security administrator (or the command line)."""
    _check_cli(actor, actor_name)
    if actor is not None and actor.pk != token.user_id and not has(actor, MANAGES_SECURITY):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError(_("This API token has already been revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            action="api.token.revoke",
            actor=actor,
            actor_name=actor_name,
            obj=token,
            ip=ip,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
            data={"user": token.user.get_username()},
        )
    return token
