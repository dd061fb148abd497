"""Login, lockout, enumeration, hashing, disabled accounts, session limits (A1, A3, A5, S1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory
from tests.lib.pagetext import zh
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role

LOGIN = "/accounts/login/"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _normalised(body: bytes, username: str) -> str:
    """The page without what differs legitimately: the CSRF token and the echoed name."""
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'name="X-CSRFToken" content="[^"]+"', "CSRF", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
    return text.replace(f'value="{username}"', 'value="NAME"')


def test_login_with_right_password(cast):
    client = Client()
    response = _post_login(client, "unit_clerk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert event.actor_id == cast["unit_clerk"].pk
    assert event.ip == "10.0.0.1"


def test_wrong_password_and_unknown_user_get_the_same_answer(cast):
    wrong = _post_login(Client(), "unit_clerk", "Wrong#Password1")
    unknown = _post_login(Client(), "nobody_here", "Wrong#Password1")
    assert wrong.status_code == unknown.status_code == 200
    assert _normalised(wrong.content, "unit_clerk") == _normalised(unknown.content, "nobody_here")
    assert zh("The account name or password is not correct.") in wrong.content.decode()


def test_disabled_account_gets_the_same_answer_as_a_wrong_password(cast):
    user = cast["unit_clerk"]
    user.is_active = False
    user.save()
    disabled = _post_login(Client(), "unit_clerk", PASSWORD)
    unknown = _post_login(Client(), "nobody_here", PASSWORD)
    assert disabled.status_code == unknown.status_code == 200
    assert _normalised(disabled.content, "unit_clerk") == _normalised(
        unknown.content, "nobody_here"
    )


def test_unknown_user_costs_the_same_hashing_as_a_known_one(cast, monkeypatch):
    """Timing: Django hashes the password of an unknown user too (ASVS 6.3.8)."""
    calls: list[str] = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def spy_encode(self, *args, **kwargs):
        calls.append("encode")
        return real_encode(self, *args, **kwargs)

    def spy_verify(self, *args, **kwargs):
        calls.append("verify")
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", spy_encode)
    monkeypatch.setattr(Argon2PasswordHasher, "verify", spy_verify)
    _post_login(Client(), "unit_clerk", "Wrong#Password1")
    assert calls == ["verify"]
    calls.clear()
    _post_login(Client(), "nobody_here", "Wrong#Password1")
    assert calls == ["encode"]  # one argon2 run either way


def test_failures_lock_username_and_ip_but_not_another_ip(cast):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for attempt in range(1, limit):
        response = _post_login(client, "unit_clerk", f"Wrong#Password{attempt}")
        assert response.status_code == 200, attempt
    response = _post_login(client, "unit_clerk", "Wrong#Password0")
    assert response.status_code == 429
    assert 'data-testid="locked"' in response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    assert (
        zh(
            "Too many failed attempts. Try again in %(minutes)d minutes, or ask the "
            "security administrator.",
            minutes=minutes,
        )
        in response.content.decode()
    )
    # The right password from the locked address is refused too ...
    response = _post_login(client, "unit_clerk", PASSWORD)
    assert response.status_code == 429
    # ... while the same account from another address still logs in.
    other = Client()
    response = _post_login(other, "unit_clerk", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert other.get("/").status_code == 200

    failed = AuditEvent.objects.filter(action="auth.login_failed", object_repr="unit_clerk")
    assert failed.count() >= limit
    assert all(e.ip == "10.0.0.1" for e in failed)
    assert all("password" not in (e.data or {}) for e in failed)
    locked = AuditEvent.objects.filter(action="auth.locked_out", object_repr="unit_clerk")
    assert locked.exists()
    assert locked.first().ip == "10.0.0.1"


def test_lockout_page_is_the_same_for_unknown_accounts(cast):
    limit = settings.AXES_FAILURE_LIMIT
    for name in ("unit_clerk", "nobody_here"):
        for _attempt in range(limit):
            last = _post_login(Client(), name, "Wrong#Password1")
        assert last.status_code == 429, name


def test_failed_login_is_recorded_with_the_name_as_typed(cast):
    _post_login(Client(), "nobody_here", "Wrong#Password1", ip="10.9.8.7")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_id is None
    assert event.object_repr == "nobody_here"
    assert event.ip == "10.9.8.7"
    assert "Wrong#Password1" not in str(event.data)


def test_stored_hashes_are_argon2(cast):
    from waishi import settings as project_settings

    # Tests hash with a cheap Argon2 (tests/lib/hashers.py); production's first hasher,
    # the one that hashes every new password, is Django's Argon2.
    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    for user in cast.values():
        user.refresh_from_db()
        assert user.password.startswith("argon2$"), user.username


# --- A1: disabled and expired accounts ------------------------------------------------------


def test_deactivated_user_open_session_goes_to_login(as_user, cast):
    client = as_user("unit_clerk")
    assert client.get("/").status_code == 200
    user = cast["unit_clerk"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/orgs/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    # The session itself ended: enabling the account again does not revive it.
    user.is_active = True
    user.save(update_fields=["is_active"])
    response = client.get("/orgs/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_expired_account_open_session_goes_to_login(as_user, cast):
    client = as_user("fao_reviewer")
    assert client.get("/").status_code == 200
    user = cast["fao_reviewer"]
    user.expires_at = timezone.now() - dt.timedelta(minutes=1)
    user.save(update_fields=["expires_at"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_expired_account_cannot_log_in(cast):
    user = cast["unit_clerk"]
    user.expires_at = timezone.now() - dt.timedelta(days=1)
    user.save(update_fields=["expires_at"])
    response = _post_login(Client(), "unit_clerk", PASSWORD)
    assert response.status_code == 200
    assert zh("The account name or password is not correct.") in response.content.decode()


def test_account_with_future_expiry_logs_in(cast):
    user = cast["unit_clerk"]
    user.expires_at = timezone.now() + dt.timedelta(days=1)
    user.save(update_fields=["expires_at"])
    assert _post_login(Client(), "unit_clerk", PASSWORD).status_code == 302


def test_no_default_admin_account(db):
    from waishi.orgs.models import User

    assert not User.objects.filter(username__in=["admin", "root", "administrator"]).exists()


# --- S1: session limits ---------------------------------------------------------------------


def test_idle_timeout(cast):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        assert _post_login(client, "unit_clerk", PASSWORD).status_code == 302
        traveller.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1))
        assert client.get("/").status_code == 200  # activity resets the idle clock
        traveller.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1))
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get("/orgs/people/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        page = client.get(response["Location"])
        assert zh("Your session ended after a period of inactivity.") in page.content.decode()
        assert client.get("/").status_code == 302  # and it stays ended
    event = AuditEvent.objects.filter(action="auth.logout").latest("seq")
    assert event.data == {"reason": "idle"}


def test_absolute_timeout_despite_activity(cast):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        assert _post_login(client, "unit_clerk", PASSWORD).status_code == 302
        elapsed = dt.timedelta()
        limit = dt.timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
        step = dt.timedelta(minutes=20)
        while elapsed + step < limit:
            traveller.shift(step)
            elapsed += step
            assert client.get("/").status_code == 200, elapsed
        traveller.shift(limit - elapsed + dt.timedelta(seconds=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_expired_session_answers_json_to_htmx(cast):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        _post_login(client, "unit_clerk", PASSWORD)
        traveller.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get("/orgs/people/", HTTP_HX_REQUEST="true")
        assert response.status_code == 401
        assert response["HX-Redirect"].startswith(LOGIN)


def test_new_session_key_at_login_and_logout_deletes_the_row(cast):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    assert before
    _post_login(client, "unit_clerk", PASSWORD)
    after = client.session.session_key
    assert after and after != before
    assert Session.objects.filter(session_key=after).exists()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=after).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=cast["unit_clerk"].pk).exists()
    assert client.get("/").status_code == 302


def test_logout_is_post_only(as_user):
    client = as_user("unit_clerk")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_flags(cast):
    client = Client()
    _post_login(client, "unit_clerk", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["expires"]  # a browser-session cookie


@pytest.mark.parametrize("role", [Role.UNIT_CLERK, Role.SYS_ADMIN])
def test_login_page_redirects_a_signed_in_user(as_user, role):
    response = as_user(role.value).get(LOGIN)
    assert response.status_code == 302


def test_unknown_user_created_later_has_no_lockout_carried_over(cast):
    """Failures for a name that did not exist do not lock the account created later
    from another address (keyed on username and IP)."""
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _post_login(Client(), "newcomer", "Wrong#Password1")
    UserFactory(username="newcomer", role=Role.UNIT_CLERK, unit=cast["unit_clerk"].unit)
    assert _post_login(Client(), "newcomer", PASSWORD, ip="10.0.0.3").status_code == 302
