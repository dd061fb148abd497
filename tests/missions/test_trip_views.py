"""The travel page: departure and return confirmed in the browser's forms, incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import login
from tests.missions.travel import abroad, approved, back, ready
from waishi.audit.models import AuditEvent
from waishi.missions.models import Incident, Mission, State

pytestmark = pytest.mark.django_db


def test_the_page_names_what_blocks_departure(client, cast, people):
    mission = approved(cast, people)
    page = login(client, cast["unit_clerk"]).get(f"/missions/{mission.pk}/travel/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="blockers"' in body
    # The form is not offered while something blocks; a forged POST changes nothing.
    assert 'data-testid="depart-form"' not in body
    client.post(f"/missions/{mission.pk}/travel/depart/", {"day": timezone.localdate()})
    assert Mission.objects.get(pk=mission.pk).state == State.APPROVED


def test_the_clerk_confirms_departure_then_return(client, cast, people):
    mission = ready(cast, people, departs_in=-3)
    c = login(client, cast["unit_clerk"])
    assert 'data-testid="depart-form"' in c.get(f"/missions/{mission.pk}/travel/").content.decode()
    left = timezone.localdate() - dt.timedelta(days=3)
    c.post(f"/missions/{mission.pk}/travel/depart/", {"day": left.isoformat()})
    mission.refresh_from_db()
    assert mission.state == State.ABROAD and mission.actual_departure == left
    c.post(f"/missions/{mission.pk}/travel/return/", {"day": timezone.localdate().isoformat()})
    mission.refresh_from_db()
    assert mission.state == State.BACK and mission.actual_return == timezone.localdate()
    body = c.get(f"/missions/{mission.pk}/travel/").content.decode()
    assert 'data-testid="close-checklist"' in body
    # The clerk does not close a trip; the FAO does, once everything is done.
    assert 'data-testid="close-form"' not in body


def test_a_future_return_is_refused_with_a_message(client, cast, people):
    mission = abroad(cast, people)
    c = login(client, cast["unit_clerk"])
    future = timezone.localdate() + dt.timedelta(days=2)
    page = c.post(f"/missions/{mission.pk}/travel/return/", {"day": future}, follow=True)
    assert Mission.objects.get(pk=mission.pk).state == State.ABROAD
    assert "尚未到来" in page.content.decode() or "still to come" in page.content.decode()


def test_incidents_are_recorded_corrected_and_closed(client, cast, people):
    mission = abroad(cast, people)
    member = mission.members.order_by("pk").first()
    c = login(client, cast["unit_clerk"])
    when = (timezone.localtime() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    bad = c.post(f"/missions/{mission.pk}/incidents/new/", {"kind": "media", "occurred_at": when})
    assert bad.status_code == 200 and not Incident.objects.exists()
    c.post(
        f"/missions/{mission.pk}/incidents/new/",
        {
            "kind": "media",
            "occurred_at": when,
            "place": "东京",
            "member": member.pk,
            "report": "当地电视台采访团长，内容已报备",
        },
    )
    incident = Incident.objects.get()
    assert incident.member == member and incident.closed_at is None
    page = c.get(f"/missions/{mission.pk}/travel/").content.decode()
    assert "东京" in page
    c.post(
        f"/missions/{mission.pk}/incidents/{incident.pk}/",
        {
            "kind": "media",
            "occurred_at": when,
            "place": "东京",
            "member": member.pk,
            "report": "当地电视台采访团长，内容已报备",
            "follow_up": "采访稿已送审",
            "close": "1",
        },
    )
    incident.refresh_from_db()
    assert incident.closed_at is not None and incident.follow_up == "采访稿已送审"
    actions = list(
        AuditEvent.objects.filter(action__startswith="missions.incident").values_list(
            "action", flat=True
        )
    )
    assert actions == ["missions.incident.record", "missions.incident.update"]


def test_incidents_are_not_recorded_before_departure(client, cast, people):
    mission = ready(cast, people)
    c = login(client, cast["unit_clerk"])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    c.post(
        f"/missions/{mission.pk}/incidents/new/",
        {"kind": "other", "occurred_at": now, "place": "x", "report": "y"},
    )
    assert not Incident.objects.exists()


def test_the_fao_closes_a_trip_once_the_report_is_accepted_and_passports_are_back(
    client, cast, people
):
    from waishi.missions.models import ReportState, TripReport
    from waishi.passports.models import PassportCustody
    from waishi.passports.services import passport_return

    mission = back(cast, people)
    fao = cast["fao_reviewer"]
    for custody in PassportCustody.objects.filter(mission=mission):
        passport_return(actor=fao, custody=custody)
    assert Mission.objects.get(pk=mission.pk).state == State.BACK  # the report is not accepted
    TripReport.objects.filter(mission=mission).update(state=ReportState.ACCEPTED)
    c = login(client, fao)
    assert 'data-testid="close-form"' in c.get(f"/missions/{mission.pk}/travel/").content.decode()
    c.post(f"/missions/{mission.pk}/travel/close/")
    assert Mission.objects.get(pk=mission.pk).state == State.CLOSED
