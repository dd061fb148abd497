"""The live check in the browser (the htmx fragment and the trial page) and the FAO head's
hot destination list."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from tests.policy.trips import member, stop, trip
from waishi.audit.models import AuditEvent
from waishi.policy import live
from waishi.policy.models import PolicySet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        yield


def two_countries_nine_days() -> dict:
    return trip(
        return_date="2026-05-18",
        stops=[
            stop("DE", "2026-05-10", "2026-05-14", city="München"),
            stop("FR", "2026-05-14", "2026-05-18", city="Paris"),
        ],
        budget=[],
    )


def test_evaluate_gives_the_contract_output_and_counts():
    check = live.evaluate(two_countries_nine_days())
    assert check.ok and check.error is None
    assert check.result["days_abroad"] == 9
    assert [f["rule"] for f in check.blocking] == ["STAY_DAYS"]
    assert check.counts["error"] == 1
    assert check.counts["warning"] == len(check.warnings)


def test_evaluate_names_the_missing_field_instead_of_raising():
    data = two_countries_nine_days()
    del data["departure_date"]
    check = live.evaluate(data)
    assert not check.ok
    assert check.error == "出境日期：缺少必填字段"  # the place in words, not the key


def test_a_missing_field_inside_a_list_is_named_by_its_place():
    data = two_countries_nine_days()
    del data["stops"][1]["country"]
    check = live.evaluate(data)
    assert check.error == "第2站 国家或地区：缺少必填字段"


def test_the_fragment_shows_the_chinese_message_with_the_numbers(as_user):
    client = as_user("fao_reviewer")
    response = client.post(reverse("policy:live"), {"trip": json.dumps(two_countries_nine_days())})
    assert response.status_code == 200
    text = response.content.decode()
    assert "出访2国在外停留不得超过8天，本团组为9天" in text
    assert 'data-rule="STAY_DAYS"' in text
    assert "<html" not in text  # a fragment, not a page


def test_the_fragment_in_english(as_user):
    client = as_user("fao_reviewer")
    with translation.override("en"):
        response = client.post(
            reverse("policy:live"),
            {"trip": json.dumps(two_countries_nine_days())},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200


def test_bad_json_is_said_in_the_fragment_and_nothing_breaks(as_user):
    client = as_user("fao_reviewer")
    response = client.post(reverse("policy:live"), {"trip": '{"category": '})
    assert response.status_code == 200
    assert "JSON" in response.content.decode()


def test_the_trial_page_works_without_javascript(as_user):
    client = as_user("fao_head")
    page = client.get(reverse("policy:try"))
    assert page.status_code == 200
    response = client.post(reverse("policy:try"), {"trip": json.dumps(two_countries_nine_days())})
    assert "本团组为9天" in response.content.decode()


def test_the_fragment_judges_under_the_version_of_the_date(cast):
    from datetime import date

    from waishi.policy import services

    services.policy_parameter_change(
        actor=cast["fao_head"],
        rule="GROUP_SIZE",
        values={"max": 1},
        effective_from=date(2026, 3, 10),
        reason="试行",
    )
    data = trip(members=[member(name="甲"), member(name="乙")])
    old = live.evaluate(data, on=date(2026, 3, 9))
    new = live.evaluate(data, on=date(2026, 3, 10))
    assert old.ok and new.ok
    assert "GROUP_SIZE" not in [f["rule"] for f in old.findings]
    assert [f["rule"] for f in new.blocking] == ["GROUP_SIZE"]
    assert old.result["policy"]["version"] != new.result["policy"]["version"]


def test_units_and_administrators_cannot_use_the_policy_pages(as_user):
    for role in ("unit_clerk", "sys_admin"):
        client = as_user(role)
        assert client.post(reverse("policy:live"), {"trip": "{}"}).status_code in {403, 404}
        assert client.get(reverse("policy:try")).status_code in {403, 404}


def test_live_refuses_get(as_user):
    assert as_user("fao_reviewer").get(reverse("policy:live")).status_code == 405


# -- the hot destination list ------------------------------------------------------


def hot_post(client, **fields):
    data = {"effective_from": "2026-03-10", "reason": "上级通知：严格控制赴该地"} | fields
    return client.post(reverse("policy:hot"), data)


def test_the_head_adds_a_destination_and_a_later_check_warns(as_user, cast):
    client = as_user("fao_head")
    response = hot_post(client, add_country="JP", add_city="Tokyo")
    assert response.status_code == 302, response.content.decode()[:2000]
    version = PolicySet.objects.get(effective_from="2026-03-10")
    assert version.parameters["HOT_DESTINATION"]["destinations"] == [
        {"country": "JP", "city": "Tokyo"}
    ]
    event = AuditEvent.objects.get(action="policy.version.create")
    assert event.actor_id == cast["fao_head"].pk
    assert event.data["reason"] == "上级通知：严格控制赴该地"
    on_later = trip(submitted_on="2026-03-10")  # Tokyo, written 东京: the aliases agree
    assert [f["rule"] for f in live.evaluate(on_later).warnings] == ["HOT_DESTINATION"]
    assert live.evaluate(trip(submitted_on="2026-03-09")).warnings == []
    page = client.get(reverse("policy:hot"))
    assert page.status_code == 200


def test_the_head_takes_a_destination_off_the_list(as_user):
    client = as_user("fao_head")
    assert hot_post(client, add_country="TH").status_code == 302
    response = hot_post(client, effective_from="2026-03-12", remove=["0"])
    assert response.status_code == 302
    latest = PolicySet.objects.order_by("-effective_from").first()
    assert latest.parameters["HOT_DESTINATION"]["destinations"] == []


def test_a_duplicate_or_empty_change_is_refused_and_changes_nothing(as_user):
    client = as_user("fao_head")
    assert hot_post(client, add_country="TH").status_code == 302
    count = PolicySet.objects.count()
    events = AuditEvent.objects.count()
    duplicate = hot_post(client, effective_from="2026-03-12", add_country="TH")
    assert duplicate.status_code == 200
    empty = hot_post(client, effective_from="2026-03-12")
    assert empty.status_code == 200
    no_reason = hot_post(client, effective_from="2026-03-12", add_country="FR", reason="")
    assert no_reason.status_code == 200
    assert PolicySet.objects.count() == count
    assert AuditEvent.objects.count() == events


def test_the_reviewer_reads_the_list_but_cannot_change_it(as_user):
    client = as_user("fao_reviewer")
    assert client.get(reverse("policy:hot")).status_code == 200
    count = PolicySet.objects.count()
    assert hot_post(client, add_country="TH").status_code == 403
    assert PolicySet.objects.count() == count
