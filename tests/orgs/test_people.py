"""People's personal data: masking (Z2), data classes (P1), encryption at rest (P3)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.factories import ID_LIKE, PersonFactory, make_id_number
from waishi.orgs import selectors, services
from waishi.orgs.idnumbers import mask
from waishi.orgs.models import DataClass, Person

MASKED = re.compile(r"[0-9]{4}\*{10}[0-9X]{4}")
TECHNICAL = {"id", "created_at", "updated_at", "is_active"}


# --- P1: every personal field has a data class -----------------------------------------------


def test_every_person_field_has_a_data_class():
    fields = {f.name for f in Person._meta.concrete_fields} - TECHNICAL
    assert set(Person.DATA_CLASSES) == fields, (
        "Person.DATA_CLASSES must tag every field (PIPL art. 6); "
        f"untagged: {sorted(fields - set(Person.DATA_CLASSES))}, "
        f"stale: {sorted(set(Person.DATA_CLASSES) - fields)}"
    )
    assert all(isinstance(v, DataClass) for v in Person.DATA_CLASSES.values())


def test_id_number_fields_are_sensitive():
    assert Person.DATA_CLASSES["id_number_enc"] == DataClass.SENSITIVE
    assert Person.DATA_CLASSES["id_number_index"] == DataClass.SENSITIVE


# --- P3: encrypted at rest, exact search through the blind index -----------------------------


def test_raw_table_holds_no_id_number(db, home_unit):
    numbers = [make_id_number(n) for n in range(40, 45)]
    for n, number in enumerate(numbers):
        PersonFactory(name=f"甲{n}", unit=home_unit, id_number=number)
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        dump = "\n".join(repr(row) for row in cursor.fetchall())
    for number in numbers:
        assert number not in dump
        assert number[-6:] not in dump  # not even its tail
    assert not ID_LIKE.search(dump)
    assert dump.count("sm4gcm:") == len(numbers)


def test_blind_index_finds_by_exact_number(db, home_unit):
    number = make_id_number(50)
    person = PersonFactory(name="乙", unit=home_unit, id_number=number)
    PersonFactory(name="丙", unit=home_unit, id_number=make_id_number(51))
    assert list(Person.objects.with_id_number(number)) == [person]
    assert list(Person.objects.with_id_number(number.lower())) == [person]
    assert list(Person.objects.with_id_number(f" {number[:6]} {number[6:]} ")) == [person]
    assert not Person.objects.with_id_number(make_id_number(53)).exists()
    assert not Person.objects.filter(id_number_index__contains=number[-4:]).exists()


def test_search_by_id_number_is_scoped(cast, home_person, foreign_person):
    number = foreign_person.reveal_id_number()
    assert selectors.person_by_id_number(cast["fao_reviewer"], number) == foreign_person
    assert selectors.person_by_id_number(cast["unit_clerk"], number) is None


def test_duplicate_id_number_is_refused(cast, home_person):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=cast["unit_clerk"],
            name="重复",
            unit=home_person.unit,
            id_number=home_person.reveal_id_number(),
        )
    assert "id_number" in exc.value.message_dict


def test_stored_value_is_bound_to_its_column(db, home_unit):
    from waishi.lib import crypto

    person = PersonFactory(unit=home_unit, id_number=make_id_number(52))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(person.id_number_enc, associated="some.other.column")


# --- Z2: masked everywhere for ordinary roles ------------------------------------------------


def test_mask_shape():
    assert mask("410105198001011234") == "4101**********1234"
    assert mask("") == ""


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "fao_reviewer", "auditor"])
def test_list_and_detail_show_the_mask_only(as_user, home_person, role):
    number = home_person.reveal_id_number()
    client = as_user(role)
    for path in ("/orgs/people/", f"/orgs/people/{home_person.pk}/"):
        body = client.get(path).content.decode()
        assert number not in body, path
        assert not ID_LIKE.search(body), path
        assert mask(number) in body, path
        assert MASKED.search(body), path
    # The htmx rows of the list as well.
    rows = client.get("/orgs/people/", HTTP_HX_REQUEST="true").content.decode()
    assert number not in rows
    assert mask(number) in rows


def test_search_by_full_number_answers_with_the_mask(as_user, home_person):
    number = home_person.reveal_id_number()
    response = as_user("unit_clerk").post("/orgs/people/find/", {"id_number": number}, follow=True)
    body = response.content.decode()
    assert home_person.name in body
    # The number is in no address the browser keeps, and the page shows only the mask.
    assert all(number not in url for url, _status in response.redirect_chain)
    assert number not in body
    assert mask(number) in body


def test_edit_form_does_not_prefill_the_number(as_user, home_person):
    number = home_person.reveal_id_number()
    body = as_user("unit_clerk").get(f"/orgs/people/{home_person.pk}/edit/").content.decode()
    assert number not in body
    assert mask(number) in body


def test_only_fao_sees_the_unmask_button(as_user, home_person):
    url = f"/orgs/people/{home_person.pk}/id-number/"
    for role, shown in [("unit_clerk", False), ("auditor", False), ("fao_reviewer", True)]:
        body = as_user(role).get(f"/orgs/people/{home_person.pk}/").content.decode()
        assert (url in body) is shown, role


def test_service_refuses_unmask_to_other_roles(cast, home_person):
    from django.core.exceptions import PermissionDenied

    for role in ("unit_clerk", "unit_leader", "committee", "auditor", "sys_admin"):
        with pytest.raises(PermissionDenied):
            services.person_reveal_id_number(actor=cast[role], person=home_person)
    assert services.person_reveal_id_number(actor=cast["fao_head"], person=home_person) == (
        home_person.reveal_id_number()
    )


# --- people pages are scoped by unit ----------------------------------------------------------


def test_clerk_adds_people_to_their_own_unit_only(as_user, cast, home_unit, foreign_unit):
    client = as_user("unit_clerk")
    data = {"name": "越权", "unit": foreign_unit.pk, "post": "x", "rank": "none"}
    response = client.post("/orgs/people/new/", data)
    assert response.status_code == 200
    assert not Person.objects.filter(name="越权").exists()
    data["unit"] = home_unit.pk
    assert client.post("/orgs/people/new/", data).status_code == 302
    assert Person.objects.get(name="越权").unit == home_unit


def test_clerk_cannot_move_a_person_to_another_unit(as_user, home_person, foreign_unit):
    response = as_user("unit_clerk").post(
        f"/orgs/people/{home_person.pk}/edit/",
        {"name": home_person.name, "unit": foreign_unit.pk, "rank": "none", "is_active": "on"},
    )
    assert response.status_code == 200
    home_person.refresh_from_db()
    assert home_person.unit != foreign_unit
