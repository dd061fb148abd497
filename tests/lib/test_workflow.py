"""The shared engine, driven on a real model (a policy version's ``jurisdiction`` field
stands in for a state: any CharField will do)."""

import pytest
from django.utils import translation

from waishi.audit.models import AuditEvent
from waishi.audit.services import record
from waishi.lib.roles import Role
from waishi.lib.workflow import Transition, Workflow, WorkflowError
from waishi.policy.models import PolicySet

pytestmark = pytest.mark.django_db

CLERKS = frozenset({Role.UNIT_CLERK})
HEADS = frozenset({Role.FAO_HEAD})


def _not_on_fridays(obj, actor):
    return "guard says no" if obj.reason == "blocked" else None


FLOW = Workflow(
    name="sample",
    states={"draft": "Draft", "sent": "Sent", "done": "Done"},
    transitions=[
        Transition("draft", "send", "sent", roles=CLERKS, guard=_not_on_fridays),
        Transition("sent", "finish", "done", roles=HEADS),
        Transition("sent", "back", "draft", roles=HEADS | CLERKS),
    ],
    recorder=record,
    state_field="jurisdiction",
)


@pytest.fixture
def row():
    base = PolicySet.objects.first()
    return PolicySet.objects.create(
        name="sample",
        version="1",
        effective_from=base.effective_from,
        parameters=base.parameters,
        jurisdiction="draft",
    )


def test_a_transition_changes_state_and_is_audited(row, cast):
    done = FLOW.apply(row, "send", actor=cast["unit_clerk"], comment="ready", ip="127.0.0.1")
    assert done.jurisdiction == "sent"
    row.refresh_from_db()
    assert row.jurisdiction == "sent"
    event = AuditEvent.objects.filter(action="sample.send").get()
    assert event.before == {"jurisdiction": "draft"}
    assert event.after == {"jurisdiction": "sent"}
    assert event.data["comment"] == "ready"
    assert event.actor_id == cast["unit_clerk"].pk


def test_an_action_not_in_the_table_is_refused_and_changes_nothing(row, cast):
    count = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(WorkflowError) as exc:
        FLOW.apply(row, "finish", actor=cast["fao_head"])
    assert "finish" in exc.value.message and "Draft" in exc.value.message
    row.refresh_from_db()
    assert row.jurisdiction == "draft"
    assert AuditEvent.objects.count() == count


def test_the_wrong_role_and_a_failing_guard_are_refused(row, cast):
    with pytest.raises(WorkflowError):
        FLOW.apply(row, "send", actor=cast["fao_head"])
    row.reason = "blocked"
    row.save()
    with pytest.raises(WorkflowError) as exc:
        FLOW.apply(row, "send", actor=cast["unit_clerk"])
    assert exc.value.message == "guard says no"


def test_the_state_is_read_under_the_lock_not_from_the_stale_object(row, cast):
    stale = PolicySet.objects.get(pk=row.pk)
    FLOW.apply(row, "send", actor=cast["unit_clerk"])
    # ``stale`` still says draft; sending it again must be refused, not applied twice.
    with pytest.raises(WorkflowError):
        FLOW.apply(stale, "send", actor=cast["unit_clerk"])
    assert AuditEvent.objects.filter(action="sample.send").count() == 1


def test_an_effect_runs_in_the_transaction_and_its_failure_rolls_back(row, cast):
    def effect(locked, transition):
        locked.reason = "changed by effect"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        FLOW.apply(row, "send", actor=cast["unit_clerk"], effect=effect)
    row.refresh_from_db()
    assert row.jurisdiction == "draft" and row.reason == ""
    assert not AuditEvent.objects.filter(action="sample.send").exists()


def test_allowed_lists_only_what_the_actor_may_do(row, cast):
    assert [t.action for t in FLOW.allowed(row, cast["unit_clerk"])] == ["send"]
    assert FLOW.allowed(row, cast["fao_head"]) == []
    FLOW.apply(row, "send", actor=cast["unit_clerk"])
    row.refresh_from_db()
    assert sorted(t.action for t in FLOW.allowed(row, cast["fao_head"])) == ["back", "finish"]


def test_a_table_naming_an_unknown_state_or_a_pair_twice_is_refused():
    with pytest.raises(ValueError):
        Workflow("x", {"a": "A"}, [Transition("a", "go", "b", CLERKS)], recorder=record)
    with pytest.raises(ValueError):
        Workflow(
            "x",
            {"a": "A"},
            [Transition("a", "go", "a", CLERKS), Transition("a", "go", "a", HEADS)],
            recorder=record,
        )
    assert (
        "a --> a: go"
        in Workflow(
            "x", {"a": "A"}, [Transition("a", "go", "a", CLERKS)], recorder=record
        ).mermaid()
    )
