"""The login lockout (security.md A3), on django-axes' database handler.

Axes counts failures per account name and address (``AXES_LOCKOUT_PARAMETERS``) and
locks that pair after ``AXES_FAILURE_LIMIT``. Alone, that lets a guesser spread over
addresses: sixteen wrong passwords from four addresses never lock anything. So the
account name is also locked, from every address, once the failures of all its rows of
the last ``ACCOUNT_LOCKOUT_MINUTES`` reach ``ACCOUNT_FAILURE_LIMIT``.

The count is the sum of axes' own rows, which axes keeps race-safe (one row per name,
address and browser, taken ``select_for_update`` and incremented with an ``F()``
expression): concurrent failures are each counted once. An unknown name is counted and
locked exactly like an existing one, so the lockout tells nobody which names exist; a
locked name is refused before any password is hashed, whether it exists or not.
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _account_cooloff() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ACCOUNT_LOCKOUT_MINUTES)


def _pair_cooloff() -> dt.timedelta:
    return dt.timedelta(hours=settings.AXES_COOLOFF_TIME)


def lockout_minutes() -> int:
    """The longest a lock lasts, for the message (the same whichever lock it is)."""
    return int(max(_account_cooloff(), _pair_cooloff()).total_seconds() // 60)


def account_failures(username: str, *, at: dt.datetime | None = None) -> int:
    """Failed logins under this name from any address within the account's cool-off."""
    since = (at or timezone.now()) - _account_cooloff()
    found = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )
    return found["total"] or 0


def locked_usernames() -> set[str]:
    """Every name locked now, per address or for the whole account."""
    now = timezone.now()
    pair = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - _pair_cooloff(),
    ).values_list("username", flat=True)
    account = (
        AccessAttempt.objects.filter(attempt_time__gte=now - _account_cooloff())
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.ACCOUNT_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    return {name for name in [*pair, *account] if name}


class LockoutHandler(AxesDatabaseHandler):
    """Axes' handler, plus the lock of the account from any address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # Axes compares this with its one limit, before authenticating and after each
        # failure; a locked account answers "at the limit" whatever its pair's count.
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if username and (
            account_failures(username, at=getattr(request, "axes_attempt_time", None))
            >= settings.ACCOUNT_FAILURE_LIMIT
        ):
            request.waishi_lock_scope = "account"
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        # Axes forgets a row after its own cool-off; the account's count may look further
        # back, so a row is kept for the longer of the two.
        at = getattr(request, "axes_attempt_time", None) or timezone.now()
        threshold = at - max(_account_cooloff(), _pair_cooloff())
        count, _rows = AccessAttempt.objects.filter(attempt_time__lte=threshold).delete()
        return count
