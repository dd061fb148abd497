"""The supervised tasks' spreadsheets, through the one .xlsx writer
(``waishi.lib.xlsx_stream`` via ``lib.downloads.spreadsheet``): the task list as filtered
on its page, and a year's on-time table (unit, due, on time, rate) for the annual
review. Every export is recorded in the audit log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from waishi.audit.messages import register, register_data
from waishi.audit.services import client_ip, record
from waishi.followups.models import Outcome
from waishi.lib import downloads
from waishi.lib.xlsx_stream import Table

CHUNK = 500

# The sentences of this module's events (the task's own are in ``audit_messages``).
register(
    {
        "followups.task_list.export": gettext_lazy("{actor} exported {count} supervised tasks"),
        "followups.on_time.export": gettext_lazy("{actor} exported the on-time table of {year}"),
        "followups.task_document.download": gettext_lazy(
            "{actor} downloaded the {document} of the supervised task {object}"
        ),
    }
)
register_data(
    "followups.task_document.download",
    "document",
    {"notice": gettext_lazy("supervision notice"), "reminder": gettext_lazy("reminder")},
)


def _headers() -> list[str]:
    return [
        pgettext("task page", "Number"),
        pgettext("task page", "Task"),
        pgettext("task page", "Source"),
        _("Source document"),
        _("Lead unit"),
        _("Supporting units"),
        _("Responsible person"),
        pgettext("task page", "Deadline"),
        _("Original deadline"),
        _("State"),
        pgettext("task page", "Warning"),
        _("Major task"),
        _("Sent to the unit"),
        _("Done"),
    ]


def _local(value):
    return timezone.localtime(value) if value else None


def _row(task: Outcome) -> list:
    return [
        task.number,
        task.title,
        task.get_source_kind_display() if task.source_kind else "",
        task.source_title,
        task.responsible_unit.name,
        "、".join(u.name for u in task.supporting_units.all()),
        task.responsible_person.name,
        task.due_date,
        task.original_due_date if task.original_due_date != task.due_date else None,
        task.get_state_display(),
        task.get_colour_display() if task.colour else "",
        _("yes") if task.major else "",
        _local(task.assigned_at),
        _local(task.done_at),
    ]


def task_table(tasks: QuerySet[Outcome]) -> Table:
    tasks = tasks.select_related("responsible_unit", "responsible_person").prefetch_related(
        "supporting_units"
    )
    rows = (_row(task) for task in tasks.iterator(chunk_size=CHUNK))
    return Table(_("Supervised tasks"), _headers(), rows)


def tasks_xlsx(request, tasks: QuerySet[Outcome]) -> FileResponse:
    day = f"{timezone.localdate():%Y%m%d}"
    return downloads.spreadsheet(
        [task_table(tasks)],
        filename=f"{_('Supervised tasks')}-{day}.xlsx",
        fallback=f"tasks-{day}.xlsx",
        record=lambda count: record(
            action="followups.task_list.export",
            actor=request.user,
            object_type="followups.outcome",
            ip=client_ip(request),
            data={"count": count, "filters": request.GET.urlencode()[:500]},
        ),
    )


def rate_text(value) -> str:
    """The rate as a person reads it: "87.5%", or "—" when nothing was due."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


def on_time_table(rows, year: int) -> Table:
    data = (
        [row.unit, row.due, row.on_time, row.due - row.on_time, rate_text(row.rate)] for row in rows
    )
    headers = [
        _("Unit"),
        pgettext("task page", "Due"),
        pgettext("task page", "On time"),
        _("Late or not done"),
        _("On-time rate"),
    ]
    return Table(_("On time %(year)s") % {"year": year}, headers, data)


def on_time_xlsx(request, rows, year: int) -> FileResponse:
    return downloads.spreadsheet(
        [on_time_table(rows, year)],
        filename=f"{_('On-time rate')}-{year}.xlsx",
        fallback=f"on-time-{year}.xlsx",
        record=lambda count: record(
            action="followups.on_time.export",
            actor=request.user,
            object_type="followups.outcome",
            ip=client_ip(request),
            data={"year": year, "count": count},
        ),
    )
