"""Delegation: acted by / on behalf of; in force only between its dates, until revoked;
never a way around the rule against approving one's own record."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.approvals.conftest import TYPE
from tests.factories import UserFactory
from waishi.approvals import selectors, services
from waishi.approvals.models import ApprovalStep
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday


def _delegate(actor, delegator, delegate, *, start=dt.date(2026, 11, 2), days=5, **kw):
    return services.delegation_create(
        actor=actor,
        delegator=delegator,
        delegate=delegate,
        starts_on=start,
        ends_on=start + dt.timedelta(days=days - 1),
        reason="出差",
        **kw,
    )


def _to_head_step(cast, subject, person):
    subject.start(cast["unit_clerk"], person)
    subject.step(actor=cast["unit_leader"], person=person)
    subject.step(actor=cast["fao_reviewer"], person=person)
    assert selectors.current_step(TYPE, person.pk).approver_role == "fao_head"


@time_machine.travel(NOV, tick=False)
def test_acted_by_and_on_behalf_of(cast, subject, applicant):
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    _to_head_step(cast, subject, applicant)
    _delegate(head, head, reviewer)
    assert subject.step(actor=reviewer, person=applicant) == "approved"
    step = ApprovalStep.objects.get(approver_role="fao_head")
    assert (step.decided_by, step.on_behalf_of) == (reviewer, head)
    event = AuditEvent.objects.filter(action="approval.step.approve").latest("seq")
    assert (event.actor_id, event.on_behalf_of_id) == (reviewer.pk, head.pk)
    assert event.on_behalf_of_name.startswith(head.username)


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 11, 7, 9, 0, tzinfo=SHANGHAI),  # the day after the last day
        dt.datetime(2026, 11, 1, 23, 0, tzinfo=SHANGHAI),  # the evening before the first
    ],
)
def test_a_delegation_outside_its_dates_gives_nothing(cast, subject, applicant, when):
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    with time_machine.travel(NOV, tick=False):
        _to_head_step(cast, subject, applicant)
        _delegate(head, head, reviewer)
    with time_machine.travel(when, tick=False), pytest.raises(PermissionDenied):
        subject.step(actor=reviewer, person=applicant)


@time_machine.travel(NOV, tick=False)
def test_a_revoked_delegation_gives_nothing(cast, subject, applicant):
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    _to_head_step(cast, subject, applicant)
    delegation = _delegate(head, head, reviewer)
    with pytest.raises(PermissionDenied):
        services.delegation_revoke(actor=reviewer, delegation=delegation)  # not theirs
    services.delegation_revoke(actor=head, delegation=delegation)
    with pytest.raises(PermissionDenied):
        subject.step(actor=reviewer, person=applicant)
    with pytest.raises(ValidationError):
        services.delegation_revoke(actor=head, delegation=delegation)
    assert AuditEvent.objects.filter(action="approval.delegation.revoke").count() == 1


@time_machine.travel(NOV, tick=False)
def test_a_delegation_for_another_kind_of_record_gives_nothing(cast, subject, applicant):
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    _to_head_step(cast, subject, applicant)
    _delegate(head, head, reviewer, applies_to="missions.mission")
    with pytest.raises(PermissionDenied):
        subject.step(actor=reviewer, person=applicant)


@time_machine.travel(NOV, tick=False)
def test_no_self_approval_through_delegation(cast, subject, applicant):
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    _to_head_step(cast, subject, applicant)
    _delegate(head, head, reviewer)
    # The delegator travels on it: the delegation does not help.
    subject.excluded[applicant.pk] = {head.pk}
    with pytest.raises(PermissionDenied):
        subject.step(actor=reviewer, person=applicant)
    # The delegate drafted it: refused too.
    subject.excluded[applicant.pk] = {reviewer.pk}
    with pytest.raises(PermissionDenied):
        subject.step(actor=reviewer, person=applicant)
    # Neither: the delegate may.
    subject.excluded[applicant.pk] = set()
    assert subject.step(actor=reviewer, person=applicant) == "approved"


@time_machine.travel(NOV, tick=False)
def test_who_may_be_a_delegate(cast, home_unit, foreign_unit):
    leader, head = cast["unit_leader"], cast["fao_head"]
    deputy = UserFactory(role=Role.UNIT_LEADER, unit=home_unit)
    other_unit_leader = UserFactory(role=Role.UNIT_LEADER, unit=foreign_unit)
    for delegate in (leader, cast["unit_clerk"], other_unit_leader, cast["fao_reviewer"]):
        with pytest.raises(ValidationError) as exc:
            _delegate(leader, leader, delegate)
        assert "delegate" in exc.value.message_dict
    assert _delegate(leader, leader, deputy).delegate == deputy
    # City approvers delegate among themselves, not to a unit leader.
    with pytest.raises(ValidationError):
        _delegate(head, head, leader)
    assert _delegate(head, head, cast["committee"]).delegate == cast["committee"]


@time_machine.travel(NOV, tick=False)
def test_who_may_create_a_delegation(cast):
    head, reviewer, committee = cast["fao_head"], cast["fao_reviewer"], cast["committee"]
    with pytest.raises(PermissionDenied):
        _delegate(reviewer, committee, head)  # someone else's authority
    with pytest.raises(PermissionDenied):
        _delegate(cast["unit_clerk"], cast["unit_clerk"], cast["unit_leader"])
    delegation = _delegate(head, committee, reviewer)  # the FAO head: for anyone
    assert (delegation.delegator, delegation.created_by) == (committee, head)
    event = AuditEvent.objects.get(action="approval.delegation.create")
    assert event.after["delegator"] == committee.pk and event.after["delegate"] == reviewer.pk


@time_machine.travel(NOV, tick=False)
def test_no_overlapping_delegations(cast):
    head, reviewer, committee = cast["fao_head"], cast["fao_reviewer"], cast["committee"]
    _delegate(head, head, reviewer, days=5)
    with pytest.raises(ValidationError) as exc:
        _delegate(head, head, committee, start=dt.date(2026, 11, 6))
    assert "starts_on" in exc.value.message_dict
    _delegate(head, head, committee, start=dt.date(2026, 11, 7))  # the day after: fine


@time_machine.travel(NOV, tick=False)
def test_delegation_dates_and_reason(cast):
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(
            actor=head,
            delegator=head,
            delegate=reviewer,
            starts_on=dt.date(2026, 11, 5),
            ends_on=dt.date(2026, 11, 4),
            reason=" ",
            applies_to="nothing.here",
        )
    assert set(exc.value.message_dict) == {"ends_on", "reason", "applies_to"}
    with pytest.raises(ValidationError) as exc:
        _delegate(head, head, reviewer, start=dt.date(2026, 10, 1), days=3)
    assert "ends_on" in exc.value.message_dict
