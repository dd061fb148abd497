"""The page's buttons and the API's ``actions`` are one answer: for every account of the
cast, each subject's detail page offers exactly what its API detail allows (both read the
subject's ``actions_for``). An account that may not read the record gets neither."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import bearer
from tests.api.test_change_api import seoul
from tests.conftest import login
from tests.factories import PersonFactory
from tests.missions.travel import abroad, approved, back
from tests.plans.conftest import accept, entry_values
from waishi.followups import services as followup_services
from waishi.missions.changes import services as change_services
from waishi.missions.core import itinerary
from waishi.missions.models import Mission, TripReport
from waishi.plans import services as plan_services

pytestmark = pytest.mark.django_db


def _page(user, path: str):
    response = login(Client(), user).get(path)
    return response.context if response.status_code == 200 else None


def _api(make_token, user, path: str):
    response = bearer(make_token(user)[1]).get(path)
    return response.json()["actions"] if response.status_code == 200 else None


def _each_account(cast, make_token, page_path: str, api_path: str, page_actions):
    """{account: (the page's actions, the API's actions)} over the whole cast."""
    answers = {}
    for name, user in cast.items():
        context = _page(user, page_path)
        answers[name] = (
            None if context is None else page_actions(context),
            _api(make_token, user, api_path),
        )
    return answers


def _agree(answers) -> None:
    differ = {name: pair for name, pair in answers.items() if pair[0] != pair[1]}
    assert not differ, differ
    assert any(page for page, _api_answer in answers.values()), "nobody may act: a vacuous test"


# --- follow-ups -------------------------------------------------------------------------------


@pytest.fixture
def outcome(cast, home_person):
    return followup_services.outcome_create(
        actor=cast["unit_clerk"],
        title="与汉堡市签署经贸合作备忘录",
        kind="agreement",
        responsible_person=home_person,
        responsible_unit=home_person.unit,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )


def _outcome_page(context) -> dict:
    return {
        action: context[f"can_{action}"]
        for action in ("edit", "progress", "complete", "drop", "reassign")
    }


@pytest.mark.parametrize("state", ["open", "done"])
def test_the_outcome_page_and_api_offer_the_same_actions(cast, make_token, outcome, state):
    if state == "done":
        followup_services.outcome_complete(actor=cast["fao_head"], outcome=outcome)
    answers = _each_account(
        cast,
        make_token,
        f"/followups/{outcome.pk}/",
        f"/api/v1/followups/{outcome.pk}/",
        _outcome_page,
    )
    if state == "open":
        _agree(answers)
    else:
        assert all(page == api for page, api in answers.values()), answers


# --- the annual plan: its entries and the plan itself ----------------------------------------


@pytest.fixture
def plan(cast):
    return plan_services.plan_open(
        actor=cast["fao_head"],
        year=2031,
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.fixture
def draft(cast, plan):
    return plan_services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values())


def _entry_page(context) -> dict:
    offered = {t.action for t in context["transitions"]}
    workflow = ("submit", "accept", "return", "approve", "amend", "discard")
    return {
        "edit": context["can_edit"],
        "delete": context["can_delete"],
        **{a: a in offered for a in workflow},
    }


def _plan_page(context) -> dict:
    offered = {t.action for t in context["transitions"]}
    return {
        **{a: a in offered for a in ("consolidate", "reopen", "approve")},
        "edit": context["can_edit_plan"],
        "add_entry": context["can_add_entry"],
        "set_quota": context["can_set_quota"],
    }


@pytest.mark.parametrize("stage", ["draft", "submitted", "accepted"])
def test_the_plan_entry_page_and_api_offer_the_same_actions(cast, make_token, draft, stage):
    if stage == "submitted":
        plan_services.entry_submit(actor=cast["unit_leader"], entry=draft)
    elif stage == "accepted":
        accept(cast, draft)
    _agree(
        _each_account(
            cast,
            make_token,
            f"/plans/entries/{draft.pk}/",
            f"/api/v1/plans/entries/{draft.pk}/",
            _entry_page,
        )
    )


def test_the_plan_page_and_api_offer_the_same_actions(cast, make_token, plan, draft):
    accept(cast, draft)
    _agree(
        _each_account(
            cast, make_token, f"/plans/{plan.pk}/", f"/api/v1/plans/{plan.pk}/", _plan_page
        )
    )


# --- the trip, its change requests and its report -------------------------------------------


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


def _allowed(actions) -> dict:
    return {name: answer["allowed"] for name, answer in actions.items()}


def _api_allowed(make_token, user, path):
    actions = _api(make_token, user, path)
    return None if actions is None else _allowed(actions)


def _trip_page(context) -> dict:
    return {
        "depart": context["can_depart"],
        "come_back": context["can_return"],
        "close": context["can_close"],
    }


@pytest.mark.parametrize("stage", ["approved", "abroad", "back"])
def test_the_travel_page_and_api_offer_the_same_actions(cast, make_token, people, stage):
    mission = {"approved": approved, "abroad": abroad, "back": back}[stage](cast, people)
    answers = {}
    for name, user in cast.items():
        context = _page(user, reverse("missions:travel", kwargs={"mission_pk": mission.pk}))
        answers[name] = (
            None if context is None else _trip_page(context),
            _api_allowed(make_token, user, f"/api/v1/missions/{mission.pk}/readiness/"),
        )
    if stage == "approved":  # nothing prepared yet: nobody may depart
        assert all(page == api for page, api in answers.values()), answers
    else:
        _agree(answers)


def _change_page(context) -> dict:
    return {
        "edit": context["can_edit"],
        "withdraw": context["can_withdraw"],
        "decide": context["can_decide"],
    }


@pytest.mark.parametrize("stage", ["draft", "submitted"])
def test_the_change_request_page_and_api_offer_the_same_actions(cast, make_token, people, stage):
    mission = approved(cast, people)
    Mission.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=200)
    )
    mission.refresh_from_db()
    proposed = seoul(mission)
    change = change_services.change_create(
        actor=cast["unit_clerk"],
        mission=mission,
        proposed={**itinerary.current(mission), "stops": proposed["stops"]},
        reason=proposed["reason"],
    )
    if stage == "submitted":
        change_services.change_submit(actor=cast["unit_clerk"], change=change)
    answers = {}
    for name, user in cast.items():
        context = _page(
            user,
            reverse(
                "missions:change-detail",
                kwargs={"mission_pk": mission.pk, "change_pk": change.pk},
            ),
        )
        api = _api(make_token, user, f"/api/v1/missions/{mission.pk}/changes/{change.pk}/")
        answers[name] = (
            None if context is None else _change_page(context),
            None if api is None else {k: api[k] for k in ("edit", "withdraw", "decide")},
        )
    _agree(answers)


def _report_page(context) -> dict:
    # The submit form is offered to whoever may file the report (posting it names the
    # gaps), so the page's "submit" is the API's "publish"; the API's "submit" says
    # whether a submission would pass now.
    return {
        "update": context["can_write"],
        "upload_document": context["can_file"],
        "publish": context["can_submit"],
        "accept": context["can_decide"],
    }


def test_the_report_page_and_api_offer_the_same_actions(cast, make_token, people):
    mission = back(cast, people, days_ago=1)
    assert TripReport.objects.filter(mission=mission).exists()
    answers = {}
    for name, user in cast.items():
        context = _page(user, reverse("missions:report", kwargs={"mission_pk": mission.pk}))
        api = _api_allowed(make_token, user, f"/api/v1/missions/{mission.pk}/report/")
        answers[name] = (
            None if context is None else _report_page(context),
            None if api is None else {k: api[k] for k in _REPORT_KEYS},
        )
    _agree(answers)


_REPORT_KEYS = ("update", "upload_document", "publish", "accept")
