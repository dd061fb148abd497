"""Reads of the follow-up pages: every list starts from the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.followups.models import (
    ACTIVE_STATES,
    CLOSED_TASK_STATES,
    COLOURED_STATES,
    OPEN_TASK_STATES,
    Colour,
    Extension,
    ExtensionState,
    Kind,
    Outcome,
    ProgressUpdate,
    SourceKind,
    State,
    Track,
)
from waishi.followups.obligations import Obligation
from waishi.lib.roles import UNIT_ROLES
from waishi.orgs import scoping
from waishi.orgs.models import Unit


def overdue_q() -> Q:
    """Overdue: marked so by the sweep, or active and past the due date already."""
    return Q(state=State.OVERDUE) | Q(
        state__in=list(ACTIVE_STATES), due_date__lt=timezone.localdate()
    )


def outcome_list(
    user,
    *,
    state: str = "",
    unit_id: int | None = None,
    kind: str = "",
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Outcome]:
    qs = (
        scoping.visible(user, Outcome)
        .filter(track=Track.OUTCOME)
        .select_related("responsible_unit", "responsible_person")
    )
    if state in State.values:
        qs = qs.filter(state=state)
    if unit_id:
        qs = qs.filter(responsible_unit_id=unit_id)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(overdue_q())
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(source_title__icontains=q)
            | Q(responsible_person__name__icontains=q)
        )
    return qs.order_by("due_date", "pk")


def updates_of(outcome: Outcome) -> QuerySet[ProgressUpdate]:
    return outcome.updates.select_related("recorded_by").order_by("-recorded_at", "-pk")


def overdue_count(user, unit_id: int | None = None) -> int:
    qs = scoping.visible(user, Outcome).filter(overdue_q(), track=Track.OUTCOME)
    if unit_id:
        qs = qs.filter(responsible_unit_id=unit_id)
    return qs.count()


def outcome_obligations(unit) -> list[Obligation]:
    """The provider this app registers: the unit's outcomes still to be done."""
    today = timezone.localdate()
    rows = Outcome.objects.filter(
        responsible_unit=unit, state__in=list(ACTIVE_STATES), track=Track.OUTCOME
    ).order_by("due_date", "pk")
    return [
        Obligation(
            kind=_("Outcome to follow up"),
            title=o.title,
            due_date=o.due_date,
            url=reverse("followups:detail", kwargs={"outcome_pk": o.pk}),
            overdue=o.state == State.OVERDUE or o.due_date < today,
        )
        for o in rows
    ]


# --- supervised tasks (督办事项) ----------------------------------------------------------


def supported_by(unit_id: int) -> Q:
    """The tasks ``unit_id`` supports (a subquery: a task with several supporting units is
    listed once)."""
    through = Outcome.supporting_units.through
    return Q(pk__in=through.objects.filter(unit_id=unit_id).values("outcome_id"))


def _led_or_supported_by(unit_id: int) -> Q:
    """The tasks ``unit_id`` leads or supports: the ids of both, in one subquery (a UNION
    each side of which reads its index; "leads OR in the supported" read every task)."""
    through = Outcome.supporting_units.through
    led = Outcome.objects.filter(responsible_unit_id=unit_id).order_by().values("pk")
    supported = through.objects.filter(unit_id=unit_id).order_by().values("outcome_id")
    return Q(pk__in=led.union(supported))


def colour_q(colour: str, today: dt.date) -> Q:
    """The tasks whose warning on ``today`` is ``colour`` ("" for none): the conditions
    of ``colour_now`` each way round, on the columns themselves, so that a filter by
    colour reads the (track, state, due date) index instead of computing every task's
    colour."""
    from waishi.followups import deadlines

    coloured = Q(state__in=sorted(COLOURED_STATES))
    late = Q(due_date__lt=today)
    flagged = Q(state=State.RETURNED) | Q(colour=Colour.YELLOW)
    if colour == Colour.RED:
        return coloured & late
    if colour == Colour.YELLOW:
        return coloured & ~late & flagged
    near = Q(due_date__lte=deadlines.blue_limit(today))
    if colour == Colour.BLUE:
        return coloured & ~late & ~flagged & near
    return ~coloured | (~late & ~flagged & ~near)


def colour_now(today: dt.date) -> Case:
    """The task's warning on ``today`` as a database expression (the board and the lists
    count and filter by it at any size): red past the deadline, yellow when returned or
    found yellow by the daily sweep (a major task's monthly report missing, recomputed on
    each report), blue when the deadline is within the blue days, else none. The same
    rules as ``supervision.colour_of``."""
    from waishi.followups import deadlines

    coloured = Q(state__in=sorted(COLOURED_STATES))
    return Case(
        When(coloured & Q(due_date__lt=today), then=Value(Colour.RED.value)),
        When(
            coloured & (Q(state=State.RETURNED) | Q(colour=Colour.YELLOW)),
            then=Value(Colour.YELLOW.value),
        ),
        When(
            coloured & Q(due_date__lte=deadlines.blue_limit(today)), then=Value(Colour.BLUE.value)
        ),
        default=Value(Colour.NONE.value),
        output_field=CharField(),
    )


def tasks(user) -> QuerySet[Outcome]:
    """The supervised tasks ``user`` may see: a unit those it leads or supports."""
    return scoping.visible(user, Outcome).filter(track=Track.TASK)


def task_list(
    user,
    *,
    unit_id: int | None = None,
    colour: str | None = None,
    source_kind: str | None = None,
    state: str | None = None,
    q: str = "",
    year: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[Outcome]:
    """The tasks ``user`` may see, by deadline, each annotated with ``warning`` (its colour
    today, ``colour_now``). ``unit_id``: the tasks that unit leads or supports; ``state``
    "open": every state not closed nor dropped; ``colour`` "" (or "none"): no warning."""
    today = today or timezone.localdate()
    qs = (
        tasks(user)
        .select_related("responsible_unit", "responsible_person")
        .annotate(warning=colour_now(today))
    )
    if unit_id:
        qs = qs.filter(_led_or_supported_by(unit_id))
    if colour is not None:
        wanted = "" if colour == "none" else colour
        if wanted in Colour.values:
            qs = qs.filter(colour_q(wanted, today))
    if source_kind in SourceKind.values:
        qs = qs.filter(source_kind=source_kind)
    if state == "open":
        qs = qs.filter(state__in=sorted(OPEN_TASK_STATES))
    elif state in State.values:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(description__icontains=q)
            | Q(source_title__icontains=q)
            | Q(responsible_person__name__icontains=q)
        )
    few = bool(unit_id) or colour in COLOURED_NAMES or state == "open" or state in OPEN_TASK_STATES
    if few:
        # The open tasks, a colour's or a unit's: a few thousand at most, found by their
        # own index and sorted. Ordered by the bare deadline, both databases would walk
        # the deadline index from the oldest task on, past every task closed long ago
        # (the red ones are the latest: 93,000 rows read for a page of 25).
        return qs.order_by(Coalesce("due_date", "due_date").asc(), "pk")
    return qs.order_by("due_date", "pk")


def task_updates(task: Outcome) -> QuerySet[ProgressUpdate]:
    """Every report on the task, newest first: progress, feedback (all of it, also what
    was returned) and the supporting units' reports."""
    return task.updates.select_related("recorded_by", "unit").order_by("-recorded_at", "-pk")


# The colours a task has only while open (the list filtered so is short).
COLOURED_NAMES = (Colour.RED.value, Colour.YELLOW.value, Colour.BLUE.value)

COLOURS = (Colour.RED.value, Colour.YELLOW.value, Colour.BLUE.value, Colour.NONE.value)


def board_counts(user, *, today: dt.date | None = None) -> dict:
    """The office's board: the open tasks ``user`` may see counted by colour, by source
    kind and by lead unit (each row: total, red, yellow, blue, none), in three queries
    whatever the number of tasks and units. A unit's account counts its own tasks and
    those it supports."""
    today = today or timezone.localdate()
    open_tasks = tasks(user).filter(state__in=sorted(OPEN_TASK_STATES)).order_by()
    # One row per source and per unit, each colour a filtered count on the columns
    # themselves (``colour_q``): no colour computed and grouped by for every open task.
    counts = {
        "total": Count("pk"),
        **{c: Count("pk", filter=colour_q(c, today)) for c in COLOURED_NAMES},
    }

    def row(values: dict, **head) -> dict:
        coloured = sum(values[c] for c in COLOURED_NAMES)
        return {
            **head,
            "total": values["total"],
            **{c: values[c] for c in COLOURED_NAMES},
            "none": values["total"] - coloured,
        }

    by_source = {
        r["source_kind"]: row(
            r, source_kind=r["source_kind"], label=SourceKind(r["source_kind"]).label
        )
        for r in open_tasks.values("source_kind").annotate(**counts)
    }
    by_colour = {c or "none": 0 for c in COLOURS}
    for entry in by_source.values():
        for key in by_colour:
            by_colour[key] += entry[key]
    units = [
        row(r, unit_id=r["responsible_unit_id"], unit=r["responsible_unit__name"])
        # By name first: grouped by the unit's id first, SQLite walks the (track, unit)
        # index through every task instead of the open ones' covering index.
        for r in open_tasks.values("responsible_unit__name", "responsible_unit_id").annotate(
            **counts
        )
    ]
    units.sort(key=lambda r: (-r["red"], -r["yellow"], -r["total"], r["unit"]))
    sources = [by_source[k] for k in SourceKind.values if k in by_source]
    return {
        "total": sum(by_colour.values()),
        "by_colour": by_colour,
        "by_source": sources,
        "by_unit": units,
    }


@dataclass(frozen=True)
class OnTimeRow:
    unit_id: int
    unit: str
    due: int  # tasks due in the year (deadline passed, or closed already)
    on_time: int  # closed by their (possibly extended) deadline, never red
    rate: float | None  # on_time / due; None when nothing was due


def on_time_q() -> Q:
    """Closed by the deadline in force (an extension granted moves it), on the local day
    it was closed, and never red."""
    return Q(
        state__in=sorted(CLOSED_TASK_STATES),
        closed_on__isnull=False,
        red_since__isnull=True,
        closed_on__lte=F("due_date"),
    )


def on_time(user, *, year: int, today: dt.date | None = None) -> list[OnTimeRow]:
    """Each lead unit's on-time rate for ``year`` (the annual review): tasks closed by
    their deadline ÷ tasks due that year, not counting dropped tasks, nor tasks whose
    deadline is still to come and are not closed. A task that went red counts late even
    when closed later. A unit's account sees its own row; two queries."""
    today = today or timezone.localdate()
    qs = tasks(user).filter(due_date__year=year).exclude(state=State.DROPPED)
    if getattr(user, "role", None) in UNIT_ROLES:
        qs = qs.filter(responsible_unit_id=user.unit_id)
    due = Q(due_date__lt=today) | Q(state__in=sorted(CLOSED_TASK_STATES))
    # Counted from the (track, due date, …) index alone, without the units: joined with
    # them, PostgreSQL reads the 20,000 tasks' rows instead. Their names in a query of
    # their own.
    rows = list(
        qs.filter(due)
        .order_by()
        .values("responsible_unit_id")
        .annotate(due=Count("due_date"), on_time=Count("due_date", filter=on_time_q()))
    )
    units = Unit.objects.order_by()
    if getattr(user, "role", None) in UNIT_ROLES:
        units = units.filter(pk=user.unit_id)
    names = dict(units.values_list("pk", "name")) if rows else {}
    out = [
        OnTimeRow(
            unit_id=row["responsible_unit_id"],
            unit=names.get(row["responsible_unit_id"], ""),
            due=row["due"],
            on_time=row["on_time"],
            rate=(row["on_time"] / row["due"]) if row["due"] else None,
        )
        for row in rows
    ]
    return sorted(out, key=lambda r: (-(r.rate or 0), r.unit))


def task_items(user):
    """The home page's to-do items of supervised tasks: for a unit, the tasks it leads
    that wait for it (to accept, to work on, returned); for the office, the tasks that
    wait for it (to assign, a redirect asked, a result to review, more time asked)."""
    from django.utils.translation import gettext as _

    from waishi.followups.links import task_url
    from waishi.followups.workflow import LEAD_UNIT, OFFICE
    from waishi.lib.roles import has
    from waishi.lib.work import ITEM_LIMIT, Item

    if has(user, LEAD_UNIT) and user.unit_id:
        rows = tasks(user).filter(
            responsible_unit_id=user.unit_id,
            state__in=[State.ASSIGNED, State.IN_PROGRESS, State.RETURNED],
        )
    elif has(user, OFFICE):
        rows = tasks(user).filter(
            Q(state__in=[State.REGISTERED, State.REDIRECT_ASKED, State.FEEDBACK])
            | Q(pk__in=Extension.objects.filter(state=ExtensionState.ASKED).values("outcome_id"))
        )
    else:
        return []
    today = timezone.localdate()
    return [
        Item(
            task.title,
            task_url(task),
            task.due_date,
            _("Supervised task"),
            task.get_state_display(),
            overdue=task.state not in (State.REGISTERED,) and task.due_date < today,
        )
        for task in rows.order_by("due_date", "pk")[:ITEM_LIMIT]
    ]
