"""Decisions on a trip in its approval chain (``services.mission_decide``): the workflow
follows each outcome, the final approval checks the policy again, the publicity and
the quota, and any refusal leaves everything as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tests.factories import PersonFactory, UserFactory
from tests.missions.conftest import build_mission
from tests.missions.decisions import (
    CHAIN,
    approve_until_last,
    events,
    exempt,
    fresh,
    pending,
    quota_for,
    submit,
)
from waishi.approvals.models import ApprovalStep, Delegation
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.lib.roles import Role
from waishi.missions.application import services
from waishi.missions.models import Member, State
from waishi.plans.models import Quota, QuotaLedger
from waishi.plans.services import QuotaExceeded

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(mission, clerk):
    m = submit(clerk, mission)
    quota_for(m)
    return m


def _quota(mission) -> Quota:
    return Quota.objects.get(
        unit=mission.unit, plan__year=mission.departure_date.year, category="general"
    )


def test_the_whole_chain_approves_consumes_the_quota_and_is_audited(submitted, cast):
    m = submitted
    exempt(cast, m)
    outcomes = []
    states = []
    for role in CHAIN:
        assert pending(m).approver_role == role
        outcomes.append(
            services.mission_decide(actor=cast[role], mission=m, decision="approve", comment="同意")
        )
        states.append(fresh(m).state)
    assert outcomes == ["next", "next", "next", "approved"]
    assert states == ["in_review", "in_review", "in_review", "approved"]
    m = fresh(m)
    assert m.approved_at is not None and pending(m) is None
    quota = _quota(m)
    assert (quota.batches_used, quota.person_trips_used) == (1, 2)
    ledger = QuotaLedger.objects.get(reference=f"missions.mission:{m.pk}")
    assert ledger.person_trips == 2 and ledger.actor == cast["committee"]
    trail = events(m)
    assert trail.count("approval.step.approve") == 4
    assert trail[-1] == "missions.mission.approve"
    assert "missions.mission.review" in trail and "missions.mission.exempt" in trail
    assert AuditEvent.objects.filter(action="plans.quota.consume").count() == 1
    assert verify_chain() is None


def test_nobody_approves_a_trip_they_travel_on(clerk, cast, home_unit):
    leader = cast["unit_leader"]
    person = PersonFactory(unit=home_unit, name="王局长")
    leader.person = person
    leader.save(update_fields=["person"])
    m = submit(clerk, build_mission(clerk, [person, PersonFactory(unit=home_unit)]))
    with pytest.raises(PermissionDenied):
        services.mission_decide(actor=leader, mission=m, decision="approve")
    assert fresh(m).state == State.SUBMITTED and pending(m).approver_role == "unit_leader"


def test_a_delegate_acts_on_behalf_of_the_fao_head(submitted, cast, as_user):
    from django.urls import reverse

    m = submitted
    deputy = UserFactory(role=Role.FAO_REVIEWER, full_name="副主任甲", otp=True)
    Delegation.objects.create(
        delegator=cast["fao_head"],
        delegate=deputy,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=5),
        reason="出差",
        created_by=cast["fao_head"],
    )
    for role in ("unit_leader", "fao_reviewer"):
        services.mission_decide(actor=cast[role], mission=m, decision="approve")
    assert services.mission_decide(actor=deputy, mission=m, decision="approve") == "next"
    step = ApprovalStep.objects.get(subject_id=m.pk, approver_role="fao_head")
    assert step.decided_by == deputy and step.on_behalf_of == cast["fao_head"]
    page = as_user("fao_reviewer").get(reverse("missions:detail", kwargs={"mission_pk": m.pk}))
    html = page.content.decode()
    assert "副主任甲" in html and 'data-testid="on-behalf"' in html


def test_a_return_keeps_the_comments_per_field_for_the_clerk(submitted, cast):
    m = submitted
    outcome = services.mission_decide(
        actor=cast["unit_leader"],
        mission=m,
        decision="return",
        comment="请修改后再报",
        field_comments={"budget": "住宿费超标准", "title": "标题不规范"},
    )
    assert outcome == "returned"
    m = fresh(m)
    assert m.state == State.RETURNED and m.is_editable
    from waishi.missions.core.selectors import return_notes

    notes = return_notes(m, "budget")
    assert notes["comment"] == "请修改后再报"
    assert [f["text"] for f in notes["fields"]] == ["住宿费超标准"]
    assert [f["field"] for f in return_notes(m, "basics")["fields"]] == ["title"]
    assert {f["field"] for f in return_notes(m, "review")["fields"]} == {"budget", "title"}
    event = AuditEvent.objects.filter(action="missions.mission.return").get()
    assert event.data["field_comments"]["budget"] == "住宿费超标准"


def test_return_and_reject_need_a_comment_and_fields_must_be_known(submitted, cast):
    for decision in ("return", "reject"):
        with pytest.raises(ValidationError) as exc:
            services.mission_decide(actor=cast["unit_leader"], mission=submitted, decision=decision)
        assert "comment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.mission_decide(
            actor=cast["unit_leader"],
            mission=submitted,
            decision="return",
            comment="改",
            field_comments={"secret_field": "x"},
        )
    assert "field_comments" in exc.value.message_dict
    assert fresh(submitted).state == State.SUBMITTED


def test_a_rejected_trip_is_final(submitted, cast, clerk):
    services.mission_decide(actor=cast["unit_leader"], mission=submitted, decision="approve")
    outcome = services.mission_decide(
        actor=cast["fao_reviewer"], mission=submitted, decision="reject", comment="不符合规定"
    )
    assert outcome == "rejected"
    m = fresh(submitted)
    assert m.state == State.REJECTED and pending(m) is None
    assert not ApprovalStep.objects.filter(subject_id=m.pk, state__in=["waiting", "pending"])
    assert events(m)[-1] == "missions.mission.reject"
    with pytest.raises(ValidationError):
        services.mission_submit(actor=clerk, mission=m)
    with pytest.raises(ValidationError):
        services.mission_decide(actor=cast["fao_head"], mission=m, decision="approve")


def _break_group_size(mission) -> None:
    """The data changed after submission (or the policy did): 8 members, GROUP_SIZE."""
    for i in range(6):
        Member.objects.create(
            mission=mission, person=PersonFactory(unit=mission.unit), task="随团", order=10 + i
        )


def test_a_policy_error_blocks_approval_at_any_step(submitted, cast):
    m = submitted
    _break_group_size(m)
    before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.mission_decide(actor=cast["unit_leader"], mission=m, decision="approve")
    # The rule by its title, in the reader's language, never by its code.
    title = "At most this many members in a delegation"
    assert any(title in message and "GROUP_SIZE" not in message for message in exc.value.messages)
    assert fresh(m).state == State.SUBMITTED and pending(m).approver_role == "unit_leader"
    assert AuditEvent.objects.count() == before
    # Returning it is still possible.
    assert (
        services.mission_decide(
            actor=cast["unit_leader"], mission=m, decision="return", comment="人数超标"
        )
        == "returned"
    )


def test_a_policy_error_blocks_bulk_approval_in_the_queue(submitted, cast, as_user):
    from django.urls import reverse

    m = submitted
    _break_group_size(m)
    step = pending(m)
    response = as_user("unit_leader").post(
        reverse("approvals:bulk"), {"steps": [step.pk], "confirm": "yes"}
    )
    assert response.status_code == 200
    assert response.context["approved"] == 0
    text = response.context["results"][0].text
    assert "（团组人数上限）" in text and "GROUP_SIZE" not in text  # the rule by its title
    assert fresh(m).state == State.SUBMITTED and pending(m).pk == step.pk


def test_bulk_approval_goes_through_the_decision_service(submitted, cast, as_user):
    from django.urls import reverse

    step = pending(submitted)
    response = as_user("unit_leader").post(
        reverse("approvals:bulk"), {"steps": [step.pk], "confirm": "yes", "comment": "同意"}
    )
    assert response.context["approved"] == 1
    assert fresh(submitted).state == State.IN_REVIEW
    assert "missions.mission.review" in events(submitted)


def _principle_trip(clerk, home_unit):
    leaders = [PersonFactory(unit=home_unit, is_unit_leadership=True) for _ in range(2)]
    m = build_mission(clerk, leaders)
    m = submit(clerk, m, SAME_UNIT_LEADERS="分别负责不同议题")
    quota_for(m)
    return m


def test_a_principle_error_needs_an_override_by_the_committee_at_the_final_step(
    clerk, home_unit, cast
):
    m = _principle_trip(clerk, home_unit)
    exempt(cast, m)
    approve_until_last(cast, m)  # intermediate steps go on: the clerk justified it
    assert pending(m).approver_role == "committee"
    with pytest.raises(ValidationError) as exc:
        services.mission_decide(actor=cast["committee"], mission=m, decision="approve")
    assert "override_reason" in exc.value.message_dict
    assert fresh(m).state == State.IN_REVIEW and pending(m).approver_role == "committee"
    outcome = services.mission_decide(
        actor=cast["committee"],
        mission=m,
        decision="approve",
        override_reason="两位领导分工明确，确有必要",
    )
    assert outcome == "approved"
    m = fresh(m)
    assert m.override_rules == ["SAME_UNIT_LEADERS"]
    assert m.override_reason == "两位领导分工明确，确有必要"
    assert m.overridden_by == cast["committee"]
    event = AuditEvent.objects.get(action="missions.mission.override")
    assert event.after["override_reason"] == "两位领导分工明确，确有必要"
    approve = AuditEvent.objects.filter(action="missions.mission.approve").get()
    assert approve.data["override_rules"] == ["SAME_UNIT_LEADERS"]


def test_an_fao_reviewer_cannot_override_a_principle_rule(clerk, home_unit, cast):
    m = _principle_trip(clerk, home_unit)
    services.mission_decide(actor=cast["unit_leader"], mission=m, decision="approve")
    services.mission_decide(
        actor=cast["fao_reviewer"], mission=m, decision="approve", override_reason="我同意"
    )
    assert fresh(m).override_reason == ""
    # The FAO head's override at its (intermediate) step is recorded and covers the end.
    services.mission_decide(
        actor=cast["fao_head"], mission=m, decision="approve", override_reason="确有必要"
    )
    exempt(cast, m)
    assert services.mission_decide(actor=cast["committee"], mission=m, decision="approve") == (
        "approved"
    )
    assert fresh(m).overridden_by == cast["fao_head"]


def test_final_approval_waits_for_the_publicity(submitted, cast):
    m = submitted
    approve_until_last(cast, m)
    with pytest.raises(ValidationError) as exc:
        services.mission_decide(actor=cast["committee"], mission=m, decision="approve")
    assert exc.value.code == "publicity"
    assert fresh(m).state == State.IN_REVIEW and pending(m).approver_role == "committee"
    assert not QuotaLedger.objects.exists()
    services.publicity_publish(actor=cast["unit_clerk"], mission=m)
    with pytest.raises(ValidationError):  # published today: the period has not run
        services.mission_decide(actor=cast["committee"], mission=m, decision="approve")
    exempt(cast, m)
    assert services.mission_decide(actor=cast["committee"], mission=m, decision="approve") == (
        "approved"
    )


def test_no_quota_left_refuses_the_final_approval_and_changes_nothing(mission, clerk, cast):
    m = submit(clerk, mission)
    quota_for(m, general=(1, 1))  # one person-trip left, the trip needs two
    exempt(cast, m)
    approve_until_last(cast, m)
    before = AuditEvent.objects.count()
    with pytest.raises(QuotaExceeded):
        services.mission_decide(actor=cast["committee"], mission=m, decision="approve")
    m = fresh(m)
    assert m.state == State.IN_REVIEW and m.approved_at is None
    assert pending(m).approver_role == "committee"
    assert AuditEvent.objects.count() == before
    assert not QuotaLedger.objects.exists()


def _approved(submitted, cast):
    exempt(cast, submitted)
    for role in CHAIN:
        services.mission_decide(actor=cast[role], mission=submitted, decision="approve")
    return fresh(submitted)


def test_cancelling_an_approved_trip_releases_its_quota(submitted, cast):
    m = _approved(submitted, cast)
    assert _quota(m).person_trips_used == 2
    with pytest.raises(ValidationError) as exc:
        services.mission_cancel(actor=cast["fao_head"], mission=m, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.mission_cancel(actor=cast["unit_clerk"], mission=m, reason="不去了")
    m = services.mission_cancel(actor=cast["unit_leader"], mission=m, reason="会议取消")
    assert m.state == State.CANCELLED and m.cancel_reason == "会议取消"
    quota = _quota(m)
    assert (quota.batches_used, quota.person_trips_used) == (0, 0)
    kinds = list(QuotaLedger.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["consume", "release"]
    assert events(m)[-1] == "missions.mission.cancel"
    assert AuditEvent.objects.filter(action="plans.quota.release").count() == 1


def test_after_departure_only_the_fao_head_cancels(submitted, cast):
    from waishi.missions.models import Mission

    m = _approved(submitted, cast)
    Mission.objects.filter(pk=m.pk).update(departure_date=timezone.localdate())
    m = fresh(m)
    with pytest.raises(ValidationError):
        services.mission_cancel(actor=cast["unit_leader"], mission=m, reason="临时有事")
    assert fresh(m).state == State.APPROVED
    assert services.mission_cancel(actor=cast["fao_head"], mission=m, reason="上级通知").state == (
        State.CANCELLED
    )


def test_the_approvals_subject_decides_through_the_same_service(submitted, cast):
    from waishi.approvals import subjects

    subject = subjects.get("missions.mission")
    outcome = subject.decide(
        actor=cast["unit_leader"], subject_id=submitted.pk, decision="approve", comment="同意"
    )
    assert outcome == "next" and fresh(submitted).state == State.IN_REVIEW
