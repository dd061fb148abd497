"""The page's buttons and the API's ``actions`` are one answer: for every account of the
cast, each subject's detail page offers exactly what its API detail allows (both read the
subject's ``actions_for``). An account that may not read the record gets neither."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import bearer
from tests.conftest import login
from tests.plans.conftest import accept, entry_values
from waishi.followups import services as followup_services
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
