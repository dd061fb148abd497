"""``waishi seed_demo --today D``: the demo city as it stands on D, whatever D is (the middle
of the year, the last days of December, the first of January): this year's plan approved
and next year's open; some forty trips in every state of the workflow, each tied to a plan
entry of its own year; reports owed, overdue, submitted and returned; passports out and
overdue; follow-ups overdue; arrivals in every state in two districts with officers; a home
page with work on it for each demo account; the audit chain and watched state intact.
Each fact is read back from the database (and the home page), not from the loader."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models
from django.db.models import Count
from django.test import Client

from tests.conftest import login

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2026, 6, 15), dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 2)]


def _seed(day: dt.date) -> str:
    err = StringIO()
    call_command("seed_demo", "--force", "--today", day.isoformat(), stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_the_demo_stands_in_the_middle_of_its_year(day):
    from waishi.approvals.selectors import current_step
    from waishi.arrivals.models import Arrival, ArrivalState, Handover
    from waishi.audit.selectors import verify
    from waishi.followups.models import Outcome
    from waishi.followups.models import State as OutcomeState
    from waishi.lib.roles import Role
    from waishi.lib.work import cards_for
    from waishi.missions.models import ChangeRequest, Mission, ReportState, State, TripReport
    from waishi.orgs import demo
    from waishi.orgs.models import User
    from waishi.passports.models import PassportCustody
    from waishi.plans.models import PlanState, PlanYear

    log = _seed(day)
    # Visible progress: each stage with its count and seconds.
    assert "trips: 4" in log and " s)" in log and "demo ready" in log

    # Plans: this year's approved, next year's open for entries.
    assert PlanYear.objects.get(year=day.year).state == PlanState.APPROVED
    assert PlanYear.objects.get(year=day.year + 1).state == PlanState.OPEN

    trips = Mission.objects.all()
    assert trips.count() >= 35
    states = set(trips.values_list("state", flat=True))
    assert states == set(State.values), set(State.values) - states
    for trip in trips.filter(plan_entry__isnull=False).select_related("plan_entry__plan"):
        assert trip.plan_entry.plan.year == trip.departure_date.year, trip.title
    assert trips.filter(plan_entry__isnull=False).exists()
    # Waiting at each step of the chain.
    waiting = {
        current_step("missions.mission", m.pk).approver_role
        for m in trips.filter(state__in=[State.SUBMITTED, State.IN_REVIEW])
    }
    assert waiting >= {"unit_leader", "fao_reviewer", "fao_head", "committee"}
    # Approved and waiting to leave, its publicity run (not exempted).
    ready = trips.filter(state=State.APPROVED, departure_date__gte=day)
    assert ready.exists()
    for trip in ready:
        assert trip.publicity.is_published and trip.publicity.has_run(day), trip.title
    # Abroad now.
    for trip in trips.filter(state=State.ABROAD):
        assert trip.actual_departure <= day <= trip.return_date

    # Reports: owed and not yet due, overdue, submitted, returned, accepted.
    reports = TripReport.objects.all()
    owed = reports.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED])
    assert owed.filter(due_date__lt=day).exists()
    assert owed.filter(due_date__gte=day).exists()
    assert {ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED} <= set(
        reports.values_list("state", flat=True)
    )
    assert ChangeRequest.objects.exists()
    # Closed trips with follow-ups, some overdue.
    closed = trips.filter(state=State.CLOSED).values_list("pk", flat=True)
    outcomes = Outcome.objects.filter(source_type="missions.mission", source_id__in=closed)
    assert outcomes.filter(state=OutcomeState.OVERDUE, due_date__lt=day).exists()
    assert outcomes.filter(state__in=[OutcomeState.OPEN, OutcomeState.IN_PROGRESS]).exists()

    # Passports out, and overdue.
    out = PassportCustody.objects.filter(returned_at__isnull=True)
    assert out.filter(mission__state=State.ABROAD).exists()
    assert out.filter(due_back__lt=day).exists()

    # Arrivals in every state; hand-overs offered and accepted between two districts,
    # each with its officer account.
    assert set(Arrival.objects.values_list("state", flat=True)) == set(ArrivalState.values)
    handovers = set(Handover.objects.values_list("state", flat=True))
    assert {Handover.State.PENDING, Handover.State.ACCEPTED} <= handovers
    officers = User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True)
    assert officers.values("district").distinct().count() >= 2
    accepted = Handover.objects.filter(state=Handover.State.ACCEPTED).first()
    assert officers.filter(district=accepted.to_district).exists()

    # The committee: this year's three meetings, a document revised twice, minutes issued;
    # the year's key points; supervised tasks in every state and every colour.
    from waishi.committee.keypoint_models import KeyPointPlan
    from waishi.committee.models import DocumentVersion, Meeting, Minutes
    from waishi.followups.models import Track

    assert Meeting.objects.filter(year=day.year).count() == 3
    assert Minutes.objects.filter(state="issued", meeting__year=day.year).exists()
    versions = DocumentVersion.objects.values("document").annotate(n=Count("pk"))
    assert max(row["n"] for row in versions) >= 3
    assert KeyPointPlan.objects.get(year=day.year).points.filter(task__isnull=False).exists()
    tasks = Outcome.objects.filter(track=Track.TASK)
    states = set(tasks.values_list("state", flat=True))
    expected = {"registered", "assigned", "redirect_asked", "in_progress", "feedback",
                "returned", "done", "archived", "dropped"}  # fmt: skip
    assert expected <= states, expected - states
    colours = set(tasks.values_list("colour", flat=True))
    assert {"red", "yellow", "blue"} <= colours, colours
    assert tasks.filter(extensions__state="granted").exists()
    assert tasks.exclude(due_date=models.F("original_due_date")).exists()

    # Every demo account's home page shows work with a count, on that day.
    with demo.clock(demo.moment(day, 12)):
        for account in demo.ACCOUNTS:
            user = User.objects.get(username=account.username)
            page = login(Client(), user).get("/")
            assert page.status_code == 200, account.username
            if account.role == Role.SECURITY_ADMIN:
                continue  # its card counts locked accounts; the demo locks none on purpose
            cards = [c for c in cards_for(user) if isinstance(c.value, int) and c.value > 0]
            assert cards, account.username
            html = page.content.decode()
            assert any(str(c.title) in html for c in cards), account.username

    assert verify().ok


def test_seeding_again_adds_nothing():
    from waishi.audit.selectors import verify
    from waishi.missions.models import Mission

    day = DAYS[0]
    _seed(day)
    count = Mission.objects.count()
    log = _seed(day)
    assert "left alone" in log
    assert Mission.objects.count() == count
    assert verify().ok


def test_a_day_that_is_not_a_date_is_refused():
    from django.core.management.base import CommandError

    from waishi.missions.models import Mission

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed_demo", "--force", "--today", "2026-13-01", stderr=StringIO())
    assert not Mission.objects.exists()
