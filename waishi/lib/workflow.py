"""The shared workflow engine: a process is a transition table, applied under a row lock.

Each app keeps its table in ``<app>/workflow.py``::

    MISSION = Workflow(
        name="mission",
        states={"draft": _("Draft"), "submitted": _("Submitted"), ...},
        transitions=[
            Transition("draft", "submit", "submitted", roles=CLERKS, guard=policy_clean),
            ...
        ],
        recorder=waishi.audit.services.record,
    )

``apply`` re-reads the row with ``select_for_update()``, refuses an action that is not in
the table for the row's state, the actor's role, or its guard (a ``WorkflowError`` with a
message a person can read), runs the caller's ``effect`` (quota, steps, ...) in the same
transaction, saves the new state and records the transition through ``recorder`` (the
audit log; injected so that ``lib`` stays below ``audit``). No workflow library: this file
is the whole engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.roles import has

# A guard answers None when the transition may happen, else the reason it may not.
Guard = Callable[[Any, Any], "str | None"]


class WorkflowError(ValidationError):
    """An action the table does not allow now; ``message`` says why, for a person."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]
    guard: Guard | None = None
    label: Any = ""  # what the button says; defaults to the action's name


@dataclass
class Workflow:
    name: str  # prefixes the audit action: "<name>.<action>"
    states: dict[str, Any]  # state -> label (lazy translation)
    transitions: list[Transition]
    recorder: Callable[..., Any]
    state_field: str = "state"
    # Optional field stamped with the time of each change (time spent per state).
    changed_at_field: str | None = None
    _table: dict[tuple[str, str], Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._table = {}
        for t in self.transitions:
            for state in (t.source, t.target):
                if state not in self.states:
                    raise ValueError(f"{self.name}: unknown state {state!r} in {t}")
            if (t.source, t.action) in self._table:
                raise ValueError(f"{self.name}: ({t.source}, {t.action}) is in the table twice")
            self._table[(t.source, t.action)] = t

    # -- reading -------------------------------------------------------------------

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def label(self, state: str):
        return self.states.get(state, state)

    def action_label(self, action: str):
        """What a person calls ``action`` (the first transition's label, else its code)."""
        for t in self.transitions:
            if t.action == action and t.label:
                return t.label
        return action

    def transition(self, state: str, action: str) -> Transition | None:
        return self._table.get((state, action))

    def refusal(self, obj, action: str, actor) -> str | None:
        """None when ``actor`` may take ``action`` on ``obj`` now, else the reason."""
        state = self.state_of(obj)
        t = self._table.get((state, action))
        if t is None:
            return _("“%(action)s” is not possible while the record is %(state)s.") % {
                "action": self.action_label(action),
                "state": self.label(state),
            }
        if not has(actor, t.roles):
            return _("Your role may not take this action.")
        if t.guard is not None:
            return t.guard(obj, actor)
        return None

    def allowed(self, obj, actor, actions: Iterable[str] | None = None) -> list[Transition]:
        """The transitions ``actor`` may take on ``obj`` now (buttons to show); only among
        ``actions`` when given, so that a page never runs the guards of the transitions it
        has no button for (a guard may be costly: departure re-reads the checklist)."""
        state = self.state_of(obj)
        wanted = None if actions is None else set(actions)
        return [
            t
            for (source, action), t in self._table.items()
            if source == state
            and (wanted is None or action in wanted)
            and self.refusal(obj, action, actor) is None
        ]

    def edges(self) -> Iterable[Transition]:
        """Every transition, in table order (for diagrams and docs)."""
        return iter(self.transitions)

    # -- writing -------------------------------------------------------------------

    def apply(
        self,
        obj: models.Model,
        action: str,
        *,
        actor,
        ip: str = "",
        comment: str = "",
        data: dict | None = None,
        effect: Callable[[models.Model, Transition], None] | None = None,
        on_behalf_of=None,
    ) -> models.Model:
        """Take ``action`` on ``obj`` as ``actor``: lock, check, run ``effect``, save,
        record. Returns the locked, updated row. Raises ``WorkflowError``."""
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            reason = self.refusal(locked, action, actor)
            if reason is not None:
                raise WorkflowError(reason, code="workflow")
            t = self._table[(self.state_of(locked), action)]
            before = t.source
            if effect is not None:
                effect(locked, t)
            setattr(locked, self.state_field, t.target)
            fields = [self.state_field]
            if self.changed_at_field:
                setattr(locked, self.changed_at_field, timezone.now())
                fields.append(self.changed_at_field)
            if effect is not None:
                locked.save()  # the effect may have changed other fields too
            else:
                locked.save(update_fields=fields)
            self.recorder(
                action=f"{self.name}.{action}",
                actor=actor,
                obj=locked,
                ip=ip,
                before={self.state_field: before},
                after={self.state_field: t.target},
                data={"comment": comment, **(data or {})},
                on_behalf_of=on_behalf_of,
            )
        return locked

    def mermaid(self) -> str:
        """The table as a Mermaid state diagram (docs, and the record's page)."""
        lines = ["stateDiagram-v2"]
        for t in self.transitions:
            lines.append(f"    {t.source} --> {t.target}: {t.action}")
        return "\n".join(lines)


def offered(workflow: Workflow, obj, actions: dict[str, bool]) -> list[Transition]:
    """The buttons of ``obj``'s page, in table order: the transitions from its state whose
    action ``actions`` (a subject's ``actions_for``) allows."""
    state = workflow.state_of(obj)
    return [t for t in workflow.edges() if t.source == state and actions.get(t.action)]
