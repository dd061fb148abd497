"""Pages of itinerary versions and change requests (change_views.py): the 行程与变更 page,
the change form (save, submit, add and remove rows, live findings), the change with its
chain, the approver's decision with its confirmation, the compare pages -- and another
unit kept out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import PersonFactory
from tests.missions.travel import approved
from waishi.missions.changes import services as changes
from waishi.missions.core import itinerary
from waishi.missions.models import ChangeRequest, ChangeState, ItineraryVersion, Mission

pytestmark = pytest.mark.django_db

CHAIN = ("unit_leader", "fao_reviewer", "fao_head")


@pytest.fixture
def trip(cast, people):
    mission = approved(cast, people)
    Mission.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=200)
    )
    return Mission.objects.get(pk=mission.pk)


def url(mission, tail: str = "") -> str:
    return f"/missions/{mission.pk}/changes/{tail}"


def with_seoul(mission) -> dict:
    value = itinerary.current(mission)
    last = value["stops"][-1]
    last["depart"] = (dt.date.fromisoformat(last["arrive"]) + dt.timedelta(days=1)).isoformat()
    value["stops"].append(
        {
            "country": "KR",
            "city": "首尔",
            "arrive": last["depart"],
            "depart": value["return_date"],
            "transit_airside": False,
        }
    )
    return value


def form_data(value: dict, *, reason: str = "对方邀请顺访首尔", action: str = "save", **extra):
    """The change form as a browser posts it (one blank stop row at the end)."""
    stops, members = value["stops"], value["members"]
    data = {
        "departure_date": value["departure_date"],
        "return_date": value["return_date"],
        "reason": reason,
        "action": action,
        "stops-TOTAL_FORMS": str(len(stops) + 1),
        "stops-INITIAL_FORMS": str(len(stops)),
        "stops-MIN_NUM_FORMS": "0",
        "stops-MAX_NUM_FORMS": "1000",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(len(members)),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, stop in enumerate(stops):
        for key in ("country", "city", "arrive", "depart"):
            data[f"stops-{i}-{key}"] = stop.get(key) or ""
        if stop.get("transit_airside"):
            data[f"stops-{i}-transit_airside"] = "on"
    for i, member in enumerate(members):
        data[f"members-{i}-person_id"] = str(member["person_id"])
        data[f"members-{i}-task"] = member.get("task") or ""
        if member.get("is_leader"):
            data[f"members-{i}-is_leader"] = "on"
    data.update(extra)
    return data


def test_the_itinerary_page_of_an_approved_trip(as_user, trip):
    page = as_user("unit_clerk").get(url(trip))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="in-force"' in body and 'data-testid="request-change"' in body
    assert body.count('data-testid="current-member"') == 2
    # Reading the page writes nothing: version 1 waits for the first change.
    assert not ItineraryVersion.objects.filter(mission=trip).exists()
    # The FAO reads it, without the button.
    fao = as_user("fao_reviewer").get(url(trip)).content.decode()
    assert 'data-testid="request-change"' not in fao


def test_a_trip_not_yet_approved_has_no_itinerary_page(as_user, mission):
    response = as_user("unit_clerk").get(url(mission))
    assert response.status_code == 302 and response["Location"] == f"/missions/{mission.pk}/"


def test_the_form_saves_a_draft_then_submits_it(as_user, trip):
    client = as_user("unit_clerk")
    form = client.get(url(trip, "new/"))
    assert form.status_code == 200 and 'data-testid="change-form"' in form.content.decode()
    response = client.post(url(trip, "new/"), form_data(with_seoul(trip)))
    change = ChangeRequest.objects.get(mission=trip)
    assert response.status_code == 302 and response["Location"] == url(trip, f"{change.pk}/edit/")
    assert change.state == ChangeState.DRAFT and change.proposed["stops"][-1]["country"] == "KR"
    edit = client.get(url(trip, f"{change.pk}/edit/")).content.decode()
    assert 'data-kind="added_country"' in edit  # the live findings name the kind
    response = client.post(
        url(trip, f"{change.pk}/edit/"),
        form_data(change.proposed, action="submit", version=str(change.version)),
    )
    assert response.status_code == 302 and response["Location"] == url(trip, f"{change.pk}/")
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED
    detail = client.get(url(trip, f"{change.pk}/")).content.decode()
    assert 'data-testid="approval-steps"' in detail and 'data-kind="added_country"' in detail


def test_remove_and_add_buttons_edit_the_rows(as_user, trip, people):
    client = as_user("unit_clerk")
    client.post(url(trip, "new/"), form_data(with_seoul(trip)))
    change = ChangeRequest.objects.get(mission=trip)
    newcomer = PersonFactory(name="王芳", unit=people[0].unit)
    client.post(
        url(trip, f"{change.pk}/edit/"),
        form_data(
            change.proposed,
            version=str(change.version),
            remove="stop-1",
            add_person=str(newcomer.pk),
        ),
    )
    change.refresh_from_db()
    assert [s["country"] for s in change.proposed["stops"]] == ["JP"]
    assert [m["name"] for m in change.proposed["members"]] == ["李雷", "韩梅梅", "王芳"]
    client.post(
        url(trip, f"{change.pk}/edit/"),
        form_data(change.proposed, version=str(change.version), remove=f"member-{people[1].pk}"),
    )
    change.refresh_from_db()
    assert [m["name"] for m in change.proposed["members"]] == ["李雷", "王芳"]


def test_a_refused_submission_keeps_the_draft_and_says_why(as_user, trip):
    client = as_user("unit_clerk")
    value = itinerary.current(trip)
    response = client.post(url(trip, "new/"), form_data(value, action="submit"), follow=True)
    change = ChangeRequest.objects.get(mission=trip)
    assert change.state == ChangeState.DRAFT
    body = response.content.decode()
    assert "Nothing changes" in body or "没有变化" in body or "无变化" in body or "未作" in body


def test_a_stale_form_is_refused(as_user, trip):
    client = as_user("unit_clerk")
    client.post(url(trip, "new/"), form_data(with_seoul(trip)))
    change = ChangeRequest.objects.get(mission=trip)
    old = str(change.version)
    client.post(
        url(trip, f"{change.pk}/edit/"), form_data(change.proposed, version=old, reason="一")
    )
    response = client.post(
        url(trip, f"{change.pk}/edit/"), form_data(change.proposed, version=old, reason="二")
    )
    assert response.status_code == 200 and 'data-testid="errors"' in response.content.decode()
    change.refresh_from_db()
    assert change.reason == "一"


def test_the_live_check_answers_with_the_findings(as_user, trip):
    response = as_user("unit_clerk").post(
        url(trip, "check/"), form_data(with_seoul(trip)), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="change-check"' in body and 'data-kind="added_country"' in body
    assert not ChangeRequest.objects.exists()


def _submitted(cast, trip):
    change = changes.change_create(
        actor=cast["unit_clerk"], mission=trip, proposed=with_seoul(trip), reason="顺访首尔"
    )
    return changes.change_submit(actor=cast["unit_clerk"], change=change)


def test_the_decision_is_confirmed_before_it_is_taken(as_user, cast, trip):
    change = _submitted(cast, trip)
    decide = url(trip, f"{change.pk}/decide/")
    assert as_user("unit_clerk").get(decide).status_code == 403
    leader = as_user("unit_leader")
    assert leader.get(decide).status_code == 200
    confirm = leader.post(decide, {"decision": "approve", "comment": "同意"})
    assert confirm.status_code == 200 and 'data-testid="confirm-form"' in confirm.content.decode()
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED  # nothing decided yet
    done = leader.post(decide, {"decision": "approve", "comment": "同意", "confirm": "yes"})
    assert done.status_code == 302
    change.refresh_from_db()
    assert change.state == ChangeState.IN_REVIEW
    # Not the leader's turn any more: the page sends them back.
    assert leader.get(decide).status_code == 302


def test_the_compare_pages_show_the_difference(as_user, cast, trip):
    change = _submitted(cast, trip)
    proposal = as_user("fao_reviewer").get(url(trip, f"{change.pk}/compare/"))
    body = proposal.content.decode()
    assert proposal.status_code == 200
    assert 'data-testid="country-added"' in body and 'data-status="added"' in body
    for role in CHAIN:
        changes.change_decide(actor=cast[role], change=change, decision="approve")
    second = ItineraryVersion.objects.get(mission=trip, number=2)
    page = as_user("unit_clerk").get(f"/missions/{trip.pk}/versions/{second.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "韩国" in body or "Korea" in body
    assert 'data-testid="country-added"' in body and 'data-changed="countries"' in body
    first = ItineraryVersion.objects.get(mission=trip, number=1)
    same = as_user("unit_clerk").get(f"/missions/{trip.pk}/versions/{first.pk}/?against=1")
    assert 'data-testid="no-difference"' in same.content.decode()
    listing = as_user("unit_clerk").get(url(trip)).content.decode()
    assert listing.count('data-testid="version-row"') == 2
    assert 'data-testid="past-change"' in listing


def test_withdraw_from_the_page(as_user, cast, trip):
    change = _submitted(cast, trip)
    response = as_user("unit_clerk").post(url(trip, f"{change.pk}/withdraw/"), {"comment": "取消"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == ChangeState.WITHDRAWN


def test_another_unit_is_refused(as_user, cast, trip):
    change = _submitted(cast, trip)
    version = ItineraryVersion.objects.get(mission=trip, number=1)
    outsider = as_user("outsider")
    for path in (
        url(trip),
        url(trip, "new/"),
        url(trip, f"{change.pk}/"),
        url(trip, f"{change.pk}/edit/"),
        url(trip, f"{change.pk}/compare/"),
        f"/missions/{trip.pk}/versions/{version.pk}/",
    ):
        assert outsider.get(path).status_code == 404, path
    for path in (url(trip, "new/"), url(trip, "check/"), url(trip, f"{change.pk}/withdraw/")):
        assert outsider.post(path, form_data(with_seoul(trip))).status_code == 404, path
    assert ChangeRequest.objects.filter(mission=trip).count() == 1
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED


def test_a_returned_change_shows_why_on_its_form(as_user, cast, trip):
    change = _submitted(cast, trip)
    changes.change_decide(
        actor=cast["unit_leader"], change=change, decision="return", comment="请说明首尔的活动安排"
    )
    page = as_user("unit_clerk").get(url(trip, f"{change.pk}/edit/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="return-note"' in body and "请说明首尔的活动安排" in body


def test_a_bare_post_is_answered_with_the_form_not_an_error(as_user, trip):
    response = as_user("unit_clerk").post(url(trip, "new/"), {"action": "save"})
    assert response.status_code == 200
    assert not ChangeRequest.objects.exists()
