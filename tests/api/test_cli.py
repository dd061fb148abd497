from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import bearer
from waishi.api.models import ApiToken, TokenStatus
from waishi.api.services import CLI_ACTOR
from waishi.audit.models import AuditEvent


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_token(cast):
    out, err = run("create", "unit_clerk", "--name", "同步", "--days", "7")
    assert re.fullmatch(r"wst_[0-9a-f]{8}_[A-Za-z0-9]{40}\n", out)
    raw = out.strip()
    token = ApiToken.objects.get()
    assert token.user == cast["unit_clerk"]
    assert token.name == "同步"
    assert (token.expires_at - token.created_at).days == 7
    assert token.prefix in err
    assert raw not in err
    assert bearer(raw).get("/api/v1/me/").json()["username"] == "unit_clerk"
    event = AuditEvent.objects.get(action="api.token.create")
    assert event.actor_id is None
    assert event.actor_name == CLI_ACTOR


def test_create_refuses_unknown_users_and_bad_days(cast, settings):
    with pytest.raises(CommandError):
        run("create", "nobody")
    settings.API_TOKEN_MAX_DAYS = 10
    with pytest.raises(CommandError, match="days"):
        run("create", "unit_clerk", "--days", "11")
    assert not ApiToken.objects.exists()


def test_list_shows_prefixes_and_never_secrets(cast, make_token):
    mine, raw = make_token(cast["unit_clerk"], name="甲")
    theirs, other_raw = make_token(cast["unit_leader"], name="乙")
    out, _err = run("list")
    assert mine.prefix in out and theirs.prefix in out
    assert raw.rsplit("_", 1)[1] not in out
    assert other_raw.rsplit("_", 1)[1] not in out
    out, _err = run("list", "unit_leader")
    assert theirs.prefix in out and mine.prefix not in out
    with pytest.raises(CommandError):
        run("list", "nobody")


def test_revoke_by_prefix(cast, make_token):
    token, raw = make_token(cast["unit_clerk"])
    out, _err = run("revoke", token.prefix)
    assert token.prefix in out
    token.refresh_from_db()
    assert token.status == TokenStatus.REVOKED
    assert bearer(raw).get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="api.token.revoke")
    assert event.actor_name == CLI_ACTOR
    with pytest.raises(CommandError):
        run("revoke", token.prefix)
    with pytest.raises(CommandError):
        run("revoke", "ffffffff")
    assert "revoked" in run("list")[0]
