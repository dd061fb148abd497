"""三权分立 (Z3): the three administrators read no business record; the audit log is for
the audit administrator and the auditor; nobody changes their own role. And the
language switch, which every account has."""

from __future__ import annotations

import pytest

from tests.factories import PersonFactory, make_id_number
from tests.lib.urlwalk import endpoints
from waishi.audit.models import AuditEvent
from waishi.lib.roles import ADMIN_ROLES, READS_AUDIT_LOG, Role
from waishi.orgs import services as org_services
from waishi.orgs.models import Person

SECRET_NAME = "区域机密甲"
ADMINS = sorted(ADMIN_ROLES)


@pytest.fixture
def people_with_history(cast, home_unit, foreign_person):
    """Two people whose names and changes are in the audit log."""
    person = org_services.person_create(
        actor=cast["unit_clerk"],
        name=SECRET_NAME,
        unit=home_unit,
        post="科员",
        id_number=make_id_number(7),
    )
    org_services.person_update(actor=cast["fao_reviewer"], person=person, post="副科长")
    org_services.person_update(actor=cast["fao_head"], person=foreign_person, phone="12345678")
    org_services.person_reveal_id_number(actor=cast["fao_head"], person=foreign_person)
    return person, foreign_person


def _pages_for(cast, home_unit, foreign_unit, person) -> list[str]:
    """Every page without arguments, plus the pages of one object of each kind."""
    objects = {
        "unit_pk": [home_unit.pk, foreign_unit.pk],
        "person_pk": [person.pk],
        "user_pk": [cast["unit_clerk"].pk, cast["sys_admin"].pk],
        "district_pk": [home_unit.district_id],
    }
    paths = []
    for endpoint in endpoints():
        if not endpoint.params:
            paths.append(endpoint.path({}))
        elif len(endpoint.params) == 1 and endpoint.params[0] in objects:
            paths += [endpoint.path({endpoint.params[0]: pk}) for pk in objects[endpoint.params[0]]]
    return paths


@pytest.mark.parametrize("role", ADMINS)
def test_administrators_see_no_person(
    as_user, cast, home_unit, foreign_unit, people_with_history, role
):
    person, foreign = people_with_history
    client = as_user(role)
    assert client.get("/orgs/people/").status_code == 403
    assert client.get("/orgs/people/new/").status_code == 403
    for target in (person, foreign):
        assert client.get(f"/orgs/people/{target.pk}/").status_code in (403, 404)
        assert client.get(f"/orgs/people/{target.pk}/edit/").status_code in (403, 404)
        assert client.post(f"/orgs/people/{target.pk}/id-number/").status_code in (
            302,
            403,
            404,
        )
    for path in _pages_for(cast, home_unit, foreign_unit, person):
        response = client.get(path, {"q": SECRET_NAME} if path.endswith("/") else {})
        body = response.content.decode(errors="replace").replace(f'value="{SECRET_NAME}"', "")
        for name in (SECRET_NAME, foreign.name):
            assert name not in body, (role, path, response.status_code)
        assert person.reveal_id_number() not in body, (role, path)
    assert not AuditEvent.objects.filter(action="orgs.person.unmask", actor_id=cast[role].pk)


def test_audit_admin_reads_the_log_without_names_or_values(as_user, people_with_history):
    person, _foreign = people_with_history
    body = as_user("audit_admin").get("/audit/").content.decode()
    assert SECRET_NAME not in body
    assert "副科长" not in body  # the values of a person's change are hidden too
    assert f"#{person.pk}" in body  # but the event and its record's number are there
    assert "orgs.person.update" in body


def test_auditor_reads_the_log_with_names(as_user, people_with_history):
    body = as_user("auditor").get("/audit/").content.decode()
    assert SECRET_NAME in body
    assert "副科长" in body


def test_audit_admin_still_reads_account_events(as_user, cast):
    client = as_user("sys_admin")
    client.post(
        f"/accounts/users/{cast['unit_leader'].pk}/",
        _user_form(cast["unit_leader"], role=Role.UNIT_CLERK),
    )
    body = as_user("audit_admin").get("/audit/").content.decode()
    assert "accounts.user.role_change" in body
    assert cast["unit_leader"].username in body


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_audit_readers_open_the_audit_log(as_user, role):
    client = as_user(role)
    expected = 200 if role in READS_AUDIT_LOG else 403
    assert client.get("/audit/").status_code == expected
    assert client.post("/audit/verify/").status_code == (302 if expected == 200 else 403)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_account_pages_belong_to_their_administrator(as_user, cast, role):
    client = as_user(role)
    users = client.get("/accounts/users/").status_code
    security = client.get("/accounts/security/").status_code
    assert users == (200 if role == Role.SYS_ADMIN else 403)
    assert security == (200 if role == Role.SECURITY_ADMIN else 403)


def _user_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "unit": user.unit_id or "",
        "district": user.district_id or "",
        "expires_at": "",
        "is_active": "on" if user.is_active else "",
    }
    data.update({k: v for k, v in changes.items()})
    return {k: v for k, v in data.items() if v != ""}


def test_system_admin_cannot_change_their_own_role(as_user, cast):
    me = cast["sys_admin"]
    client = as_user("sys_admin")
    response = client.post(f"/accounts/users/{me.pk}/", _user_form(me, role=Role.AUDITOR))
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.role == Role.SYS_ADMIN
    response = client.post(f"/accounts/users/{me.pk}/", _user_form(me, is_active=""))
    me.refresh_from_db()
    assert me.is_active
    assert not AuditEvent.objects.filter(object_id=str(me.pk), action__startswith="accounts.user")


def test_system_admin_may_edit_their_own_details(as_user, cast):
    me = cast["sys_admin"]
    response = as_user("sys_admin").post(
        f"/accounts/users/{me.pk}/", _user_form(me, email="new@example.invalid")
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.email == "new@example.invalid"


def test_system_admin_changes_another_role_and_it_is_recorded(as_user, cast):
    target = cast["unit_leader"]
    response = as_user("sys_admin").post(
        f"/accounts/users/{target.pk}/", _user_form(target, role=Role.UNIT_CLERK)
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.UNIT_CLERK
    event = AuditEvent.objects.get(action="accounts.user.role_change")
    assert event.actor_id == cast["sys_admin"].pk
    assert event.before == {"role": "unit_leader"}
    assert event.after == {"role": "unit_clerk"}


def test_business_roles_cannot_manage_accounts(as_user, cast):
    target = cast["unit_clerk"]
    for role in ("fao_head", "security_admin", "audit_admin"):
        response = as_user(role).post(
            f"/accounts/users/{target.pk}/", _user_form(target, role=Role.FAO_HEAD)
        )
        assert response.status_code in (403, 404), role
    target.refresh_from_db()
    assert target.role == Role.UNIT_CLERK


# --- language --------------------------------------------------------------------------------


def test_language_switch_persists_per_user(as_user, cast):
    client = as_user("unit_clerk")
    assert 'lang="zh-CN"' in client.get("/").content.decode()
    response = client.post("/accounts/language/", {"language": "en", "next": "/orgs/units/"})
    assert response.status_code == 302
    assert response["Location"] == "/orgs/units/"
    user = cast["unit_clerk"]
    user.refresh_from_db()
    assert user.language == "en"
    page = as_user("unit_clerk").get("/")  # a new session: the choice is the account's
    assert 'lang="en"' in page.content.decode()
    assert page["Content-Language"] == "en"
    assert AuditEvent.objects.filter(action="accounts.user.language", actor_id=user.pk).exists()
    # Another account keeps its own language.
    assert 'lang="zh-CN"' in as_user("unit_leader").get("/").content.decode()
    client.post("/accounts/language/", {"language": "zh-hans"})
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_unknown_language_is_ignored(as_user, cast):
    client = as_user("unit_clerk")
    assert client.post("/accounts/language/", {"language": "fr"}).status_code == 302
    cast["unit_clerk"].refresh_from_db()
    assert cast["unit_clerk"].language == "zh-hans"


def test_language_before_login_comes_from_the_cookie(client, db):
    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.cookies["waishi_language"].value == "en"
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()


def test_person_without_history_has_no_unmask_events(db, home_unit):
    person = PersonFactory(unit=home_unit, id_number=make_id_number(9))
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.filter(object_id=str(person.pk))
