"""The trip export writes every text as text, never a formula."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tests.xlsx_check import HOSTILE, assert_text_cells, body
from waishi.missions.models import Mission
from waishi.orgs.models import Person, Unit


def test_the_export_writes_titles_inviters_and_names_as_text(mission, people, as_user):
    # Submitted: the FAO does not see a draft (a draft is the unit's until submitted).
    Mission.objects.filter(pk=mission.pk).update(
        title=HOSTILE[0], inviter=HOSTILE[1], state="submitted", submitted_at=timezone.now()
    )
    Unit.objects.filter(pk=mission.unit_id).update(name=HOSTILE[2])
    leader = mission.members.get(is_leader=True).person
    Person.objects.filter(pk=leader.pk).update(name=HOSTILE[3])
    response = as_user("fao_reviewer").get(reverse("missions:export"))
    assert response.status_code == 200
    assert_text_cells(body(response), HOSTILE[:4])
