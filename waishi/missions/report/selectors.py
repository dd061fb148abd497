"""Reads of trip reports that pages (and the API) share: the list, scoped through
``orgs.scoping`` (the FAO sees every unit's, a unit its own), overdue first; and the
unit's obligations (reports still owed), for ``followups.obligations``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from waishi.followups.obligations import Obligation
from waishi.missions.models import ReportState, TripReport
from waishi.missions.report.workflow import OWED_STATES
from waishi.orgs import scoping

# A filter value beside the states: reports still owed after their due date.
OVERDUE = "overdue"


@dataclass(frozen=True)
class ReportFilters:
    q: str = ""
    state: str = ""  # a ReportState value, or OVERDUE
    unit_id: int | None = None


def _overdue(today) -> Q:
    return Q(state__in=sorted(OWED_STATES), due_date__lt=today)


def report_list(user, filters: ReportFilters = ReportFilters()) -> QuerySet[TripReport]:
    """The reports ``user`` may see: overdue first, then those awaiting the FAO, then the
    rest still owed, then the accepted; by due date within each."""
    today = timezone.localdate()
    reports = scoping.visible(user, TripReport).select_related("mission__unit")
    if filters.state == OVERDUE:
        reports = reports.filter(_overdue(today))
    elif filters.state in ReportState.values:
        reports = reports.filter(state=filters.state)
    if filters.unit_id:
        reports = reports.filter(mission__unit_id=filters.unit_id)
    q = filters.q.strip()
    if q:
        reports = reports.filter(mission__title__icontains=q)
    return reports.annotate(
        rank=Case(
            When(_overdue(today), then=Value(0)),
            When(state=ReportState.SUBMITTED, then=Value(1)),
            When(state__in=sorted(OWED_STATES), then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("rank", "due_date", "pk")


def obligations(unit) -> list:
    """For the unit's obligations page: every trip report the unit still owes (draft or
    returned), due on its date, overdue once that date has passed."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    today = timezone.localdate()
    rows = (
        TripReport.objects.filter(mission__unit_id=unit.pk, state__in=sorted(OWED_STATES))
        .select_related("mission")
        .order_by("due_date", "pk")
    )
    return [
        Obligation(
            kind=_("Trip report"),
            title=str(row.mission),
            due_date=row.due_date,
            url=reverse("missions:report", kwargs={"mission_pk": row.mission_id}),
            overdue=row.due_date < today,
        )
        for row in rows
    ]
