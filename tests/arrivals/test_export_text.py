"""The arrivals export and the arrival list template write every text as text: a name
or an address typed on the public form or imported as ``=HYPERLINK(...)`` is no formula."""

from __future__ import annotations

from tests.xlsx_check import HOSTILE, assert_text_cells, body
from waishi.arrivals.models import Arrival
from waishi.orgs.models import District


def test_the_export_writes_names_and_addresses_as_text(arrival, as_user):
    for i, value in enumerate(HOSTILE):
        made = arrival(name=f"入境{i}")
        # As stored, whatever the form or the import let through.
        Arrival.objects.filter(pk=made.pk).update(
            name=value, address=HOSTILE[(i + 1) % len(HOSTILE)], route=value
        )
    response = as_user("city_command").get("/arrivals/export.xlsx")
    assert response.status_code == 200
    assert_text_cells(body(response))


def test_the_import_template_writes_district_names_as_text(as_user, district):
    District.objects.filter(pk=district.pk).update(name=HOSTILE[0])
    response = as_user("city_command").get("/arrivals/imports/template.xlsx")
    assert response.status_code == 200
    assert_text_cells(body(response), [HOSTILE[0]])
