"""Reads of the annual plan that pages, exports and other apps share."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from waishi.lib import roles
from waishi.orgs import permissions, scoping
from waishi.orgs.models import Unit
from waishi.plans.models import (
    QUOTA_CATEGORIES,
    Category,
    EntryState,
    PlanEntry,
    PlanState,
    PlanYear,
    Quota,
)
from waishi.plans.workflow import ENTRY, PLAN


def binding_entries(unit, year: int) -> QuerySet[PlanEntry]:
    """The entries of ``unit`` that bind in ``year``'s approved plan (a trip links to
    one of them). An entry being amended binds through its last approved version."""
    return (
        PlanEntry.objects.filter(
            unit=unit,
            plan__year=year,
            plan__state=PlanState.APPROVED,
            bound_version__isnull=False,
        )
        .select_related("plan", "bound_version")
        .order_by("expected_month", "pk")
    )


def last_year(plan: PlanYear) -> PlanYear | None:
    """The plan of the year before ``plan``'s, if it was approved (what may be copied)."""
    return PlanYear.objects.filter(year=plan.year - 1, state=PlanState.APPROVED).first()


def last_year_entries(plan: PlanYear, unit_id: int | None) -> list[dict]:
    """What the committee approved for ``unit_id`` in the year before ``plan``'s (each
    entry's binding version), in order: the values a copy drafts again."""
    previous = last_year(plan)
    if previous is None or unit_id is None:
        return []
    return [dict(entry.bound_version.data) for entry in binding_entries(unit_id, previous.year)]


def last_year_quotas(plan: PlanYear) -> list[Quota]:
    """Every unit's quota in the year before ``plan``'s approved plan, by unit."""
    previous = last_year(plan)
    if previous is None:
        return []
    return list(
        Quota.objects.filter(plan=previous)
        .select_related("unit")
        .order_by("unit__code", "category", "pk")
    )


def copy_offer(user, plan: PlanYear) -> str | None:
    """What ``user`` may copy from last year's approved plan into ``plan`` now: "entries"
    (a unit clerk whose unit has none in it yet), "quotas" (the FAO, while it has none),
    or None."""
    if roles.has(user, roles.CLERKS):
        if plan.state == PlanState.CONSOLIDATED or user.unit_id is None:
            return None
        if PlanEntry.objects.filter(plan=plan, unit_id=user.unit_id).exists():
            return None
        return "entries" if last_year(plan) else None
    if roles.has(user, roles.FAO):
        if Quota.objects.filter(plan=plan).exists():
            return None
        return "quotas" if last_year(plan) else None
    return None


def entries_for(
    user,
    plan: PlanYear,
    *,
    unit_id: int | None = None,
    state: str = "",
    category: str = "",
) -> QuerySet[PlanEntry]:
    entries = scoping.visible(user, PlanEntry).filter(plan=plan)
    if unit_id:
        entries = entries.filter(unit_id=unit_id)
    if state:
        entries = entries.filter(state=state)
    if category:
        entries = entries.filter(category=category)
    return entries.select_related("unit", "bound_version").order_by(
        "unit__code", "expected_month", "pk"
    )


@dataclass
class QuotaCell:
    quota: Quota | None
    planned_batches: int = 0  # accepted or approved entries
    planned_person_trips: int = 0


@dataclass
class UnitSummary:
    unit: Unit
    cells: dict[str, QuotaCell] = field(default_factory=dict)  # category -> cell
    entries: int = 0  # entries in the plan (any state)
    budget: object = 0  # sum of the budget estimates of accepted/approved entries

    def cell_list(self) -> list[tuple[str, QuotaCell]]:
        return [(str(Category(c).label), self.cells[c]) for c in QUOTA_CATEGORIES]


def _entries_and_quotas(plan: PlanYear, user) -> tuple[QuerySet, QuerySet]:
    entries = PlanEntry.objects.filter(plan=plan)
    quotas = Quota.objects.filter(plan=plan)
    if user is not None:
        entries = scoping.visible(user, entries)
        quotas = scoping.visible(user, quotas)
    return entries, quotas


def quota_units(plan: PlanYear, *, user=None) -> QuerySet[Unit]:
    """The units with entries or a quota in the plan (those ``user`` may see), by code:
    a page of them is summed by ``quota_summary(..., units=...)``."""
    entries, quotas = _entries_and_quotas(plan, user)
    return Unit.objects.filter(
        Q(pk__in=quotas.values("unit_id")) | Q(pk__in=entries.values("unit_id"))
    ).order_by("code")


def quota_summary(plan: PlanYear, *, user=None, units=None) -> list[UnitSummary]:
    """Per unit (that has entries or a quota): each category's quota with used and left,
    and what its accepted entries plan. With ``user``, only the units they may see; with
    ``units`` (a page of ``quota_units``), only those. Three queries whatever the number
    of units (two with ``units``)."""
    entries, quotas = _entries_and_quotas(plan, user)
    if units is not None:
        units = list(units)
        entries = entries.filter(unit__in=units)
        quotas = quotas.filter(unit__in=units)
    counted = Q(state__in=[EntryState.ACCEPTED, EntryState.APPROVED]) | Q(
        bound_version__isnull=False
    )
    rows = (
        entries.values("unit_id", "category")
        .annotate(
            total=Count("pk"),
            planned=Count("pk", filter=counted),
            people=Sum("size", filter=counted),
            budget=Sum("budget_estimate", filter=counted),
        )
        .order_by()
    )
    summaries: dict[int, UnitSummary] = {}
    if units is None:
        unit_ids = set(quotas.values_list("unit_id", flat=True)) | {r["unit_id"] for r in rows}
        units = Unit.objects.filter(pk__in=unit_ids)
    units = {u.pk: u for u in units}

    def summary(unit_id: int) -> UnitSummary:
        if unit_id not in summaries:
            summaries[unit_id] = UnitSummary(
                unit=units[unit_id], cells={c: QuotaCell(None) for c in QUOTA_CATEGORIES}
            )
        return summaries[unit_id]

    for quota in quotas:
        summary(quota.unit_id).cells[quota.category].quota = quota
    for row in rows:
        s = summary(row["unit_id"])
        s.entries += row["total"]
        s.budget += row["budget"] or 0
        if row["category"] in s.cells:
            cell = s.cells[row["category"]]
            cell.planned_batches += row["planned"]
            cell.planned_person_trips += row["people"] or 0
    return sorted(summaries.values(), key=lambda s: s.unit.code)


def awaiting_action(user) -> QuerySet[PlanEntry]:
    """Entries that wait for this user: the leader's drafts to submit, the clerk's
    returned entries, the FAO's submitted ones, the committee's amendments."""
    entries = scoping.visible(user, PlanEntry).exclude(plan__state=PlanState.CONSOLIDATED)
    if roles.has(user, roles.LEADERS):
        return entries.filter(state=EntryState.DRAFT)
    if roles.has(user, roles.CLERKS):
        return entries.filter(state=EntryState.RETURNED)
    if roles.has(user, roles.FAO):
        return entries.filter(state=EntryState.SUBMITTED)
    if roles.has(user, roles.COMMITTEE):
        return entries.filter(state=EntryState.ACCEPTED, plan__state=PlanState.APPROVED)
    return entries.none()


def plans_awaiting_committee(user) -> QuerySet[PlanYear]:
    if not roles.has(user, roles.COMMITTEE):
        return PlanYear.objects.none()
    return scoping.visible(user, PlanYear).filter(state=PlanState.CONSOLIDATED)


def can_edit_entry(user, entry: PlanEntry) -> bool:
    """Whether ``user`` may change (or, when it never bound, delete) ``entry`` now: its
    unit's clerk, while it is a draft or returned and the committee does not have the
    plan. The service checks again under its lock."""
    return (
        permissions.may(user, roles.CLERKS, entry)
        and entry.state in (EntryState.DRAFT, EntryState.RETURNED)
        and entry.plan.state != PlanState.CONSOLIDATED
    )


def actions_for(user, entry: PlanEntry) -> dict[str, bool]:
    """What ``user`` may do with ``entry`` now: the entry's page shows these buttons and the
    API answers them as ``actions`` (one answer for both)."""
    editable = can_edit_entry(user, entry)
    workflow = {t.action: ENTRY.refusal(entry, t.action, user) is None for t in ENTRY.edges()}
    return {"edit": editable, "delete": editable and not entry.is_bound, **workflow}


def plan_actions_for(user, plan: PlanYear) -> dict[str, bool]:
    """What ``user`` may do with ``plan`` now, for its page and for the API alike."""
    allowed = {t.action for t in PLAN.allowed(plan, user)}
    return {
        **{t.action: t.action in allowed for t in PLAN.edges()},
        "edit": roles.has(user, roles.FAO),
        "add_entry": roles.has(user, roles.CLERKS) and plan.state != PlanState.CONSOLIDATED,
        "set_quota": roles.has(user, roles.FAO),
    }
