"""Deciding steps: the outcome, the record, no self-approval, rounds after a return."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.approvals.conftest import BUREAU, TYPE
from tests.factories import UserFactory
from waishi.approvals import selectors, services
from waishi.approvals.models import ApprovalStep
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role


def _states(person):
    return [(s.round, s.approver_role, s.state) for s in selectors.steps_for(TYPE, person.pk)]


def test_the_chain_approves_step_by_step(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant, BUREAU)
    outcomes = [
        subject.step(actor=cast[role], person=applicant)
        for role in ("unit_leader", "fao_reviewer", "fao_head", "committee")
    ]
    assert outcomes == ["next", "next", "next", "approved"]
    steps = list(selectors.steps_for(TYPE, applicant.pk))
    assert [s.state for s in steps] == ["approved"] * 4
    assert [s.decided_by for s in steps] == [
        cast[r] for r in ("unit_leader", "fao_reviewer", "fao_head", "committee")
    ]
    assert all(s.on_behalf_of is None and s.decided_at for s in steps)
    assert selectors.current_step(TYPE, applicant.pk) is None
    events = AuditEvent.objects.filter(action="approval.step.approve").order_by("seq")
    assert [e.actor_id for e in events] == [s.decided_by_id for s in steps]
    assert [e.data["outcome"] for e in events] == outcomes
    assert all(e.object_type == TYPE and e.object_id == str(applicant.pk) for e in events)


def test_nothing_to_decide(cast, subject, applicant):
    with pytest.raises(ValidationError):
        subject.step(actor=cast["unit_leader"], person=applicant)


@pytest.mark.parametrize("who", ["fao_reviewer", "fao_head", "committee", "unit_clerk", "auditor"])
def test_only_the_steps_role_decides(cast, subject, applicant, who):
    subject.start(cast["unit_clerk"], applicant)
    with pytest.raises(PermissionDenied):
        subject.step(actor=cast[who], person=applicant)
    assert ApprovalStep.objects.get(sequence=1).state == "pending"


def test_a_unit_leader_decides_for_their_own_unit_only(cast, subject, foreign_applicant):
    subject.start(cast["fao_reviewer"], foreign_applicant)
    with pytest.raises(PermissionDenied):
        subject.step(actor=cast["unit_leader"], person=foreign_applicant)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=foreign_applicant.unit)
    assert subject.step(actor=leader, person=foreign_applicant) == "next"


def test_no_self_approval_for_the_drafter_or_a_member(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    member = UserFactory(role=Role.UNIT_LEADER, unit=applicant.unit)
    # The unit leader drafted it, the other leader travels on it.
    subject.excluded[applicant.pk] = {cast["unit_leader"].pk, member.pk}
    for user in (cast["unit_leader"], member):
        with pytest.raises(PermissionDenied) as exc:
            subject.step(actor=user, person=applicant)
        assert "drafted" in str(exc.value) or "起草" in str(exc.value)
    ok, behalf, reason = selectors.can_decide(
        member, selectors.current_step(TYPE, applicant.pk), excluded_user_ids={member.pk}
    )
    assert (ok, behalf) == (False, None) and reason
    assert not AuditEvent.objects.filter(action__startswith="approval.step.").exists()


def test_return_needs_a_comment_and_keeps_comments_per_field(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    subject.step(actor=cast["unit_leader"], person=applicant)
    with pytest.raises(ValidationError) as exc:
        subject.step(actor=cast["fao_reviewer"], person=applicant, decision="return")
    assert "comment" in exc.value.message_dict
    outcome = subject.step(
        actor=cast["fao_reviewer"],
        person=applicant,
        decision="return",
        comment="请补充邀请函",
        field_comments={"invitation": "缺少邀请函原件", "budget": " "},
    )
    assert outcome == "returned"
    assert _states(applicant) == [
        (1, "unit_leader", "approved"),
        (1, "fao_reviewer", "returned"),
        (1, "fao_head", "cancelled"),
    ]
    returned = ApprovalStep.objects.get(state="returned")
    assert returned.field_comments == {"invitation": "缺少邀请函原件"}
    assert returned.comment == "请补充邀请函"
    event = AuditEvent.objects.get(action="approval.step.return")
    assert event.data["field_comments"] == {"invitation": "缺少邀请函原件"}


def test_resubmission_after_return_starts_a_new_round(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    subject.step(actor=cast["unit_leader"], person=applicant, decision="return", comment="改")
    subject.start(cast["unit_clerk"], applicant)
    assert _states(applicant) == [
        (1, "unit_leader", "returned"),
        (1, "fao_reviewer", "cancelled"),
        (1, "fao_head", "cancelled"),
        (2, "unit_leader", "pending"),
        (2, "fao_reviewer", "waiting"),
        (2, "fao_head", "waiting"),
    ]
    assert selectors.current_step(TYPE, applicant.pk).round == 2
    assert subject.step(actor=cast["unit_leader"], person=applicant) == "next"


def test_a_new_round_cancels_open_steps_of_the_old_one(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    subject.step(actor=cast["unit_leader"], person=applicant)
    subject.start(cast["unit_clerk"], applicant, BUREAU)
    assert [s for s in _states(applicant) if s[0] == 1] == [
        (1, "unit_leader", "approved"),
        (1, "fao_reviewer", "cancelled"),
        (1, "fao_head", "cancelled"),
    ]
    assert len([s for s in _states(applicant) if s[0] == 2]) == 4
    assert (
        AuditEvent.objects.filter(action="approval.chain.start").latest("seq").data["cancelled"]
        == 2
    )


def test_reject_ends_the_chain(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    assert (
        subject.step(
            actor=cast["unit_leader"], person=applicant, decision="reject", comment="不必要"
        )
        == "rejected"
    )
    assert [s[2] for s in _states(applicant)] == ["rejected", "cancelled", "cancelled"]
    with pytest.raises(ValidationError):
        subject.step(actor=cast["fao_reviewer"], person=applicant)


def test_unknown_decision(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    with pytest.raises(ValidationError):
        subject.step(actor=cast["unit_leader"], person=applicant, decision="maybe")


def test_chain_cancel(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    subject.step(actor=cast["unit_leader"], person=applicant)
    with pytest.raises(PermissionDenied):
        services.chain_cancel(actor=cast["outsider"], subject_type=TYPE, subject_id=applicant.pk)
    assert (
        services.chain_cancel(actor=cast["unit_clerk"], subject_type=TYPE, subject_id=applicant.pk)
        == 2
    )
    assert [s[2] for s in _states(applicant)] == ["approved", "cancelled", "cancelled"]
    assert AuditEvent.objects.filter(action="approval.chain.cancel").count() == 1
    assert (
        services.chain_cancel(actor=cast["unit_clerk"], subject_type=TYPE, subject_id=applicant.pk)
        == 0
    )


def test_a_failed_subject_transition_rolls_the_decision_back(cast, subject, applicant):
    """step_decide runs in the caller's transaction: when the caller fails after it, the
    step is as it was and no audit event remains."""
    from django.db import transaction

    subject.start(cast["unit_clerk"], applicant)
    with pytest.raises(RuntimeError), transaction.atomic():
        subject.step(actor=cast["unit_leader"], person=applicant)
        raise RuntimeError("the subject's transition failed")
    assert selectors.current_step(TYPE, applicant.pk).sequence == 1
    assert not AuditEvent.objects.filter(action="approval.step.approve").exists()
