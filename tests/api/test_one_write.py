"""A page submit is the same write as the API call: the same service, so the same number
of policy checks and the same audit events, in one transaction -- for the trip's
submission, the trip's decision and the change request's decision."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.missions.decisions import quota_for
from tests.missions.travel import approved
from waishi.audit.models import AuditEvent
from waishi.missions.application import services
from waishi.missions.changes import services as changes
from waishi.missions.core import checking, itinerary
from waishi.missions.models import Mission, State
from waishi.policy import live

pytestmark = pytest.mark.django_db

TEXT = "对方会议日期临时确定"


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="李雷", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员"),
    ]


@pytest.fixture
def judged(monkeypatch):
    """How many times the policy judged a trip (the real judge, counted)."""
    calls: list[int] = []
    real = checking.judge

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(checking, "judge", counted)
    monkeypatch.setattr(live, "judge", counted)
    return calls


def _write(judged, do) -> tuple[list[str], int]:
    """(the actions of the audit events written, the policy checks run) by ``do()``."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    judged.clear()
    do()
    actions = list(
        AuditEvent.objects.filter(seq__gt=last).order_by("seq").values_list("action", flat=True)
    )
    return actions, len(judged)


def _post_json(client, path: str, data: dict):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_a_submission_on_the_page_writes_as_the_api_does(as_user, api_as, cast, people, judged):
    clerk = cast["unit_clerk"]
    on_page, over_api = (build_mission(clerk, people, days_ahead=30) for _ in range(2))

    browser, client = as_user("unit_clerk"), api_as("unit_clerk")

    def page():
        response = browser.post(
            reverse("missions:submit", kwargs={"mission_pk": on_page.pk}),
            {"version": on_page.version, "j:LEAD_TIME": TEXT},
        )
        assert response.status_code == 302

    def api():
        body = {"version": over_api.version, "justifications": {"LEAD_TIME": TEXT}}
        response = _post_json(client, f"/api/v1/missions/{over_api.pk}/submit/", body)
        assert response.status_code == 200, response.content

    page_write, api_write = _write(judged, page), _write(judged, api)
    assert page_write == api_write == (["missions.mission.submit", "approval.chain.start"], 1)
    for m in (on_page, over_api):
        m.refresh_from_db()
        assert m.state == State.SUBMITTED
        assert m.justifications["LEAD_TIME"] == TEXT
    assert on_page.justifications == over_api.justifications


def test_a_decision_on_the_page_writes_as_the_api_does(as_user, api_as, cast, people, judged):
    clerk = cast["unit_clerk"]
    on_page, over_api = (
        services.mission_submit(actor=clerk, mission=build_mission(clerk, people)) for _ in range(2)
    )
    for m in (on_page, over_api):
        quota_for(m)

    browser, client = as_user("unit_leader"), api_as("unit_leader")

    def page():
        response = browser.post(
            reverse("missions:decide", kwargs={"mission_pk": on_page.pk}),
            {"decision": "approve", "comment": "同意", "confirm": "yes"},
        )
        assert response.status_code == 302

    def api():
        path = f"/api/v1/missions/{over_api.pk}/approve/"
        response = _post_json(client, path, {"comment": "同意"})
        assert response.status_code == 200, response.content

    page_write, api_write = _write(judged, page), _write(judged, api)
    assert page_write == api_write == (["approval.step.approve", "missions.mission.review"], 1)


def _submitted_change(cast, people):
    mission = approved(cast, people)
    Mission.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=200)
    )
    value = itinerary.current(mission)
    last = value["stops"][-1]
    last["depart"] = (dt.date.fromisoformat(last["arrive"]) + dt.timedelta(days=1)).isoformat()
    value["stops"].append(
        {"country": "KR", "city": "首尔", "arrive": last["depart"], "depart": value["return_date"]}
    )
    change = changes.change_create(
        actor=cast["unit_clerk"], mission=mission, proposed=value, reason="对方临时邀请顺访"
    )
    return changes.change_submit(actor=cast["unit_clerk"], change=change)


def test_a_change_decision_on_the_page_writes_as_the_api_does(as_user, api_as, cast, judged):
    def people():
        return [
            PersonFactory(unit=cast["unit_clerk"].unit, post="处长", rank="county_division"),
            PersonFactory(unit=cast["unit_clerk"].unit, post="科员"),
        ]

    on_page, over_api = _submitted_change(cast, people()), _submitted_change(cast, people())

    browser, client = as_user("unit_leader"), api_as("unit_leader")

    def page():
        kwargs = {"mission_pk": on_page.mission_id, "change_pk": on_page.pk}
        response = browser.post(
            reverse("missions:change-decide", kwargs=kwargs),
            {"decision": "approve", "comment": "同意", "confirm": "yes"},
        )
        assert response.status_code == 302

    def api():
        path = f"/api/v1/missions/{over_api.mission_id}/changes/{over_api.pk}/approve/"
        response = _post_json(client, path, {"comment": "同意"})
        assert response.status_code == 200, response.content

    page_write, api_write = _write(judged, page), _write(judged, api)
    expected = (["approval.step.approve", "missions.changerequest.review"], 1)
    assert page_write == api_write == expected


def test_a_justification_cleared_on_the_page_is_not_submitted(as_user, cast, people):
    """The page saves what was typed, a blank clearing what was saved: the submission
    then lacks the justification, as it did when the page saved before submitting."""
    clerk = cast["unit_clerk"]
    m = build_mission(clerk, people, days_ahead=30)
    m = services.mission_update_justifications(
        actor=clerk, mission=m, version=None, justifications={"LEAD_TIME": TEXT}
    )
    response = as_user("unit_clerk").post(
        reverse("missions:submit", kwargs={"mission_pk": m.pk}),
        {"version": m.version, "j:LEAD_TIME": ""},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.state == State.DRAFT
    assert "LEAD_TIME" not in (m.justifications or {})
