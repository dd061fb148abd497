"""The outcome's states as a transition table, applied by ``waishi.lib.workflow``.

- ``start``: the first progress update of the responsible unit moves an open outcome on;
- ``overdue``: the daily sweep only (no role takes it; see ``services.overdue_sweep``);
- ``reschedule``: the FAO gives an overdue outcome a new due date;
- ``complete``: the responsible unit's leader, or the FAO;
- ``drop``: the FAO head, with a reason (checked by ``services.outcome_drop``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.followups.models import ACTIVE_STATES, State
from waishi.lib.roles import FAO, FAO_HEAD, LEADERS, UNIT_ROLES, has
from waishi.lib.workflow import Transition, Workflow
from waishi.orgs import permissions

UNIT_WORKERS = UNIT_ROLES
COMPLETERS = COMPLETES = LEADERS | FAO
DROPPERS = DROPS = FAO_HEAD
# Who records and edits outcomes: the FAO, or the responsible unit's clerk and leader.
MANAGES = UNIT_WORKERS | FAO
# Who records progress: the responsible unit's clerk and leader.
RECORDS_PROGRESS = UNIT_WORKERS
REASSIGNS = FAO
SYSTEM: frozenset[str] = frozenset()  # taken by the sweep, never by a person

# Unit roles act only on their own unit's outcomes.
own_unit = permissions.unit_guard(gettext_lazy("This outcome belongs to another unit."))


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


def actions_for(actor, outcome) -> dict[str, bool]:
    """What ``actor`` may do with ``outcome`` now: the outcome's page shows these buttons
    and the API answers them as ``actions`` (one answer for both)."""
    active = outcome.state in ACTIVE_STATES
    own = permissions.acts_for(actor, outcome)
    return {
        "edit": active and own and has(actor, MANAGES),
        "progress": active and own and has(actor, RECORDS_PROGRESS),
        "complete": OUTCOME.refusal(outcome, "complete", actor) is None,
        "drop": OUTCOME.refusal(outcome, "drop", actor) is None,
        "reassign": active and has(actor, REASSIGNS),
    }
