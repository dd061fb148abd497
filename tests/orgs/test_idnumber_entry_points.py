"""Every place a resident ID number comes in goes through ``idnumbers.validate``: the
person form, the search by number and the people import each accept the standard's
example (which python-stdnum's ``ric.calc_check_digit(number[:17])`` refused) and
refuse a wrong check digit.

The other entry points of the project take no resident ID number: the arrivals (public
declaration form, lists imported) identify a traveller by passport number, and the API
only ever shows the masked number."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import PersonFactory
from tests.gb11643 import is_valid_id_number
from tests.orgs.test_idnumbers import OLD_CALL_REFUSED
from tests.orgs.test_import import person, upload, xlsx
from waishi.orgs import importer
from waishi.orgs.models import Person

VALID = OLD_CALL_REFUSED  # 11010519491231002X
WRONG = VALID[:-1] + "1"
CHECKSUM_EN = "The check digit of this resident ID number is wrong (GB 11643)."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_premise():
    assert is_valid_id_number(VALID) and not is_valid_id_number(WRONG)


def test_the_person_form(as_user, home_unit):
    client = as_user("unit_clerk")
    data = {"name": "错号", "unit": home_unit.pk, "post": "科员", "rank": "none"}
    response = client.post("/orgs/people/new/", data | {"id_number": WRONG})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["id_number"]] == ["checksum"]
    assert not Person.objects.filter(name="错号").exists()
    data["name"] = "对号"
    response = client.post("/orgs/people/new/", data | {"id_number": VALID.lower()})
    assert response.status_code == 302
    assert Person.objects.get(name="对号").reveal_id_number() == VALID


def test_the_search_by_number(as_user, home_unit):
    found = PersonFactory(name="查号", unit=home_unit, id_number=VALID)
    client = as_user("unit_clerk")
    response = client.post("/orgs/people/find/", {"id_number": VALID})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/orgs/people/{found.pk}/")
    response = client.post("/orgs/people/find/", {"id_number": WRONG})
    assert response.status_code == 200
    assert [e.code for e in response.context["id_search"].errors.as_data()["id_number"]] == [
        "checksum"
    ]


def test_the_people_import(cast):
    actor = cast["fao_reviewer"]
    refused = importer.import_upload(actor=actor, upload=upload(xlsx([person("错号", WRONG)])))
    assert not refused.ok and refused.created == 0
    assert [(e.row, e.column, e.message) for e in refused.row_errors] == [
        (2, "身份证号", CHECKSUM_EN)
    ]
    report = importer.import_upload(actor=actor, upload=upload(xlsx([person("对号", VALID)])))
    assert report.ok, report.row_errors or report.file_errors
    assert Person.objects.get(name="对号").reveal_id_number() == VALID


def test_the_import_templates_sample_number():
    assert is_valid_id_number(importer.sample_id_number())
