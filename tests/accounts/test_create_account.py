"""The first administrator comes from the console; there is no superuser."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role
from waishi.orgs.models import User


def test_create_account_prints_a_one_time_password_once(db):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create-account",
        "root1",
        "--role",
        "sys_admin",
        "--full-name",
        "管理员",
        stdout=out,
        stderr=err,
    )
    password = out.getvalue().strip()
    user = User.objects.get(username="root1")
    assert user.role == Role.SYS_ADMIN
    assert user.must_change_password
    assert user.check_password(password)
    assert user.password.startswith("argon2$")
    assert password not in err.getvalue()
    event = AuditEvent.objects.get(action="accounts.user.create", object_id=str(user.pk))
    assert event.actor_name == "waishi create-account"


def test_unit_role_needs_a_unit_and_bad_input_changes_nothing(db):
    with pytest.raises(CommandError, match="unit"):
        call_command(
            "create-account",
            "c1",
            "--role",
            "unit_clerk",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with pytest.raises(CommandError, match="no such unit"):
        call_command(
            "create-account",
            "c1",
            "--role",
            "unit_clerk",
            "--unit",
            "NOPE",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not User.objects.filter(username="c1").exists()
    assert not AuditEvent.objects.filter(action="accounts.user.create").exists()


def test_createsuperuser_is_refused(db):
    with pytest.raises(CommandError, match="create-account"):
        call_command("createsuperuser", "--noinput")
    assert not User.objects.exists()
