"""One pre-departure education session recorded for several members at once: the
service (each member through ``education_record``, one transaction), the page and its
refusals. The API is in tests/api/test_batch_api.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from waishi.audit.models import AuditEvent
from waishi.missions.models import Education, Mission, State
from waishi.missions.trip import predeparture

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)
SESSION = {"given_on": YESTERDAY, "method": "group", "given_by": "市外办纪检组", "note": "集中学习"}


def approved(mission: Mission) -> Mission:
    """The approval chain is tested elsewhere: here an approved trip is given."""
    Mission.objects.filter(pk=mission.pk).update(
        state=State.APPROVED, approved_at=timezone.now(), submitted_at=timezone.now()
    )
    return Mission.objects.get(pk=mission.pk)


@pytest.fixture
def trip(clerk, people):
    return approved(build_mission(clerk, people))


def education_events():
    return AuditEvent.objects.filter(action="missions.mission.education")


def test_one_session_is_recorded_for_every_member(clerk, trip):
    members = list(trip.members.order_by("pk"))
    rows = predeparture.education_record_many(actor=clerk, mission=trip, members=None, **SESSION)
    assert sorted(r.member_id for r in rows) == [m.pk for m in members]
    stored = Education.objects.filter(member__mission=trip)
    assert stored.count() == len(members)
    assert {(e.given_on, e.method, e.given_by) for e in stored} == {
        (YESTERDAY, "group", "市外办纪检组")
    }
    # One audit event per member, on the trip, naming the member: as if one by one.
    events = education_events().filter(object_id=str(trip.pk))
    assert sorted(e.data["member"] for e in events) == [m.pk for m in members]


def test_only_the_members_chosen_are_recorded(clerk, trip):
    first, *others = trip.members.order_by("pk")
    predeparture.education_record_many(actor=clerk, mission=trip, members=[first.pk], **SESSION)
    assert list(
        Education.objects.filter(member__mission=trip).values_list("member", flat=True)
    ) == [first.pk]
    assert others


def test_a_person_not_in_the_delegation_records_nobody(clerk, trip, home_unit):
    stranger = build_mission(clerk, [PersonFactory(unit=home_unit)], title="另一团组")
    outsider = stranger.members.get()
    first = trip.members.order_by("pk").first()
    with pytest.raises(ValidationError) as caught:
        predeparture.education_record_many(
            actor=clerk, mission=trip, members=[first.pk, outsider.pk], **SESSION
        )
    assert "members" in caught.value.message_dict
    assert not Education.objects.exists()
    assert not education_events().exists()


def test_a_future_date_or_no_member_records_nobody(clerk, trip):
    future = {**SESSION, "given_on": timezone.localdate() + timedelta(days=1)}
    with pytest.raises(ValidationError):
        predeparture.education_record_many(actor=clerk, mission=trip, members=None, **future)
    with pytest.raises(ValidationError):
        predeparture.education_record_many(actor=clerk, mission=trip, members=[], **SESSION)
    assert not Education.objects.exists() and not education_events().exists()


def test_another_unit_and_the_fao_may_not_record(cast, trip):
    for name in ("outsider", "fao_reviewer"):
        with pytest.raises(PermissionDenied):
            predeparture.education_record_many(
                actor=cast[name], mission=trip, members=None, **SESSION
            )
    assert not Education.objects.exists()


def test_a_trip_not_approved_is_refused(clerk, people):
    draft = build_mission(clerk, people)
    with pytest.raises(ValidationError):
        predeparture.education_record_many(actor=clerk, mission=draft, members=None, **SESSION)
    assert not Education.objects.exists()


def _post(members, **changes):
    data = {**SESSION, "given_on": YESTERDAY.isoformat(), **changes}
    data["members"] = members
    return data


def test_the_page_records_the_members_ticked(as_user, trip):
    url = reverse("missions:education-all", kwargs={"mission_pk": trip.pk})
    client = as_user("unit_clerk")
    page = client.get(url)
    assert page.status_code == 200
    ids = list(trip.members.order_by("pk").values_list("pk", flat=True))
    for pk in ids:  # every member ticked at first
        assert f'value="{pk}"' in page.content.decode()
    assert page.content.decode().count("checked") >= len(ids)
    response = client.post(url, _post([str(pk) for pk in ids]))
    assert response.status_code == 302
    assert Education.objects.filter(member__mission=trip).count() == len(ids)
    listing = client.get(reverse("missions:predeparture", kwargs={"mission_pk": trip.pk}))
    assert (
        reverse("missions:education-all", kwargs={"mission_pk": trip.pk})
        in listing.content.decode()
    )


def test_the_page_with_bad_input_changes_nothing(as_user, trip):
    url = reverse("missions:education-all", kwargs={"mission_pk": trip.pk})
    client = as_user("unit_clerk")
    ids = [str(pk) for pk in trip.members.values_list("pk", flat=True)]
    for data in (_post([]), _post(ids, method=""), _post([*ids, "999999"])):
        response = client.post(url, data)
        assert response.status_code == 200  # the form again, with its errors
        assert 'role="alert"' in response.content.decode()
    assert not Education.objects.exists()


def test_the_page_refuses_other_roles(as_user, trip):
    url = reverse("missions:education-all", kwargs={"mission_pk": trip.pk})
    ids = [str(pk) for pk in trip.members.values_list("pk", flat=True)]
    assert as_user("fao_reviewer").post(url, _post(ids)).status_code == 403
    assert as_user("outsider").post(url, _post(ids)).status_code == 404
    assert not Education.objects.exists()
