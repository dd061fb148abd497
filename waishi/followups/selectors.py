"""Reads of the follow-up pages: every list starts from the user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.followups.models import ACTIVE_STATES, Kind, Outcome, ProgressUpdate, State
from waishi.followups.obligations import Obligation
from waishi.orgs import scoping


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
    qs = scoping.visible(user, Outcome).select_related("responsible_unit", "responsible_person")
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
    qs = scoping.visible(user, Outcome).filter(overdue_q())
    if unit_id:
        qs = qs.filter(responsible_unit_id=unit_id)
    return qs.count()


def outcome_obligations(unit) -> list[Obligation]:
    """The provider this app registers: the unit's outcomes still to be done."""
    today = timezone.localdate()
    rows = Outcome.objects.filter(responsible_unit=unit, state__in=list(ACTIVE_STATES)).order_by(
        "due_date", "pk"
    )
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
