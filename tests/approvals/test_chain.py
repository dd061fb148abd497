"""Chains built from the rules: which steps, in which order, due when."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.approvals.conftest import BUREAU, IN_PLAN_SECTION, TYPE
from waishi.approvals import selectors, services
from waishi.approvals.models import ApprovalRule, ApprovalStep
from waishi.audit.models import AuditEvent
from waishi.lib.workdays import add_working_days

SHANGHAI = ZoneInfo("Asia/Shanghai")
MISSION = "missions.mission"


def _roles(steps):
    return [s.approver_role for s in steps]


@pytest.mark.parametrize(
    ("facts", "roles"),
    [
        (IN_PLAN_SECTION, ["unit_leader", "fao_reviewer", "fao_head"]),
        (BUREAU, ["unit_leader", "fao_reviewer", "fao_head", "committee"]),
        (
            {**IN_PLAN_SECTION, "highest_rank": "provincial_ministerial"},
            ["unit_leader", "fao_reviewer", "fao_head", "committee"],
        ),
        (
            {**IN_PLAN_SECTION, "highest_rank": "county_division"},
            ["unit_leader", "fao_reviewer", "fao_head"],
        ),
        (
            {**IN_PLAN_SECTION, "out_of_plan": True},
            ["unit_leader", "fao_reviewer", "fao_head", "committee"],
        ),
        (
            {**IN_PLAN_SECTION, "policy_flags": ["FREQUENCY"]},
            ["unit_leader", "fao_reviewer", "fao_head", "committee"],
        ),
        # Every committee condition at once: the committee still appears once.
        (
            {**BUREAU, "out_of_plan": True, "policy_flags": ["FREQUENCY"]},
            ["unit_leader", "fao_reviewer", "fao_head", "committee"],
        ),
    ],
)
def test_default_chain_for_trips(cast, home_unit, facts, roles):
    """The seeded rules (data migration) for trip applications."""
    assert selectors.chain_preview(MISSION, facts) == [
        {
            "role": r.approver_role,
            "label": r.get_approver_role_display(),
            "rule": r.name,
            "due_working_days": 3,
        }
        for r in selectors.chain_rules(MISSION, facts)
    ]
    assert [p["role"] for p in selectors.chain_preview(MISSION, facts)] == roles
    steps = services.chain_start(
        actor=cast["unit_clerk"], subject_type=MISSION, subject_id=1, unit=home_unit, facts=facts
    )
    assert _roles(steps) == roles
    assert [s.sequence for s in steps] == list(range(1, len(roles) + 1))
    assert {s.round for s in steps} == {1}
    assert [s.state for s in steps] == ["pending"] + ["waiting"] * (len(roles) - 1)
    assert steps[0].started_at is not None and steps[0].due_on is not None
    assert all(s.started_at is None and s.due_on is None for s in steps[1:])
    assert all(s.unit_id == home_unit.pk for s in steps)
    assert selectors.current_step(MISSION, 1) == steps[0]
    event = AuditEvent.objects.filter(action="approval.chain.start").latest("seq")
    assert event.actor_id == cast["unit_clerk"].pk
    assert (event.object_type, event.object_id) == (MISSION, "1")
    assert event.data["roles"] == roles


def test_order_follows_sequence_not_creation(cast, subject, applicant, test_rules):
    test_rules[0].sequence = 9  # the unit leader last
    test_rules[0].save()
    steps = subject.start(cast["unit_clerk"], applicant)
    assert _roles(steps) == ["fao_reviewer", "fao_head", "unit_leader"]


def test_inactive_rules_and_other_subject_types_do_not_count(cast, subject, applicant, test_rules):
    ApprovalRule.objects.filter(pk=test_rules[1].pk).update(active=False)
    assert _roles(subject.start(cast["unit_clerk"], applicant)) == ["unit_leader", "fao_head"]


def test_due_dates_in_working_days(cast, subject, applicant):
    # 3 working days from Wednesday 30 Sep 2026: the National Day week is off, the
    # Saturday after it is worked.
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        steps = subject.start(cast["unit_clerk"], applicant)
    assert steps[0].due_on == dt.date(2026, 10, 10)
    # The next step's clock starts when it becomes pending.
    at = dt.datetime(2026, 10, 12, 8, 30, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        assert subject.step(actor=cast["unit_leader"], person=applicant) == "next"
    second = ApprovalStep.objects.get(pk=steps[1].pk)
    assert second.state == "pending"
    assert second.started_at == at
    assert second.due_on == add_working_days(dt.date(2026, 10, 12), 3) == dt.date(2026, 10, 15)


def test_the_day_is_shanghai_not_utc(cast, subject, applicant):
    # 23:30 UTC on 29 Sep is already 30 Sep in Shanghai.
    with time_machine.travel(dt.datetime(2026, 9, 29, 23, 30, tzinfo=dt.UTC), tick=False):
        steps = subject.start(cast["unit_clerk"], applicant)
    assert steps[0].due_on == dt.date(2026, 10, 10)


def test_no_rule_applies(cast, subject, applicant):
    ApprovalRule.objects.filter(applies_to=TYPE).update(active=False)
    with pytest.raises(ValidationError):
        subject.start(cast["unit_clerk"], applicant)
    assert not ApprovalStep.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "auditor", "committee", "sys_admin"])
def test_who_may_start_a_chain(cast, subject, applicant, who):
    with pytest.raises(PermissionDenied):
        subject.start(cast[who], applicant)
    assert not ApprovalStep.objects.exists()


def test_the_fao_may_start_a_chain_for_any_unit(cast, subject, foreign_applicant):
    steps = subject.start(cast["fao_reviewer"], foreign_applicant)
    assert steps[0].unit_id == foreign_applicant.unit_id


def test_one_pending_step_per_subject_in_the_database(cast, subject, applicant):
    steps = subject.start(cast["unit_clerk"], applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalStep.objects.filter(pk=steps[1].pk).update(state="pending")


def test_rule_edits_leave_chains_in_flight_alone(cast, subject, applicant, home_person, test_rules):
    reviewer_rule, head_rule = test_rules[1], test_rules[2]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        before = subject.start(cast["unit_clerk"], applicant)
        services.rule_update(actor=cast["fao_head"], rule=reviewer_rule, due_working_days=10)
        services.rule_update(
            actor=cast["fao_head"], rule=head_rule, approver_role="committee", name="改为市委"
        )
        services.rule_deactivate(actor=cast["fao_head"], rule=test_rules[0])
        # The steps given before the change are as they were ...
        steps = list(selectors.steps_for(TYPE, applicant.pk))
        assert _roles(steps) == ["unit_leader", "fao_reviewer", "fao_head"]
        assert steps[1].rule_snapshot["due_working_days"] == 3
        assert steps[2].rule_snapshot["name"] == "外办主任"
        assert [s.pk for s in steps] == [s.pk for s in before]
        # ... and keep their terms when they come up.
        assert subject.step(actor=cast["unit_leader"], person=applicant) == "next"
        assert ApprovalStep.objects.get(pk=steps[1].pk).due_on == dt.date(2026, 11, 5)
        # A chain started now gets the rules as they are.
        after = subject.start(cast["unit_clerk"], home_person)
    assert _roles(after) == ["fao_reviewer", "committee"]
    assert after[0].rule_snapshot["due_working_days"] == 10
    assert after[0].due_on == dt.date(2026, 11, 16)


def test_rule_changes_are_audited_with_before_and_after(cast, test_rules):
    rule = test_rules[1]
    services.rule_update(
        actor=cast["fao_head"], rule=rule, conditions={"categories": ["econ_tech"]}
    )
    event = AuditEvent.objects.filter(action="approval.rule.update").latest("seq")
    assert event.actor_id == cast["fao_head"].pk
    assert event.object_id == str(rule.pk)
    assert event.before == {"conditions": {"always": True}}
    assert event.after == {"conditions": {"categories": ["econ_tech"]}}


def test_only_the_fao_head_changes_rules(cast, test_rules):
    for who in ("fao_reviewer", "unit_leader", "committee", "auditor"):
        with pytest.raises(PermissionDenied):
            services.rule_update(actor=cast[who], rule=test_rules[0], name="x")
        with pytest.raises(PermissionDenied):
            services.rule_create(
                actor=cast[who],
                applies_to=TYPE,
                name="x",
                sequence=1,
                conditions={"always": True},
                approver_role="fao_head",
            )


def test_rule_validation(cast):
    with pytest.raises(ValidationError) as exc:
        services.rule_create(
            actor=cast["fao_head"],
            applies_to=TYPE,
            name="坏规则",
            sequence=1,
            conditions={"min_rank": "general"},
            approver_role="unit_leader",
            approver_scope="city",
        )
    assert set(exc.value.message_dict) == {"conditions", "approver_scope"}
    rule = services.rule_create(
        actor=cast["fao_head"],
        applies_to=TYPE,
        name="德国行程外办主任审批",
        sequence=3,
        conditions={"countries_any": ["de"]},
        approver_role="fao_head",
    )
    assert rule.approver_scope == "city"
    assert rule.conditions == {"countries_any": ["DE"]}
    assert rule.created_by == cast["fao_head"]
    assert AuditEvent.objects.filter(action="approval.rule.create", object_id=str(rule.pk)).exists()


def test_step_durations(cast, subject, applicant, home_person):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    for person, hours in ((applicant, 2), (home_person, 6)):
        with time_machine.travel(start, tick=False):
            subject.start(cast["unit_clerk"], person)
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            subject.step(actor=cast["unit_leader"], person=person)
    with time_machine.travel(start + dt.timedelta(hours=7), tick=False):
        subject.step(actor=cast["fao_reviewer"], person=applicant)
    stats = selectors.step_durations(TYPE)
    assert stats["unit_leader"] == {"count": 2, "median": dt.timedelta(hours=4)}
    assert stats["fao_reviewer"] == {"count": 1, "median": dt.timedelta(hours=5)}
    assert "fao_head" not in stats
    assert selectors.step_durations(TYPE, since=start + dt.timedelta(hours=5)).keys() == {
        "unit_leader",
        "fao_reviewer",
    }
