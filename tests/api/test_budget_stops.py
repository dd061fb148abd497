"""A budget line names a stop of its own trip or none. Another trip's stop is refused --
over the API (400 naming the line's field, in Chinese), by the service, and on the page's
budget step -- and nothing changes; it used to be saved with the stop silently dropped."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.missions.conftest import build_mission
from waishi.missions.application import services
from waishi.missions.models import BudgetLine, Mission

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(cast):
    return build_mission(cast["unit_clerk"], [])


@pytest.fixture
def other(cast):
    """Another trip of the same unit, with its own stop in Tokyo."""
    return build_mission(cast["unit_clerk"], [], title="另一团组")


def lines(mission: Mission) -> list[tuple]:
    return list(
        BudgetLine.objects.filter(mission=mission)
        .order_by("pk")
        .values_list("pk", "stop_id", "country", "city", "lodging_per_day")
    )


def state(mission: Mission) -> tuple:
    mission.refresh_from_db()
    return mission.version, lines(mission)


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    (message,) = error["fields"][field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # said in Chinese
    return message


def test_the_api_refuses_a_line_naming_another_trips_stop(api_as, mine, other):
    before = state(mine)
    foreign = other.stops.get()
    body = {
        "version": mine.version,
        "title": "改过的标题",
        "budget": [{"stop": foreign.pk, "currency": "JPY", "lodging_per_day": "1"}],
    }
    response = api_as("unit_clerk").patch(
        f"/api/v1/missions/{mine.pk}/", json.dumps(body), content_type="application/json"
    )
    refused(response, "budget[0].stop")
    assert state(mine) == before and mine.title == "赴日本经贸交流"  # the title too
    # Changing an existing line to point at it is refused the same way.
    (line_pk, *_rest) = lines(mine)[0]
    body["budget"] = [{"id": line_pk, "stop": foreign.pk}]
    response = api_as("unit_clerk").patch(
        f"/api/v1/missions/{mine.pk}/", json.dumps(body), content_type="application/json"
    )
    refused(response, "budget[0].stop")
    assert state(mine) == before


def test_a_new_draft_cannot_name_an_existing_stop(api_as, other):
    count = Mission.objects.count()
    body = {
        "title": "新团组",
        "stops": [{"country": "FR", "city": "巴黎"}],
        "budget": [{"currency": "EUR"}, {"stop": other.stops.get().pk, "currency": "JPY"}],
    }
    response = api_as("unit_clerk").post(
        "/api/v1/missions/", json.dumps(body), content_type="application/json"
    )
    refused(response, "budget[1].stop")
    assert Mission.objects.count() == count


def test_a_stop_of_its_own_trip_is_taken(api_as, mine):
    own = mine.stops.get()
    body = {"version": mine.version, "budget": [{"stop": own.pk, "currency": "JPY"}]}
    response = api_as("unit_clerk").patch(
        f"/api/v1/missions/{mine.pk}/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert [row[1] for row in lines(mine)] == [own.pk, own.pk]


@pytest.mark.parametrize("stop", ["other", 2**62, "x"])
def test_the_service_refuses_it_for_every_caller(cast, mine, other, stop):
    before = state(mine)
    stop = other.stops.get().pk if stop == "other" else stop
    with pytest.raises(ValidationError) as refusal:
        services.mission_update_budget(
            actor=cast["unit_clerk"],
            mission=mine,
            version=mine.version,
            rows=[{"stop": stop, "currency": "JPY"}],
        )
    assert "stop" in refusal.value.message_dict
    assert state(mine) == before


def test_the_page_refuses_it_too(as_user, mine, other):
    before = state(mine)
    (line_pk, *_rest) = lines(mine)[0]
    response = as_user("unit_clerk").post(
        reverse("missions:budget", kwargs={"mission_pk": mine.pk}),
        {
            "version": mine.version,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(line_pk),
            "lines-0-stop": str(other.stops.get().pk),
            "lines-0-currency": "JPY",
            "lines-0-lodging_per_day": "18000",
        },
    )
    assert response.status_code == 200  # the form again, with its error; no redirect
    form = response.context["lines"].forms[0]
    assert "stop" in form.errors
    assert state(mine) == before
