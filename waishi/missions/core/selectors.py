"""Reads of trip applications that pages, the export and the API share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from waishi.approvals.models import ApprovalStep, StepState
from waishi.approvals.selectors import steps_for
from waishi.missions.core import checking
from waishi.missions.core.forms import COMMENT_FIELD_LABELS
from waishi.missions.models import Member, Mission, Stop, TripReport
from waishi.orgs import scoping
from waishi.policy import reference


@dataclass(frozen=True)
class Filters:
    q: str = ""
    state: str = ""
    category: str = ""
    unit_id: int | None = None
    country: str = ""
    month: str = ""  # "YYYY-MM" of the departure
    mine: bool = False


def mission_list(user, filters: Filters = Filters()) -> QuerySet[Mission]:
    """The applications ``user`` may see, filtered, with what a list row shows fetched
    in a fixed number of queries (unit; stops and members' names prefetched)."""
    missions = scoping.visible(user, Mission).select_related("unit")
    if filters.state:
        missions = missions.filter(state=filters.state)
    if filters.category:
        missions = missions.filter(category=filters.category)
    if filters.unit_id:
        missions = missions.filter(unit_id=filters.unit_id)
    if filters.country:
        missions = missions.filter(
            pk__in=Stop.objects.filter(country=filters.country).values("mission_id")
        )
    if filters.month:
        year, month = (int(x) for x in filters.month.split("-"))
        missions = missions.filter(departure_date__year=year, departure_date__month=month)
    if filters.mine:
        missions = missions.filter(created_by_id=user.pk)
    q = filters.q.strip()
    if q:
        people = Q(person__name__icontains=q)
        lowered = q.lower().replace(" ", "")
        if lowered.isascii() and lowered.isalpha():
            people |= Q(person__name_pinyin__startswith=lowered) | Q(
                person__name_initials__startswith=lowered
            )
        missions = missions.filter(
            Q(title__icontains=q) | Q(pk__in=Member.objects.filter(people).values("mission_id"))
        )
    # The members counted by a subquery per row shown, not a GROUP BY over every
    # visible trip: the page's LIMIT then reads 25 rows, and the paginator's count
    # (which drops the annotation) is a plain COUNT.
    members = (
        Member.objects.filter(mission=OuterRef("pk"))
        .order_by()
        .values("mission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        missions.annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .prefetch_related(
            Prefetch("stops", queryset=Stop.objects.order_by("order", "pk")),
            Prefetch(
                "members",
                queryset=Member.objects.select_related("person").order_by("order", "pk"),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def countries_of(mission: Mission) -> list[str]:
    """Distinct countries of the (prefetched) stops, in itinerary order."""
    seen: list[str] = []
    for stop in mission.stops.all():
        if stop.country and stop.country not in seen:
            seen.append(stop.country)
    return seen


def country_names(codes: list[str], english: bool = False) -> str:
    names = []
    for code in codes:
        info = reference.country(code)
        names.append((info.name_en if english else info.name_zh) if info else code)
    return "、".join(names) if not english else ", ".join(names)


def mission_detail(user, pk) -> Mission:
    """The trip with what its record shows in one query: the unit, the drafter, the
    publicity (``documents.publicity_of``) and ``has_report``."""
    queryset = Mission.objects.select_related("unit", "created_by", "publicity").annotate(
        has_report=Exists(TripReport.objects.filter(mission=OuterRef("pk")))
    )
    return scoping.get_for_user(user, queryset, pk)


# What a typed role says when it only repeats that the member heads the delegation (the
# record shows that once, as the head's badge).
HEAD_WORDS = frozenset({"团长", "head of delegation", "head of the delegation"})


@dataclass
class MemberRow:
    member: Member
    trips: list[dict]

    @property
    def role(self) -> str:
        """The member's typed role, unless it only says "head of delegation" for the head
        (shown once, as the badge): "陈涛 团长", never "陈涛 团长 团长"."""
        role = (self.member.role or "").strip()
        if self.member.is_leader and role.casefold() in HEAD_WORDS:
            return ""
        return role


def member_rows(mission: Mission, rows: checking.TripRows | None = None) -> list[MemberRow]:
    """The members with the person's rank and flags, and their earlier trips."""
    rows = rows or checking.TripRows(mission)
    return [MemberRow(m, rows.trips.get(m.person_id, [])) for m in rows.members]


# -- the approval chain as the record shows it -----------------------------------------------

# The step of the form where the clerk sees an approver's comment on each field.
FIELD_STEPS = {
    "title": "basics",
    "tasks": "basics",
    "invitation": "invitation",
    "itinerary": "itinerary",
    "members": "members",
    "budget": "budget",
}


def chain_of(mission: Mission) -> list:
    """Every step of every round, with ``spent``: the time the step took (decided) or
    has taken so far (pending)."""
    from django.utils import timezone

    now = timezone.now()
    steps = list(steps_for("missions.mission", mission.pk))
    for step in steps:
        if step.started_at and step.decided_at:
            step.spent = step.decided_at - step.started_at
        elif step.started_at and step.state == "pending":
            step.spent = now - step.started_at
        else:
            step.spent = None
    return steps


def last_return(mission: Mission):
    """The step that sent a returned application back (its comment and comments per
    field, for the clerk), or None when the application is not returned."""
    if mission.state != "returned":
        return None
    return (
        ApprovalStep.objects.filter(
            subject_type="missions.mission", subject_id=mission.pk, state=StepState.RETURNED
        )
        .select_related("decided_by", "on_behalf_of")
        .order_by("-round", "-decided_at")
        .first()
    )


def return_notes(mission: Mission, step_slug: str | None = None) -> dict | None:
    """What the clerk sees on a step of the form of a returned application: the general
    comment and the comments on the fields of that step (all of them on the review)."""
    step = last_return(mission)
    if step is None:
        return None
    fields = [
        {"field": name, "label": COMMENT_FIELD_LABELS.get(name, name), "text": text}
        for name, text in (step.field_comments or {}).items()
        if step_slug in (None, "review") or FIELD_STEPS.get(name) == step_slug
    ]
    return {"step": step, "comment": step.comment, "fields": fields}
