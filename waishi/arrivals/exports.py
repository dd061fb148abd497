"""Arrivals as .xlsx, in bounded memory: what the board lists with its filters.

``lib.downloads.spreadsheet`` streams the rows to a temporary file as they come from the
database in chunks (every text a string cell, never a formula: names and addresses come
from the public form and from imported lists) and sends it. Passport numbers appear
masked; no health detail is exported (health data are read on their own audited page).
Every export is audited.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals.models import Arrival
from waishi.arrivals.selectors import country_label
from waishi.audit.services import client_ip, record
from waishi.lib import downloads
from waishi.lib.xlsx_stream import Table

CHUNK = 500


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _headers() -> list[str]:
    return [
        _("No."),
        _("Name"),
        _("Category"),
        _("Nationality"),
        _("Passport number"),
        _("Phone"),
        _("Coming from"),
        _("Flight or route"),
        _("Arrival date"),
        _("Port of entry"),
        _("Address in the city"),
        _("District"),
        _("Management plan"),
        _("State"),
        _("Next step"),
        _("Due"),
        _("Overdue"),
        _("Escalated"),
        _("Declared late"),
        _("Closed"),
    ]


def _row(arrival: Arrival) -> list:
    origin = country_label(arrival.origin_country)
    if arrival.origin_city:
        origin = f"{origin} {arrival.origin_city}"
    return [
        arrival.pk,
        arrival.name,
        arrival.get_category_display(),
        country_label(arrival.nationality),
        arrival.passport_masked,
        arrival.phone,
        origin,
        arrival.route,
        arrival.arrival_date,
        arrival.port,
        arrival.address,
        arrival.district.name,
        str(arrival.plan),
        arrival.get_state_display(),
        getattr(arrival, "next_step_label", None) or "",
        _local(getattr(arrival, "next_step_due", None)),
        _("yes") if getattr(arrival, "has_overdue", False) else "",
        _("yes") if getattr(arrival, "has_escalated", False) else "",
        _("yes") if arrival.late_declaration else "",
        _local(arrival.closed_at),
    ]


def table(arrivals: QuerySet[Arrival]) -> Table:
    """``arrivals`` (a ``selectors.arrival_list`` queryset) as the export's sheet."""
    rows = (_row(arrival) for arrival in arrivals.iterator(chunk_size=CHUNK))
    return Table(_("Arrivals"), _headers(), rows)


def xlsx_response(request, arrivals: QuerySet[Arrival]) -> FileResponse:
    day = f"{timezone.localdate():%Y%m%d}"
    stem = _("Arrivals")  # the file name in the reader's language
    return downloads.spreadsheet(
        [table(arrivals)],
        filename=f"{stem}-{day}.xlsx",
        fallback=f"arrivals-{day}.xlsx",
        record=lambda count: record(
            action="arrivals.arrival.export",
            actor=request.user,
            object_type="arrivals.arrival",
            ip=client_ip(request),
            data={"count": count, "filters": request.GET.urlencode()[:500]},
        ),
    )
