"""The city command's configuration: the settings in force and their history, plans as
data (a change is a new version, applied to new arrivals only), the rules that choose a
plan; who may read and who may change them; one audit event per change."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import waishi.arrivals.audit_messages_config  # noqa: F401 -- until apps.py imports it
from tests.factories import DistrictFactory
from waishi.arrivals import config_services as services
from waishi.arrivals import plans
from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    ManagementPlan,
    PlanRule,
    SourceKind,
)
from waishi.arrivals.services import arrival_register
from waishi.audit.messages import MESSAGES
from waishi.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SHORT = [
    {"kind": "landing_check", "day": 0, "within_hours": 12, "label": "落地查人"},
    {"kind": "test", "day": 1, "within_hours": None, "label": "第1天核酸检测"},
    {"kind": "release", "day": 1, "within_hours": None, "label": "解除管控"},
]


def _register(district, n: int, *, origin: str = "US", on: dt.date | None = None):
    """One arrival reported by the port list (invented person number ``n``)."""
    data = {
        "category": "returnee",
        "name": f"测试旅客{n}",
        "origin_country": origin,
        "arrival_date": on or timezone.localdate() + dt.timedelta(days=1),
    }
    return arrival_register(
        data=data, passport=f"T{n:08d}", district=district, kind=SourceKind.PORT
    ).arrival


def rows_post(steps: list[dict], **extra) -> dict:
    """The plan form's POST in rows mode."""
    data = {
        "mode": "rows",
        "steps-TOTAL_FORMS": str(len(steps) + 1),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **extra,
    }
    # The last row is an empty one, as the page sends it.
    for i, step in enumerate([*steps, {}]):
        for key in ("kind", "day", "within_hours", "label"):
            value = step.get(key)
            data[f"steps-{i}-{key}"] = "" if value is None else str(value)
    return data


def test_every_config_action_has_a_sentence():
    for action in (
        "arrivals.settings.change",
        "arrivals.plan.create",
        "arrivals.plan.version",
        "arrivals.plan.retire",
        "arrivals.plan.restore",
        "arrivals.rule.create",
        "arrivals.rule.update",
        "arrivals.rule.delete",
        "arrivals.health.purge",
        "arrivals.resident.health_view",
        "arrivals.demo.seeded",
    ):
        assert action in MESSAGES, action


# -- settings ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["city_command", "auditor", "district_officer"])
def test_readers_see_the_settings_in_force(as_user, role):
    body = as_user(role).get("/arrivals/settings/").content.decode()
    assert 'data-testid="settings-current"' in body
    assert ("save-settings" in body) == (role == "city_command")


@pytest.mark.parametrize("role", ["fao_reviewer", "unit_clerk", "sys_admin", "committee"])
def test_others_do_not_see_the_settings(as_user, role):
    assert as_user(role).get("/arrivals/settings/").status_code == 403


def test_the_command_changes_the_settings_with_a_reason(as_user, cast):
    client = as_user("city_command")
    response = client.post(
        "/arrivals/settings/",
        {
            "declare_lead_hours": "72",
            "retention_days": "90",
            "resident_interval_days": "14",
            "default_plan_code": "none",
            "reason": "省指挥部通知调整",
        },
    )
    assert response.status_code == 302
    current = ArrivalSettings.current()
    assert (current.declare_lead_hours, current.retention_days) == (72, 90)
    assert current.resident_interval_days == 14 and current.default_plan_code == "none"
    assert current.created_by == cast["city_command"] and current.reason == "省指挥部通知调整"
    # The seeded row stays, as history.
    assert ArrivalSettings.objects.count() == 2
    event = AuditEvent.objects.get(action="arrivals.settings.change")
    assert event.before["retention_days"] == 180 and event.after["retention_days"] == 90
    body = client.get("/arrivals/settings/").content.decode()
    assert "省指挥部通知调整" in body and "初始设置" in body


def test_a_district_officer_cannot_change_the_settings(as_user, cast):
    response = as_user("district_officer").post(
        "/arrivals/settings/",
        {
            "declare_lead_hours": "1",
            "retention_days": "1",
            "resident_interval_days": "1",
            "default_plan_code": "none",
            "reason": "x",
        },
    )
    assert response.status_code == 403
    assert ArrivalSettings.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.settings_change(
            actor=cast["auditor"],
            declare_lead_hours=1,
            retention_days=1,
            resident_interval_days=1,
            default_plan_code="none",
            reason="x",
        )


def test_settings_refuse_bad_values(cast):
    command = cast["city_command"]
    good = {
        "declare_lead_hours": 48,
        "retention_days": 180,
        "resident_interval_days": 7,
        "default_plan_code": "7+3",
    }
    with pytest.raises(ValidationError) as exc:
        services.settings_change(actor=command, **good, reason="没有变化")
    assert "Nothing was changed" in str(exc.value) or "未作任何更改" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.settings_change(actor=command, **{**good, "retention_days": 0}, reason="x")
    assert "retention_days" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.settings_change(actor=command, **{**good, "default_plan_code": "14+7"}, reason="x")
    assert "default_plan_code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.settings_change(actor=command, **{**good, "retention_days": 30}, reason=" ")
    assert "reason" in exc.value.message_dict
    assert ArrivalSettings.objects.count() == 1
    assert not AuditEvent.objects.filter(action="arrivals.settings.change").exists()


def test_the_settings_page_shows_the_form_errors(as_user):
    body = (
        as_user("city_command")
        .post(
            "/arrivals/settings/",
            {
                "declare_lead_hours": "0",
                "retention_days": "abc",
                "resident_interval_days": "7",
                "default_plan_code": "nope",
                "reason": "",
            },
        )
        .content.decode()
    )
    assert body.count("invalid-feedback") >= 4
    assert ArrivalSettings.objects.count() == 1


# -- plans ------------------------------------------------------------------------


def test_a_plan_change_applies_only_to_new_arrivals(cast, district):
    """The old version stays with the arrivals registered before the change, their steps
    unchanged; arrivals registered after get the new version's steps."""
    before = _register(district, 1)
    old_plan = before.plan
    old_labels = list(before.steps.order_by("sequence").values_list("label", flat=True))
    assert old_plan.code == "7+3" and len(old_labels) == len(plans.SEVEN_PLUS_THREE)

    new_plan = services.plan_save_version(
        actor=cast["city_command"],
        plan=old_plan,
        name=old_plan.name,
        steps=SHORT,
        reason="国务院联防联控机制第九版方案",
        expected_version=old_plan.version,
    )
    assert (new_plan.code, new_plan.version) == ("7+3", old_plan.version + 1)

    after = _register(district, 2)
    before.refresh_from_db()
    assert before.plan_id == old_plan.pk
    assert list(before.steps.order_by("sequence").values_list("label", flat=True)) == old_labels
    assert after.plan_id == new_plan.pk
    assert list(after.steps.order_by("sequence").values_list("label", flat=True)) == [
        s["label"] for s in SHORT
    ]
    # The old version is still there, unchanged.
    old_plan.refresh_from_db()
    assert old_plan.steps == plans.SEVEN_PLUS_THREE
    event = AuditEvent.objects.get(action="arrivals.plan.version")
    assert event.data["reason"] == "国务院联防联控机制第九版方案"
    assert event.after == {"version": new_plan.version, "steps": 3}


def test_the_plan_page_saves_a_new_version_from_rows(as_user, district):
    arrival = _register(district, 3)
    plan = ManagementPlan.current("7+3")
    client = as_user("city_command")
    page = client.get(f"/arrivals/plans/{plan.pk}/edit/").content.decode()
    assert 'name="steps-12-label"' in page and "落地查人" in page
    response = client.post(
        f"/arrivals/plans/{plan.pk}/edit/",
        rows_post(SHORT, name="7+3 调整", description="", reason="缩短", expected_version="1"),
    )
    assert response.status_code == 302
    new = ManagementPlan.current("7+3")
    assert new.version == 2 and new.name == "7+3 调整"
    assert [s["label"] for s in new.steps] == [s["label"] for s in SHORT]
    assert response["Location"] == f"/arrivals/plans/{new.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "第1天核酸检测" in body and "缩短" in body
    # The arrival registered before keeps version 1: the old page counts it.
    old_page = client.get(f"/arrivals/plans/{plan.pk}/").content.decode()
    assert 'data-testid="plan-arrivals">1' in old_page
    arrival.refresh_from_db()
    assert arrival.plan_id == plan.pk


def test_removed_and_blank_rows_are_left_out(as_user):
    plan = ManagementPlan.current("none")
    data = rows_post(
        [SHORT[0], {"kind": "transfer", "day": 0, "within_hours": 6, "label": "转运"}, SHORT[2]],
        name=plan.name,
        reason="去掉转运",
        expected_version=str(plan.version),
    )
    data["steps-1-DELETE"] = "on"
    response = as_user("city_command").post(f"/arrivals/plans/{plan.pk}/edit/", data)
    assert response.status_code == 302
    assert [s["kind"] for s in ManagementPlan.current("none").steps] == ["landing_check", "release"]


def test_bad_steps_are_refused_with_a_message(as_user):
    plan = ManagementPlan.current("7+3")
    client = as_user("city_command")
    no_release = rows_post(SHORT[:2], name=plan.name, reason="x", expected_version="1")
    body = client.post(f"/arrivals/plans/{plan.pk}/edit/", no_release).content.decode()
    assert "alert-danger" in body
    bad_json = {"mode": "json", "name": plan.name, "reason": "x", "expected_version": "1"}
    for text in ("[{", '[{"kind": "dance", "day": 0}]', "{}"):
        body = client.post(
            f"/arrivals/plans/{plan.pk}/edit/", {**bad_json, "steps_json": text}
        ).content.decode()
        assert "invalid-feedback" in body, text
    assert ManagementPlan.objects.filter(code="7+3").count() == 1


def test_the_plan_page_takes_json(as_user):
    plan = ManagementPlan.current("7+3")
    client = as_user("city_command")
    page = client.get(f"/arrivals/plans/{plan.pk}/edit/?as=json").content.decode()
    assert "steps_json" in page and "landing_check" in page
    response = client.post(
        f"/arrivals/plans/{plan.pk}/edit/",
        {
            "mode": "json",
            "name": plan.name,
            "reason": "粘贴新方案",
            "expected_version": "1",
            "steps_json": json.dumps(SHORT, ensure_ascii=False),
        },
    )
    assert response.status_code == 302
    assert ManagementPlan.current("7+3").steps == SHORT


def test_more_rows_keeps_what_was_typed_and_saves_nothing(as_user):
    plan = ManagementPlan.current("none")
    data = rows_post(SHORT, name="改名", reason="x", expected_version="1", add_rows="1")
    body = as_user("city_command").post(f"/arrivals/plans/{plan.pk}/edit/", data).content.decode()
    assert 'value="第1天核酸检测"' in body and 'value="改名"' in body
    assert 'name="steps-4-kind"' in body  # three rows typed, two empty ones more
    assert ManagementPlan.objects.filter(code="none").count() == 1


def test_a_version_saved_meanwhile_is_not_overwritten(cast):
    plan = ManagementPlan.current("7+3")
    command = cast["city_command"]
    services.plan_save_version(
        actor=command, plan=plan, name=plan.name, steps=SHORT, reason="先保存", expected_version=1
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_save_version(
            actor=command,
            plan=plan,
            name="后保存",
            steps=plans.NONE_PLAN,
            reason="后保存",
            expected_version=1,
        )
    assert "2" in exc.value.messages[0]
    assert ManagementPlan.objects.filter(code="7+3").count() == 2


def test_saving_an_unchanged_plan_is_refused(cast):
    plan = ManagementPlan.current("none")
    with pytest.raises(ValidationError):
        services.plan_save_version(
            actor=cast["city_command"],
            plan=plan,
            name=plan.name,
            description=plan.description,
            steps=plan.steps,
            reason="x",
        )


def test_the_command_creates_a_plan(as_user):
    client = as_user("city_command")
    assert "steps-0-kind" in client.get("/arrivals/plans/new/").content.decode()
    data = rows_post(SHORT, code="14+7", name="14+7 方案", reason="新方案")
    response = client.post("/arrivals/plans/new/", data)
    assert response.status_code == 302
    plan = ManagementPlan.current("14+7")
    assert plan.version == 1 and plan.steps == SHORT
    assert AuditEvent.objects.filter(action="arrivals.plan.create").count() == 1
    again = client.post("/arrivals/plans/new/", data).content.decode()
    assert "invalid-feedback" in again
    assert ManagementPlan.objects.filter(code="14+7").count() == 1


def test_retiring_a_plan(cast, district):
    command = cast["city_command"]
    none = ManagementPlan.current("none")
    seven = ManagementPlan.current("7+3")
    with pytest.raises(ValidationError):  # the settings' default
        services.plan_retire(actor=command, plan=seven, reason="x")
    services.rule_create(
        actor=command,
        sequence=5,
        name="新加坡",
        category="",
        origin_countries=["SG"],
        arrives_from=None,
        arrives_until=None,
        plan_code="none",
        active=True,
    )
    with pytest.raises(ValidationError):  # an active rule gives it
        services.plan_retire(actor=command, plan=none, reason="x")
    PlanRule.objects.filter(name="新加坡").delete()
    services.plan_retire(actor=command, plan=none, reason="不再使用")
    assert ManagementPlan.current("none").retired
    assert AuditEvent.objects.filter(action="arrivals.plan.retire").count() == 1
    with pytest.raises(ValidationError):  # nobody gets a retired plan as default
        services.settings_change(
            actor=command,
            declare_lead_hours=48,
            retention_days=180,
            resident_interval_days=7,
            default_plan_code="none",
            reason="x",
        )
    with pytest.raises(ValidationError):  # nor edits it
        services.plan_save_version(
            actor=command, plan=none, name="x", steps=SHORT, reason="x", expected_version=1
        )
    services.plan_retire(actor=command, plan=none, reason="恢复", retired=False)
    assert not ManagementPlan.current("none").retired


def test_the_retire_button(as_user):
    none = ManagementPlan.current("none")
    client = as_user("city_command")
    response = client.post(f"/arrivals/plans/{none.pk}/retire/", {"reason": "停用", "retired": "1"})
    assert response.status_code == 302
    assert ManagementPlan.current("none").retired
    assert client.get(f"/arrivals/plans/{none.pk}/retire/").status_code == 405


@pytest.mark.parametrize("role", ["district_officer", "auditor"])
def test_districts_and_the_auditor_read_plans_but_do_not_edit(as_user, role):
    plan = ManagementPlan.current("7+3")
    rule = PlanRule.objects.first()
    client = as_user(role)
    listing = client.get("/arrivals/plans/").content.decode()
    assert "7+3" in listing and "plan-create" not in listing
    detail = client.get(f"/arrivals/plans/{plan.pk}/").content.decode()
    assert "第7天核酸检测" in detail and "plan-edit" not in detail
    assert "所有入境人员" in client.get("/arrivals/rules/").content.decode()
    for url in (
        f"/arrivals/plans/{plan.pk}/edit/",
        "/arrivals/plans/new/",
        "/arrivals/rules/new/",
        f"/arrivals/rules/{rule.pk}/edit/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    assert client.post(f"/arrivals/plans/{plan.pk}/retire/", {"reason": "x"}).status_code == 403
    assert client.post(f"/arrivals/rules/{rule.pk}/delete/").status_code == 403
    assert ManagementPlan.objects.count() == 2 and PlanRule.objects.count() == 1


@pytest.mark.parametrize("role", ["fao_reviewer", "fao_head", "unit_clerk", "sys_admin"])
def test_other_roles_do_not_see_plans(as_user, role):
    plan = ManagementPlan.current("7+3")
    client = as_user(role)
    for url in ("/arrivals/plans/", f"/arrivals/plans/{plan.pk}/", "/arrivals/rules/"):
        assert client.get(url).status_code in (403, 404), url


def test_a_district_counts_only_its_own_arrivals(as_user, district):
    other = DistrictFactory(code="370188", name="别的区")
    _register(district, 4)
    _register(other, 5)
    _register(other, 6)
    plan = ManagementPlan.current("7+3")
    own = as_user("district_officer").get(f"/arrivals/plans/{plan.pk}/").content.decode()
    assert 'data-testid="plan-arrivals">1' in own
    every = as_user("city_command").get(f"/arrivals/plans/{plan.pk}/").content.decode()
    assert 'data-testid="plan-arrivals">3' in every


# -- rules ------------------------------------------------------------------------


def _rule_post(**overrides) -> dict:
    return {
        "sequence": "20",
        "name": "英美入境人员",
        "category": "",
        "origin_countries": "us, gb",
        "arrives_from": "",
        "arrives_until": "",
        "plan_code": "none",
        "active": "on",
        **overrides,
    }


def test_the_command_adds_a_rule_that_applies_to_new_arrivals(as_user, district):
    before = _register(district, 7, origin="US")
    client = as_user("city_command")
    response = client.post("/arrivals/rules/new/", _rule_post())
    assert response.status_code == 302
    rule = PlanRule.objects.get(name="英美入境人员")
    assert rule.origin_countries == ["GB", "US"]
    event = AuditEvent.objects.get(action="arrivals.rule.create")
    assert event.after["origin_countries"] == ["GB", "US"]
    from_us = _register(district, 8, origin="US")
    from_fr = _register(district, 9, origin="FR")
    assert from_us.plan.code == "none" and from_fr.plan.code == "7+3"
    before.refresh_from_db()
    assert before.plan.code == "7+3"
    listing = client.get("/arrivals/rules/").content.decode()
    assert "美国" in listing and "英国" in listing


def test_rule_input_is_checked(as_user):
    client = as_user("city_command")
    for overrides, field in (
        ({"origin_countries": "US, XX"}, "XX"),
        ({"plan_code": "14+7"}, "plan_code"),
        ({"arrives_from": "2026-05-01", "arrives_until": "2026-04-01"}, "arrives_until"),
        ({"name": ""}, "name"),
    ):
        body = client.post("/arrivals/rules/new/", _rule_post(**overrides)).content.decode()
        assert "invalid-feedback" in body, field
    assert PlanRule.objects.count() == 1


def test_a_rule_is_edited_and_deleted(as_user, cast):
    rule = PlanRule.objects.get()
    client = as_user("city_command")
    page = client.get(f"/arrivals/rules/{rule.pk}/edit/").content.decode()
    assert "所有入境人员" in page
    response = client.post(
        f"/arrivals/rules/{rule.pk}/edit/",
        _rule_post(
            name="所有入境人员",
            sequence="100",
            origin_countries="",
            plan_code="7+3",
            category="foreign",
        ),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.category == "foreign"
    event = AuditEvent.objects.get(action="arrivals.rule.update")
    assert event.before == {"category": ""} and event.after == {"category": "foreign"}
    response = client.post(f"/arrivals/rules/{rule.pk}/delete/")
    assert response.status_code == 302 and not PlanRule.objects.exists()
    assert AuditEvent.objects.get(action="arrivals.rule.delete").before["name"] == "所有入境人员"
    assert client.get(f"/arrivals/rules/{rule.pk}/delete/").status_code == 405


def test_a_rule_on_a_date_range(cast, district):
    today = timezone.localdate()
    services.rule_create(
        actor=cast["city_command"],
        sequence=1,
        name="春节期间",
        category="returnee",
        origin_countries="",
        arrives_from=today + dt.timedelta(days=10),
        arrives_until=today + dt.timedelta(days=20),
        plan_code="none",
        active=True,
    )
    inside = _register(district, 10, on=today + dt.timedelta(days=15))
    outside = _register(district, 11, on=today + dt.timedelta(days=25))
    assert (inside.plan.code, outside.plan.code) == ("none", "7+3")
    assert Arrival.objects.count() == 2


class _FormReader(HTMLParser):
    """What a browser would submit from the page's forms (first option when none is
    selected, checked boxes only, text areas' text)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
                self.data.setdefault(self._select, self._first)
            if "selected" in a:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def test_the_page_as_served_saves_with_one_change(as_user):
    """Submit the edit form as a browser would (the empty rows included): only the
    changed name of a step differs in the new version."""
    plan = ManagementPlan.current("7+3")
    client = as_user("city_command")
    reader = _FormReader()
    reader.feed(client.get(f"/arrivals/plans/{plan.pk}/edit/").content.decode())
    data = reader.data
    data.pop("csrfmiddlewaretoken", None)
    data.pop("add_rows", None)
    assert data["steps-TOTAL_FORMS"] == str(len(plan.steps) + 2)
    data["steps-0-label"] = "落地查人（2小时内）"
    data["steps-0-within_hours"] = "2"
    data["reason"] = "缩短落地查人时限"
    response = client.post(f"/arrivals/plans/{plan.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    new = ManagementPlan.current("7+3")
    assert new.version == 2
    assert new.steps[0] == {
        "kind": "landing_check",
        "day": 0,
        "within_hours": 2,
        "label": "落地查人（2小时内）",
    }
    assert new.steps[1:] == plan.steps[1:]
