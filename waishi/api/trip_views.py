"""The trip after approval over the API: the checklists, departure, return, closing and
incidents.

Thin, like the page (``missions.trip.views``): every read starts in ``scoping`` (another
unit's trip is 404), every write is a ``waishi.missions.trip.services`` call (so it is
checked, locked and audited exactly as on the page). Departure, return and closing take
an optional ``version`` (the trip's, as read: another change since is 409) and an
``Idempotency-Key``; so do the incident writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import trip_serializers as ts
from waishi.api.errors import renamed, valid
from waishi.api.idempotency import idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _one_write, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.lib import roles
from waishi.missions.core import readiness
from waishi.missions.core.workflow import CLOSERS, actions_for
from waishi.missions.models import Education, Incident, Member, Mission, State, TripReport
from waishi.missions.trip import predeparture
from waishi.missions.trip import services as trip
from waishi.orgs import scoping

# --- trips ----------------------------------------------------------------------------------


class _TripView(JsonOnly, APIView):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = roles.VIEWERS
    read_message = gettext_lazy("Your role does not give access to trip applications.")
    write_roles = trip.CONFIRMERS
    write_message = gettext_lazy("Only the trip's own unit or the FAO confirms its departure.")


def _mission(request, pk) -> Mission:
    return scoping.get_for_user(request.user, Mission.objects.select_related("unit"), pk)


def _state(mission: Mission) -> dict:
    mission = Mission.objects.get(pk=mission.pk)
    due = TripReport.objects.filter(mission=mission).values_list("due_date", flat=True).first()
    return ts.TripStateOutput(
        {
            "id": mission.pk,
            "state": mission.state,
            "version": mission.version,
            "actual_departure": mission.actual_departure,
            "actual_return": mission.actual_return,
            "closed_at": mission.closed_at,
            "deviations": [str(d) for d in trip.deviations(mission)],
            "report_due": due,
        }
    ).data


class MissionReadinessView(_TripView):
    @extend_schema(
        operation_id="missions_readiness",
        summary="What the trip still needs",
        description="The pre-departure checklist while the trip is approved (head of "
        "delegation acknowledged, every member educated, the temporary Party branch when "
        "mandatory, publicity, passports issued), the close checklist once it is back (the "
        "report accepted, every passport back), deviations of the actual dates, and whether "
        "the caller may depart, come back or close now (with the reason when not).",
        responses=_responses(ts.ReadinessOutput, 403, 404),
    )
    def get(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        departure = (
            readiness.departure_checklist(mission) if mission.state == State.APPROVED else []
        )
        closing = readiness.close_checklist(mission) if mission.state == State.BACK else []
        data = {
            "id": mission.pk,
            "state": mission.state,
            "state_display": mission.get_state_display(),
            "version": mission.version,
            "departure_date": mission.departure_date,
            "return_date": mission.return_date,
            "actual_departure": mission.actual_departure,
            "actual_return": mission.actual_return,
            "itinerary_version": mission.itinerary_version,
            "deviations": [str(d) for d in trip.deviations(mission)],
            "departure_checklist": [{"label": str(k), "done": v} for k, v in departure],
            "departure_blockers": [str(k) for k, v in departure if not v],
            "close_checklist": [{"label": str(k), "done": v} for k, v in closing],
            "close_blockers": [str(k) for k, v in closing if not v],
            "actions": {
                name: {"allowed": refusal is None, "refusal": str(refusal or "")}
                for name, refusal in actions_for(request.user, mission).items()
            },
        }
        return Response(ts.ReadinessOutput(data).data)


_WRITE_ERRORS = (400, 403, 404, 409, 422)


class _ConfirmView(_TripView):
    service = staticmethod(trip.mission_depart)
    field = ""

    def confirm(self, request, mission_pk: int) -> Response:
        mission = _mission(request, mission_pk)
        data = valid(ts.ActualDateInput, request.data)
        try:
            with _one_write():
                self.service(
                    actor=request.user,
                    mission=mission,
                    on=data["date"],
                    version=data.get("version"),
                    ip=client_ip(request),
                    deviation_reason=data.get("deviation_reason", ""),
                    deviation_confirmed=data.get("deviation_confirmed", False),
                )
        except ValidationError as exc:
            raise renamed(exc, {self.field: "date"}) from None
        return Response(_state(mission))


class MissionDepartView(_ConfirmView):
    service = staticmethod(trip.mission_depart)
    field = "actual_departure"

    @extend_schema(
        operation_id="missions_depart",
        summary="Confirm the departure",
        description="The day the delegation actually left (not in the future). Refused, "
        "naming what, while anything on the pre-departure checklist is not done. A "
        "departure outside the approved itinerary is recorded as it happened, shown as a "
        "deviation, and only with deviation_reason and deviation_confirmed.",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.ActualDateInput,
        responses=_responses(ts.TripStateOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        return self.confirm(request, mission_pk)


class MissionComeBackView(_ConfirmView):
    service = staticmethod(trip.mission_come_back)
    field = "actual_return"
    write_message = gettext_lazy("Only the trip's own unit or the FAO confirms its return.")

    @extend_schema(
        operation_id="missions_come_back",
        summary="Confirm the return",
        description="The day the delegation actually came back (not in the future, not "
        "before the departure). The trip report is opened with its due date (REPORT_DUE) "
        "and the passports still out are due back counting from this day.",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.ActualDateInput,
        responses=_responses(ts.TripStateOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        return self.confirm(request, mission_pk)


class MissionCloseView(_TripView):
    write_roles = CLOSERS
    write_message = gettext_lazy("Only the FAO closes a trip.")

    @extend_schema(
        operation_id="missions_close",
        summary="Close the trip",
        description="The FAO; only when the trip is back, its report accepted and every "
        "passport back (the refusal names what is missing).",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.CloseInput,
        responses=_responses(ts.TripStateOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        data = valid(ts.CloseInput, request.data)
        with _one_write():
            trip.mission_close(
                actor=request.user,
                mission=mission,
                version=data.get("version"),
                ip=client_ip(request),
            )
        return Response(_state(mission))


# --- incidents ------------------------------------------------------------------------------


class _IncidentView(_TripView):
    write_roles = trip.INCIDENT_RECORDERS
    write_message = gettext_lazy("Only the trip's own unit or the FAO records its incidents.")


def _incidents(mission: Mission):
    return (
        Incident.objects.filter(mission=mission)
        .select_related("member__person", "recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def _incident(request, mission: Mission, pk) -> Incident:
    return scoping.get_for_user(request.user, _incidents(mission), pk)


class IncidentCollectionView(_IncidentView):
    @extend_schema(
        operation_id="missions_incidents_list",
        summary="Incidents of a trip",
        description="A member who left the group, a media interview, an emergency, a lost "
        "passport ...: when, where, the report and its follow-up; the latest first.",
        responses=_responses(ts.IncidentOutput(many=True), 403, 404),
    )
    def get(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        return Response(ts.IncidentOutput(_incidents(mission), many=True).data)

    @extend_schema(
        operation_id="missions_incidents_create",
        summary="Record an incident",
        description="The trip's own unit or the FAO, while the delegation is abroad or back "
        "(not yet closed).",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.IncidentCreateInput,
        responses=_responses(ts.IncidentOutput, 400, 403, 404, 422, ok_status=201),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        data = valid(ts.IncidentCreateInput, request.data)
        incident = trip.incident_record(
            actor=request.user, mission=mission, data=data, ip=client_ip(request)
        )
        return Response(ts.IncidentOutput(_incident(request, mission, incident.pk)).data, 201)


class IncidentView(_IncidentView):
    @extend_schema(
        operation_id="missions_incidents_retrieve",
        summary="One incident",
        responses=_responses(ts.IncidentOutput, 403, 404),
    )
    def get(self, request, mission_pk: int, incident_pk: int):
        mission = _mission(request, mission_pk)
        return Response(ts.IncidentOutput(_incident(request, mission, incident_pk)).data)

    @extend_schema(
        operation_id="missions_incidents_partial_update",
        summary="Correct an incident, add to its follow-up, or close it",
        description="Only the fields sent change; close: true marks the follow-up done "
        "(the follow-up must be written).",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.IncidentUpdateInput,
        responses=_responses(ts.IncidentOutput, 400, 403, 404, 422),
    )
    @idempotent
    def patch(self, request, mission_pk: int, incident_pk: int):
        mission = _mission(request, mission_pk)
        incident = _incident(request, mission, incident_pk)
        data = valid(ts.IncidentUpdateInput, request.data, partial=True)
        close = data.pop("close", False)
        current = {
            "kind": incident.kind,
            "occurred_at": incident.occurred_at,
            "place": incident.place,
            "member": incident.member_id,
            "report": incident.report,
            "follow_up": incident.follow_up,
        }
        trip.incident_update(
            actor=request.user,
            incident=incident,
            data={**current, **data},
            close=close,
            ip=client_ip(request),
        )
        return Response(ts.IncidentOutput(_incident(request, mission, incident.pk)).data)


# --- pre-departure education ----------------------------------------------------------------


def _education(mission: Mission) -> dict:
    members = (
        Member.objects.filter(mission=mission).select_related("person").order_by("order", "pk")
    )
    educated = {e.member_id: e for e in Education.objects.filter(member__mission=mission)}
    recorded, missing = [], []
    for member in members:
        row = educated.get(member.pk)
        if row is None:
            missing.append(member.person.name)
            continue
        recorded.append(
            {
                "member": member.pk,
                "name": member.person.name,
                "given_on": row.given_on,
                "method": row.method,
                "method_display": row.get_method_display(),
                "given_by": row.given_by,
            }
        )
    return ts.EducationOutput(
        {"id": mission.pk, "recorded": recorded, "not_recorded": missing}
    ).data


class MissionEducationView(_TripView):
    write_roles = predeparture.PREPARERS
    write_message = gettext_lazy("Only the trip's own unit records its preparations.")

    @extend_schema(
        operation_id="missions_education_list",
        summary="Pre-departure education of the members",
        description="Each member's recorded education, and who has none yet.",
        responses=_responses(ts.EducationOutput, 403, 404),
    )
    def get(self, request, mission_pk: int):
        return Response(_education(_mission(request, mission_pk)))

    @extend_schema(
        operation_id="missions_education_record",
        summary="Record one education session for several members",
        description="The trip's own unit, on an approved trip: one session (day, form, who "
        "gave it) for the members named, or every member. Each member's record and audit "
        "event are those of recording them one by one; a refusal for any of them (not a "
        "member, a day in the future) records nobody.",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.EducationInput,
        responses=_responses(ts.EducationOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        data = valid(ts.EducationInput, request.data)
        with _one_write():
            predeparture.education_record_many(
                actor=request.user,
                mission=mission,
                members=data.get("members"),
                given_on=data["given_on"],
                method=data["method"],
                given_by=data["given_by"],
                note=data["note"],
                ip=client_ip(request),
            )
        return Response(_education(mission))
