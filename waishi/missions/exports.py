"""The list of trip applications as .xlsx, in bounded memory.

openpyxl's ``write_only`` workbook streams rows to a temporary file as they are added;
the rows come from the database in chunks (``iterator``), so neither side holds the
whole list. The finished file is sent with ``FileResponse`` (read in blocks) and
deleted when the response is closed. Every export is recorded in the audit log.
"""

from __future__ import annotations

import tempfile

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from waishi.audit.services import client_ip, record
from waishi.missions.models import Mission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 500


def _headers() -> list[str]:
    return [
        _("No."),
        _("Title"),
        _("Unit"),
        _("Category"),
        _("State"),
        _("Countries and regions"),
        _("Departure date"),
        _("Return date"),
        _("Days abroad"),
        _("Members"),
        _("Head of delegation"),
        _("Inviter"),
        _("Not in the annual plan"),
        _("Submitted"),
    ]


def _row(mission: Mission, english: bool) -> list:
    from waishi.missions.selectors import countries_of, country_names

    members = list(mission.members.all())
    leader = next((m.person.name for m in members if m.is_leader), "")
    submitted = (
        timezone.localtime(mission.submitted_at).strftime("%Y-%m-%d %H:%M")
        if mission.submitted_at
        else ""
    )
    return [
        mission.pk,
        mission.title,
        mission.unit.name,
        mission.get_category_display(),
        mission.get_state_display(),
        country_names(countries_of(mission), english),
        mission.departure_date,
        mission.return_date,
        mission.days_abroad,
        "、".join(m.person.name for m in members),
        leader,
        mission.inviter,
        _("yes") if mission.out_of_plan else "",
        submitted,
    ]


def write_xlsx(missions: QuerySet[Mission], handle) -> int:
    """Write ``missions`` (a ``selectors.mission_list`` queryset) to ``handle``; the
    number of rows."""
    english = (get_language() or "").startswith("en")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Trips abroad"))
    sheet.append(_headers())
    count = 0
    for mission in missions.iterator(chunk_size=CHUNK):
        sheet.append(_row(mission, english))
        count += 1
    book.save(handle)
    return count


def xlsx_response(request, missions: QuerySet[Mission]) -> FileResponse:
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    count = write_xlsx(missions, handle)
    handle.seek(0)
    record(
        action="missions.mission.export",
        actor=request.user,
        object_type="missions.mission",
        ip=client_ip(request),
        data={"count": count, "filters": request.GET.urlencode()[:500]},
    )
    name = f"trips-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
