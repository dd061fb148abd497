from __future__ import annotations

import re
from urllib.parse import unquote

from django.test import Client

from tests.api.conftest import bearer
from waishi.api.models import ApiToken, TokenStatus
from waishi.audit.models import AuditEvent
from waishi.lib import authpolicy

TOKEN = re.compile(r"wst_[0-9a-f]{8}_[A-Za-z0-9]{40}")


def _stepped_up(client: Client) -> Client:
    session = client.session
    authpolicy.mark_step_up(session)
    session.save()
    return client


def test_the_list_shows_own_tokens_only(as_user, cast, make_token):
    mine, _raw = make_token(cast["unit_clerk"], name="我的脚本")
    theirs, _raw = make_token(cast["unit_leader"], name="别人的脚本")
    body = as_user("unit_clerk").get("/api/tokens/").content.decode()
    assert mine.prefix in body
    assert "我的脚本" in body
    assert theirs.prefix not in body
    assert not TOKEN.search(body)


def test_the_security_admin_also_sees_other_accounts_tokens(as_user, cast, make_token):
    theirs, _raw = make_token(cast["unit_leader"], name="别人的脚本")
    body = as_user("security_admin").get("/api/tokens/").content.decode()
    assert theirs.prefix in body
    assert 'data-testid="other-tokens"' in body


def test_every_role_reaches_the_page(as_user, cast):
    for role in cast:
        assert as_user(role).get("/api/tokens/").status_code == 200, role


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get("/api/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_creating_asks_for_a_fresh_identity_check_first(as_user, cast):
    client = as_user("unit_clerk")
    response = client.post("/api/tokens/new/", {"name": "夜间同步", "days": "30"})
    assert response.status_code == 302
    location = unquote(response["Location"])
    assert location.startswith("/accounts/reauth/")
    assert "/api/tokens/new/?" in location and "days=30" in location
    assert not ApiToken.objects.exists()
    # Coming back, the form holds what was typed.
    back = client.get(location.split("next=", 1)[1])
    assert "夜间同步" in back.content.decode()


def test_the_new_token_is_shown_once_and_works(as_user, cast):
    client = _stepped_up(as_user("unit_clerk"))
    response = client.post("/api/tokens/new/", {"name": "夜间同步", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = TOKEN.findall(response.content.decode())
    assert len(set(shown)) == 1
    raw = shown[0]
    token = ApiToken.objects.get(user=cast["unit_clerk"])
    assert token.name == "夜间同步"
    assert (token.expires_at - token.created_at).days == 30
    assert raw not in client.get("/api/tokens/").content.decode()
    assert bearer(raw).get("/api/v1/me/").json()["username"] == "unit_clerk"
    assert AuditEvent.objects.filter(action="api.token.create", object_id=token.prefix).exists()


def test_the_form_refuses_too_many_days(as_user, cast, settings):
    settings.API_TOKEN_MAX_DAYS = 60
    client = _stepped_up(as_user("unit_clerk"))
    response = client.post("/api/tokens/new/", {"name": "x", "days": "61"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert 'class="invalid-feedback' in response.content.decode()


def test_default_validity_is_90_days(as_user, cast):
    body = as_user("unit_clerk").get("/api/tokens/").content.decode()
    assert re.search(r'name="days"[^>]*value="90"', body)


def test_revoking_needs_a_confirmation_post(as_user, cast, make_token):
    token, raw = make_token(cast["unit_clerk"])
    client = as_user("unit_clerk")
    page = client.get(f"/api/tokens/{token.prefix}/revoke/")
    assert page.status_code == 200
    token.refresh_from_db()
    assert token.status == TokenStatus.ACTIVE
    response = client.post(f"/api/tokens/{token.prefix}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.status == TokenStatus.REVOKED
    assert bearer(raw).get("/api/v1/me/").status_code == 401
    # A second POST changes nothing and writes no second event.
    client.post(f"/api/tokens/{token.prefix}/revoke/")
    assert AuditEvent.objects.filter(action="api.token.revoke").count() == 1


def test_someone_elses_token_is_not_found(as_user, cast, make_token):
    token, _raw = make_token(cast["unit_leader"])
    for role in ("unit_clerk", "outsider", "sys_admin", "fao_head", "auditor"):
        client = as_user(role)
        assert client.get(f"/api/tokens/{token.prefix}/revoke/").status_code == 404, role
        assert client.post(f"/api/tokens/{token.prefix}/revoke/").status_code == 404, role
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_security_admin_revokes_any_token(as_user, cast, make_token):
    token, _raw = make_token(cast["unit_leader"])
    client = as_user("security_admin")
    assert client.get(f"/api/tokens/{token.prefix}/revoke/").status_code == 200
    client.post(f"/api/tokens/{token.prefix}/revoke/")
    token.refresh_from_db()
    assert token.status == TokenStatus.REVOKED
    event = AuditEvent.objects.get(action="api.token.revoke")
    assert event.actor_id == cast["security_admin"].pk
