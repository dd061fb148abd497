"""The people import template writes every text as text, never a formula: it lists the
units, whose names were typed by someone."""

from __future__ import annotations

from tests.xlsx_check import HOSTILE, assert_text_cells, body
from waishi.orgs.models import Unit


def test_the_template_writes_unit_names_as_text(as_user, home_unit):
    Unit.objects.filter(pk=home_unit.pk).update(name=HOSTILE[0], short_name=HOSTILE[1])
    response = as_user("unit_clerk").get("/orgs/people/import/template.xlsx")
    assert response.status_code == 200
    assert_text_cells(body(response), HOSTILE[:2])
