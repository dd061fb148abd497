"""The outcome's states as a transition table, applied by ``waishi.lib.workflow``.

- ``start``: the first progress update of the responsible unit moves an open outcome on;
- ``overdue``: the daily sweep only (no role takes it; see ``services.overdue_sweep``);
- ``reschedule``: the FAO gives an overdue outcome a new due date;
- ``complete``: the responsible unit's leader, or the FAO;
- ``drop``: the FAO head, with a reason (checked by ``services.outcome_drop``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.followups.models import State
from waishi.lib.roles import Role
from waishi.lib.workflow import Transition, Workflow

UNIT_WORKERS = frozenset({Role.UNIT_CLERK, Role.UNIT_LEADER})
FAO = frozenset({Role.FAO_REVIEWER, Role.FAO_HEAD})
COMPLETERS = frozenset({Role.UNIT_LEADER}) | FAO
DROPPERS = frozenset({Role.FAO_HEAD})
SYSTEM: frozenset[str] = frozenset()  # taken by the sweep, never by a person


def own_unit(outcome, actor) -> str | None:
    """Unit roles act only on their own unit's outcomes."""
    if actor.role in UNIT_WORKERS and actor.unit_id != outcome.responsible_unit_id:
        return _("This outcome belongs to another unit.")
    return None


OUTCOME = Workflow(
    name="followups.outcome",
    states=dict(State.choices),
    transitions=[
        Transition("open", "start", "in_progress", UNIT_WORKERS, own_unit, gettext_lazy("Start")),
        Transition("open", "overdue", "overdue", SYSTEM, None, gettext_lazy("Mark overdue")),
        Transition("in_progress", "overdue", "overdue", SYSTEM, None, gettext_lazy("Mark overdue")),
        Transition("overdue", "reschedule", "in_progress", FAO, None, gettext_lazy("Reschedule")),
        Transition("open", "complete", "done", COMPLETERS, own_unit, gettext_lazy("Mark done")),
        Transition(
            "in_progress", "complete", "done", COMPLETERS, own_unit, gettext_lazy("Mark done")
        ),
        Transition("overdue", "complete", "done", COMPLETERS, own_unit, gettext_lazy("Mark done")),
        Transition("open", "drop", "dropped", DROPPERS, None, gettext_lazy("Drop")),
        Transition("in_progress", "drop", "dropped", DROPPERS, None, gettext_lazy("Drop")),
        Transition("overdue", "drop", "dropped", DROPPERS, None, gettext_lazy("Drop")),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)
