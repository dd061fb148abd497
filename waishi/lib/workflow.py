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

Who may act on one record (the owning district, the unit) is the transition's ``who``: a
refusal there is a ``WorkflowForbidden`` (a ``PermissionDenied``), as is a role not in the
transition's ``roles`` when the transition says what to tell that person (``forbidden``).
A process that has always said "you may not" before "not now" declares ``who_first``.
A transition whose ``roles`` is empty is taken by the system only (a daily sweep):
``apply`` with ``actor=None`` and the ``actor_name`` the audit log shows.

After each applied transition the engine sends ``transitioned`` once, when the
transaction commits: a receiver (the work notifications) sees what is in the database,
and hears nothing of a refusal or of a transition rolled back with its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.roles import Role, has

# A guard answers None when the transition may happen, else the reason it may not.
Guard = Callable[[Any, Any], "str | None"]


# Sent once per applied transition, after its transaction commits, with the record's
# model as ``sender`` and: ``subject`` (the record as saved), ``workflow``, ``action``,
# ``from_state``, ``to_state``, ``actor`` (None: the system). A receiver's failure is
# logged; it cannot undo what has been committed.
transitioned = Signal()


def recorded_by_caller(row, transition) -> None:
    """``apply(audit=...)`` for a transition that is one part of an action whose caller
    writes the action's one event (a step's confirmation moves its arrival)."""
    return None


class WorkflowError(ValidationError):
    """An action the table does not allow now; ``message`` says why, for a person."""


class WorkflowForbidden(PermissionDenied):
    """An action this actor may not take on this record, whatever its state."""


class Forbidden(str):
    """A refusal that says who may not (raised as ``WorkflowForbidden``), not what is not
    possible now: what a ``who`` answers, or a guard when the refusal is about the actor
    (nobody decides their own application)."""

    __slots__ = ()


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]
    guard: Guard | None = None
    label: Any = ""  # what the button says; defaults to the action's name
    # Whether this actor may act on this record (its district, its unit): None, or the
    # reason, refused as ``WorkflowForbidden``.
    who: Guard | None = None
    # What an actor whose role is not in ``roles`` is told, refused as
    # ``WorkflowForbidden``; empty: "Your role may not take this action." (WorkflowError).
    forbidden: Any = ""


@dataclass
class Workflow:
    name: str  # prefixes the audit action: "<name>.<action>"
    states: dict[str, Any]  # state -> label (lazy translation)
    transitions: list[Transition]
    recorder: Callable[..., Any]
    state_field: str = "state"
    # Optional field stamped with the time of each change (time spent per state).
    changed_at_field: str | None = None
    # What a person is told when ``action`` is not possible in the record's state
    # (obj, action) -> message; None: "“action” is not possible while the record is ...".
    not_now: Callable[[Any, str], Any] | None = None
    # Ask who may (``roles``, ``who``) before whether the state allows the action: the
    # order of a process that refused a stranger before telling them the record's state.
    # The transitions of one action then share ``roles``, ``who`` and ``forbidden``.
    who_first: bool = False
    # A state that is no column but follows from the record's fields (a step is done once
    # it has a time): reads it; the transition's ``effect`` writes those fields.
    derive_state: Callable[[Any], str] | None = None
    _table: dict[tuple[str, str], Transition] = field(init=False, repr=False)
    _first: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._table = {}
        self._first = {}
        for t in self.transitions:
            for state in (t.source, t.target):
                if state not in self.states:
                    raise ValueError(f"{self.name}: unknown state {state!r} in {t}")
            if (t.source, t.action) in self._table:
                raise ValueError(f"{self.name}: ({t.source}, {t.action}) is in the table twice")
            self._table[(t.source, t.action)] = t
            first = self._first.setdefault(t.action, t)
            if self.who_first and (first.roles, first.who, first.forbidden) != (
                t.roles,
                t.who,
                t.forbidden,
            ):
                raise ValueError(f"{self.name}: {t.action} says who may in two ways")

    # -- reading -------------------------------------------------------------------

    def state_of(self, obj) -> str:
        if self.derive_state is not None:
            return self.derive_state(obj)
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

    def refusal(self, obj, action: str, actor, check: Guard | None = None) -> str | None:
        """None when ``actor`` may take ``action`` on ``obj`` now, else the reason (a
        ``Forbidden`` when it is about who may). ``check`` is the caller's own condition
        (see ``apply``), asked after who may and before the state."""
        state = self.state_of(obj)
        t = self._table.get((state, action))
        if self.who_first:
            rule = t or self._first.get(action)
            reason = rule and self._who_refusal(rule, obj, actor)
            if reason:
                return reason
        if check is not None:
            reason = check(obj)
            if reason:
                return reason
        if t is None:
            if self.not_now is not None:
                return self.not_now(obj, action)
            return _("“%(action)s” is not possible while the record is %(state)s.") % {
                "action": self.action_label(action),
                "state": self.label(state),
            }
        if not self.who_first:
            reason = self._who_refusal(t, obj, actor)
            if reason:
                return reason
        if t.guard is not None:
            return t.guard(obj, actor)
        return None

    def _who_refusal(self, t: Transition, obj, actor) -> str | None:
        if actor is None:
            # The system (a sweep) takes the transitions no role may take, and only those.
            return None if not t.roles else _("Your role may not take this action.")
        if not has(actor, t.roles):
            if t.forbidden:
                return Forbidden(t.forbidden)
            return _("Your role may not take this action.")
        if t.who is not None:
            reason = t.who(obj, actor)
            if reason:
                return Forbidden(reason)
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

    def people_table(self) -> list[dict]:
        """The transition table as a page shows it: from, action, to and who, as labels
        (``from_code`` marks the record's current state's rows)."""
        return [
            {
                "source": self.label(t.source),
                "action": t.label or t.action,
                "code": t.action,
                "from_code": t.source,
                "target": self.label(t.target),
                "roles": [Role(role).label for role in sorted(t.roles)],
            }
            for t in self.edges()
        ]

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
        check: Guard | None = None,
        fields: Iterable[str] | None = None,
        audit: Callable[[models.Model, Transition], dict | None] | None = None,
        actor_name: str = "",
    ) -> models.Model:
        """Take ``action`` on ``obj`` as ``actor``: lock, check, run ``effect``, save,
        record. Returns the locked, updated row. Raises ``WorkflowError`` (not now) or
        ``WorkflowForbidden`` (not this actor).

        - ``check(row)``: the call's own condition on the locked row (the trip a passport
          is issued for, the day a sweep runs for): None, or the reason; it may also raise
          its own ``ValidationError`` (a field's error). Asked after who may, before the
          state.
        - ``fields``: what ``effect`` changed, saved with the state; None: the whole row.
        - ``audit(row, transition)``: the recorder's arguments for a process whose events
          read otherwise than the engine's own (another ``obj``, its own ``before``,
          ``after`` and ``data``); None from it: no event of its own, the caller records
          the whole action. Without it: ``before``/``after`` the state, ``data`` the
          comment and ``data``.
        - ``actor=None`` with ``actor_name``: the system, on a transition no role takes."""
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            reason = self.refusal(locked, action, actor, check)
            if isinstance(reason, Forbidden):
                raise WorkflowForbidden(reason)
            if reason is not None:
                raise WorkflowError(reason, code="workflow")
            t = self._table[(self.state_of(locked), action)]
            before = t.source
            if effect is not None:
                effect(locked, t)
            if self.derive_state is None:
                setattr(locked, self.state_field, t.target)
                changed = [self.state_field]
            else:
                if self.derive_state(locked) != t.target:
                    raise ValueError(f"{self.name}.{action}: the effect did not reach {t.target}")
                changed = []
            if self.changed_at_field:
                setattr(locked, self.changed_at_field, timezone.now())
                changed.append(self.changed_at_field)
            if fields is not None:
                locked.save(update_fields=[*changed, *fields])
            elif effect is not None:
                locked.save()  # the effect may have changed other fields too
            else:
                locked.save(update_fields=changed)
            if audit is None:
                entry: dict | None = {
                    "before": {self.state_field: before},
                    "after": {self.state_field: t.target},
                    "data": {"comment": comment, **(data or {})},
                }
            else:
                entry = audit(locked, t)
            if entry is not None:
                self.recorder(
                    **{
                        "action": f"{self.name}.{action}",
                        "actor": actor,
                        "obj": locked,
                        "ip": ip,
                        "on_behalf_of": on_behalf_of,
                        **({"actor_name": actor_name} if actor_name else {}),
                        **entry,
                    }
                )

            def announce() -> None:
                transitioned.send(
                    sender=type(locked),
                    subject=locked,
                    workflow=self,
                    action=action,
                    from_state=before,
                    to_state=t.target,
                    actor=actor,
                )

            transaction.on_commit(announce, robust=True)
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
