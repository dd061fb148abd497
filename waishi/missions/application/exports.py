"""The list of trip applications as .xlsx, in bounded memory.

``lib.downloads.spreadsheet`` streams the rows to a temporary file as they are made; they
come from the database in chunks (``iterator``), so neither side holds the whole list,
and the file is sent in blocks. Every export is recorded in the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from waishi.audit.services import client_ip, record
from waishi.lib import downloads
from waishi.lib.xlsx_stream import Table
from waishi.missions.core.selectors import country_names
from waishi.missions.models import Member, Mission, Stop

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


def _rows(missions: QuerySet[Mission], english: bool) -> Iterator[list]:
    """Chunk by chunk: the trips' values, then their stops and members in one query
    each."""
    categories = {k: str(v) for k, v in Mission._meta.get_field("category").flatchoices}
    states = {k: str(v) for k, v in Mission._meta.get_field("state").flatchoices}
    yes = _("yes")
    places: dict[tuple[str, ...], str] = {}
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
            yield [pk, title, unit, categories.get(category, category), states.get(state, state),
                   places[codes], departs, returns, days, "、".join(names.get(pk, ())),
                   leaders.get(pk, ""), inviter, yes if out else "", submitted]  # fmt: skip


def table(missions: QuerySet[Mission]) -> Table:
    """``missions`` (a ``selectors.mission_list`` queryset) as the export's sheet."""
    english = (get_language() or "").startswith("en")
    return Table(_("Trips abroad"), _headers(), _rows(missions, english))


def xlsx_response(request, missions: QuerySet[Mission]) -> FileResponse:
    day = f"{timezone.localdate():%Y%m%d}"
    stem = _("Trips abroad")  # the file name in the reader's language
    return downloads.spreadsheet(
        [table(missions)],
        filename=f"{stem}-{day}.xlsx",
        fallback=f"trips-{day}.xlsx",
        record=lambda count: record(
            action="missions.mission.export",
            actor=request.user,
            object_type="missions.mission",
            ip=client_ip(request),
            data={"count": count, "filters": request.GET.urlencode()[:500]},
        ),
    )
