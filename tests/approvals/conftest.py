"""A small subject for the approval tests: people (orgs.Person rows) standing in for the
records that go through chains, registered as "approvals.test" like the missions app
registers its applications."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from tests.factories import PersonFactory
from waishi.approvals import services, subjects
from waishi.approvals.models import ApprovalRule
from waishi.orgs.models import Person

TYPE = "approvals.test"

IN_PLAN_SECTION = {
    "category": "general",
    "highest_rank": "section_below",
    "out_of_plan": False,
    "countries": ["DE"],
    "budget_total": "48000.00",
    "policy_flags": [],
}
BUREAU = {**IN_PLAN_SECTION, "highest_rank": "bureau"}


@dataclass
class FakeSubject:
    excluded: dict[int, set[int]] = field(default_factory=dict)
    decided: list[tuple[int, str]] = field(default_factory=list)

    def titles(self, ids):
        return {p.pk: f"出访申请 {p.name}" for p in Person.objects.filter(pk__in=list(ids))}

    def url(self, pk: int) -> str:
        return f"/orgs/people/{pk}/"

    def excluded_for(self, user) -> set[int]:
        return {pk for pk, users in self.excluded.items() if user.pk in users}

    def decide(self, *, actor, subject_id, decision, comment="", ip=""):
        with transaction.atomic():
            Person.objects.select_for_update().get(pk=subject_id)  # the subject's lock
            outcome = services.step_decide(
                actor=actor,
                subject_type=TYPE,
                subject_id=subject_id,
                decision=decision,
                comment=comment,
                excluded_user_ids=self.excluded.get(subject_id, set()),
                ip=ip,
            ).outcome
            self.decided.append((subject_id, outcome))
        return outcome

    def start(self, actor, person, facts=IN_PLAN_SECTION):
        return services.chain_start(
            actor=actor, subject_type=TYPE, subject_id=person.pk, unit=person.unit, facts=facts
        )

    def step(self, *, actor, person, decision="approve", comment="", field_comments=None):
        return services.step_decide(
            actor=actor,
            subject_type=TYPE,
            subject_id=person.pk,
            decision=decision,
            comment=comment,
            field_comments=field_comments,
            excluded_user_ids=self.excluded.get(person.pk, set()),
        ).outcome


@pytest.fixture
def test_rules(db):
    """The default chain, for the test subject type."""
    rows = [
        ("单位负责人", 1, {"always": True}, "unit_leader", "subject_unit"),
        ("外办审核", 2, {"always": True}, "fao_reviewer", "city"),
        ("外办主任", 3, {"always": True}, "fao_head", "city"),
        ("市委（厅局级）", 4, {"min_rank": "bureau"}, "committee", "city"),
        ("市委（计划外）", 4, {"out_of_plan": True}, "committee", "city"),
    ]
    return [
        ApprovalRule.objects.create(
            applies_to=TYPE,
            name=name,
            sequence=seq,
            conditions=cond,
            approver_role=role,
            approver_scope=scope,
        )
        for name, seq, cond, role, scope in rows
    ]


@pytest.fixture
def subject(test_rules):
    fake = FakeSubject()
    subjects.register(
        TYPE,
        subjects.Subject(
            label="测试事项",
            title=fake.titles,
            url=fake.url,
            decide=fake.decide,
            excluded_user_ids=lambda pk: fake.excluded.get(pk, set()),
            excluded_for=fake.excluded_for,
        ),
    )
    yield fake
    subjects.unregister(TYPE)


@pytest.fixture
def applicant(home_unit):
    return PersonFactory(name="李四", unit=home_unit)


@pytest.fixture
def foreign_applicant(foreign_unit):
    return PersonFactory(name="王五", unit=foreign_unit)
