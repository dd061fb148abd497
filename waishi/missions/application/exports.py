"""The list of trip applications as .xlsx, in bounded memory.

``lib.xlsx_stream`` streams rows to a temporary file as they are added; the rows come
from the database in chunks (``iterator``), so neither side holds the whole list. The
finished file is sent with ``FileResponse`` (read in blocks) and deleted when the
response is closed. Every export is recorded in the audit log.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from waishi.audit.services import client_ip, record
from waishi.lib.xlsx_stream import SheetWriter
from waishi.missions.core.selectors import country_names
from waishi.missions.models import Member, Mission, Stop

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


# What a row shows, read as plain values: building a model instance for every trip,
# member, person and stop costs more than the rest of the export together.
FIELDS = (
    "pk",
    "title",
    "unit__name",
    "category",
    "state",
    "departure_date",
    "return_date",
    "inviter",
    "out_of_plan",
    "submitted_at",
)


def _chunks(missions: QuerySet[Mission]):
    rows = missions.prefetch_related(None).values_list(*FIELDS)
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _itineraries(ids: list[int]) -> dict[int, list[str]]:
    countries: dict[int, list[str]] = defaultdict(list)
    stops = (
        Stop.objects.filter(mission_id__in=ids)
        .order_by("mission_id", "order", "pk")
        .values_list("mission_id", "country")
    )
    for mission_id, code in stops:
        if code and code not in countries[mission_id]:
            countries[mission_id].append(code)
    return countries


def _members(ids: list[int]) -> tuple[dict[int, list[str]], dict[int, str]]:
    names: dict[int, list[str]] = defaultdict(list)
    leaders: dict[int, str] = {}
    members = (
        Member.objects.filter(mission_id__in=ids)
        .order_by("mission_id", "order", "pk")
        .values_list("mission_id", "person__name", "is_leader")
    )
    for mission_id, name, is_leader in members:
        names[mission_id].append(name)
        if is_leader:
            leaders.setdefault(mission_id, name)
    return names, leaders


def write_xlsx(missions: QuerySet[Mission], handle) -> int:
    """Write ``missions`` (a ``selectors.mission_list`` queryset) to ``handle``; the
    number of rows. Chunk by chunk: the trips' values, then their stops and members in
    one query each."""
    english = (get_language() or "").startswith("en")
    categories = {k: str(v) for k, v in Mission._meta.get_field("category").flatchoices}
    states = {k: str(v) for k, v in Mission._meta.get_field("state").flatchoices}
    yes = _("yes")
    places: dict[tuple[str, ...], str] = {}
    sheet = SheetWriter(handle, _("Trips abroad"))
    sheet.append(_headers())
    count = 0
    for chunk in _chunks(missions):
        ids = [row[0] for row in chunk]
        countries = _itineraries(ids)
        names, leaders = _members(ids)
        for pk, title, unit, category, state, departs, returns, inviter, out, sent in chunk:
            codes = tuple(countries.get(pk, ()))
            if codes not in places:
                places[codes] = country_names(list(codes), english)
            submitted = timezone.localtime(sent).strftime("%Y-%m-%d %H:%M") if sent else ""
            days = (returns - departs).days + 1 if departs and returns else None
            sheet.append(
                [pk, title, unit, categories.get(category, category), states.get(state, state),
                 places[codes], departs, returns, days, "、".join(names.get(pk, ())),
                 leaders.get(pk, ""), inviter, yes if out else "", submitted]
            )  # fmt: skip
            count += 1
    sheet.close()
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
