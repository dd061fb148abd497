"""During and after the trip: departure and return confirmed with the actual dates, the
trip closed, and incidents recorded (policy-rules.md, "Before, during and after").

Each state change goes through the workflow (``missions.core.workflow``: ``depart``,
``come_back``, ``close``), under a row lock, with one audit event on the mission. What the
trip needs first is in ``missions.core.readiness`` (the pre-departure checklist; the close
checklist). Confirming the return opens the trip report with its due date
(``REPORT_DUE``) and tells ``readiness.RETURN_HOOKS`` (the passports' due dates follow
the actual return).

The actual dates are facts: a departure outside the itinerary in force, a return later
than it or on the day of departure is recorded as it happened -- but only with a written
reason, confirmed, which the audit event keeps -- and shown as a deviation
(``deviations``) on the trip and its report, for the FAO and the inspectors; the change it
needed is a change request (``changes/services.py``) approved before it happens, which
moves the itinerary in force so that the date is no deviation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import record, snapshot
from waishi.lib.roles import FAO, UNIT_ROLES
from waishi.missions.core import readiness
from waishi.missions.core.common import check_version
from waishi.missions.core.deadlines import report_due_date
from waishi.missions.core.workflow import MISSION
from waishi.missions.models import Incident, IncidentKind, Member, Mission, State, TripReport
from waishi.orgs import permissions

# Who confirms departure and return (the trip's own unit, or the FAO for it).
CONFIRMERS = UNIT_ROLES | FAO
# Who records incidents: the unit, and the FAO (which often hears of them first).
INCIDENT_RECORDERS = CONFIRMERS
# The states in which incidents are recorded (during the trip, and after it while the
# report is still open: what happened abroad is often learnt on the way back).
INCIDENT_STATES = frozenset({State.ABROAD, State.BACK})
INCIDENT_FIELDS = ("kind", "occurred_at", "place", "member", "report", "follow_up")


def _actual_date(value: Any, field: str, missing: str) -> date:
    """A date not in the future (a departure or a return is confirmed once it happened)."""
    if value in (None, ""):
        raise ValidationError({field: missing}, code="required")
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                {field: _("Enter a date as YYYY-MM-DD.")}, code="invalid"
            ) from None
    if value > timezone.localdate():
        raise ValidationError(
            {field: _("This date is still to come: confirm it once it has happened.")},
            code="future",
        )
    return value


def may_confirm(actor, mission: Mission) -> bool:
    return permissions.may(actor, CONFIRMERS, mission)


def _stale(row: Mission, version: Any) -> None:
    """Under the workflow's lock: the trip as the caller read it, when they say which."""
    check_version(
        row,
        version,
        _(
            "This trip was changed since you read it (version %(now)d, not %(read)d). "
            "Nothing was saved: read it again, then retry."
        ),
    )


def _deviation_accepted(
    problems: list[str], reason: Any, confirmed: Any, field: str
) -> dict[str, str]:
    """A date that deviates from the approved itinerary (``problems``, in words) is
    recorded only with a written reason and its confirmation: the second step of the
    form. Returns what the audit event keeps of it; raises ValidationError naming what is
    missing (the deviation, then the reason, then the confirmation)."""
    if not problems:
        return {}
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                field: [
                    *problems,
                    _(
                        "A date outside the approved itinerary needs an approved change "
                        "request first, or the reason written here and confirmed."
                    ),
                ],
                "deviation_reason": _("Give the reason for the deviation."),
            },
            code="deviation",
        )
    if confirmed is not True:
        raise ValidationError(
            {
                "deviation_confirmed": _(
                    "Confirm that the date deviates from the approved itinerary and that the "
                    "reason is true."
                )
            },
            code="deviation_confirm",
        )
    return {"deviation_reason": reason[:2000], "deviation_confirmed": True}


def departure_deviations(mission: Mission, day: date) -> list[str]:
    """Why a departure on ``day`` lies outside the approved itinerary (in force: an
    approved change request has moved it), in words; empty when it does not."""
    start, end = mission.departure_date, mission.return_date
    found: list[str] = []
    if start and day < start:
        found.append(
            _("Left %(days)s day(s) before the approved departure (%(day)s).")
            % {"days": (start - day).days, "day": start}
        )
    if end and day > end:
        found.append(
            _("The departure on %(day)s is after the approved return (%(end)s).")
            % {"day": day, "end": end}
        )
    return found


def return_deviations(mission: Mission, day: date) -> list[str]:
    """Why a return on ``day`` needs a reason: after the approved return, or on the very
    day of the departure (a same-day return)."""
    found: list[str] = []
    if mission.return_date and day > mission.return_date:
        found.append(
            _("Came back %(days)s day(s) after the approved return (%(day)s).")
            % {"days": (day - mission.return_date).days, "day": mission.return_date}
        )
    if mission.actual_departure is not None and day == mission.actual_departure:
        found.append(
            _("The delegation came back on the day it left (%(day)s).") % {"day": day.isoformat()}
        )
    return found


def mission_depart(
    *,
    actor,
    mission: Mission,
    on: Any,
    version: Any = None,
    ip: str = "",
    deviation_reason: str = "",
    deviation_confirmed: bool = False,
) -> Mission:
    """Confirm the departure on ``on`` (the actual date). Refused while anything on the
    pre-departure checklist is not done (the workflow's guard names what), and for a
    stale ``version`` when one is given. A date outside the approved itinerary (in force,
    so as an approved change request left it) is recorded only with
    ``deviation_reason`` and ``deviation_confirmed``, which the audit event keeps."""
    if not may_confirm(actor, mission):
        raise PermissionDenied(_("Only the trip's own unit or the FAO confirms its departure."))
    day = _actual_date(on, "actual_departure", _("Enter the day the delegation left."))
    accepted = _deviation_accepted(
        departure_deviations(mission, day),
        deviation_reason,
        deviation_confirmed,
        "actual_departure",
    )

    def effect(row: Mission, transition) -> None:
        _stale(row, version)
        row.actual_departure = day
        row.version += 1

    return MISSION.apply(
        mission,
        "depart",
        actor=actor,
        ip=ip,
        effect=effect,
        data={
            "actual_departure": day.isoformat(),
            "deviations": deviations(mission, day),
            **accepted,
        },
    )


def mission_come_back(
    *,
    actor,
    mission: Mission,
    on: Any,
    version: Any = None,
    ip: str = "",
    deviation_reason: str = "",
    deviation_confirmed: bool = False,
) -> Mission:
    """Confirm the return on ``on``: the trip is back, its report is opened with the due
    date of the policy in force that day, and ``readiness.RETURN_HOOKS`` are told. A
    return after the approved one, or on the day of departure, is recorded only with
    ``deviation_reason`` and ``deviation_confirmed`` (kept by the audit event)."""
    if not may_confirm(actor, mission):
        raise PermissionDenied(_("Only the trip's own unit or the FAO confirms its return."))
    day = _actual_date(on, "actual_return", _("Enter the day the delegation came back."))
    if mission.actual_departure is not None and day < mission.actual_departure:
        raise ValidationError(
            {
                "actual_return": _("The return cannot be before the departure (%(day)s).")
                % {"day": mission.actual_departure.isoformat()}
            },
            code="order",
        )
    accepted = _deviation_accepted(
        return_deviations(mission, day), deviation_reason, deviation_confirmed, "actual_return"
    )
    due = report_due_date(day)

    def effect(row: Mission, transition) -> None:
        _stale(row, version)
        row.actual_return = day
        row.version += 1

    with transaction.atomic():
        back = MISSION.apply(
            mission,
            "come_back",
            actor=actor,
            ip=ip,
            effect=effect,
            data={
                "actual_return": day.isoformat(),
                "report_due": due.isoformat(),
                "deviations": deviations(mission, mission.actual_departure, day),
                **accepted,
            },
        )
        TripReport.objects.get_or_create(mission=back, defaults={"due_date": due})
        for hook in list(readiness.RETURN_HOOKS):
            hook(back)
    return back


def mission_close(*, actor, mission: Mission, version: Any = None, ip: str = "") -> Mission:
    """Close the trip: only when its report is accepted and every passport is back
    (``readiness.close_blockers``; the workflow's guard names what is missing)."""

    def effect(row: Mission, transition) -> None:
        _stale(row, version)
        row.closed_at = timezone.now()
        row.version += 1

    return MISSION.apply(mission, "close", actor=actor, ip=ip, effect=effect)


def mission_close_if_ready(*, actor, mission: Mission, ip: str = "") -> bool:
    """Close the trip when it is back and nothing blocks it; called after the report is
    accepted and after a passport comes back, in their transactions, by the FAO who took
    that last step (the close event says it was automatic). False when it stays open."""
    with transaction.atomic():
        locked = Mission.objects.select_for_update().get(pk=mission.pk)
        if locked.state != State.BACK or MISSION.refusal(locked, "close", actor) is not None:
            return False

        def effect(row: Mission, transition) -> None:
            row.closed_at = timezone.now()
            row.version += 1

        MISSION.apply(locked, "close", actor=actor, ip=ip, effect=effect, data={"automatic": True})
    return True


# -- deviations from the itinerary in force ----------------------------------------------------


def deviations(mission: Mission, departed: date | None = None, returned: date | None = None):
    """What the actual dates do against the itinerary in force, in words (empty: none)."""
    departed = departed or mission.actual_departure
    returned = returned or mission.actual_return
    found: list[str] = []
    if departed and mission.departure_date and departed < mission.departure_date:
        found.append(
            _("Left %(days)s day(s) before the approved departure (%(day)s).")
            % {"days": (mission.departure_date - departed).days, "day": mission.departure_date}
        )
    if departed and mission.return_date and departed > mission.return_date:
        found.append(
            _("The departure on %(day)s is after the approved return (%(end)s).")
            % {"day": departed, "end": mission.return_date}
        )
    if returned and mission.return_date and returned > mission.return_date:
        found.append(
            _("Came back %(days)s day(s) after the approved return (%(day)s).")
            % {"days": (returned - mission.return_date).days, "day": mission.return_date}
        )
    if returned and departed and returned == departed:
        found.append(
            _("The delegation came back on the day it left (%(day)s).")
            % {"day": returned.isoformat()}
        )
    return found


# -- incidents ---------------------------------------------------------------------------------


def may_record_incident(actor, mission: Mission) -> bool:
    return permissions.may(actor, INCIDENT_RECORDERS, mission) and mission.state in INCIDENT_STATES


def _incident_values(mission: Mission, data: dict) -> dict:
    """Check what was typed; every problem at once, by field, in Chinese."""
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "").strip()
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose what happened.")
    occurred = data.get("occurred_at")
    if isinstance(occurred, str) and occurred.strip():
        from django.utils.dateparse import parse_datetime

        try:
            occurred = parse_datetime(occurred.strip())
        except ValueError:
            occurred = None
    if not isinstance(occurred, datetime):
        errors["occurred_at"] = _("Enter when it happened (date and time).")
    else:
        if timezone.is_naive(occurred):
            occurred = timezone.make_aware(occurred)
        if occurred > timezone.now():
            errors["occurred_at"] = _("This time is still to come.")
    place = str(data.get("place") or "").strip()
    if not place:
        errors["place"] = _("Enter where it happened.")
    report = str(data.get("report") or "").strip()
    if not report:
        errors["report"] = _("Write what happened and what was done.")
    member = None
    member_id = data.get("member") or data.get("member_id")
    if member_id not in (None, ""):
        member = Member.objects.filter(mission=mission, pk=member_id).first()
        if member is None:
            errors["member"] = _("This person is not a member of this delegation.")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "occurred_at": occurred,
        "place": place[:200],
        "member": member,
        "report": report,
        "follow_up": str(data.get("follow_up") or "").strip(),
    }


def _lock_for_incident(actor, mission: Mission) -> Mission:
    if not permissions.may(actor, INCIDENT_RECORDERS, mission):
        raise PermissionDenied(_("Only the trip's own unit or the FAO records its incidents."))
    locked = Mission.objects.select_for_update().get(pk=mission.pk)
    if locked.state not in INCIDENT_STATES:
        raise ValidationError(
            _(
                "Incidents are recorded while the delegation is abroad or back and not yet closed "
                "(this trip is %(state)s)."
            )
            % {"state": locked.get_state_display()},
            code="state",
        )
    return locked


def incident_record(*, actor, mission: Mission, data: dict, ip: str = "") -> Incident:
    """Record an incident of the trip: kind, when, where, the member concerned, the report
    and its follow-up."""
    with transaction.atomic():
        locked = _lock_for_incident(actor, mission)
        values = _incident_values(locked, data)
        incident = Incident.objects.create(mission=locked, recorded_by=actor, **values)
        record(
            actor=actor,
            action="missions.incident.record",
            obj=incident,
            ip=ip,
            after=snapshot(incident, INCIDENT_FIELDS),
            data={"mission": locked.pk},
        )
    return incident


def incident_update(
    *, actor, incident: Incident, data: dict, close: bool = False, ip: str = ""
) -> Incident:
    """Correct an incident or add to its follow-up; ``close`` marks the follow-up done."""
    with transaction.atomic():
        locked_mission = _lock_for_incident(actor, incident.mission)
        row = Incident.objects.select_for_update().get(pk=incident.pk, mission=locked_mission)
        before = snapshot(row, INCIDENT_FIELDS)
        values = _incident_values(locked_mission, data)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = timezone.now()
        if close and row.closed_at is None:
            if not row.follow_up:
                raise ValidationError({"follow_up": _("Write the follow-up before closing it.")})
            row.closed_at = row.updated_at
        row.save()
        record(
            actor=actor,
            action="missions.incident.update",
            obj=row,
            ip=ip,
            before=before,
            after={**snapshot(row, INCIDENT_FIELDS), "closed": row.closed_at is not None},
            data={"mission": locked_mission.pk},
        )
    return row
