"""The outcome's states as a transition table, applied by ``waishi.lib.workflow``.

- ``start``: the first progress update of the responsible unit moves an open outcome on;
- ``overdue``: the daily sweep only (no role takes it; see ``services.overdue_sweep``);
- ``reschedule``: the FAO gives an overdue outcome a new due date;
- ``complete``: the responsible unit's leader, or the FAO;
- ``drop``: the FAO head, with a reason (checked by ``services.outcome_drop``).

A supervised task (督办事项, ``track="task"``) moves on ``TASK`` (supervision.md):
立项 ``registered`` -交办 ``assign``-> ``assigned`` -承办 ``accept``-> ``in_progress``; from
``assigned`` the lead unit may ``ask_redirect`` (``redirect_asked``), which the office
decides: ``redirect`` (another lead unit, back to ``assigned``) or ``keep``; the lead unit
reports the result (``feedback`` from ``in_progress`` or ``returned``), the office reviews
it: ``close`` (办结, ``done``) or ``return`` (退回重办, ``returned``); ``archive`` files a
closed task; the office head drops an open task with a reason. Progress, support reports
and reminders (催办) change no state (``task_actions_for`` says who may). A request to
move the deadline is an ``Extension`` on ``EXTENSION``: ``asked`` -> ``granted`` or
``refused``, by the office (beyond ``SUPERVISION.extensions_max`` grants, the FAO head).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from waishi.audit.services import record
from waishi.followups.models import (
    ACTIVE_STATES,
    OPEN_TASK_STATES,
    WORKING_STATES,
    ExtensionState,
    State,
    Track,
)
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


# --- supervised tasks (督办事项) --------------------------------------------------------

# The office (督办 office): the FAO's reviewers and head.
OFFICE = FAO
OFFICE_HEAD = FAO_HEAD
# The lead unit's clerks and leaders act for it; a supporting unit's only report to it.
LEAD_UNIT = UNIT_ROLES
SUPPORTERS = UNIT_ROLES
TASK_DROPS = FAO_HEAD

# Unit roles act only on the tasks their unit leads (a supporting unit does not).
lead_unit_only = permissions.unit_guard(
    gettext_lazy("Only the lead unit of this task may do this.")
)
_OFFICE_ONLY = gettext_lazy("Only the supervision office may do this.")
_HEAD_ONLY = gettext_lazy("Only the head of the office may drop a task.")


def _office(source, action, target, label):
    return Transition(source, action, target, OFFICE, None, label, forbidden=_OFFICE_ONLY)


def _unit(source, action, target, label):
    return Transition(source, action, target, LEAD_UNIT, None, label, who=lead_unit_only)


_OPEN_ORDER = ["registered", "assigned", "redirect_asked", "in_progress", "feedback", "returned"]

TASK = Workflow(
    name="followups.task",
    states=dict(State.choices),
    transitions=[
        _office("registered", "assign", "assigned", gettext_lazy("Assign")),
        _unit("assigned", "accept", "in_progress", pgettext_lazy("task", "Accept")),
        _unit("assigned", "ask_redirect", "redirect_asked", gettext_lazy("Ask to redirect")),
        _office("redirect_asked", "redirect", "assigned", gettext_lazy("Redirect")),
        _office("redirect_asked", "keep", "assigned", gettext_lazy("Keep the lead unit")),
        _unit("in_progress", "feedback", "feedback", gettext_lazy("Report the result")),
        _unit("returned", "feedback", "feedback", gettext_lazy("Report the result")),
        _office("feedback", "close", "done", gettext_lazy("Close")),
        _office("feedback", "return", "returned", gettext_lazy("Return as not solved")),
        _office("done", "archive", "archived", gettext_lazy("Archive")),
        *[
            Transition(
                state,
                "drop",
                "dropped",
                TASK_DROPS,
                None,
                gettext_lazy("Drop"),
                forbidden=_HEAD_ONLY,
            )
            for state in _OPEN_ORDER
        ],
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)
assert {State(s) for s in _OPEN_ORDER} == OPEN_TASK_STATES

EXTENSION = Workflow(
    name="followups.extension",
    states=dict(ExtensionState.choices),
    transitions=[
        Transition(
            "asked",
            "grant",
            "granted",
            OFFICE,
            None,
            pgettext_lazy("extension", "Grant"),
            forbidden=_OFFICE_ONLY,
        ),
        Transition(
            "asked",
            "refuse",
            "refused",
            OFFICE,
            None,
            pgettext_lazy("extension", "Refuse"),
            forbidden=_OFFICE_ONLY,
        ),
    ],
    recorder=record,
)


def _is_supporter(actor, task) -> bool:
    """A unit role of one of the task's supporting units (not its lead unit)."""
    if not has(actor, SUPPORTERS) or not actor.unit_id or actor.unit_id == task.responsible_unit_id:
        return False
    # Read through ``all()``: a list that prefetched ``supporting_units`` asks nothing more.
    return any(unit.pk == actor.unit_id for unit in task.supporting_units.all())


def task_actions_for(actor, task, *, today=None) -> dict[str, bool]:
    """What ``actor`` may do with the supervised task ``task`` now: the task's page shows
    these buttons and the API answers them as ``actions`` (one answer for both). The
    extension keys read ``task.extensions``, the support key ``task.supporting_units``
    (prefetch them on a list)."""
    from waishi.followups import deadlines  # the policy's numbers (no cycle at import)

    if task.track != Track.TASK:
        return dict.fromkeys(TASK_ACTIONS, False)
    today = today or timezone.localdate()
    lead = has(actor, LEAD_UNIT) and permissions.acts_for(actor, task)
    working = task.state in WORKING_STATES
    office = has(actor, OFFICE)
    extensions = list(task.extensions.all())
    pending = [e for e in extensions if e.state == ExtensionState.ASKED]
    granted = sum(1 for e in extensions if e.state == ExtensionState.GRANTED)

    def may(action: str) -> bool:
        return TASK.refusal(task, action, actor) is None

    decide = bool(pending) and office
    if decide and granted >= deadlines.parameters(today)["extensions_max"]:
        decide = has(actor, OFFICE_HEAD)
    return {
        "assign": may("assign"),
        "accept": may("accept"),
        "ask_redirect": may("ask_redirect"),
        "redirect": may("redirect"),
        "keep": may("keep"),
        "progress": working and lead,
        "support": task.state in WORKING_STATES | {State.FEEDBACK} and _is_supporter(actor, task),
        "urge": office
        and task.state in {State.ASSIGNED, State.REDIRECT_ASKED, State.IN_PROGRESS, State.RETURNED},
        "feedback": may("feedback"),
        "close": may("close"),
        "return": may("return"),
        "archive": may("archive"),
        "drop": may("drop"),
        "extend": working and lead and not pending and today <= task.due_date,
        "decide_extension": decide,
    }


TASK_ACTIONS = (
    "assign",
    "accept",
    "ask_redirect",
    "redirect",
    "keep",
    "progress",
    "support",
    "urge",
    "feedback",
    "close",
    "return",
    "archive",
    "drop",
    "extend",
    "decide_extension",
)
