"""The outcome list as .xlsx, in bounded memory (``lib.downloads.spreadsheet``, rows in
chunks, streamed from a temporary file; every text a string cell, never a formula). Every
export is recorded in the audit log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import client_ip, record
from waishi.followups import sources
from waishi.followups.models import Outcome
from waishi.lib import downloads
from waishi.lib.xlsx_stream import Table

CHUNK = 500


def _headers() -> list[str]:
    return [
        _("No."),
        _("Outcome"),
        _("Kind"),
        _("State"),
        _("Responsible unit"),
        _("Responsible person"),
        _("Due date"),
        _("Overdue"),
        _("Source record"),
        _("Description"),
        _("Reason for dropping"),
    ]


def _row(outcome: Outcome) -> list:
    source = ""
    if outcome.source_type:
        source = f"{sources.label_of(outcome.source_type)}：{outcome.source_title}"
    return [
        outcome.pk,
        outcome.title,
        outcome.get_kind_display(),
        outcome.get_state_display(),
        outcome.responsible_unit.name,
        outcome.responsible_person.name,
        outcome.due_date,
        _("yes") if outcome.is_overdue else "",
        source,
        outcome.description,
        outcome.drop_reason,
    ]


def table(outcomes: QuerySet[Outcome]) -> Table:
    rows = (_row(outcome) for outcome in outcomes.iterator(chunk_size=CHUNK))
    return Table(_("Outcomes"), _headers(), rows)


def xlsx_response(request, outcomes: QuerySet[Outcome]) -> FileResponse:
    day = f"{timezone.localdate():%Y%m%d}"
    stem = _("Outcomes")  # the file name in the reader's language
    return downloads.spreadsheet(
        [table(outcomes)],
        filename=f"{stem}-{day}.xlsx",
        fallback=f"outcomes-{day}.xlsx",
        record=lambda count: record(
            action="followups.outcome.export",
            actor=request.user,
            object_type="followups.outcome",
            ip=client_ip(request),
            data={"count": count, "filters": request.GET.urlencode()[:500]},
        ),
    )
