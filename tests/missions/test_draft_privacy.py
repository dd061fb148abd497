"""A draft is the unit's until submitted: the FAO (reviewer, head) and the committee do
not see a trip never submitted -- not in the list, the record, the export, the API, a
member's row or a count; the unit's roles do, and so does the auditor, who reads every
record (design: roles, "all, read-only"). Once submitted, the city's roles see it, and
keep seeing it when it is returned or withdrawn."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.api.conftest import bearer
from waishi.api import services as api_services
from waishi.missions.models import Member, Mission, State, Stop
from waishi.orgs import scoping

pytestmark = pytest.mark.django_db

SEES_DRAFTS = {"unit_clerk": True, "unit_leader": True, "auditor": True}
ROLES = ("unit_clerk", "unit_leader", "fao_reviewer", "fao_head", "committee", "auditor")


def _rows(client) -> int:
    return client.get(reverse("missions:list")).content.decode().count('data-testid="mission-row"')


def _api(cast, role):
    _token, raw = api_services.api_token_create(actor=cast[role], user=cast[role], name="t", days=1)
    return bearer(raw)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_seen_by_its_unit_and_the_auditor_only(role, cast, mission, as_user):
    sees = SEES_DRAFTS.get(role, False)
    user = cast[role]
    assert scoping.visible(user, Mission).filter(pk=mission.pk).exists() is sees
    # Every row of it follows the trip.
    assert scoping.visible(user, Member).filter(mission=mission).exists() is sees
    assert scoping.visible(user, Stop).filter(mission=mission).exists() is sees
    client = as_user(role)
    detail = reverse("missions:detail", kwargs={"mission_pk": mission.pk})
    assert client.get(detail).status_code == (200 if sees else 404)
    assert _rows(client) == (1 if sees else 0)
    export = client.get(reverse("missions:export"))
    if export.status_code == 200:
        sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
        assert sheet.max_row - 1 == (1 if sees else 0)
    api = _api(cast, role)
    assert api.get("/api/v1/missions/").json()["count"] == (1 if sees else 0)
    assert api.get(f"/api/v1/missions/{mission.pk}/").status_code == (200 if sees else 404)


@pytest.mark.parametrize("role", ("fao_reviewer", "fao_head", "committee"))
def test_once_submitted_the_city_sees_it_and_keeps_seeing_it(role, cast, mission):
    user = cast[role]
    Mission.objects.filter(pk=mission.pk).update(state=State.SUBMITTED, submitted_at=timezone.now())
    assert scoping.visible(user, Mission).filter(pk=mission.pk).exists()
    for state in (State.RETURNED, State.WITHDRAWN):
        Mission.objects.filter(pk=mission.pk).update(state=state)
        assert scoping.visible(user, Mission).filter(pk=mission.pk).exists()


def test_a_draft_discarded_before_submission_stays_the_units(cast, mission):
    Mission.objects.filter(pk=mission.pk).update(state=State.WITHDRAWN)
    assert not scoping.visible(cast["fao_reviewer"], Mission).filter(pk=mission.pk).exists()
    assert scoping.visible(cast["unit_clerk"], Mission).filter(pk=mission.pk).exists()


def test_another_unit_never_sees_it(cast, mission):
    assert not scoping.visible(cast["outsider"], Mission).filter(pk=mission.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_a_change_request_is_the_units_until_submitted(role, cast, mission):
    from waishi.missions.models import ChangeRequest, ChangeState

    Mission.objects.filter(pk=mission.pk).update(
        state=State.APPROVED, submitted_at=timezone.now(), approved_at=timezone.now()
    )
    change = ChangeRequest.objects.create(
        mission=mission, number=1, base_number=1, proposed={}, created_by=cast["unit_clerk"]
    )
    user = cast[role]
    sees = SEES_DRAFTS.get(role, False)
    assert scoping.visible(user, ChangeRequest).filter(pk=change.pk).exists() is sees
    ChangeRequest.objects.filter(pk=change.pk).update(
        state=ChangeState.SUBMITTED, submitted_at=timezone.now()
    )
    assert scoping.visible(user, ChangeRequest).filter(pk=change.pk).exists()
