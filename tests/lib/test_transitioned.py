"""The engine's one notice, ``transitioned``: sent once per applied transition, after the
commit, with the subject, the two states and the actor; never for a refusal, nor for a
transition rolled back with its transaction. Driven through the services of four
processes: a mission, a plan entry, an arrival (and its step), a passport."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tests.arrivals.conftest import arrival_data, next_passport
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.passports.conftest import register as register_passport
from tests.plans.conftest import entry_values
from waishi.approvals.models import ApprovalStep
from waishi.arrivals import services as arrivals
from waishi.arrivals.models import Arrival, SourceKind, Step
from waishi.lib.workflow import WorkflowError, transitioned
from waishi.missions.application import services as missions
from waishi.missions.core.workflow import MISSION
from waishi.missions.models import Mission
from waishi.passports import services as passports
from waishi.passports.models import Passport
from waishi.plans import services as plans
from waishi.plans.models import PlanEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """What ``transitioned`` said, one dict per notice (``sender`` and its arguments)."""
    notices: list[dict] = []

    def listen(sender, **kwargs):
        notices.append({"sender": sender, **kwargs})

    transitioned.connect(listen, dispatch_uid="test_transitioned")
    yield notices
    transitioned.disconnect(dispatch_uid="test_transitioned")


def _said(notice: dict) -> tuple:
    return (
        notice["sender"],
        notice["subject"].pk,
        notice["action"],
        notice["from_state"],
        notice["to_state"],
        notice["actor"],
    )


def test_a_mission_submitted(cast, home_unit, heard, django_capture_on_commit_callbacks):
    clerk = cast["unit_clerk"]
    people = [PersonFactory(unit=home_unit), PersonFactory(unit=home_unit)]
    mission = build_mission(clerk, people)
    heard.clear()  # drafting takes no transition; whatever it did is not this test's
    with django_capture_on_commit_callbacks(execute=True):
        mission = missions.mission_submit(actor=clerk, mission=mission, version=mission.version)
    step = ApprovalStep.objects.get(
        subject_type="missions.mission", subject_id=mission.pk, state="pending"
    )
    # The trip's submission, and the start of its first approval step (whose notice
    # tells the approvers), in the order they were applied.
    assert [_said(n) for n in heard] == [
        (Mission, mission.pk, "submit", "draft", "submitted", clerk),
        (ApprovalStep, step.pk, "start", "waiting", "pending", clerk),
    ]
    assert heard[0]["workflow"] is MISSION
    assert heard[0]["subject"].state == "submitted"
    # Refused (not in the table from "submitted"): nothing is said.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        MISSION.apply(mission, "submit", actor=clerk)
    assert len(heard) == 2


def test_a_plan_entry_submitted(cast, heard, django_capture_on_commit_callbacks):
    plan = plans.plan_open(
        actor=cast["fao_head"], year=2031, deadline=timezone.localdate() + dt.timedelta(days=30)
    )
    entry = plans.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values())
    heard.clear()
    leader = cast["unit_leader"]
    with django_capture_on_commit_callbacks(execute=True):
        plans.entry_submit(actor=leader, entry=entry)
    assert [_said(n) for n in heard] == [
        (PlanEntry, entry.pk, "submit", "draft", "submitted", leader)
    ]
    # The wrong role is refused: nothing is said.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        plans.entry_accept(actor=cast["unit_clerk"], entry=entry)
    assert len(heard) == 1


def test_an_arrival_and_its_step(cast, district, heard, django_capture_on_commit_callbacks):
    officer = cast["district_officer"]
    arrival = arrivals.arrival_register(
        data=arrival_data(), passport=next_passport(), district=district, kind=SourceKind.PORT
    ).arrival
    first, second = arrival.steps.order_by("sequence")[:2]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        arrivals.step_confirm(actor=officer, step=second)  # out of order: refused
    assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        arrivals.step_confirm(actor=officer, step=first)
    # One notice per transition: the step is done, the arrival under management.
    assert sorted((_said(n) for n in heard), key=lambda said: said[0].__name__) == [
        (Arrival, arrival.pk, "manage", "expected", "managed", officer),
        (Step, first.pk, "confirm", "open", "done", officer),
    ]
    # The next step moves no state of the arrival: only the step's notice.
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        arrivals.step_confirm(actor=officer, step=second)
    assert [_said(n) for n in heard] == [(Step, second.pk, "confirm", "open", "done", officer)]


def test_a_passport_lost_then_refused(cast, home_unit, heard, django_capture_on_commit_callbacks):
    fao = cast["fao_reviewer"]
    passport = register_passport(fao, PersonFactory(unit=home_unit))
    with django_capture_on_commit_callbacks(execute=True):
        passports.passport_mark(actor=fao, passport=passport, state="lost", reason="遗失")
    assert [_said(n) for n in heard] == [(Passport, passport.pk, "lost", "in_custody", "lost", fao)]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        passports.passport_mark(actor=fao, passport=passport, state="lost", reason="又遗失")
    assert len(heard) == 1


def test_nothing_is_said_of_a_transition_rolled_back(
    cast, home_unit, heard, django_capture_on_commit_callbacks
):
    fao = cast["fao_reviewer"]
    passport = register_passport(fao, PersonFactory(unit=home_unit))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            passports.passport_mark(actor=fao, passport=passport, state="cancelled", reason="注销")
            raise RuntimeError("the caller's transaction fails afterwards")
    assert heard == [] and callbacks == []
    passport.refresh_from_db()
    assert passport.state == "in_custody"
