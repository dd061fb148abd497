"""Session and account rules read by the middleware and the views (security.md S1, A2, A4)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from waishi.lib.roles import OTP_REQUIRED

AUTH_AT = "waishi_auth_at"
LAST_SEEN = "waishi_last_seen"
STEP_UP_AT = "waishi_step_up_at"


def now() -> float:
    # timezone.now() rather than time.time(): time-machine moves both, and this keeps one clock.
    return timezone.now().timestamp()


def needs_otp(user) -> bool:
    return user.is_authenticated and user.role in OTP_REQUIRED


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return False
    if user.password_changed_at is None:
        return True
    return timezone.now() - user.password_changed_at > dt.timedelta(days=max_age)


def password_expires_at(user) -> dt.datetime | None:
    if not settings.PASSWORD_MAX_AGE_DAYS or user.password_changed_at is None:
        return None
    return user.password_changed_at + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def session_expired(session) -> str | None:
    """'idle' or 'absolute' when the session has run out, else None."""
    current = now()
    auth_at = session.get(AUTH_AT)
    last_seen = session.get(LAST_SEEN)
    if auth_at is None or current - auth_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if last_seen is None or current - last_seen > settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def touch(session) -> None:
    """Record activity; written at most once a minute to spare the session table."""
    current = now()
    if current - session.get(LAST_SEEN, 0) >= 60:
        session[LAST_SEEN] = current


def start(session) -> None:
    current = now()
    session[AUTH_AT] = current
    session[LAST_SEEN] = current


def mark_step_up(session) -> None:
    session[STEP_UP_AT] = now()


def step_up_fresh(session) -> bool:
    at = session.get(STEP_UP_AT)
    return at is not None and now() - at <= settings.STEP_UP_MINUTES * 60
