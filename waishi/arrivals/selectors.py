"""Reads of arrivals that the pages, the export, the home cards and the daily summary
share: the board's counts and overdue steps, the districts' work queues, an arrival's
sources, timeline and health record.

Everything a user reads starts from ``waishi.orgs.scoping`` (a district officer sees
their own district's arrivals, the city command and the auditor every one; health data
the arrivals roles alone). The daily summary, a system job with no user, reads through
``district_figures``, which each caller limits to one district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from waishi.arrivals.models import (
    Arrival,
    ArrivalSource,
    ArrivalState,
    Category,
    Handover,
    HealthDeclaration,
    Purpose,
    Step,
    TestResult,
)
from waishi.audit.selectors import HistoryEntry, events_for, readable
from waishi.lib import roles
from waishi.lib.pages import IdsFirst
from waishi.orgs import permissions, scoping
from waishi.orgs.models import District

OPEN_STATES = (ArrivalState.EXPECTED, ArrivalState.MANAGED)
# The board lists this many overdue steps; the queue (overdue first) has the rest.
BOARD_OVERDUE_LIMIT = 50


def country_label(code: str) -> str:
    """A country code as its name in the reader's language (the code when unknown)."""
    from waishi.policy import reference

    info = reference.country(code or "")
    if info is None:
        return code or ""
    return info.name_en if (get_language() or "").startswith("en") else info.name_zh


def hours_late(due_at: dt.datetime, now: dt.datetime) -> int:
    return max(int((now - due_at).total_seconds() // 3600), 0)


# -- lists ------------------------------------------------------------------------


@dataclass
class Filters:
    q: str = ""
    state: str = ""
    district_id: int | None = None
    overdue: bool = False


def _search(rows: QuerySet[Arrival], q: str) -> QuerySet[Arrival]:
    """By name, masked passport number (as shown: E******78) or flight. A full passport
    number is not searched: a query travels in URLs and logs (security.md L4)."""
    q = (q or "").strip()
    if not q:
        return rows
    return rows.filter(
        Q(name__icontains=q)
        | Q(route__icontains=q.replace(" ", ""))
        | Q(route__icontains=q)
        | Q(passport_masked__icontains=q.upper())
    )


def _with_next_step(rows: QuerySet[Arrival], now: dt.datetime) -> QuerySet[Arrival]:
    """Each arrival with its next open step (the lowest open one: steps are confirmed in
    order), that step's due time, and whether any open step is overdue or escalated."""
    open_steps = Step.objects.filter(arrival=OuterRef("pk"), done_at__isnull=True)
    ordered = open_steps.order_by("sequence")
    return rows.annotate(
        next_step_pk=Subquery(ordered.values("pk")[:1]),
        next_step_label=Subquery(ordered.values("label")[:1]),
        next_step_due=Subquery(ordered.values("due_at")[:1]),
        has_overdue=Exists(open_steps.filter(due_at__lt=now)),
        has_escalated=Exists(open_steps.filter(escalated_at__isnull=False)),
    )


def arrival_list(user, filters: Filters | None = None, *, now=None) -> QuerySet[Arrival]:
    """The board's list and the export: every arrival ``user`` may see matching the
    filters, those with an overdue step first, then the latest arrival dates."""
    filters = filters or Filters()
    now = now or timezone.now()
    rows = scoping.visible(user, Arrival).select_related("district", "plan")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.district_id:
        rows = rows.filter(district_id=filters.district_id)
    rows = _with_next_step(_search(rows, filters.q), now)
    if filters.overdue:
        rows = rows.filter(has_overdue=True)
    return rows.order_by(F("has_overdue").desc(), "-arrival_date", "pk")


class OverdueFirst(IdsFirst):
    """``arrival_list``'s order for a page of the board, without sorting every arrival
    by a subquery: the arrivals with an overdue step (few: the open steps past due, read
    through their index) come first, then the others, latest date first (read through
    the index on the date, ids first on a deep page). A sequence the paginator slices: a
    page is one or two queries of its size, whatever the number of arrivals."""

    def __init__(self, rows: QuerySet[Arrival], now: dt.datetime):
        super().__init__(rows)
        late = Step.objects.filter(done_at__isnull=True, due_at__lt=now).values("arrival_id")
        self.first = rows.filter(pk__in=late).order_by("-arrival_date", "pk")
        self.rest = IdsFirst(rows.exclude(pk__in=late).order_by("-arrival_date", "pk"))

    @cached_property
    def _head(self) -> int:
        return self.first.count()

    def rows(self, start: int, stop: int) -> list:
        head = self._head
        out = list(self.first[start : min(stop, head)]) if start < head else []
        if stop > head:
            out += list(self.rest.rows(max(0, start - head), stop - head))
        return out


def board_rows(user, filters: Filters | None = None, *, now=None) -> OverdueFirst:
    """The board's list (``arrival_list``) as pages read cheaply."""
    filters = filters or Filters()
    now = now or timezone.now()
    rows = arrival_list(user, filters, now=now)
    if filters.overdue:
        return rows  # only the overdue ones: few, sorted as they are
    return OverdueFirst(rows.order_by(), now)


def queue(user, filters: Filters | None = None, *, now=None) -> QuerySet[Arrival]:
    """A district's work queue: its open arrivals, overdue first, then by the due time
    of their next step. A district officer's is their own district's whatever the
    filters say (scoping); the city command and the auditor may pick a district."""
    filters = filters or Filters()
    now = now or timezone.now()
    rows = (
        scoping.visible(user, Arrival)
        .filter(state__in=OPEN_STATES)
        .select_related("district", "plan")
    )
    if filters.state in OPEN_STATES:
        rows = rows.filter(state=filters.state)
    if filters.district_id:
        rows = rows.filter(district_id=filters.district_id)
    rows = _with_next_step(_search(rows, filters.q), now)
    if filters.overdue:
        rows = rows.filter(has_overdue=True)
    return rows.order_by(
        F("has_overdue").desc(), F("next_step_due").asc(nulls_last=True), "arrival_date", "pk"
    )


def overdue_steps(user, *, now=None) -> QuerySet[Step]:
    """Open steps past their due time, oldest first (the top of the board)."""
    now = now or timezone.now()
    return (
        scoping.visible(user, Step)
        .filter(done_at__isnull=True, due_at__lt=now)
        .select_related("arrival__district")
        .order_by("due_at", "pk")
    )


def incoming_handovers(user) -> QuerySet[Handover]:
    """Hand-overs waiting for the answer of ``user``'s district."""
    if not user.district_id:
        return Handover.objects.none()
    return (
        scoping.visible(user, Handover)
        .filter(state=Handover.State.PENDING, to_district_id=user.district_id)
        .select_related("arrival", "from_district", "requested_by")
        .order_by("requested_at", "pk")
    )


# -- the board's counts -------------------------------------------------------------


@dataclass
class DistrictCounts:
    district: District | None  # None: the total row
    by_state: list[int] = field(default_factory=list)  # in ArrivalState order
    overdue: int = 0
    escalated: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_state)


COUNTS_CACHE_SECONDS = 300


def _by_district_and_state(user) -> dict[tuple[int, str], int]:
    """{(district id, state): arrivals}: a GROUP BY over every arrival (half a million in
    a province: 60-120 ms), kept in the cache under the time of the latest change to any
    arrival, so that a change, a new arrival or a hand-over shows at once and an unchanged
    board costs one index read. ``COUNTS_CACHE_SECONDS`` bounds what a change made
    without touching ``updated_at`` could leave behind."""
    arrivals = scoping.visible(user, Arrival)
    # Over every arrival, not only those ``user`` sees: an arrival handed over to another
    # district leaves this district's view, and its change must still renew the key.
    latest = Arrival.objects.order_by().aggregate(at=Max("updated_at"))["at"]
    scope = "all" if scoping.sees_all(user, Arrival) else f"district-{user.district_id}"
    key = f"arrivals:by-state:{scope}:{latest.isoformat() if latest else '-'}"
    found = cache.get(key)
    if found is None:
        rows = arrivals.order_by().values("district_id", "state").annotate(n=Count("*"))
        found = [(row["district_id"], row["state"], row["n"]) for row in rows]
        cache.set(key, found, COUNTS_CACHE_SECONDS)
    return {(district_id, state): n for district_id, state, n in found}


def counts_by_district(user, *, now=None) -> tuple[list[DistrictCounts], DistrictCounts]:
    """Arrivals by district and state, with the overdue (and escalated) open steps of
    each district: one row per district ``user`` may see arrivals of, and the total."""
    now = now or timezone.now()
    states = list(ArrivalState.values)
    by_state = _by_district_and_state(user)
    late = (
        scoping.visible(user, Step)
        .filter(done_at__isnull=True, due_at__lt=now)
        .order_by()
        .values("arrival__district_id")
        .annotate(n=Count("pk"), up=Count("pk", filter=Q(escalated_at__isnull=False)))
    )
    overdue = {row["arrival__district_id"]: (row["n"], row["up"]) for row in late}
    if scoping.sees_all(user, Arrival):
        districts = list(District.objects.order_by("sort_order", "code"))
    else:
        districts = list(District.objects.filter(pk=user.district_id))
    rows = [
        DistrictCounts(
            district=d,
            by_state=[by_state.get((d.pk, s), 0) for s in states],
            overdue=overdue.get(d.pk, (0, 0))[0],
            escalated=overdue.get(d.pk, (0, 0))[1],
        )
        for d in districts
    ]
    total = DistrictCounts(
        district=None,
        by_state=[sum(r.by_state[i] for r in rows) for i in range(len(states))],
        overdue=sum(r.overdue for r in rows),
        escalated=sum(r.escalated for r in rows),
    )
    return rows, total


# -- one arrival ---------------------------------------------------------------------


@dataclass
class SourceRow:
    source: ArrivalSource
    said: list[tuple[str, str]]  # (label, value) of what this source reported


def _said(details: dict, districts: dict[str, str]) -> list[tuple[str, str]]:
    labels = {
        f.name: capfirst(str(f.verbose_name)) for f in Arrival._meta.get_fields() if f.concrete
    }
    choices = {"category": dict(Category.choices), "purpose": dict(Purpose.choices)}
    out: list[tuple[str, str]] = []
    for key, value in (details or {}).items():
        if key == "passport":
            out.append((_("Passport number"), str(value)))
        elif key == "district":
            out.append((_("District"), districts.get(str(value), str(value))))
        elif key in ("origin_country", "nationality"):
            out.append((labels.get(key, key), country_label(str(value))))
        elif key in choices:
            out.append((labels[key], str(choices[key].get(value, value))))
        else:
            out.append((labels.get(key, key), str(value)))
    return out


def source_rows(user, arrival: Arrival) -> list[SourceRow]:
    sources = list(
        scoping.visible(user, ArrivalSource)
        .filter(arrival=arrival)
        .select_related("batch")
        .order_by("reported_at", "pk")
    )
    codes = {str(s.details.get("district")) for s in sources if isinstance(s.details, dict)}
    districts = dict(District.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        SourceRow(s, _said(s.details if isinstance(s.details, dict) else {}, districts))
        for s in sources
    ]


def masked_name(name: str) -> str:
    """张三丰 -> 张**: enough to recognise a record already seen, not to learn a name."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def handover_list(user, *, state: str = "", direction: str = "", q: str = "") -> QuerySet[Handover]:
    """The hand-overs ``user`` may see (both districts of each, the city command, the
    auditor), those waiting for an answer first, then the latest. ``direction``: "in"
    (asked of the user's district) or "out" (asked by it). ``q`` searches the arrival's
    name only where the name may be shown (``name_shown``)."""
    rows = scoping.visible(user, Handover).select_related(
        "arrival", "from_district", "to_district", "requested_by", "decided_by"
    )
    if state:
        rows = rows.filter(state=state)
    if direction == "in":
        rows = rows.filter(to_district_id=user.district_id)
    elif direction == "out":
        rows = rows.filter(from_district_id=user.district_id)
    if q:
        found = Q(arrival__name__icontains=q)
        if roles.has(user, roles.DISTRICT_ROLES):
            found &= Q(arrival__district_id=user.district_id) | Q(
                state=Handover.State.PENDING, to_district_id=user.district_id
            )
        rows = rows.filter(found)
    return rows.annotate(
        waiting=Case(
            When(state=Handover.State.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("waiting", "-requested_at", "-pk")


def name_shown(user, handovers: list[Handover]) -> None:
    """Set each hand-over's ``shown_name`` (the arrival's name where ``user`` may see the
    arrival, or is the district asked while the request waits; masked otherwise) and
    ``answer_here`` (``user``'s district is asked and has not answered yet)."""
    readable = set(
        scoping.visible(user, Arrival)
        .filter(pk__in=[h.arrival_id for h in handovers])
        .values_list("pk", flat=True)
    )
    for handover in handovers:
        pending_here = handover.state == Handover.State.PENDING and permissions.may_for_district(
            user, roles.DISTRICT_OFFICERS, handover.to_district_id
        )
        handover.shown_name = (
            handover.arrival.name
            if handover.arrival_id in readable or pending_here
            else masked_name(handover.arrival.name)
        )
        handover.answer_here = pending_here


def handovers_of(user, arrival: Arrival) -> QuerySet[Handover]:
    return (
        scoping.visible(user, Handover)
        .filter(arrival=arrival)
        .select_related("from_district", "to_district", "requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )


@dataclass
class TimelineEntry:
    at: dt.datetime
    step: Step | None = None
    event: HistoryEntry | None = None
    late: bool = False  # a step done after its due time, or open past it
    hours_late: int = 0

    @property
    def is_step(self) -> bool:
        return self.step is not None


def timeline(user, arrival: Arrival, *, now=None) -> list[TimelineEntry]:
    """The arrival's steps (at their confirmation, or their due time while open) and its
    audit events, in time order; a step before the event that recorded it."""
    now = now or timezone.now()
    entries: list[tuple[tuple, TimelineEntry]] = []
    steps = (
        scoping.visible(user, Step)
        .filter(arrival=arrival)
        .select_related("done_by")
        .order_by("sequence")
    )
    for step in steps:
        if step.done_at is not None:
            late = step.done_at > step.due_at
            hours = hours_late(step.due_at, step.done_at) if late else 0
            at = step.done_at
        else:
            late = step.due_at < now
            hours = hours_late(step.due_at, now) if late else 0
            at = step.due_at
        entry = TimelineEntry(at=at, step=step, late=late, hours_late=hours)
        entries.append(((at, 0, step.sequence), entry))
    for item in readable(events_for(arrival)[:500], viewer=user):
        entries.append(
            ((item.event.at, 1, item.event.seq), TimelineEntry(at=item.event.at, event=item))
        )
    entries.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in entries]


def health_record(user, arrival: Arrival) -> tuple[QuerySet, QuerySet]:
    """The arrival's health declarations and test results, as far as ``user`` may see
    them (the arrivals roles only: scoping returns nothing to anyone else)."""
    declarations = (
        scoping.visible(user, HealthDeclaration)
        .filter(arrival=arrival)
        .select_related("source")
        .order_by("-declared_at", "-pk")
    )
    tests = (
        scoping.visible(user, TestResult)
        .filter(arrival=arrival)
        .select_related("step", "recorded_by")
        .order_by("sampled_on", "pk")
    )
    return declarations, tests


# -- figures without a user (the daily summary, the home cards) --------------------------


@dataclass
class Figures:
    new_yesterday: int = 0
    by_state: dict[str, int] = field(default_factory=dict)  # open states only
    due_today: int = 0  # open steps due from now to the end of today
    overdue: int = 0  # open steps past their due time
    handovers_pending: int = 0  # asked of this district, unanswered

    @property
    def open(self) -> int:
        return sum(self.by_state.values())

    @property
    def anything(self) -> bool:
        return bool(self.new_yesterday or self.open or self.overdue or self.handovers_pending)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def district_figures(*, today: dt.date, now: dt.datetime) -> dict[int, Figures]:
    """{district id: Figures} for every district with anything to count, in a handful of
    grouped queries."""
    figures: dict[int, Figures] = {}

    def of(district_id: int) -> Figures:
        return figures.setdefault(district_id, Figures())

    y_start, y_end = _day_bounds(today - dt.timedelta(days=1))
    _t_start, t_end = _day_bounds(today)
    new = (
        Arrival.objects.filter(created_at__gte=y_start, created_at__lt=y_end)
        .order_by()
        .values("district_id")
        .annotate(n=Count("pk"))
    )
    for row in new:
        of(row["district_id"]).new_yesterday = row["n"]
    by_state = (
        Arrival.objects.filter(state__in=OPEN_STATES)
        .order_by()
        .values("district_id", "state")
        .annotate(n=Count("pk"))
    )
    for row in by_state:
        of(row["district_id"]).by_state[row["state"]] = row["n"]
    steps = (
        Step.objects.filter(done_at__isnull=True, due_at__lt=t_end)
        .order_by()
        .values("arrival__district_id")
        .annotate(
            late=Count("pk", filter=Q(due_at__lt=now)),
            today=Count("pk", filter=Q(due_at__gte=now)),
        )
    )
    for row in steps:
        found = of(row["arrival__district_id"])
        found.overdue, found.due_today = row["late"], row["today"]
    pending = (
        Handover.objects.filter(state=Handover.State.PENDING)
        .order_by()
        .values("to_district_id")
        .annotate(n=Count("pk"))
    )
    for row in pending:
        of(row["to_district_id"]).handovers_pending = row["n"]
    return figures
