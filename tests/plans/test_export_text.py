"""The consolidated plan's export writes every text as text, never a formula."""

from __future__ import annotations

from tests.xlsx_check import HOSTILE, assert_text_cells, body
from waishi.orgs.models import Unit
from waishi.plans.models import PlanEntry


def test_the_export_writes_titles_and_purposes_as_text(as_user, approved_plan, home_unit):
    PlanEntry.objects.filter(plan=approved_plan).update(title=HOSTILE[0], purpose=HOSTILE[1])
    Unit.objects.filter(pk=home_unit.pk).update(short_name=HOSTILE[2])
    response = as_user("committee").get(f"/plans/{approved_plan.pk}/export.xlsx")
    assert response.status_code == 200
    assert_text_cells(body(response), HOSTILE[:3])
