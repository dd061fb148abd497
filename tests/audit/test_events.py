"""One test per event type of security.md L1, and the readable history on each page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from tests.conftest import current_code
from tests.factories import PASSWORD, make_id_number
from tests.lib.pagetext import has_catalogue
from waishi.audit.messages import MESSAGES, describe
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role
from waishi.orgs.models import Person, Unit, UnitKind


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("seq")


def _assert_request_context(event: AuditEvent, ip: str = "127.0.0.1") -> None:
    assert event.at is not None
    assert event.ip == ip
    assert len(event.request_id) == 16  # ties the event to the request's log lines


def test_login(cast):
    client = Client()
    client.post(
        "/accounts/login/",
        {"username": "unit_clerk", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    event = _last("auth.login")
    assert event.actor_id == cast["unit_clerk"].pk
    assert event.actor_name.startswith("unit_clerk")
    assert (event.object_type, event.object_id) == ("orgs.user", str(cast["unit_clerk"].pk))
    _assert_request_context(event, "10.1.2.3")


def test_logout(as_user, cast):
    as_user("unit_leader").post("/accounts/logout/", REMOTE_ADDR="10.1.2.4")
    event = _last("auth.logout")
    assert event.actor_id == cast["unit_leader"].pk
    _assert_request_context(event, "10.1.2.4")


def test_failed_login(cast):
    Client().post(
        "/accounts/login/",
        {"username": "unit_clerk", "password": "Wrong#Password1"},
        REMOTE_ADDR="10.1.2.5",
    )
    event = _last("auth.login_failed")
    assert event.actor_id is None
    assert event.object_repr == "unit_clerk"
    assert event.data == {"username": "unit_clerk"}
    _assert_request_context(event, "10.1.2.5")


def test_unmasking(as_user, cast, home_person):
    client = as_user("fao_head")
    client.post("/accounts/reauth/", {"token": current_code(cast["fao_head"])})
    response = client.post(f"/orgs/people/{home_person.pk}/id-number/")
    assert response.status_code == 200
    event = _last("orgs.person.unmask")
    assert event.actor_id == cast["fao_head"].pk
    assert (event.object_type, event.object_id) == ("orgs.person", str(home_person.pk))
    assert event.data == {"field": "id_number"}
    assert home_person.reveal_id_number() not in str(event.after) + str(event.data)
    _assert_request_context(event)


def test_permission_change(as_user, cast):
    target = cast["unit_leader"]
    response = as_user("sys_admin").post(
        f"/accounts/users/{target.pk}/",
        {
            "username": target.username,
            "full_name": target.full_name,
            "email": target.email,
            "role": Role.UNIT_CLERK,
            "unit": target.unit_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = _last("accounts.user.role_change")
    assert event.actor_id == cast["sys_admin"].pk
    assert event.object_id == str(target.pk)
    assert (event.before, event.after) == ({"role": "unit_leader"}, {"role": "unit_clerk"})
    _assert_request_context(event)


def _person_form(unit, **values) -> dict:
    data = {"name": "李四", "unit": unit.pk, "post": "科员", "rank": "section_below"}
    data.update(values)
    return data


def test_person_create(as_user, cast, home_unit):
    number = make_id_number(11)
    response = as_user("unit_clerk").post(
        "/orgs/people/new/", _person_form(home_unit, id_number=number)
    )
    assert response.status_code == 302
    person = Person.objects.get(name="李四")
    event = _last("orgs.person.create")
    assert event.actor_id == cast["unit_clerk"].pk
    assert (event.object_type, event.object_id, event.object_repr) == (
        "orgs.person",
        str(person.pk),
        "李四",
    )
    assert event.before is None
    assert event.after["name"] == "李四"
    assert event.after["unit"] == home_unit.pk
    # The ID number is in the event only masked (security.md L4).
    assert event.after["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in str(event.after)
    _assert_request_context(event)


def test_person_update(as_user, cast, home_person):
    response = as_user("fao_reviewer").post(
        f"/orgs/people/{home_person.pk}/edit/",
        _person_form(home_person.unit, name=home_person.name, post="处长", is_active="on"),
    )
    assert response.status_code == 302
    event = _last("orgs.person.update")
    assert event.actor_id == cast["fao_reviewer"].pk
    assert event.before == {"post": "干部"}
    assert event.after == {"post": "处长"}
    _assert_request_context(event)


def test_person_update_without_change_records_nothing(as_user, home_person):
    as_user("fao_reviewer").post(
        f"/orgs/people/{home_person.pk}/edit/",
        _person_form(home_person.unit, name=home_person.name, post="干部", is_active="on"),
    )
    assert not AuditEvent.objects.filter(action="orgs.person.update").exists()


def _unit_form(**values) -> dict:
    data = {"code": "U-NEW", "name": "市文旅局", "kind": UnitKind.BUREAU, "is_active": "on"}
    data.update(values)
    return data


def test_unit_create(as_user, cast):
    response = as_user("fao_head").post("/orgs/units/new/", _unit_form())
    assert response.status_code == 302
    unit = Unit.objects.get(code="U-NEW")
    event = _last("orgs.unit.create")
    assert event.actor_id == cast["fao_head"].pk
    assert event.object_id == str(unit.pk)
    assert event.after["name"] == "市文旅局"
    _assert_request_context(event)


def test_unit_update(as_user, cast, foreign_unit):
    response = as_user("fao_reviewer").post(
        f"/orgs/units/{foreign_unit.pk}/edit/",
        _unit_form(code=foreign_unit.code, name="市教育体育局", short_name="教育局"),
    )
    assert response.status_code == 302
    event = _last("orgs.unit.update")
    assert event.actor_id == cast["fao_reviewer"].pk
    assert event.before == {"name": "市教育局"}
    assert event.after == {"name": "市教育体育局"}
    _assert_request_context(event)


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "auditor", "sys_admin"])
def test_unit_change_is_refused_and_not_recorded(as_user, foreign_unit, role):
    response = as_user(role).post(
        f"/orgs/units/{foreign_unit.pk}/edit/", _unit_form(code=foreign_unit.code, name="x")
    )
    assert response.status_code == 403
    foreign_unit.refresh_from_db()
    assert foreign_unit.name == "市教育局"
    assert not AuditEvent.objects.filter(action__startswith="orgs.unit").exists()


def test_every_recorded_action_has_a_sentence(as_user, cast, home_unit, home_person):
    """Run the flows above and check no event is shown by its bare code."""
    test_person_create(as_user, cast, home_unit)
    test_unmasking(as_user, cast, home_person)
    test_failed_login(cast)
    for action in AuditEvent.objects.values_list("action", flat=True).distinct():
        assert action in MESSAGES, action


# --- history on each object's page -----------------------------------------------------------


def _expected_sentence(event: AuditEvent) -> str:
    with translation.override("zh-hans"):
        return escape(describe(event))


@pytest.mark.parametrize("kind", ["person", "unit", "account"])
def test_object_page_shows_its_history_readably(as_user, cast, home_unit, home_person, kind):
    if kind == "person":
        test_person_update(as_user, cast, home_person)
        page, action = f"/orgs/people/{home_person.pk}/", "orgs.person.update"
        reader = "fao_reviewer"
    elif kind == "unit":
        as_user("fao_head").post(
            f"/orgs/units/{home_unit.pk}/edit/",
            _unit_form(code=home_unit.code, name="市商务和投资促进局", short_name="商务局"),
        )
        page, action, reader = f"/orgs/units/{home_unit.pk}/", "orgs.unit.update", "unit_clerk"
    else:
        test_permission_change(as_user, cast)
        page = f"/accounts/users/{cast['unit_leader'].pk}/"
        action, reader = "accounts.user.role_change", "sys_admin"
    event = _last(action)
    body = as_user(reader).get(page).content.decode()
    sentence = _expected_sentence(event)
    assert sentence in body
    with translation.override(None):
        template = str(MESSAGES[action])  # the msgid
    if has_catalogue(template):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in sentence.replace(event.object_repr, ""))
    else:
        # Before the catalogue translates it, the page shows the English sentence.
        assert sentence.startswith(escape(event.actor_name))
