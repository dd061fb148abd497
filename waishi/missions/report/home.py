"""The work items of trip reports: for the unit's clerk, each report the unit still owes,
due on the date set when the return was confirmed (``core.deadlines.report_due_date``),
overdue once it has passed (the unit's leader, those overdue); for the FAO, each report
submitted and waiting for its acceptance."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib.roles import has
from waishi.lib.work import ITEM_LIMIT, Item, register_items
from waishi.missions.models import ReportState
from waishi.missions.report.selectors import OVERDUE, ReportFilters, report_list
from waishi.missions.report.workflow import OWED_STATES, REVIEWERS, SUBMITTERS, WRITERS


@register_items
def _reports(user) -> list[Item]:
    if has(user, WRITERS):
        rows = report_list(user).filter(state__in=sorted(OWED_STATES))
        label = None
    elif has(user, SUBMITTERS):  # the unit's leader: those overdue (escalated to them)
        rows = report_list(user, ReportFilters(state=OVERDUE))
        label = None
    elif has(user, REVIEWERS):
        rows = report_list(user, ReportFilters(state=ReportState.SUBMITTED))
        label = _("Awaiting your acceptance")
    else:
        return []
    return [
        Item(
            str(report.mission),
            reverse("missions:report", kwargs={"mission_pk": report.mission_id}),
            # Owed: due on its date. Submitted: the FAO's acceptance has no due date.
            report.due_date if label is None else None,
            _("Trip report"),
            label or report.get_state_display(),
        )
        for report in rows[:ITEM_LIMIT]
    ]
