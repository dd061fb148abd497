"""The shared engine, driven on a real model (a policy version's ``jurisdiction`` field
stands in for a state: any CharField will do)."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from waishi.arrivals.workflow import ARRIVAL, BATCH, HANDOVER, STEP
from waishi.audit.models import AuditEvent
from waishi.audit.services import record
from waishi.lib.roles import Role
from waishi.lib.workflow import (
    Forbidden,
    Transition,
    Workflow,
    WorkflowError,
    WorkflowForbidden,
    recorded_by_caller,
)
from waishi.passports.workflow import APPLICATION, PASSPORT
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


# -- who may, the caller's check, the event's shape, the system, a derived state ----------


def _named_sample(obj, actor):
    return "not this one" if obj.name != "sample" else None


def _reason_given(obj, actor):
    return Forbidden("not your own") if obj.reason == "mine" else None


STRICT = Workflow(
    name="strict",
    states={"draft": "Draft", "sent": "Sent", "done": "Done"},
    transitions=[
        Transition("draft", "send", "sent", CLERKS, who=_named_sample, forbidden="clerks only"),
        Transition("sent", "finish", "done", HEADS, guard=_reason_given),
        Transition("sent", "expire", "done", frozenset()),
    ],
    recorder=record,
    state_field="jurisdiction",
    not_now=lambda obj, action: f"no {action} now",
    who_first=True,
)


def test_who_may_is_a_permission_refusal_asked_before_the_state(row, cast):
    with pytest.raises(WorkflowForbidden) as exc:
        STRICT.apply(row, "send", actor=cast["fao_head"])
    assert isinstance(exc.value, PermissionDenied) and str(exc.value) == "clerks only"
    row.name = "another"
    row.save()
    with pytest.raises(WorkflowForbidden, match="not this one"):
        STRICT.apply(row, "send", actor=cast["unit_clerk"])
    row.jurisdiction = "sent"
    row.save()
    # A stranger hears "you may not" before "not now" (who_first).
    with pytest.raises(WorkflowForbidden, match="not this one"):
        STRICT.apply(row, "send", actor=cast["unit_clerk"])
    row.name = "sample"
    row.save()
    with pytest.raises(WorkflowError, match="no send now"):
        STRICT.apply(row, "send", actor=cast["unit_clerk"])
    # A guard's Forbidden is a permission refusal too; a role that may not, without
    # ``forbidden``, the engine's own refusal.
    row.reason = "mine"
    row.save()
    with pytest.raises(WorkflowForbidden, match="not your own"):
        STRICT.apply(row, "finish", actor=cast["fao_head"])
    with pytest.raises(WorkflowError):
        STRICT.apply(row, "finish", actor=cast["unit_clerk"])
    assert not AuditEvent.objects.filter(action__startswith="strict.").exists()


def test_one_action_says_who_may_once_when_who_comes_first():
    with pytest.raises(ValueError):
        Workflow(
            "x",
            {"a": "A", "b": "B"},
            [Transition("a", "go", "b", CLERKS), Transition("b", "go", "a", HEADS)],
            recorder=record,
            who_first=True,
        )


def test_the_callers_check_comes_after_who_and_before_the_state(row, cast):
    with pytest.raises(WorkflowForbidden):
        STRICT.apply(row, "send", actor=cast["fao_head"], check=lambda obj: "checked")
    row.jurisdiction = "done"
    row.save()
    with pytest.raises(WorkflowError, match="checked"):
        STRICT.apply(row, "send", actor=cast["unit_clerk"], check=lambda obj: "checked")


def test_the_event_takes_the_callers_shape_or_none(row, cast):
    def event(locked, t):
        return {"before": None, "after": {"state": t.target}, "data": {"why": locked.reason}}

    STRICT.apply(
        row,
        "send",
        actor=cast["unit_clerk"],
        effect=lambda locked, t: setattr(locked, "reason", "ready"),
        fields=["reason"],
        audit=event,
    )
    got = AuditEvent.objects.get(action="strict.send")
    assert got.after == {"state": "sent"} and got.data == {"why": "ready"}
    row.refresh_from_db()
    assert (row.jurisdiction, row.reason) == ("sent", "ready")
    STRICT.apply(row, "finish", actor=cast["fao_head"], audit=recorded_by_caller)
    row.refresh_from_db()
    assert row.jurisdiction == "done"
    assert not AuditEvent.objects.filter(action="strict.finish").exists()


def test_the_system_takes_the_transitions_no_role_takes(row, cast):
    row.jurisdiction = "sent"
    row.save()
    with pytest.raises(WorkflowError):
        STRICT.apply(row, "expire", actor=cast["fao_head"])
    with pytest.raises(WorkflowError):
        STRICT.apply(row, "finish", actor=None, actor_name="sweep")
    STRICT.apply(row, "expire", actor=None, actor_name="sweep")
    event = AuditEvent.objects.get(action="strict.expire")
    assert event.actor_id is None and event.actor_name == "sweep"


DERIVED = Workflow(
    name="derived",
    states={"open": "Open", "closed": "Closed"},
    transitions=[Transition("open", "close", "closed", CLERKS)],
    recorder=record,
    derive_state=lambda obj: "closed" if obj.effective_to else "open",
)


def test_a_derived_state_is_reached_by_the_effect(row, cast):
    with pytest.raises(ValueError):
        DERIVED.apply(row, "close", actor=cast["unit_clerk"])
    DERIVED.apply(
        row,
        "close",
        actor=cast["unit_clerk"],
        effect=lambda locked, t: setattr(locked, "effective_to", locked.effective_from),
        fields=["effective_to"],
    )
    row.refresh_from_db()
    assert row.effective_to == row.effective_from
    with pytest.raises(WorkflowError):
        DERIVED.apply(row, "close", actor=cast["unit_clerk"])


def test_the_docs_show_the_arrivals_and_passports_tables():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "workflows.md").read_text("utf-8")
    for table in (ARRIVAL, STEP, HANDOVER, BATCH, PASSPORT, APPLICATION):
        assert table.mermaid() in docs, table.name
