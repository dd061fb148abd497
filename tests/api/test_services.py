from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from waishi.api import services, tokens
from waishi.api.models import ApiToken, TokenStatus
from waishi.audit.messages import describe
from waishi.audit.models import AuditEvent

TOKEN_SHAPE = re.compile(r"^wst_[0-9a-f]{8}_[A-Za-z0-9]{40}$")


def test_token_is_returned_once_and_stored_only_as_digest(cast):
    user = cast["unit_clerk"]
    token, raw = services.api_token_create(actor=user, user=user, name="报表脚本", days=30)
    assert TOKEN_SHAPE.match(raw)
    assert raw.startswith(f"wst_{token.prefix}_")
    secret = raw.rsplit("_", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored
    assert raw not in stored
    assert token.digest == tokens.digest(raw) != raw
    # Nothing on the model gives the clear token back.
    fresh = ApiToken.objects.get(pk=token.pk)
    assert secret not in repr(vars(fresh))


def test_days_are_bounded_by_the_setting(cast, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    user = cast["unit_clerk"]
    for days in (0, 31, -1):
        with pytest.raises(ValidationError) as exc:
            services.api_token_create(actor=user, user=user, name="x", days=days)
        assert "days" in exc.value.message_dict
    token, _raw = services.api_token_create(actor=user, user=user, name="x", days=30)
    assert (token.expires_at - token.created_at).days == 30


def test_name_is_required(cast):
    user = cast["unit_clerk"]
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(actor=user, user=user, name="   ", days=5)
    assert "name" in exc.value.message_dict


def test_nobody_creates_a_token_for_someone_else(cast):
    with pytest.raises(PermissionDenied):
        services.api_token_create(
            actor=cast["security_admin"], user=cast["unit_clerk"], name="x", days=5
        )


def test_the_cli_actor_must_name_itself(cast):
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=None, user=cast["unit_clerk"], name="x", days=5)


def test_disabled_account_gets_no_token(cast):
    user = cast["unit_clerk"]
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError):
        services.api_token_create(
            actor=None, actor_name=services.CLI_ACTOR, user=user, name="x", days=5
        )
    assert not ApiToken.objects.exists()


def test_a_prefix_clash_is_retried(cast, make_token, monkeypatch):
    first, _raw = make_token(cast["unit_clerk"])
    prefixes = iter([first.prefix, "0123abcd"])
    monkeypatch.setattr(tokens, "new_prefix", lambda: next(prefixes))
    second, raw = make_token(cast["unit_leader"])
    assert second.prefix == "0123abcd"
    assert ApiToken.objects.get(pk=first.prefix).user == cast["unit_clerk"]
    assert raw.startswith("wst_0123abcd_")


def test_create_and_revoke_write_one_readable_audit_event_each(cast, make_token):
    user = cast["unit_clerk"]
    token, raw = make_token(user, name="夜间同步")
    created = AuditEvent.objects.get(action="api.token.create")
    assert created.actor_id == user.pk
    assert created.object_id == token.prefix
    assert raw not in str(created.after) + str(created.data) + created.object_repr
    assert "api.token" not in describe(created)
    assert "夜间同步" in describe(created)

    services.api_token_revoke(actor=user, token=token)
    revoked = AuditEvent.objects.get(action="api.token.revoke")
    assert revoked.actor_id == user.pk
    assert "api.token" not in describe(revoked)
    assert AuditEvent.objects.filter(action__startswith="api.token").count() == 2


def test_owner_and_security_admin_revoke_others_do_not(cast, make_token):
    token, _raw = make_token(cast["unit_clerk"])
    for intruder in ("unit_leader", "sys_admin", "fao_head", "outsider"):
        with pytest.raises(PermissionDenied):
            services.api_token_revoke(actor=cast[intruder], token=token)
    services.api_token_revoke(actor=cast["security_admin"], token=token)
    token.refresh_from_db()
    assert token.status == TokenStatus.REVOKED

    own, _raw = make_token(cast["unit_clerk"])
    services.api_token_revoke(actor=cast["unit_clerk"], token=own)
    with pytest.raises(ValidationError):
        services.api_token_revoke(actor=cast["unit_clerk"], token=own)
    assert AuditEvent.objects.filter(action="api.token.revoke").count() == 2
