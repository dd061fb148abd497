"""A database edited behind the application's back is noticed: ``waishi audit verify``
compares the watched state (roles, units, active flags, second factors, trip and passport
states, quota use) with the last state the chain recorded (issue 14, item 4).

Every edit is raw SQL, as someone with access to the database but not to the
application would make it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login
from tests.factories import UserFactory
from waishi.accounts import services as accounts
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify
from waishi.audit.services import record_state
from waishi.lib.roles import Role
from waishi.missions.models import Mission
from waishi.orgs.models import User
from waishi.passports.models import Passport
from waishi.plans.models import Quota


def _sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _differences() -> list[tuple[str, str, str, tuple]]:
    result = verify()
    assert result.problem is None
    return [(d.label, d.pk, d.kind, d.fields) for d in result.differences]


def _verify_fails() -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--no-record", stdout=StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


@pytest.fixture
def recorded(cast):
    """The cast (made by factories) with its state on the chain, as the demo does."""
    record_state(actor_name="tests")
    assert verify().ok
    return cast


def test_role_changed_by_sql_is_named(recorded):
    """The issue's case: a clerk made FAO head with an SQL UPDATE."""
    clerk = recorded["unit_clerk"]
    _sql(f"UPDATE {_table(User)} SET role = %s WHERE id = %s", [Role.FAO_HEAD.value, clerk.pk])
    assert _differences() == [("orgs.user", str(clerk.pk), "changed", ("role",))]
    message, listed = _verify_fails()
    assert "1 row(s) changed outside the application" in message
    assert f"orgs.user {clerk.pk} (unit_clerk) changed outside the application" in listed
    assert "role: recorded 'unit_clerk', found 'fao_head'" in listed
    with translation.override("zh-hans"):
        (difference,) = verify().differences
        assert difference.message == "账号 unit_clerk的角色在系统之外被修改"


def test_unit_and_active_flag_changed_by_sql(recorded, foreign_unit):
    clerk, leader = recorded["unit_clerk"], recorded["unit_leader"]
    _sql(f"UPDATE {_table(User)} SET unit_id = %s WHERE id = %s", [foreign_unit.pk, clerk.pk])
    _sql(f"UPDATE {_table(User)} SET is_active = %s WHERE id = %s", [False, leader.pk])
    assert sorted(_differences()) == sorted(
        [
            ("orgs.user", str(clerk.pk), "changed", ("unit",)),
            ("orgs.user", str(leader.pk), "changed", ("is_active",)),
        ]
    )


def test_second_factor_added_or_removed_by_sql(recorded):
    clerk, head = recorded["unit_clerk"], recorded["fao_head"]
    # A device of the intruder's own, confirmed, for an account that had none.
    TOTPDevice.objects.create(user=clerk, name="mine", confirmed=True)
    _sql(f"DELETE FROM {_table(TOTPDevice)} WHERE user_id = %s", [head.pk])
    assert sorted(_differences()) == sorted(
        [
            ("orgs.user", str(clerk.pk), "changed", ("second_factor",)),
            ("orgs.user", str(head.pk), "changed", ("second_factor",)),
        ]
    )
    with translation.override("zh-hans"):
        messages = {d.message for d in verify().differences}
    assert "账号 unit_clerk的第二重身份验证设备在系统之外被修改" in messages


def test_account_inserted_outside_the_application(recorded):
    made = UserFactory(username="intruder", role=Role.SYS_ADMIN)
    assert _differences() == [("orgs.user", str(made.pk), "unrecorded", ())]


def test_account_changes_through_the_application_stay_clean(recorded):
    admin, clerk = recorded["sys_admin"], recorded["unit_clerk"]
    accounts.user_update(actor=admin, user=clerk, role=Role.UNIT_LEADER)
    accounts.user_update(actor=admin, user=recorded["unit_leader"], is_active=False)
    accounts.user_reset_otp(actor=recorded["security_admin"], user=recorded["fao_head"])
    made, _password = accounts.user_create_from_console(
        operator="tests", username="newcomer", role=Role.AUDITOR, full_name="新人"
    )
    assert verify().ok
    assert AuditEvent.objects.filter(object_id=str(made.pk)).latest("seq").state == {
        f"orgs.user:{made.pk}": {
            "role": "auditor",
            "unit": None,
            "is_active": True,
            "second_factor": [],
        }
    }


def test_a_changed_row_is_clean_again_once_the_application_records_it(recorded):
    clerk = recorded["unit_clerk"]
    _sql(f"UPDATE {_table(User)} SET is_active = %s WHERE id = %s", [False, clerk.pk])
    assert not verify().ok
    accounts.user_update(actor=recorded["sys_admin"], user=clerk, is_active=True)
    assert verify().ok


def test_fresh_install_verifies_clean(db):
    result = verify()
    assert result.ok, (result.problem, result.differences)


def test_verify_page_names_the_account_in_chinese(recorded, client):
    login(client, recorded["audit_admin"])
    clerk = recorded["unit_clerk"]
    _sql(f"UPDATE {_table(User)} SET role = %s WHERE id = %s", [Role.FAO_HEAD.value, clerk.pk])
    response = client.post("/audit/verify/", follow=True)
    text = response.content.decode()
    assert "审计链完整，但有1条记录在系统之外被修改" in text
    assert "账号 unit_clerk的角色在系统之外被修改" in text


def test_nightly_check_tells_the_audit_admin(recorded):
    from waishi.notify import tasks
    from waishi.notify.models import Notification

    clerk = recorded["unit_clerk"]
    _sql(f"UPDATE {_table(User)} SET role = %s WHERE id = %s", [Role.FAO_HEAD.value, clerk.pk])
    assert tasks.verify_audit_chain() is False
    note = Notification.objects.get(kind="audit.chain_broken")
    assert note.recipient == recorded["audit_admin"]
    assert "unit_clerk" in note.body


# --- the demo: trips, passports and quotas --------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--force", stdout=StringIO(), stderr=StringIO())


def test_demo_verifies_clean_and_names_each_business_row_changed(demo):
    result = verify()
    assert result.ok, (result.problem, result.differences[:5])
    mission = Mission.objects.order_by("pk").first()
    passport = Passport.objects.order_by("pk").first()
    quota = Quota.objects.order_by("pk").first()
    _sql(f"UPDATE {_table(Mission)} SET state = %s WHERE id = %s", ["approved", mission.pk])
    _sql(
        f"UPDATE {_table(Passport)} SET state = %s WHERE id = %s",
        ["lost" if passport.state != "lost" else "in_custody", passport.pk],
    )
    _sql(
        f"UPDATE {_table(Quota)} SET batches_used = 0, person_trips_used = 0 WHERE id = %s",
        [quota.pk],
    )
    found = {(label, pk): (kind, fields) for label, pk, kind, fields in _differences()}
    if mission.state != "approved":
        assert found.pop(("missions.mission", str(mission.pk))) == ("changed", ("state",))
    assert found.pop(("passports.passport", str(passport.pk))) == ("changed", ("state",))
    if quota.batches_used or quota.person_trips_used:
        kind, fields = found.pop(("plans.quota", str(quota.pk)))
        assert kind == "changed" and set(fields) <= {"batches_used", "person_trips_used"}
    assert found == {}
