"""Policy sets as versioned data: the seeded version, the FAO head's change, which
version a check uses, the audit trail, and who may do what."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.leaks import find_leaks, visible_lines
from tests.policy.test_cli import command, write
from tests.policy.trips import member, trip
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import history
from waishi.policy import selectors, services
from waishi.policy.models import PolicySet
from waishi.policy.params import default_data, default_policy
from waishi.policy.run import judge

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        yield


def six_members() -> dict:
    return trip(members=[member(name=f"成员{i}") for i in range(6)])


def errors(result) -> list[str]:
    return [f.rule for f in result.findings if f.severity == "error"]


def change_by_page(client, **fields):
    data = {
        "rule": "GROUP_SIZE",
        "p__applies_to": ["general", "econ_tech"],
        "p__max": "5",
        "effective_from": TODAY.isoformat(),
        "reason": "市委外事工作委员会2026年第1次会议决定从严控制团组规模",
    } | fields
    # None drops a field (another rule's form does not have it).
    return client.post(reverse("policy:change"), {k: v for k, v in data.items() if v is not None})


def test_migration_seeds_the_shipped_file():
    data = default_data()
    row = PolicySet.objects.get()
    assert (row.name, row.version, row.jurisdiction) == (
        data["name"],
        data["version"],
        data["jurisdiction"],
    )
    assert row.effective_from == date.fromisoformat(data["effective_from"])
    assert row.effective_to is None and row.created_by is None
    assert row.parameters == data["parameters"] and row.citations == data["citations"]
    assert row.to_policy() == default_policy()
    assert selectors.policy_in_force_db(TODAY) == default_policy()


def test_head_changes_group_size_from_the_page(as_user, cast):
    response = change_by_page(as_user("fao_head"))
    new = PolicySet.objects.get(version="2026.2")
    assert response.status_code == 302 and response.url == reverse(
        "policy:detail", kwargs={"policy_pk": new.pk}
    )
    old = PolicySet.objects.get(version="2026.1")
    assert old.effective_to == YESTERDAY and new.effective_from == TODAY
    assert new.parameters["GROUP_SIZE"]["max"] == 5 and new.created_by == cast["fao_head"]
    # Only the one value changed.
    assert {k: v for k, v in new.parameters.items() if k != "GROUP_SIZE"} == {
        k: v for k, v in old.parameters.items() if k != "GROUP_SIZE"
    }

    # The next check uses 5; a check dated before the change still uses 6.
    now = judge(six_members(), on=TODAY, lookup=selectors.policy_in_force_db)
    assert "GROUP_SIZE" in errors(now) and now.policy_version == "2026.2"
    before = judge(six_members(), on=YESTERDAY, lookup=selectors.policy_in_force_db)
    assert "GROUP_SIZE" not in errors(before) and before.policy_version == "2026.1"

    # The audit names who changed what, and why.
    event = AuditEvent.objects.get(action="policy.version.create")
    assert event.actor_id == cast["fao_head"].pk
    assert (event.before, event.after) == ({"GROUP_SIZE.max": 6}, {"GROUP_SIZE.max": 5})
    assert "从严控制团组规模" in event.data["reason"]
    [entry] = history(new)
    # The rule by its title and the parameter by its label and unit, never by code.
    assert "从严控制团组规模" in entry.text and "GROUP_SIZE" not in entry.text
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("团组人数上限", "6 人", "5 人")
    ]

    page = as_user("auditor").get(reverse("policy:detail", kwargs={"policy_pk": new.pk}))
    assert page.status_code == 200 and "从严控制团组规模" in page.content.decode()


def test_cli_picks_the_version_by_date(tmp_path, cast):
    services.policy_parameter_change(
        actor=cast["fao_head"],
        rule="GROUP_SIZE",
        values={"max": 5},
        effective_from=TODAY,
        reason="从严",
    )
    path = write(tmp_path, six_members())
    status, out, _err = command(path, "--on", TODAY.isoformat())
    assert status == 1 and json.loads(out)["policy"]["version"] == "2026.2"
    status, out, _err = command(path, "--on", YESTERDAY.isoformat())
    assert status == 0 and json.loads(out)["policy"]["version"] == "2026.1"
    # An override file applies to the shipped defaults, not the database.
    status, out, _err = command(
        path, "--on", TODAY.isoformat(), "--policy", write(tmp_path, {}, "p.json")
    )
    assert status == 0 and json.loads(out)["policy"]["version"] == "2026.1"


@pytest.mark.parametrize("role", ["fao_reviewer", "committee", "auditor"])
def test_readers_see_but_cannot_change(as_user, cast, role):
    client = as_user(role)
    assert client.get(reverse("policy:index")).status_code == 200
    assert client.get(reverse("policy:change")).status_code == 403
    assert change_by_page(client).status_code == 403
    with pytest.raises(PermissionDenied):
        services.policy_parameter_change(
            actor=cast[role], rule="GROUP_SIZE", values={"max": 5}, effective_from=TODAY, reason="x"
        )
    assert PolicySet.objects.count() == 1


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "district_officer", "sys_admin"])
def test_others_get_403(as_user, role):
    client = as_user(role)
    version = PolicySet.objects.get()
    assert client.get(reverse("policy:index")).status_code == 403
    assert client.get(reverse("policy:detail", kwargs={"policy_pk": version.pk})).status_code == 403
    assert change_by_page(client).status_code == 403
    assert PolicySet.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"p__max": "-1"},
        {"p__max": "五"},
        {"p__max": "6"},  # no change
        {"p__max": ""},
        {"p__applies_to": ["general", "no_such_category"]},
        {"reason": ""},
        {"reason": "   "},
        {"effective_from": YESTERDAY.isoformat()},
    ],
)
def test_invalid_change_changes_nothing(as_user, fields):
    response = change_by_page(as_user("fao_head"), **fields)
    assert response.status_code == 200 and response.context["form"].errors
    assert PolicySet.objects.count() == 1
    assert PolicySet.objects.get().effective_to is None
    assert not AuditEvent.objects.filter(action="policy.version.create").exists()


def test_an_unknown_rule_changes_nothing(as_user):
    response = change_by_page(as_user("fao_head"), rule="NO_SUCH_RULE")
    assert response.status_code == 400
    assert PolicySet.objects.count() == 1


def test_the_change_form_shows_typed_fields_with_the_values_in_force(as_user):
    response = as_user("fao_head").get(reverse("policy:change"), {"rule": "STAY_DAYS"})
    form = response.context["form"]
    assert form["p__limits"].value() == "5, 8, 10"
    assert form["p__applies_to"].value() == ["general", "econ_tech"]
    picker = as_user("fao_head").get(reverse("policy:change"))
    assert "?rule=GROUP_SIZE" in picker.content.decode()


def test_a_comma_list_and_a_window_per_rank_change_through_the_form(as_user):
    client = as_user("fao_head")
    response = change_by_page(
        client,
        rule="STAY_DAYS",
        p__applies_to=["general", "econ_tech"],
        p__limits="5，7, 10",
        p__africa_latin_america_extra="1, 1, 0",
        p__max=None,
    )
    assert response.status_code == 302
    latest = PolicySet.objects.order_by("-effective_from").first()
    assert latest.parameters["STAY_DAYS"]["limits"] == [5, 7, 10]
    response = change_by_page(
        client,
        rule="FREQUENCY",
        effective_from=(TODAY + timedelta(days=1)).isoformat(),
        p__applies_to=["general"],
        p__windows__provincial_ministerial__max="1",
        p__windows__provincial_ministerial__years="1",
        p__windows__bureau__max="2",
        p__windows__bureau__years="2",
        p__windows__county_division__max="1",
        p__windows__county_division__years="2",
        p__city_leader__max="1",
        p__city_leader__years="1",
        p__max=None,
    )
    assert response.status_code == 302, response.context["form"].errors
    latest = PolicySet.objects.order_by("-effective_from").first()
    windows = latest.parameters["FREQUENCY"]["windows"]
    assert windows["bureau"] == {"max": 2, "years": 2}
    assert windows["county_division"] == {"max": 1, "years": 2}
    assert latest.parameters["FREQUENCY"]["city_leader"] == {"max": 1, "years": 1}


def test_the_change_form_names_each_parameter_in_words(as_user):
    """LEAD_TIME's parameters by label with their unit and help, never by key."""
    response = as_user("fao_head").get(reverse("policy:change"), {"rule": "LEAD_TIME"})
    form = response.context["form"]
    assert form["p__days_schengen"].label == "提前报批天数（申根地区）（天）"
    assert form["p__far_regions"].field.choices == [
        ("africa", "非洲"),
        ("latin_america", "拉丁美洲和加勒比"),
        ("south_america", "南美洲"),
    ]
    text = visible_lines(response.content.decode())
    for key in ("days", "days_schengen", "days_far", "far_countries", "applies_to"):
        assert not any(key in line for line in text), key
    assert not any(find_leaks(line, chinese=True) for line in text if line != "English")


def test_service_refuses_start_not_after_version_in_force(cast):
    head = cast["fao_head"]
    services.policy_parameter_change(
        actor=head, rule="GROUP_SIZE", values={"max": 5}, effective_from=TODAY, reason="一"
    )
    with pytest.raises(ValidationError) as exc:
        services.policy_parameter_change(
            actor=head, rule="GROUP_SIZE", values={"max": 4}, effective_from=TODAY, reason="二"
        )
    assert "effective_from" in exc.value.message_dict
    later = services.policy_parameter_change(
        actor=head,
        rule="STAY_DAYS",
        values={"limits": [6, 8, 10]},
        effective_from=TODAY + timedelta(days=30),
        reason="三",
    )
    assert later.version == "2026.3"
    assert later.parameters["GROUP_SIZE"]["max"] == 5  # built on the version before it
    assert PolicySet.objects.get(version="2026.2").effective_to == TODAY + timedelta(days=29)


def test_next_version():
    assert services.next_version("2026.1", set()) == "2026.2"
    assert services.next_version("2026.9", {"2026.10"}) == "2026.11"
    assert services.next_version("v", set()) == "v.1"


def test_selector_falls_back_to_the_file_when_table_empty():
    PolicySet.objects.all().delete()
    assert selectors.policy_in_force_db(TODAY) == default_policy()
