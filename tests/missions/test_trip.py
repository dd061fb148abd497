"""Departure, return and closing of an approved trip (services/trip.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.missions.travel import abroad, approved, back, ready
from waishi.lib.workflow import WorkflowError
from waishi.missions.models import ReportState, State, TripReport
from waishi.missions.trip import services as trip_services
from waishi.passports.models import PassportCustody

pytestmark = pytest.mark.django_db


def test_departure_is_refused_while_the_checklist_is_not_done(cast, people):
    mission = approved(cast, people)
    with pytest.raises(WorkflowError) as refused:
        trip_services.mission_depart(
            actor=cast["unit_clerk"], mission=mission, on=mission.departure_date
        )
    assert "团长" in str(refused.value) or "acknowledged" in str(refused.value)
    mission.refresh_from_db()
    assert mission.state == State.APPROVED and mission.actual_departure is None


def test_departure_and_return_record_the_actual_dates_and_open_the_report(cast, people):
    mission = back(cast, people, days_ago=2)
    assert mission.state == State.BACK
    assert mission.actual_return == timezone.localdate() - dt.timedelta(days=2)
    report = TripReport.objects.get(mission=mission)
    assert report.state == ReportState.DRAFT
    # One month after the return by default (REPORT_DUE).
    assert report.due_date.month in {(mission.actual_return.month % 12) + 1}
    # The passports still out are due back 7 days after the actual return.
    dues = set(PassportCustody.objects.filter(mission=mission).values_list("due_back", flat=True))
    assert dues == {mission.actual_return + dt.timedelta(days=7)}


def test_a_departure_in_the_future_is_refused(cast, people):
    mission = ready(cast, people)
    with pytest.raises(ValidationError) as refused:
        trip_services.mission_depart(
            actor=cast["unit_clerk"],
            mission=mission,
            on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "actual_departure" in refused.value.message_dict


def test_another_unit_cannot_confirm(cast, people):
    from django.core.exceptions import PermissionDenied

    mission = ready(cast, people)
    with pytest.raises(PermissionDenied):
        trip_services.mission_depart(
            actor=cast["outsider"], mission=mission, on=mission.departure_date
        )


def test_the_trip_does_not_close_before_the_report_is_accepted(cast, people):
    mission = back(cast, people)
    with pytest.raises(WorkflowError):
        trip_services.mission_close(actor=cast["fao_reviewer"], mission=mission)
    assert (
        trip_services.mission_close_if_ready(actor=cast["fao_reviewer"], mission=mission) is False
    )


def test_an_early_departure_is_recorded_as_a_deviation(cast, people):
    mission = ready(cast, people, departs_in=0)
    from waishi.missions.models import Mission

    Mission.objects.filter(pk=mission.pk).update(
        departure_date=timezone.localdate() + dt.timedelta(days=1)
    )
    mission.refresh_from_db()
    # A day outside the approved itinerary is taken with its reason, confirmed
    # (tests/missions/test_trip_defects.py has the refusals without them).
    gone = trip_services.mission_depart(
        actor=cast["unit_clerk"],
        mission=mission,
        on=timezone.localdate(),
        deviation_reason="航班调整",
        deviation_confirmed=True,
    )
    from waishi.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="missions.mission.depart").latest("pk")
    assert gone.state == State.ABROAD
    assert event.data["deviations"]


def test_abroad_builder(cast, people):
    assert abroad(cast, people).state == State.ABROAD
