"""The custody register writes every text as text, never a formula."""

from __future__ import annotations

from tests.xlsx_check import HOSTILE, assert_text_cells, body
from waishi.missions.models import Mission
from waishi.orgs.models import Person, Unit
from waishi.passports import services


def test_the_register_writes_names_and_titles_as_text(as_user, fao, trip, passports, people):
    services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    Person.objects.filter(pk=people[0].pk).update(name=HOSTILE[0])
    Person.objects.filter(pk=people[1].pk).update(name=HOSTILE[1])
    Unit.objects.filter(pk=people[0].unit_id).update(name=HOSTILE[2])
    Mission.objects.filter(pk=trip.pk).update(title=HOSTILE[3])
    response = as_user("fao_reviewer").get("/passports/report.xlsx")
    assert response.status_code == 200
    assert_text_cells(body(response), HOSTILE[:4])  # the trip as the register names it
