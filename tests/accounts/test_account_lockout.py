"""The account is locked after failures spread over many addresses (security.md A3): the
per-address lock alone let sixteen guesses from four addresses through."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection, connections
from django.test import Client

from tests.accounts.test_login import _normalised, _post_login
from tests.factories import PASSWORD
from tests.lib.pagetext import zh
from waishi.audit.models import AuditEvent

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ADDRESSES = [f"10.0.1.{n}" for n in range(1, 5)]


def _spread(username: str, count: int = 16) -> list[int]:
    """``count`` wrong passwords, one address after another, each address staying under
    the per-address limit; the status codes in order."""
    assert count / len(ADDRESSES) < settings.AXES_FAILURE_LIMIT
    return [
        _post_login(Client(), username, f"Wrong#Password{n}", ip=ADDRESSES[n % 4]).status_code
        for n in range(count)
    ]


def test_the_settings_are_the_documented_defaults():
    assert settings.ACCOUNT_FAILURE_LIMIT == 10
    assert settings.ACCOUNT_LOCKOUT_MINUTES == 30


def test_sixteen_failures_over_four_addresses_lock_the_account(cast):
    with time_machine.travel(START, tick=False):
        codes = _spread("unit_clerk")
        limit = settings.ACCOUNT_FAILURE_LIMIT
        # Under the limit each failure is an ordinary wrong password; from the limit on, locked.
        assert codes == [200] * (limit - 1) + [429] * (16 - limit + 1)
        # The right password, from an address that never failed, is refused too.
        fresh = _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9")
        assert fresh.status_code == 429
        assert 'data-testid="locked"' in fresh.content.decode()
    event = AuditEvent.objects.filter(action="auth.locked_out", object_repr="unit_clerk").first()
    assert event is not None
    assert event.data["scope"] == "account"


def test_the_locked_account_logs_in_again_after_the_cool_off(cast):
    with time_machine.travel(START, tick=False):
        _spread("unit_clerk")
    cooled = START + dt.timedelta(minutes=settings.ACCOUNT_LOCKOUT_MINUTES - 1)
    with time_machine.travel(cooled, tick=False):
        assert _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").status_code == 429
    cooled = START + dt.timedelta(minutes=settings.ACCOUNT_LOCKOUT_MINUTES + 1)
    with time_machine.travel(cooled, tick=False):
        assert _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").status_code == 302


def test_the_security_administrator_unlocks_the_account(cast, as_user):
    _spread("unit_clerk")
    assert _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").status_code == 429
    admin = as_user("security_admin")
    page = admin.get("/accounts/security/?q=unit_clerk").content.decode()
    assert zh("Locked") in page
    target = f"/accounts/security/{cast['unit_clerk'].pk}/"
    assert admin.post(target, {"action": "unlock"}).status_code == 302
    event = AuditEvent.objects.filter(action="accounts.user.unlock").latest("seq")
    assert event.actor_id == cast["security_admin"].pk
    assert event.object_repr == str(cast["unit_clerk"])
    assert _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").status_code == 302


def test_only_the_security_administrator_unlocks(cast, as_user):
    _spread("unit_clerk")
    target = f"/accounts/security/{cast['unit_clerk'].pk}/"
    assert as_user("sys_admin").post(target, {"action": "unlock"}).status_code == 403
    assert _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").status_code == 429


def test_an_unknown_name_answers_as_a_known_account_does(cast):
    known, unknown = _spread("unit_clerk"), _spread("nobody_here")
    assert known == unknown
    known_page = _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9")
    unknown_page = _post_login(Client(), "nobody_here", PASSWORD, ip="10.0.9.9")
    assert known_page.status_code == unknown_page.status_code == 429
    assert _normalised(known_page.content, "unit_clerk") == _normalised(
        unknown_page.content, "nobody_here"
    )


def test_a_locked_name_is_refused_without_hashing_whether_it_exists_or_not(cast, monkeypatch):
    """Timing: once locked, neither a known nor an unknown name costs an argon2 run, so the
    answer's time does not tell them apart either."""
    _spread("unit_clerk")
    _spread("nobody_here")
    calls: list[str] = []
    monkeypatch.setattr(Argon2PasswordHasher, "encode", lambda *a, **k: calls.append("hash"))
    monkeypatch.setattr(Argon2PasswordHasher, "verify", lambda *a, **k: calls.append("hash"))
    for name in ("unit_clerk", "nobody_here"):
        assert _post_login(Client(), name, PASSWORD, ip="10.0.9.9").status_code == 429
        assert calls == [], name


def test_the_lockout_message_is_in_chinese(cast):
    _spread("unit_clerk")
    page = _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").content.decode()
    assert (
        zh(
            "Too many failed attempts. Try again in %(minutes)d minutes, or ask the "
            "security administrator.",
            minutes=30,
        )
        in page
    )


@pytest.mark.concurrency
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under real concurrency"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_failures_are_each_counted(cast):
    """Sixteen wrong passwords at once from four addresses: every one counted, so the
    account ends locked (no lost update, no duplicate row)."""
    from axes.models import AccessAttempt

    threads_count = 16
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    lock = threading.Lock()

    def fail(n: int) -> None:
        try:
            barrier.wait()
            code = _post_login(Client(), "unit_clerk", f"Wrong#{n}", ip=ADDRESSES[n % 4])
            outcome = str(code.status_code)
        except Exception as exc:  # reported in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=fail, args=(n,)) for n in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r for r in results if r.startswith("error")] == []
    rows = AccessAttempt.objects.filter(username="unit_clerk")
    assert sorted(rows.values_list("ip_address", flat=True)) == ADDRESSES
    assert sum(rows.values_list("failures_since_start", flat=True)) == threads_count
    assert _post_login(Client(), "unit_clerk", PASSWORD, ip="10.0.9.9").status_code == 429
