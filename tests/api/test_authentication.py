from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.utils import timezone

from tests.api.conftest import bearer
from tests.conftest import FOREIGN_MARKER
from waishi.api import services

ME = "/api/v1/me/"


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def test_a_valid_token_authenticates_as_its_user(cast, make_token):
    _token, raw = make_token(cast["unit_clerk"])
    response = bearer(raw).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "unit_clerk"


def test_no_credentials_is_401_with_the_error_shape(db):
    response = Client().get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "not_authenticated"


def test_wrong_unknown_and_malformed_tokens_are_401(cast, make_token):
    _token, raw = make_token(cast["unit_clerk"])
    wrong_secret = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    unknown_prefix = f"wst_ffffffff_{raw.rsplit('_', 1)[1]}"
    for value in (wrong_secret, unknown_prefix, "wst_abc", "nonsense", raw + "x"):
        response = bearer(value).get(ME)
        assert response.status_code == 401, value
        assert _error(response)["code"] == "invalid_token"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw} extra").get(ME)
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_header"


def test_an_expired_token_is_refused(cast, make_token):
    token, raw = make_token(cast["unit_clerk"], days=1)
    with time_machine.travel(token.expires_at - dt.timedelta(seconds=1), tick=False):
        assert bearer(raw).get(ME).status_code == 200
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1), tick=False):
        response = bearer(raw).get(ME)
    assert response.status_code == 401
    assert _error(response)["code"] == "token_expired"


def test_a_revoked_token_is_refused_at_once(cast, make_token):
    token, raw = make_token(cast["unit_clerk"])
    assert bearer(raw).get(ME).status_code == 200
    services.api_token_revoke(actor=cast["unit_clerk"], token=token)
    response = bearer(raw).get(ME)
    assert response.status_code == 401
    assert _error(response)["code"] == "token_revoked"


def test_disabled_or_expired_account_stops_its_tokens(cast, make_token):
    user = cast["unit_clerk"]
    _token, raw = make_token(user)
    user.is_active = False
    user.save()
    response = bearer(raw).get(ME)
    assert response.status_code == 401
    assert _error(response)["code"] == "account_disabled"

    user.is_active = True
    user.expires_at = timezone.now() - dt.timedelta(minutes=1)
    user.save()
    response = bearer(raw).get(ME)
    assert response.status_code == 401
    assert _error(response)["code"] == "account_expired"


def test_last_used_is_written_at_most_once_a_minute(cast, make_token):
    token, raw = make_token(cast["unit_clerk"])
    start = timezone.now() + dt.timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        bearer(raw).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        bearer(raw).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        bearer(raw).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_a_token_carries_the_users_current_rights(cast, make_token, foreign_unit, foreign_person):
    user = cast["unit_clerk"]
    _token, raw = make_token(user)
    assert FOREIGN_MARKER not in bearer(raw).get("/api/v1/people/").content.decode()
    user.unit = foreign_unit
    user.save()
    assert FOREIGN_MARKER in bearer(raw).get("/api/v1/people/").content.decode()


def test_the_error_message_follows_the_token_owners_language(cast, make_token):
    user = cast["sys_admin"]
    user.language = "en"
    user.save()
    _token, raw = make_token(user)
    response = bearer(raw).get("/api/v1/people/")
    assert response.status_code == 403
    assert _error(response)["message"] == "Your role does not give access to people's records."


def test_a_verified_session_works_and_csrf_is_enforced(as_user):
    client = as_user("fao_reviewer")
    assert client.get(ME).json()["username"] == "fao_reviewer"
    strict = as_user("fao_reviewer")
    strict.handler.enforce_csrf_checks = True
    response = strict.post(ME)
    assert response.status_code == 403
    assert "CSRF" in _error(response)["message"]


def test_a_session_without_second_factor_gets_no_data(as_user, home_person):
    response = as_user("fao_reviewer", verified=False).get("/api/v1/people/")
    assert response.status_code in {401, 403}
    assert "张三" not in response.content.decode()
