"""The trip report's Word documents, filled from the templates kept in the repo
(``waishi/missions/documents/trip_report.docx`` and ``report_publicity.docx``, written by
``scripts/make_docx_templates.py``, rendered by ``waishi.lib.documents``):

- the trip report (出访报告): the trip, the unit, the dates approved and actual, the
  members and the itinerary in force, and the structured fields as written -- available
  from the moment the report is opened (the unit prints it to have it signed);
- the post-trip publicity notice (出访情况公示), once the report is published.

Official documents are written in Chinese whatever the reader's language. Every download
is an audit event on the report (``report_docx_download``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from waishi.audit.services import record
from waishi.lib import documents
from waishi.lib.workdays import working_days_between
from waishi.missions.core import itinerary
from waishi.missions.core.docx import (
    TEMPLATES,
    _common,
    _countries_one,
    _date,
    _member_rows,
    objections_line,
    rank_label,
)
from waishi.missions.models import ItineraryVersion, Mission, TripReport
from waishi.missions.trip.services import deviations
from waishi.orgs.models import Person

KINDS = ("trip_report", "report_publicity")
FILE_NAMES = {"trip_report": "出访报告", "report_publicity": "出访情况公示"}


def _stops(mission: Mission, version: ItineraryVersion | None) -> list[dict]:
    """The stops of the version in force, else of the trip's rows (as a version keeps them)."""
    stops = (
        version.stops
        if version is not None
        else [itinerary.stop_dict(s) for s in mission.stops.order_by("order", "pk")]
    )
    return [
        {
            "no": no,
            "country": _countries_one(s.get("country") or ""),
            "city": s.get("city") or "",
            "arrive": s.get("arrive") or "",
            "depart": s.get("depart") or "",
        }
        for no, s in enumerate(stops, start=1)
    ]


def _members(mission: Mission, version: ItineraryVersion | None) -> list[dict]:
    """The members of the version in force (else of the trip's rows), each with the
    person's rank (a version keeps no rank: it is read from the person)."""
    if version is None or not version.members:
        return _member_rows(mission)
    ids = [m.get("person_id") for m in version.members if m.get("person_id")]
    ranks = dict(Person.objects.filter(pk__in=ids).values_list("pk", "rank"))
    return [
        {
            "no": no,
            "name": m.get("name", ""),
            "unit": m.get("unit", ""),
            "post": m.get("post", ""),
            "rank": rank_label(ranks.get(m.get("person_id"), "")),
            "task": m.get("task", ""),
        }
        for no, m in enumerate(version.members, start=1)
    ]


def _days(start, end) -> str | int:
    if start and end:
        return (end - start).days + 1
    return ""


def _money(value) -> str:
    return f"{value:,.2f}元" if value is not None else ""


def _values(report: TripReport) -> dict:
    mission = report.mission
    values = _common(mission)
    values.update(
        {
            "actual_departure": _date(mission.actual_departure),
            "actual_return": _date(mission.actual_return),
            "actual_days": _days(mission.actual_departure, mission.actual_return),
            "deviations": "；".join(str(d) for d in deviations(mission)) or "无",
            "due_date": _date(report.due_date),
            "tasks_done": report.tasks_done,
            "meetings": report.meetings,
            "agreements": report.agreements,
            "outcomes": report.outcomes,
            "costs": report.costs,
            "actual_cost": _money(report.actual_cost_cny),
            "problems": report.problems,
            "state": report.get_state_display(),
            "submitted_on": _date(timezone.localdate(report.submitted_at))
            if report.submitted_at
            else "",
            "publicity_from": _date(report.publicity_starts_on),
            "publicity_to": _date(report.publicity_ends_on),
            "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        }
    )
    return values


def _trip_report(report: TripReport) -> bytes:
    version = itinerary.in_force(report.mission)
    return documents.render(
        TEMPLATES / "trip_report.docx",
        _values(report),
        {
            "members": _members(report.mission, version),
            "stops": _stops(report.mission, version),
        },
    )


def _report_publicity(report: TripReport) -> bytes:
    values = _values(report)
    start, end = report.publicity_starts_on, report.publicity_ends_on
    values.update(
        {
            # The period starts on a working day (``publicity_period``): N counts it too.
            "period_days": working_days_between(start, end) + 1,
            "objections": objections_line(f"本单位或{values['office']}"),
        }
    )
    version = itinerary.in_force(report.mission)
    return documents.render(
        TEMPLATES / "report_publicity.docx",
        values,
        {"members": _members(report.mission, version)},
    )


RENDERERS = {"trip_report": _trip_report, "report_publicity": _report_publicity}


def available(report: TripReport, kind: str) -> bool:
    if kind == "trip_report":
        return True
    if kind == "report_publicity":
        return report.publicity_starts_on is not None and report.publicity_ends_on is not None
    return False


def report_document(report: TripReport, kind: str) -> tuple[bytes, str]:
    """(the .docx bytes, a file name). Raises ValidationError when the document does not
    exist yet (the publicity notice before the report is published)."""
    if kind not in RENDERERS or not available(report, kind):
        raise ValidationError(_("This document is not available for the report now."))
    with translation.override(settings.LANGUAGE_CODE):
        data = RENDERERS[kind](report)
    return data, f"{FILE_NAMES[kind]}-{report.mission_id}.docx"


def report_docx_download(*, actor, report: TripReport, kind: str, ip: str = "") -> None:
    """Every download of a report's document is recorded, on the report."""
    record(
        action="missions.report.docx",
        actor=actor,
        obj=report,
        ip=ip,
        data={
            "mission": report.mission_id,
            "document": kind,
            "file": FILE_NAMES.get(kind, kind),
        },
    )
