"""No ID numbers, passwords or tokens in the logs or the audit trail (security.md L4)."""

from __future__ import annotations

import json
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from tests.conftest import current_code
from tests.factories import ID_LIKE, PASSWORD, make_id_number
from waishi.audit.models import AuditEvent
from waishi.lib.middleware import RequestIdFilter

NEW_PASSWORD = "Lantern#River2026"
WRONG_PASSWORD = "Wrong#Guess2026"


@pytest.fixture
def everything_logged(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    for name in ("", "axes", "django", "django.request", "waishi", "huey"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _flow(cast, home_unit) -> tuple[str, list[str]]:
    """Log in (with a typo first), add a person, unmask, change password, log out."""
    number = make_id_number(31)
    client = Client()
    client.post("/accounts/login/", {"username": "fao_reviewer", "password": WRONG_PASSWORD})
    client.post("/accounts/login/", {"username": "fao_reviewer", "password": PASSWORD})
    code = current_code(cast["fao_reviewer"])
    client.post("/accounts/otp/", {"token": code})
    response = client.post(
        "/orgs/people/new/",
        {
            "name": "王五",
            "unit": home_unit.pk,
            "post": "科员",
            "rank": "section_below",
            "id_number": number,
        },
    )
    assert response.status_code == 302
    person_url = response["Location"]
    response = client.post(f"{person_url}id-number/")
    assert number in response.content.decode()  # the one place it may appear
    client.get("/orgs/people/", {"q": "王五"})
    client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    client.post("/accounts/logout/")
    return number, [PASSWORD, NEW_PASSWORD, WRONG_PASSWORD, code]


def test_logs_hold_no_id_number_password_or_code(cast, home_unit, everything_logged):
    number, secrets = _flow(cast, home_unit)
    assert everything_logged.records, "the flow should log something (axes at least)"
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, 'request_id', '')}"
        for r in everything_logged.records
    )
    assert number not in text
    assert not ID_LIKE.search(text)
    for secret in secrets:
        assert secret not in text


def test_audit_trail_holds_no_id_number_or_password(cast, home_unit):
    number, secrets = _flow(cast, home_unit)
    rows = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    assert number not in rows
    assert not ID_LIKE.search(rows)
    for secret in secrets:
        assert secret not in rows
    assert AuditEvent.objects.filter(action="orgs.person.unmask").exists()


def test_lockout_records_hold_no_password(cast):
    Client().post("/accounts/login/", {"username": "unit_clerk", "password": WRONG_PASSWORD})
    attempts = json.dumps(
        list(AccessAttempt.objects.values()) + list(AccessFailureLog.objects.values()),
        default=str,
    )
    assert "unit_clerk" in attempts
    assert WRONG_PASSWORD not in attempts


def test_server_error_log_holds_no_id_number(as_user, everything_logged, settings):
    settings.ROOT_URLCONF = "tests.lib.urls_boom"
    client = as_user("unit_clerk")
    client.raise_request_exception = False
    assert client.get("/boom/").status_code == 500
    # The exception text is the application's to keep clean; the log line itself
    # names the request, not the data.
    messages = "\n".join(r.getMessage() for r in everything_logged.records)
    assert not ID_LIKE.search(messages)
