"""The decision template (``deciding.subject_decide``) with a subject that gives only its
hooks, and the approval step's transition table on the workflow engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.approvals.conftest import TYPE
from waishi.approvals import deciding, selectors
from waishi.approvals.models import StepState
from waishi.approvals.workflow import STEP
from waishi.audit.models import AuditEvent
from waishi.orgs.models import Person

PRINCIPLE = [{"rule": "SAME_UNIT_LEADERS", "message": "两名负责人同行", "severity": "error"}]


@dataclass
class Hooks:
    """A person stands in for the subject (as in ``conftest.FakeSubject``)."""

    subject_type: str = TYPE
    comment_fields: tuple[str, ...] | None = ("name",)
    principle: list[dict] = field(default_factory=list)
    kept: dict[int, list[str]] = field(default_factory=dict)
    moved: list[tuple[int, str, object]] = field(default_factory=list)
    refuse: str = ""

    def lock(self, subject_id):
        person = Person.objects.select_for_update().filter(pk=subject_id).first()
        if person is None:
            raise ValidationError("Not found.")
        return person

    def excluded_user_ids(self, person):
        return set()

    def check(self, person, decision):
        if self.refuse:
            raise ValidationError(self.refuse, code="policy")
        return list(self.principle)

    def overridden(self, person, rules):
        return set(self.kept.get(person.pk, [])) >= set(rules)

    def keep_override(self, person, override, decided):
        self.kept[person.pk] = override.rules

    def transition(self, person, decided):
        self.moved.append((person.pk, decided.outcome, decided.on_behalf_of))


def _decide(hooks, actor, person, **kwargs):
    kwargs.setdefault("decision", "approve")
    return deciding.subject_decide(hooks, actor=actor, subject_id=person.pk, **kwargs)


def test_the_template_decides_the_step_and_moves_the_subject(cast, subject, applicant):
    hooks = Hooks()
    subject.start(cast["unit_clerk"], applicant)
    assert _decide(hooks, cast["unit_leader"], applicant) == "next"
    assert _decide(hooks, cast["fao_reviewer"], applicant) == "next"
    assert _decide(hooks, cast["fao_head"], applicant) == "approved"
    assert [outcome for _pk, outcome, _behalf in hooks.moved] == ["next", "next", "approved"]
    events = AuditEvent.objects.filter(action="approval.step.approve")
    assert events.count() == 3


def test_who_may_not_decide_is_refused_before_the_subjects_checks(cast, subject, applicant):
    hooks = Hooks(refuse="规则不符")
    subject.start(cast["unit_clerk"], applicant)
    with pytest.raises(PermissionDenied):
        _decide(hooks, cast["fao_reviewer"], applicant)
    with pytest.raises(ValidationError):
        _decide(hooks, cast["unit_leader"], applicant)
    assert selectors.current_step(TYPE, applicant.pk).sequence == 1
    assert hooks.moved == []


def test_the_final_approval_needs_an_override_by_the_head(cast, subject, applicant):
    hooks = Hooks(principle=PRINCIPLE)
    subject.start(cast["unit_clerk"], applicant)
    _decide(hooks, cast["unit_leader"], applicant)
    _decide(hooks, cast["fao_reviewer"], applicant)
    with pytest.raises(ValidationError) as refused:
        _decide(hooks, cast["fao_head"], applicant)
    assert "override_reason" in refused.value.message_dict
    assert selectors.current_step(TYPE, applicant.pk).approver_role == "fao_head"
    assert _decide(hooks, cast["fao_head"], applicant, override_reason="工作需要") == "approved"
    assert hooks.kept[applicant.pk] == ["SAME_UNIT_LEADERS"]


def test_comments_per_field_are_checked_against_the_subjects_fields(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    with pytest.raises(ValidationError):
        _decide(
            Hooks(),
            cast["unit_leader"],
            applicant,
            decision="return",
            comment="改",
            field_comments={"budget": "x"},
        )
    _decide(
        Hooks(comment_fields=None),
        cast["unit_leader"],
        applicant,
        decision="return",
        comment="改",
        field_comments={"budget": "x"},
    )
    step = selectors.steps_for(TYPE, applicant.pk).get(sequence=1)
    assert step.state == StepState.RETURNED and step.field_comments == {}


def test_the_step_table_is_on_the_engine():
    table = {(t.source, t.action): t.target for t in STEP.edges()}
    assert table == {
        ("waiting", "start"): "pending",
        ("pending", "approve"): "approved",
        ("pending", "return"): "returned",
        ("pending", "reject"): "rejected",
        ("waiting", "cancel"): "cancelled",
        ("pending", "cancel"): "cancelled",
    }


def test_the_docs_show_the_step_table_in_the_code():
    docs = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
    assert STEP.mermaid() in docs.read_text(encoding="utf-8")
