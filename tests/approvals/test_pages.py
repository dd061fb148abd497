"""The approval pages: my queue, bulk approval, rules, delegations; nav and home card."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.approvals.conftest import TYPE
from tests.conftest import login
from tests.factories import PersonFactory, UserFactory
from waishi.approvals import selectors, services, subjects
from waishi.approvals.models import ApprovalRule, ApprovalStep, Delegation
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role
from waishi.ui import navigation, work


def _queue_steps(client) -> list[int]:
    body = client.get("/approvals/").content.decode()
    return [int(pk) for pk in re.findall(r'data-step="(\d+)"', body)]


def _pending(person) -> ApprovalStep:
    return selectors.current_step(TYPE, person.pk)


def test_the_queue_shows_what_the_user_may_decide(
    cast, subject, as_user, applicant, foreign_applicant
):
    mine = subject.start(cast["unit_clerk"], applicant)[0]
    subject.start(cast["fao_reviewer"], foreign_applicant)  # another unit's leader decides
    excluded = PersonFactory(name="赵六", unit=applicant.unit)
    subject.start(cast["unit_clerk"], excluded)
    subject.excluded[excluded.pk] = {cast["unit_leader"].pk}  # drafted by the leader
    assert _queue_steps(as_user("unit_leader")) == [mine.pk]
    assert _queue_steps(as_user("fao_reviewer")) == []  # not their turn yet
    body = as_user("unit_leader").get("/approvals/").content.decode()
    assert "出访申请 李四" in body and f'href="/orgs/people/{applicant.pk}/"' in body
    assert "王五" not in body and "赵六" not in body
    # Looking changes nothing.
    assert _pending(applicant).pk == mine.pk


def test_overdue_first(cast, subject, as_user, applicant, home_person):
    first = subject.start(cast["unit_clerk"], applicant)[0]
    second = subject.start(cast["unit_clerk"], home_person)[0]
    ApprovalStep.objects.filter(pk=second.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    assert _queue_steps(as_user("unit_leader")) == [second.pk, first.pk]


def test_a_delegate_sees_the_delegators_steps(cast, subject, as_user, applicant):
    subject.start(cast["unit_clerk"], applicant)
    for role in ("unit_leader", "fao_reviewer"):
        subject.step(actor=cast[role], person=applicant)
    head, committee = cast["fao_head"], cast["committee"]
    assert _queue_steps(as_user("committee")) == []
    services.delegation_create(
        actor=head,
        delegator=head,
        delegate=committee,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="出国访问",
    )
    client = as_user("committee")
    assert _queue_steps(client) == [_pending(applicant).pk]
    assert head.full_name in client.get("/approvals/").content.decode()


def test_bulk_approval_confirms_then_reports_each_item(
    cast, subject, as_user, applicant, home_person
):
    subject.start(cast["unit_clerk"], applicant)
    subject.start(cast["unit_clerk"], home_person)
    other = PersonFactory(name="钱七", unit=applicant.unit)
    subject.start(cast["unit_clerk"], other)
    ids = [_pending(p).pk for p in (applicant, home_person, other)]
    # After it was listed, the leader turns out to travel on the second.
    subject.excluded[home_person.pk] = {cast["unit_leader"].pk}
    client = as_user("unit_leader")

    confirm = client.post("/approvals/bulk/", {"steps": ids, "comment": "同意"})
    assert confirm.status_code == 200
    assert 'name="confirm" value="yes"' in confirm.content.decode()
    assert all(_pending(p).sequence == 1 for p in (applicant, home_person, other))  # not yet

    # The third was decided elsewhere in the meantime.
    subject.step(actor=cast["unit_leader"], person=other)
    done = client.post("/approvals/bulk/", {"steps": ids, "comment": "同意", "confirm": "yes"})
    body = done.content.decode()
    assert re.findall(r'data-ok="(\d)"', body) == ["1", "0", "0"]
    assert _pending(applicant).approver_role == "fao_reviewer"
    assert _pending(home_person).approver_role == "unit_leader"
    assert subject.decided == [(applicant.pk, "next")]  # through the subject's own service
    approved = ApprovalStep.objects.get(pk=ids[0])
    assert approved.comment == "同意" and approved.decided_by == cast["unit_leader"]
    assert AuditEvent.objects.filter(action="approval.step.approve").count() == 2


def test_bulk_refuses_what_the_user_may_not_decide(cast, subject, as_user, foreign_applicant):
    subject.start(cast["fao_reviewer"], foreign_applicant)
    step = _pending(foreign_applicant)
    client = as_user("fao_reviewer")  # sees the step, but it is a unit leader's
    body = client.post("/approvals/bulk/", {"steps": [step.pk], "confirm": "yes"}).content.decode()
    assert re.findall(r'data-ok="(\d)"', body) == ["0"]
    assert _pending(foreign_applicant).pk == step.pk
    outsider_body = (
        as_user("unit_leader")
        .post("/approvals/bulk/", {"steps": [step.pk], "confirm": "yes"})
        .content.decode()
    )
    assert re.findall(r'data-ok="(\d)"', outsider_body) == ["0"]
    assert "王五" not in outsider_body


def test_bulk_is_post_only(cast, subject, as_user, applicant):
    subject.start(cast["unit_clerk"], applicant)
    step = _pending(applicant)
    response = as_user("unit_leader").get(
        "/approvals/bulk/", {"steps": [step.pk], "confirm": "yes"}
    )
    assert response.status_code == 405
    assert _pending(applicant).pk == step.pk


def test_queue_query_count_does_not_grow_with_rows(cast, subject, as_user, home_unit):
    client = as_user("unit_leader")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/approvals/").status_code == 200
        return len(ctx)

    for i in range(3):
        subject.start(cast["unit_clerk"], PersonFactory(unit=home_unit, name=f"甲{i}"))
    few = queries()
    for i in range(12):
        subject.start(cast["unit_clerk"], PersonFactory(unit=home_unit, name=f"乙{i}"))
    assert queries() == few


@pytest.mark.parametrize("role", ["unit_clerk", "auditor", "sys_admin", "outsider"])
def test_the_queue_is_for_approvers(as_user, role):
    assert as_user(role).get("/approvals/").status_code == 403


def test_nav_and_home_card(cast, subject, applicant):
    subject.start(cast["unit_clerk"], applicant)
    labels = {item.url_name for item in navigation.for_user(cast["unit_leader"])}
    assert "approvals:queue" in labels
    assert "approvals:queue" not in {i.url_name for i in navigation.for_user(cast["unit_clerk"])}
    cards = {c.url: c.value for c in work.cards_for(cast["unit_leader"])}
    assert cards["/approvals/"] == 1
    assert {c.url: c.value for c in work.cards_for(cast["fao_reviewer"])}["/approvals/"] == 0
    assert "/approvals/" not in {c.url for c in work.cards_for(cast["unit_clerk"])}


# --- rules ----------------------------------------------------------------------------------


def test_rules_pages(cast, as_user, test_rules):
    assert as_user("fao_reviewer").get("/approvals/rules/").status_code == 200
    assert as_user("fao_reviewer").get("/approvals/rules/new/").status_code == 403
    assert as_user("unit_leader").get("/approvals/rules/").status_code == 403
    head = as_user("fao_head")
    body = head.get("/approvals/rules/").content.decode()
    assert "外办主任" in body
    response = head.post(
        "/approvals/rules/new/",
        {
            "name": "高预算",
            "applies_to": TYPE,
            "sequence": "4",
            "approver_role": "committee",
            "budget_over": "200000",
            "due_working_days": "5",
            "active": "on",
        },
    )
    rule = ApprovalRule.objects.get(name="高预算")
    assert response.status_code == 302
    assert (rule.approver_scope, rule.conditions, rule.created_by) == (
        "city",
        {"budget_over": 200000},
        cast["fao_head"],
    )
    bad = head.post(
        f"/approvals/rules/{rule.pk}/edit/",
        {
            **dict(head.get(f"/approvals/rules/{rule.pk}/edit/").context["form"].initial),
            "min_rank": "king",
        },
    )
    assert bad.status_code == 200 and bad.context["form"].errors["min_rank"]
    head.post(f"/approvals/rules/{rule.pk}/deactivate/")
    rule.refresh_from_db()
    assert rule.active is False
    assert list(
        AuditEvent.objects.filter(object_id=str(rule.pk), object_type="approvals.approvalrule")
        .order_by("seq")
        .values_list("action", "after")
    ) == [
        (
            "approval.rule.create",
            {
                "applies_to": TYPE,
                "name": "高预算",
                "sequence": 4,
                "conditions": {"budget_over": 200000},
                "approver_role": "committee",
                "approver_scope": "city",
                "due_working_days": 5,
                "active": True,
            },
        ),
        ("approval.rule.update", {"active": False}),
    ]
    detail = head.get(f"/approvals/rules/{rule.pk}/").content.decode()
    assert "高预算" in detail
    assert (
        as_user("fao_reviewer").post(f"/approvals/rules/{rule.pk}/deactivate/").status_code == 403
    )


# --- delegations ----------------------------------------------------------------------------


def test_delegation_pages(cast, as_user, home_unit):
    deputy = UserFactory(role=Role.UNIT_LEADER, unit=home_unit, full_name="副局长", otp=True)
    client = as_user("unit_leader")
    form = client.get("/approvals/delegations/new/")
    assert form.status_code == 200
    assert "delegator" not in form.context["form"].fields  # for themselves only
    today = timezone.localdate()
    response = client.post(
        "/approvals/delegations/new/",
        {
            "delegate": deputy.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=3)).isoformat(),
            "applies_to": "",
            "reason": "出差",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (cast["unit_leader"], deputy)
    # The delegate sees it too, but cannot revoke it; the FAO head can see all of them.
    delegate_client = login(Client(), deputy)
    assert "出差" in delegate_client.get("/approvals/delegations/").content.decode()
    assert (
        delegate_client.post(f"/approvals/delegations/{delegation.pk}/revoke/").status_code == 404
    )
    assert "出差" in as_user("fao_head").get("/approvals/delegations/").content.decode()
    assert "出差" not in as_user("fao_reviewer").get("/approvals/delegations/").content.decode()
    client.post(f"/approvals/delegations/{delegation.pk}/revoke/")
    delegation.refresh_from_db()
    assert delegation.revoked_by == cast["unit_leader"]


def test_the_fao_head_delegates_for_anyone(cast, as_user):
    today = timezone.localdate()
    head = as_user("fao_head")
    assert "delegator" in head.get("/approvals/delegations/new/").context["form"].fields
    response = head.post(
        "/approvals/delegations/new/",
        {
            "delegator": cast["committee"].pk,
            "delegate": cast["fao_reviewer"].pk,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "reason": "会议",
        },
    )
    assert response.status_code == 302
    assert Delegation.objects.get().delegator == cast["committee"]
    # A reviewer choosing a delegator is not offered, and a forged one is ignored.
    reviewer = as_user("fao_reviewer")
    reviewer.post(
        "/approvals/delegations/new/",
        {
            "delegator": cast["committee"].pk,
            "delegate": cast["fao_head"].pk,
            "starts_on": (today + dt.timedelta(days=10)).isoformat(),
            "ends_on": (today + dt.timedelta(days=11)).isoformat(),
            "reason": "伪造",
        },
    )
    assert Delegation.objects.get(reason="伪造").delegator == cast["fao_reviewer"]


def test_bulk_never_decides_a_step_other_than_the_one_chosen(
    cast, subject, as_user, applicant, monkeypatch
):
    """The FAO head, delegate of the reviewer, bulk-approves the reviewer's step; the
    reviewer approves it just before. The head's decision would fall on the head's own
    step: it is rolled back and reported."""
    head, reviewer = cast["fao_head"], cast["fao_reviewer"]
    subject.start(cast["unit_clerk"], applicant)
    subject.step(actor=cast["unit_leader"], person=applicant)
    services.delegation_create(
        actor=reviewer,
        delegator=reviewer,
        delegate=head,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="休假",
    )
    chosen = _pending(applicant)
    assert chosen.approver_role == "fao_reviewer"
    real_decide = subject.decide

    def racing_decide(**kwargs):
        subject.step(actor=reviewer, person=applicant)  # the reviewer was quicker
        return real_decide(**kwargs)

    registered = subjects.get(TYPE)
    monkeypatch.setitem(
        subjects._REGISTRY, TYPE, dataclasses.replace(registered, decide=racing_decide)
    )
    body = (
        as_user("fao_head")
        .post("/approvals/bulk/", {"steps": [chosen.pk], "confirm": "yes"})
        .content.decode()
    )
    assert re.findall(r'data-ok="(\d)"', body) == ["0"]
    # (The reviewer's decision, simulated inside the item's transaction, went with it.)
    assert not ApprovalStep.objects.filter(decided_by=head).exists()
    assert not AuditEvent.objects.filter(action="approval.step.approve", actor_id=head.pk).exists()
