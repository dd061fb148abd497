"""Generic error pages with a request id, logged (I5); the deployment check (C1)."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from waishi.lib.middleware import RequestIdFilter


@pytest.mark.urls("tests.lib.urls_boom")
def test_unhandled_exception_gives_the_generic_page(as_user, caplog):
    client = as_user("unit_clerk")
    client.raise_request_exception = False
    # As the console handler does in production: stamp each record when it is emitted.
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    assert request_id in body
    for leak in ("Traceback", "Boom", "secret detail", "370101198001011234", "urls_boom"):
        assert leak not in body, leak
    # Logged, traceback and all, under the same request id.
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(request_id in r.getMessage() for r in records)
    django_record = next(r for r in records if r.name == "django.request")
    assert django_record.exc_info is not None
    assert django_record.request_id == request_id


@pytest.mark.urls("tests.lib.urls_boom")
def test_unhandled_exception_for_an_anonymous_visitor(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(("path", "status"), [("/no/such/page/", 404), ("/orgs/people/", 403)])
def test_other_error_pages_carry_the_request_id(as_user, path, status):
    response = as_user("sys_admin").get(path)
    assert response.status_code == status
    assert response["X-Request-ID"] in response.content.decode()


def test_security_headers_on_every_page(client, db):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _clean_environ() -> dict[str, str]:
    """The environment of a production server: none of the test run's Django or waishi
    variables (some test tools set DJANGO_ALLOW_ASYNC_UNSAFE, which the check refuses)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAISHI_", "DJANGO_"))}
    env["DJANGO_SETTINGS_MODULE"] = "waishi.settings"
    return env


def test_deploy_check_passes_with_production_settings(tmp_path):
    """``make deploy-check``: ``waishi check --deploy --fail-level WARNING`` in production."""
    env = {
        **_clean_environ(),
        "WAISHI_MODE": "production",
        "WAISHI_VAR_DIR": str(tmp_path),
        "WAISHI_ALLOWED_HOSTS": "waishi.example.gov.cn",
        "WAISHI_SECRET_KEY": secrets.token_urlsafe(60),
        "WAISHI_FIELD_KEYS": "k1:" + secrets.token_hex(16),
        "WAISHI_BLIND_INDEX_KEY": secrets.token_hex(32),
        "WAISHI_AUDIT_KEY": secrets.token_hex(32),
    }
    if "WAISHI_DATABASE_URL" in os.environ:
        env["WAISHI_DATABASE_URL"] = os.environ["WAISHI_DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, "-m", "waishi", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_keys(tmp_path):
    env = {
        **_clean_environ(),
        "WAISHI_MODE": "production",
        "WAISHI_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "waishi", "check"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "WAISHI_SECRET_KEY must be set in production" in result.stderr


def test_no_debug_in_tests_as_in_production(settings):
    assert settings.DEBUG is False


def test_client_without_login_is_sent_to_login(db):
    response = Client().get("/orgs/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
