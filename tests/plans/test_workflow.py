"""The plan entry's workflow: the path through the table, refusals by role, unit and
state, the committee's approval that binds, amendments and their versions, and the audit
events every step leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.plans.conftest import YEAR, accept, entry_values
from waishi.audit.models import AuditEvent
from waishi.lib.workflow import WorkflowError
from waishi.plans import selectors, services
from waishi.plans.models import EntryState, PlanEntry, PlanState
from waishi.plans.workflow import ENTRY, PLAN

pytestmark = pytest.mark.django_db


def actions_for(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_the_whole_path_is_audited(cast, plan, draft, home_unit):
    entry = draft
    assert entry.state == EntryState.DRAFT and entry.unit == home_unit
    assert entry.created_by == cast["unit_clerk"]
    entry = services.entry_submit(actor=cast["unit_leader"], entry=entry)
    assert entry.state == EntryState.SUBMITTED
    entry = services.entry_return(actor=cast["fao_reviewer"], entry=entry, comment="请压缩团组人数")
    assert entry.state == EntryState.RETURNED
    assert entry.review_comment == "请压缩团组人数"
    entry = services.entry_update(
        actor=cast["unit_clerk"], entry=entry, size=2, ranks=["section_below", "bureau"]
    )
    assert entry.ranks == ["bureau", "section_below"]  # highest rank first
    entry = services.entry_submit(actor=cast["unit_leader"], entry=entry)
    assert entry.review_comment == ""
    entry = services.entry_accept(actor=cast["fao_head"], entry=entry)
    assert entry.state == EntryState.ACCEPTED
    plan = services.plan_consolidate(actor=cast["fao_head"], plan=plan)
    assert plan.state == PlanState.CONSOLIDATED
    plan = services.plan_approve(actor=cast["committee"], plan=plan)
    entry.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.version == 1
    assert plan.approved_by == cast["committee"] and plan.approved_at is not None
    assert entry.state == EntryState.APPROVED
    assert entry.bound_version.plan_version == 1
    assert entry.bound_version.data["size"] == 2

    assert actions_for(entry) == [
        "plans.entry.create",
        "plans.entry.submit",
        "plans.entry.return",
        "plans.entry.update",
        "plans.entry.submit",
        "plans.entry.accept",
        "plans.entry.approve",
    ]
    assert actions_for(plan) == ["plans.plan.open", "plans.plan.consolidate", "plans.plan.approve"]
    returned = AuditEvent.objects.get(action="plans.entry.return")
    assert returned.data["comment"] == "请压缩团组人数"
    assert returned.before == {"state": "submitted"} and returned.after == {"state": "returned"}
    assert returned.actor_id == cast["fao_reviewer"].pk


def test_approval_binds_only_accepted_entries(cast, plan, draft):
    accept(cast, draft)
    pending = services.entry_create(
        actor=cast["unit_clerk"], plan=plan, **entry_values(title="未提交的计划")
    )
    services.plan_consolidate(actor=cast["fao_head"], plan=plan)
    services.plan_approve(actor=cast["committee"], plan=plan)
    bound = list(selectors.binding_entries(cast["unit_clerk"].unit, YEAR))
    assert bound == [draft]
    pending.refresh_from_db()
    assert pending.state == EntryState.DRAFT and not pending.is_bound
    assert list(selectors.binding_entries(cast["unit_clerk"].unit, YEAR + 1)) == []


def test_nothing_binds_before_the_committee_approves(cast, plan, draft):
    accept(cast, draft)
    assert list(selectors.binding_entries(draft.unit, YEAR)) == []
    services.plan_consolidate(actor=cast["fao_head"], plan=plan)
    assert list(selectors.binding_entries(draft.unit, YEAR)) == []


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("unit_clerk", "submit"),  # the clerk drafts, the leader submits
        ("fao_reviewer", "submit"),
        ("outsider", "submit"),
        ("auditor", "submit"),
    ],
)
def test_submit_refused(cast, draft, role, action):
    with pytest.raises(WorkflowError):
        services.entry_submit(actor=cast[role], entry=draft)
    draft.refresh_from_db()
    assert draft.state == EntryState.DRAFT
    assert actions_for(draft) == ["plans.entry.create"]


def test_a_leader_of_another_unit_cannot_submit(cast, draft, foreign_unit):
    from tests.factories import UserFactory
    from waishi.lib.roles import Role

    other = UserFactory(role=Role.UNIT_LEADER, unit=foreign_unit)
    with pytest.raises(WorkflowError) as info:
        services.entry_submit(actor=other, entry=draft)
    assert "其他单位" in str(info.value.messages)


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "committee", "auditor"])
def test_only_the_fao_reviews(cast, draft, role):
    services.entry_submit(actor=cast["unit_leader"], entry=draft)
    with pytest.raises(WorkflowError):
        services.entry_accept(actor=cast[role], entry=draft)
    with pytest.raises(WorkflowError):
        services.entry_return(actor=cast[role], entry=draft, comment="x")
    draft.refresh_from_db()
    assert draft.state == EntryState.SUBMITTED


def test_wrong_state_is_refused(cast, draft):
    with pytest.raises(WorkflowError) as info:
        services.entry_accept(actor=cast["fao_reviewer"], entry=draft)
    assert "not possible" in " ".join(info.value.messages) or info.value.messages


def test_return_needs_a_comment(cast, draft):
    services.entry_submit(actor=cast["unit_leader"], entry=draft)
    with pytest.raises(ValidationError) as info:
        services.entry_return(actor=cast["fao_reviewer"], entry=draft, comment="  ")
    assert "comment" in info.value.message_dict
    draft.refresh_from_db()
    assert draft.state == EntryState.SUBMITTED


def test_edit_and_delete_only_by_the_units_clerk_in_draft_or_returned(cast, draft):
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=cast["outsider"], entry=draft, title="改")
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=cast["unit_leader"], entry=draft, title="改")
    with pytest.raises(PermissionDenied):
        services.entry_delete(actor=cast["fao_head"], entry=draft)
    services.entry_submit(actor=cast["unit_leader"], entry=draft)
    with pytest.raises(ValidationError):
        services.entry_update(actor=cast["unit_clerk"], entry=draft, title="改")
    with pytest.raises(ValidationError):
        services.entry_delete(actor=cast["unit_clerk"], entry=draft)
    draft.refresh_from_db()
    assert draft.title == "赴日本经贸交流团"


def test_delete_a_draft(cast, draft):
    pk = draft.pk
    services.entry_delete(actor=cast["unit_clerk"], entry=draft)
    assert not PlanEntry.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="plans.entry.delete")
    assert event.object_id == str(pk) and event.before["title"] == "赴日本经贸交流团"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"countries": ["XX"]}, "countries"),
        ({"countries": []}, "countries"),
        ({"countries": ["CN"]}, "countries"),
        ({"ranks": ["bureau"]}, "ranks"),  # 1 rank for 3 members
        ({"ranks": ["general"]}, "ranks"),
        ({"expected_month": 13}, "expected_month"),
        ({"budget_estimate": "-1"}, "budget_estimate"),
        ({"category": "tourism"}, "category"),
    ],
)
def test_entry_validation_names_the_field(cast, plan, change, field):
    with pytest.raises(ValidationError) as info:
        services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values(**change))
    assert field in info.value.message_dict
    assert not PlanEntry.objects.exists()


def test_countries_are_normalised(cast, plan):
    entry = services.entry_create(
        actor=cast["unit_clerk"], plan=plan, **entry_values(countries=["jp", "JP", " kr"])
    )
    assert entry.countries == ["JP", "KR"]


def test_only_a_clerk_creates_entries(cast, plan):
    for role in ("unit_leader", "fao_reviewer", "committee", "auditor"):
        with pytest.raises(PermissionDenied):
            services.entry_create(actor=cast[role], plan=plan, **entry_values())


def test_submission_after_the_deadline_is_refused(cast, plan, draft):
    services.plan_update(
        actor=cast["fao_reviewer"], plan=plan, deadline=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(WorkflowError) as info:
        services.entry_submit(actor=cast["unit_leader"], entry=draft)
    assert "截止" in " ".join(info.value.messages)  # the user reads Chinese
    assert AuditEvent.objects.filter(action="plans.plan.update").count() == 1


def test_plan_steps_refused_by_role_and_state(cast, plan, draft):
    # Nothing accepted yet: the plan cannot go to the committee.
    with pytest.raises(WorkflowError):
        services.plan_consolidate(actor=cast["fao_head"], plan=plan)
    accept(cast, draft)
    for role in ("fao_reviewer", "committee", "unit_leader"):
        with pytest.raises(WorkflowError):
            services.plan_consolidate(actor=cast[role], plan=plan)
    with pytest.raises(WorkflowError):
        services.plan_approve(actor=cast["committee"], plan=plan)  # still open
    services.plan_consolidate(actor=cast["fao_head"], plan=plan)
    for role in ("fao_head", "fao_reviewer", "auditor"):
        with pytest.raises(WorkflowError):
            services.plan_approve(actor=cast[role], plan=plan)
    # While the committee has the plan, entries do not change.
    with pytest.raises(WorkflowError):
        services.entry_return(actor=cast["fao_reviewer"], entry=draft, comment="再看看")
    with pytest.raises(ValidationError):
        services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values())
    # The committee sends it back, and the FAO can review again.
    services.plan_reopen(actor=cast["committee"], plan=plan, comment="请补充说明")
    plan.refresh_from_db()
    assert plan.state == PlanState.OPEN
    services.entry_return(actor=cast["fao_reviewer"], entry=draft, comment="再看看")


def test_the_committee_cannot_approve_single_entries_of_an_unapproved_plan(cast, draft):
    accept(cast, draft)
    with pytest.raises(WorkflowError):
        services.entry_approve(actor=cast["committee"], entry=draft)


def test_plan_open_by_the_fao_only_and_once_a_year(cast, plan):
    with pytest.raises(PermissionDenied):
        services.plan_open(actor=cast["unit_clerk"], year=YEAR + 1, deadline=plan.deadline)
    with pytest.raises(ValidationError) as info:
        services.plan_open(actor=cast["fao_reviewer"], year=YEAR, deadline=plan.deadline)
    assert "year" in info.value.message_dict


# --- amendments ----------------------------------------------------------------------------


def test_amending_an_approved_entry_raises_the_version(cast, approved_plan, draft):
    entry = PlanEntry.objects.get(pk=draft.pk)
    assert approved_plan.version == 1
    with pytest.raises(WorkflowError):
        services.entry_amend(actor=cast["outsider"], entry=entry)
    entry = services.entry_amend(actor=cast["unit_clerk"], entry=entry)
    assert entry.state == EntryState.DRAFT and entry.is_amendment
    entry = services.entry_update(actor=cast["unit_clerk"], entry=entry, expected_month=9)
    # While amended, it still binds as approved at version 1.
    bound = selectors.binding_entries(entry.unit, YEAR).get()
    assert bound.bound_version.data["expected_month"] == 5
    services.entry_submit(actor=cast["unit_leader"], entry=entry)
    services.entry_accept(actor=cast["fao_reviewer"], entry=entry)
    with pytest.raises(WorkflowError):
        services.entry_approve(actor=cast["fao_head"], entry=entry)
    entry = services.entry_approve(actor=cast["committee"], entry=entry)
    approved_plan.refresh_from_db()
    assert approved_plan.version == 2
    assert entry.state == EntryState.APPROVED
    assert [(v.plan_version, v.data["expected_month"]) for v in entry.versions.all()] == [
        (2, 9),
        (1, 5),
    ]
    assert entry.bound_version.plan_version == 2
    assert actions_for(entry)[-5:] == [
        "plans.entry.amend",
        "plans.entry.update",
        "plans.entry.submit",
        "plans.entry.accept",
        "plans.entry.approve",
    ]
    assert AuditEvent.objects.filter(action="plans.entry.approve").last().data["plan_version"] == 2
    amended = AuditEvent.objects.get(action="plans.plan.amended")
    assert amended.before == {"version": 1} and amended.after == {"version": 2}


def test_a_new_entry_after_approval_is_an_amendment(cast, approved_plan):
    entry = services.entry_create(
        actor=cast["unit_clerk"], plan=approved_plan, **entry_values(title="新增团组")
    )
    assert entry.is_amendment and not entry.is_bound
    accept(cast, entry)
    assert selectors.binding_entries(entry.unit, YEAR).filter(pk=entry.pk).count() == 0
    # The committee may also send an amendment back.
    services.entry_return(actor=cast["committee"], entry=entry, comment="暂不增加")
    accept(cast, entry)
    services.entry_approve(actor=cast["committee"], entry=entry)
    approved_plan.refresh_from_db()
    assert approved_plan.version == 2
    assert selectors.binding_entries(entry.unit, YEAR).filter(pk=entry.pk).exists()


def test_discarding_an_amendment_restores_the_approved_content(cast, approved_plan, draft):
    entry = services.entry_amend(actor=cast["unit_clerk"], entry=draft)
    services.entry_update(actor=cast["unit_clerk"], entry=entry, title="改过的名称")
    with pytest.raises(ValidationError):
        services.entry_delete(actor=cast["unit_clerk"], entry=entry)
    entry = services.entry_discard(actor=cast["unit_clerk"], entry=entry)
    assert entry.state == EntryState.APPROVED and entry.title == "赴日本经贸交流团"
    approved_plan.refresh_from_db()
    assert approved_plan.version == 1


def test_allowed_lists_the_buttons(cast, draft):
    assert [t.action for t in ENTRY.allowed(draft, cast["unit_leader"])] == ["submit"]
    assert ENTRY.allowed(draft, cast["unit_clerk"]) == []
    assert ENTRY.allowed(draft, cast["fao_reviewer"]) == []
    services.entry_submit(actor=cast["unit_leader"], entry=draft)
    draft.refresh_from_db()
    assert {t.action for t in ENTRY.allowed(draft, cast["fao_reviewer"])} == {"accept", "return"}


def test_tables_are_complete():
    assert "approve" in {t.action for t in PLAN.edges()}
    assert "stateDiagram" in ENTRY.mermaid()


def test_the_docs_show_the_tables_in_the_code():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "workflows.md").read_text("utf-8")
    assert ENTRY.mermaid() in docs
    assert PLAN.mermaid() in docs
