"""A unit in a form: a drop-down while the units are few, a search box for a province's
2,000 (``orgs.fields.UnitChoiceField``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from waishi.orgs.fields import SELECT_LIMIT, PersonChoiceField, UnitChoiceField
from waishi.orgs.models import Unit

pytestmark = pytest.mark.django_db


def _many_units(n: int) -> None:
    Unit.objects.bulk_create(
        Unit(code=f"P{i:04d}", name=f"省直单位{i:04d}", short_name=f"单位{i:04d}") for i in range(n)
    )


def _field() -> UnitChoiceField:
    return UnitChoiceField(queryset=Unit.objects.order_by("code"), required=False)


def test_a_unit_is_found_by_id_code_name_short_name_or_a_unique_part(home_unit, foreign_unit):
    field = _field()
    assert field.clean(str(home_unit.pk)) == home_unit
    assert field.clean(home_unit.code) == home_unit
    assert field.clean("市商务局") == home_unit
    assert field.clean("教育局") == foreign_unit  # the short name
    assert field.clean(" 商务 ") == home_unit  # part of one name only
    assert field.clean("") is None


def test_several_or_no_matches_are_an_error_naming_the_candidates(home_unit, foreign_unit):
    field = _field()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as several:
        field.clean("市")
    message = " ".join(several.value.messages)
    assert "市商务局" in message and "市教育局" in message
    with translation.override("zh-hans"), pytest.raises(ValidationError) as none:
        field.clean("外交部")
    assert "外交部" in " ".join(none.value.messages)


def test_a_unit_outside_the_choices_is_not_taken_by_id_or_name(home_unit, foreign_unit):
    field = UnitChoiceField(queryset=Unit.objects.filter(pk=home_unit.pk), required=False)
    for typed in (str(foreign_unit.pk), foreign_unit.code, foreign_unit.name):
        with pytest.raises(ValidationError):
            field.clean(typed)


def test_few_units_are_a_drop_down(cast, as_user):
    body = as_user("fao_reviewer").get(reverse("missions:list")).content.decode()
    assert '<select name="unit"' in body
    assert 'type="search" name="unit"' not in body


def test_many_units_are_a_search_box_that_shows_the_chosen_name(
    cast, as_user, home_unit, django_assert_max_num_queries
):
    from tests.factories import PersonFactory
    from tests.missions.conftest import build_mission

    _many_units(SELECT_LIMIT + 1)
    other = Unit.objects.get(code="P0007")
    built = build_mission(cast["unit_clerk"], [PersonFactory(unit=home_unit)], title="商务局的团组")
    # Submitted: the FAO does not see a unit's draft.
    type(built).objects.filter(pk=built.pk).update(state="submitted", submitted_at=built.created_at)
    client = as_user("fao_reviewer")
    url = reverse("missions:list")
    body = client.get(url).content.decode()
    assert 'type="search" name="unit"' in body
    assert "省直单位0050" not in body  # no option of every unit

    chosen = client.get(url, {"unit": home_unit.pk}).content.decode()
    assert f'value="{home_unit.name}"' in chosen  # the name, not the id
    assert "商务局的团组" in chosen
    assert "商务局的团组" not in client.get(url, {"unit": other.pk}).content.decode()
    typed = client.get(url, {"unit": "商务局"}).content.decode()
    assert "商务局的团组" in typed and 'data-testid="filter-errors"' not in typed
    with django_assert_max_num_queries(14):
        client.get(url, {"unit": home_unit.pk})


def test_an_ambiguous_unit_is_said_on_the_list(cast, as_user):
    _many_units(SELECT_LIMIT + 1)
    with translation.override("zh-hans"):
        body = (
            as_user("fao_reviewer")
            .get(reverse("missions:list"), {"unit": "省直单位00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
            .content.decode()
        )
    assert 'data-testid="filter-errors"' in body
    assert "省直单位0000" in body  # a candidate named


# -- people ----------------------------------------------------------------------------------


def _person_field() -> PersonChoiceField:
    from waishi.orgs.models import Person

    return PersonChoiceField(queryset=Person.objects.order_by("pk"), required=False)


def test_a_person_is_found_by_id_label_name_pinyin_or_initials(home_unit, foreign_unit):
    from tests.factories import PersonFactory

    zhang = PersonFactory(name="张晓峰", unit=home_unit)
    PersonFactory(name="李雷", unit=home_unit)
    field = _person_field()
    assert field.clean(str(zhang.pk)) == zhang
    assert field.clean("张晓峰（商务局）") == zhang  # the label the search box shows
    assert field.clean("张晓峰") == zhang
    assert field.clean("zhangxiao") == zhang
    assert field.clean("zxf") == zhang


def test_namesakes_are_told_apart_by_their_unit(home_unit, foreign_unit):
    from tests.factories import PersonFactory

    PersonFactory(name="王芳", unit=home_unit)
    theirs = PersonFactory(name="王芳", unit=foreign_unit)
    field = _person_field()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as several:
        field.clean("王芳")
    message = " ".join(several.value.messages)
    assert "王芳（商务局）" in message and "王芳（教育局）" in message
    assert field.clean("王芳（教育局）") == theirs
    assert field.clean("王芳(市教育局)") == theirs  # half-width brackets, the full name
    with pytest.raises(ValidationError):
        field.clean("王芳（外交部）")


def test_the_follow_up_form_offers_a_search_box_for_a_province_of_people(cast, home_unit):
    from waishi.followups.forms import OutcomeForm
    from waishi.orgs.models import Person

    Person.objects.bulk_create(
        Person(name=f"人员{i:04d}", unit=home_unit, post="干部") for i in range(SELECT_LIMIT + 1)
    )
    chosen = Person.objects.get(name="人员0042")
    fao = cast["fao_reviewer"]
    body = str(OutcomeForm(user=fao)["responsible_person"])
    assert 'type="search" name="responsible_person"' in body and "人员0050" not in body
    form = OutcomeForm(
        {
            "kind": "intention",
            "title": "合作意向",
            "responsible_unit": "商务局",
            "responsible_person": "人员0042（商务局）",
            "due_date": "2030-01-31",
        },
        user=fao,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["responsible_person"] == chosen
    assert form.cleaned_data["responsible_unit"] == home_unit
    shown = str(OutcomeForm({"responsible_person": str(chosen.pk)}, user=fao)["responsible_person"])
    assert 'value="人员0042（商务局）"' in shown


def test_the_passport_form_takes_a_holder_typed_in_its_search_box(cast, home_unit, foreign_unit):
    from waishi.orgs.models import Person
    from waishi.passports.forms import PassportForm

    Person.objects.bulk_create(
        Person(name=f"持照人{i:04d}", unit=home_unit, post="干部") for i in range(SELECT_LIMIT)
    )
    holder = Person.objects.create(name="欧阳娜娜", unit=foreign_unit, post="干部")
    people = Person.objects.select_related("unit")
    assert 'type="search" name="holder"' in str(PassportForm(people=people)["holder"])
    data = {"kind": "service", "number": "E1234567", "issued_on": "2026-01-05"}
    data["expires_on"] = "2031-01-04"
    form = PassportForm({**data, "holder": "欧阳娜娜（教育局）"}, people=people)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["holder"] == holder
    unknown = PassportForm({**data, "holder": "欧阳娜娜（商务局）"}, people=people)
    assert not unknown.is_valid() and "holder" in unknown.errors
