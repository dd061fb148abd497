"""Exact search by resident ID number: by POST only, scoped, no hint about others' people."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import FOREIGN_MARKER


def test_exact_number_leads_to_the_person(as_user, home_person):
    response = as_user("unit_clerk").post(
        reverse("orgs:person-find"), {"id_number": home_person.reveal_id_number()}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "orgs:person-detail", kwargs={"person_pk": home_person.pk}
    )


def test_a_foreign_units_number_looks_like_nobodys(as_user, foreign_person, home_person):
    clerk = as_user("unit_clerk")
    foreign = clerk.post(
        reverse("orgs:person-find"), {"id_number": foreign_person.reveal_id_number()}
    )
    assert foreign.status_code == 200
    body = foreign.content.decode()
    assert FOREIGN_MARKER not in body
    # The FAO sees every unit and is taken to the person.
    fao = as_user("fao_reviewer").post(
        reverse("orgs:person-find"), {"id_number": foreign_person.reveal_id_number()}
    )
    assert fao.status_code == 302


def test_bad_number_is_explained_and_get_is_refused(as_user):
    clerk = as_user("unit_clerk")
    response = clerk.post(reverse("orgs:person-find"), {"id_number": "110101199003071234"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert clerk.get(reverse("orgs:person-find")).status_code == 405


def test_the_name_search_does_not_take_id_numbers(as_user, home_person):
    # The name search travels in the URL; a number typed there must find nobody.
    response = as_user("unit_clerk").get(
        reverse("orgs:person-list"), {"q": home_person.reveal_id_number()}
    )
    detail = reverse("orgs:person-detail", kwargs={"person_pk": home_person.pk})
    assert response.status_code == 200
    assert detail not in response.content.decode()
    # ... while the same page does list the person without that query.
    listed = as_user("unit_clerk").get(reverse("orgs:person-list"))
    assert detail in listed.content.decode()
