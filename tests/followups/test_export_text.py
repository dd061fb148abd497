"""The outcome export writes every text as text, never a formula."""

from __future__ import annotations

from tests.xlsx_check import HOSTILE, assert_text_cells, body
from waishi.followups.models import Outcome


def test_the_export_writes_titles_and_descriptions_as_text(make_outcome, as_user):
    for i, value in enumerate(HOSTILE):
        made = make_outcome(title=f"成果{i}")
        Outcome.objects.filter(pk=made.pk).update(
            title=value, description=HOSTILE[(i + 1) % len(HOSTILE)]
        )
    response = as_user("fao_head").get("/followups/export.xlsx")
    assert response.status_code == 200
    assert_text_cells(body(response))
