"""Trip applications over the API: list, detail, draft (create, update, letter), submit
and the approver's decisions (approve, return, reject).

Thin, like the pages: every read starts in ``scoping`` (another unit's application is
404), every write is a ``waishi.missions.application.services`` call (so it is checked, locked and
audited exactly as on the pages), and one request that touches several parts of a
draft runs them in one transaction -- a refusal anywhere changes nothing. Submit and
the decisions take an ``Idempotency-Key`` (``waishi.api.idempotency``): a retry with the
same key is answered from the first answer and writes nothing."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import idempotency
from waishi.api import mission_serializers as ms
from waishi.api import serializers as s
from waishi.api.errors import renamed, valid
from waishi.api.idempotency import idempotent
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.lib import roles
from waishi.missions.application import services, steps
from waishi.missions.core import selectors
from waishi.missions.core.workflow import APPROVERS, CLERKS
from waishi.missions.models import BudgetLine, Member, Mission, ScheduleDay, Stop
from waishi.orgs import scoping

VIEWERS = roles.UNIT_ROLES | roles.CITY_ROLES  # as the pages (missions.application.views)
BASICS = (*services.BASICS_FIELDS, "plan_entry")

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    idempotency.KEY_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string of 1 to 200 visible ASCII characters (letters, digits, "
        "punctuation; no spaces). A retry with the same key and the same body (a JSON body "
        "compared by its content: key order and spacing do not matter) gets the first answer "
        "again (header Idempotent-Replayed: true) and writes nothing; the same key with "
        "another body is refused with 422."
    ),
)


def _responses(ok, *errors: int, ok_status: int = 200) -> dict:
    return {ok_status: ok, **{code: s.ErrorOutput for code in (401, 429, *errors)}}


# --- permissions ----------------------------------------------------------------------------


class TripRoles(BasePermission):
    """Reading: the business roles that see trips (not the district officer, who has his
    own pages, nor the three administrators). Writing: ``view.write_roles``; the auditor
    reads and never writes."""

    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            self.message = _("Your role does not give access to trip applications.")
            return roles.has(request.user, VIEWERS)
        self.message = str(view.write_message)
        return roles.has(request.user, view.write_roles)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The application was changed since you read it.")
    default_code = "stale_version"


@contextmanager
def _one_write():
    """Several services as one write: all of it or nothing; a stale version is 409."""
    try:
        with transaction.atomic():
            yield
    except services.StaleVersion as exc:
        raise Conflict(exc.messages[0]) from None


# --- reads ----------------------------------------------------------------------------------


def _query(serializer_class, request) -> dict:
    return valid(serializer_class, request.query_params)


def _detail(user, pk) -> Mission:
    """The application with everything the detail shows, in a fixed number of queries."""
    from waishi.approvals.selectors import steps_for

    mission = scoping.get_for_user(
        user,
        Mission.objects.select_related("unit").prefetch_related(
            Prefetch("stops", queryset=Stop.objects.order_by("order", "pk"))
        ),
        pk,
    )
    mission.stop_rows = list(mission.stops.all())
    mission.day_rows = list(ScheduleDay.objects.filter(mission=mission).order_by("date", "pk"))
    mission.member_rows = list(
        Member.objects.filter(mission=mission)
        .select_related("person__unit")
        .order_by("order", "pk")
    )
    mission.member_count = len(mission.member_rows)
    mission.budget_rows = list(BudgetLine.objects.filter(mission=mission).order_by("pk"))
    mission.step_rows = list(steps_for("missions.mission", mission.pk))
    check, _names = steps.check_of(mission)
    stored = not mission.is_editable and bool(mission.check_result)
    mission.check_summary = {
        "stored": stored,
        "checked_at": mission.checked_at if stored else None,
        "policy_version": mission.policy_version
        if stored
        else ((check.result or {}).get("policy") or {}).get("version", ""),
        "result": check.result,
        "error": check.error,
    }
    return mission


def _detail_response(request, pk, code: int = 200) -> Response:
    return Response(ms.MissionDetailOutput(_detail(request.user, pk)).data, status=code)


def _visible(request, pk) -> Mission:
    return scoping.get_for_user(request.user, Mission, pk)


# --- writes of a draft ----------------------------------------------------------------------


def _plan_entry(pk):
    from waishi.plans.models import PlanEntry

    if pk is None:
        return None
    entry = PlanEntry.objects.select_related("plan").filter(pk=pk).first()
    if entry is None:
        raise ValidationError(
            {"plan_entry": _("Choose an entry of your unit's approved annual plan.")}
        )
    return entry


def _rows(rows: list[dict]) -> list[dict]:
    """API rows as the services take them (``delete`` -> ``DELETE``)."""
    out = []
    for row in rows:
        row = dict(row)
        if row.pop("delete", False):
            row["DELETE"] = True
        out.append(row)
    return out


def _save_members(*, actor, mission: Mission, rows: list[dict], ip: str) -> Mission:
    """New members through ``mission_member_add`` (which checks whom the actor may pick),
    then every row's task, role, head flag and relation through ``mission_update_members``."""
    updates = []
    for row in _rows(rows):
        person = row.pop("person", None)
        if person is not None:
            member = services.mission_member_add(
                actor=actor, mission=mission, version=mission.version, person=person, ip=ip
            )
            mission.refresh_from_db()
            row["id"] = member.pk
        if set(row) - {"id"}:
            updates.append(row)
    if updates:
        mission = services.mission_update_members(
            actor=actor, mission=mission, version=mission.version, rows=updates, ip=ip
        )
    return mission


def _budget_rows(mission: Mission, rows: list[dict]) -> list[dict]:
    """Budget lines with their stop as the services take it (``stop_number`` -> the stop's
    id); a stop that is not in this trip's itinerary is refused, naming the line."""
    stops = dict(Stop.objects.filter(mission=mission).values_list("order", "pk"))
    out = []
    for index, row in enumerate(_rows(rows)):
        number = row.pop("stop_number", None)
        if number is not None:
            if number not in stops:
                raise ValidationError(
                    {
                        f"budget[{index}].stop_number": _(
                            "There is no stop %(number)d in the itinerary."
                        )
                        % {"number": number}
                    }
                )
            row["stop"] = stops[number]
        elif row.get("stop") is not None and row["stop"] not in stops.values():
            raise ValidationError(
                {f"budget[{index}].stop": _("This stop is not in this trip's itinerary.")}
            )
        out.append(row)
    return out


def _save_parts(*, actor, mission: Mission, data: dict, ip: str) -> Mission:
    """Invitation, itinerary, members and budget, each through its service, when sent."""
    invitation = {k: data[k] for k in services.INVITATION_FIELDS if k in data}
    if invitation:
        mission = services.mission_update_invitation(
            actor=actor, mission=mission, version=mission.version, ip=ip, **invitation
        )
    if "stops" in data or "days" in data:
        mission = services.mission_update_itinerary(
            actor=actor,
            mission=mission,
            version=mission.version,
            ip=ip,
            stops=_rows(data["stops"]) if "stops" in data else None,
            days=_rows(data["days"]) if "days" in data else None,
        )
    if "members" in data:
        mission = _save_members(actor=actor, mission=mission, rows=data["members"], ip=ip)
    if "budget" in data:
        mission = services.mission_update_budget(
            actor=actor,
            mission=mission,
            version=mission.version,
            rows=_budget_rows(mission, data["budget"]),
            ip=ip,
        )
    return mission


def _basics(data: dict) -> dict:
    basics = {k: data[k] for k in BASICS if k in data}
    if "plan_entry" in basics:
        basics["plan_entry"] = _plan_entry(basics["plan_entry"])
    return basics


# --- the collection -------------------------------------------------------------------------


class MissionCollectionView(JsonOnly, generics.GenericAPIView):
    """``GET``: the applications the caller may see; ``POST``: a new draft."""

    permission_classes = [IsAuthenticated, TripRoles]
    write_roles = CLERKS
    write_message = gettext_lazy("Only a unit clerk drafts trip applications.")
    parser_classes = [JSONParser]
    serializer_class = ms.MissionListOutput
    queryset = Mission.objects.none()

    def get_queryset(self):
        query = _query(ms.MissionQuery, self.request)
        return selectors.mission_list(
            self.request.user,
            selectors.Filters(
                q=query["q"],
                state=query["state"],
                category=query["category"],
                unit_id=query["unit"],
                country=query["country"],
                month=query["month"],
                mine=query["mine"],
            ),
        )

    @extend_schema(
        operation_id="missions_list",
        summary="Trip applications",
        description="Scoped like the list page: a unit's roles see their unit's, city-wide "
        "roles every unit's. Filters as on the page; paginated.",
        parameters=[ms.MissionQuery],
        responses=_responses(ms.MissionListOutput(many=True), 400, 403),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ms.MissionListOutput(page, many=True).data)

    @extend_schema(
        operation_id="missions_create",
        summary="Create a draft",
        description="A draft of the caller's unit (unit clerks only) with the basics and, "
        "optionally, the invitation, stops, days, members (by person id) and budget lines "
        "in one request, saved through the same services as the form. Budget lines name "
        "their stop by stop_number (1 for the first stop). Anything refused refuses the "
        "whole request.",
        request=ms.MissionCreateInput,
        responses=_responses(ms.MissionDetailOutput, 400, 403, ok_status=201),
    )
    def post(self, request):
        data = valid(ms.MissionCreateInput, request.data)
        for number, stop in enumerate(data.get("stops", []), start=1):
            stop["order"] = number  # budget lines may name stops by their number
        ip = client_ip(request)
        with _one_write():
            mission = services.mission_create_draft(actor=request.user, ip=ip, **_basics(data))
            _save_parts(actor=request.user, mission=mission, data=data, ip=ip)
        return _detail_response(request, mission.pk, status.HTTP_201_CREATED)


# --- one application ------------------------------------------------------------------------


class MissionView(JsonOnly, APIView):
    """``GET``: one application; ``PATCH``: change a draft (or a returned application)."""

    permission_classes = [IsAuthenticated, TripRoles]
    write_roles = CLERKS
    write_message = gettext_lazy("Only a clerk of the unit may edit its trip applications.")
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="missions_retrieve",
        summary="One trip application",
        description="Stops, days, members (name, unit, post and rank only), budget lines, "
        "the check (stored at submission, or live for a draft) and the approval steps "
        "with who acted and on whose behalf.",
        responses=_responses(ms.MissionDetailOutput, 403, 404),
    )
    def get(self, request, mission_pk: int):
        return _detail_response(request, mission_pk)

    @extend_schema(
        operation_id="missions_partial_update",
        summary="Change a draft",
        description="Only the fields sent change. Rows (stops, days, members, budget): with "
        "an id the row is changed, with id and delete: true it is removed, without an id "
        "it is added (a member by its person); rows not sent stay. version is the version "
        "read: another change since is refused with 409 and nothing is saved.",
        request=ms.MissionUpdateInput,
        responses=_responses(ms.MissionDetailOutput, 400, 403, 404, 409),
    )
    def patch(self, request, mission_pk: int):
        mission = _visible(request, mission_pk)
        data = valid(ms.MissionUpdateInput, request.data)
        ip = client_ip(request)
        with _one_write():
            # The version is checked (under the row lock) by the first service called.
            mission = services.mission_update_basics(
                actor=request.user,
                mission=mission,
                version=data["version"],
                ip=ip,
                **_basics(data),
            )
            _save_parts(actor=request.user, mission=mission, data=data, ip=ip)
        return _detail_response(request, mission.pk)


class MissionLetterView(JsonOnly, APIView):
    """The invitation letter of a draft, uploaded (multipart/form-data)."""

    permission_classes = [IsAuthenticated, TripRoles]
    write_roles = CLERKS
    write_message = gettext_lazy("Only a clerk of the unit may edit its trip applications.")
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="missions_letter_upload",
        summary="Upload the invitation letter",
        description="Replaces the letter on file; PDF, JPEG, PNG or .docx, checked by its "
        "content, size-limited.",
        request={"multipart/form-data": ms.LetterInput},
        responses=_responses(ms.MissionDetailOutput, 400, 403, 404, 409),
    )
    def post(self, request, mission_pk: int):
        mission = _visible(request, mission_pk)
        data = valid(ms.LetterInput, request.data)
        try:
            with _one_write():
                services.mission_update_invitation(
                    actor=request.user,
                    mission=mission,
                    version=data["version"],
                    letter=data["letter"],
                    ip=client_ip(request),
                )
        except ValidationError as exc:
            # The service names the form's field; the caller sent "letter".
            raise renamed(exc, {"invitation_letter": "letter"}) from None
        return _detail_response(request, mission.pk)


def _state(mission: Mission, outcome: str) -> dict:
    mission.refresh_from_db(fields=["state", "version"])
    return ms.MissionStateOutput(
        {"id": mission.pk, "state": mission.state, "version": mission.version, "outcome": outcome}
    ).data


class MissionSubmitView(JsonOnly, APIView):
    permission_classes = [IsAuthenticated, TripRoles]
    write_roles = CLERKS
    write_message = gettext_lazy("Only a unit clerk submits trip applications.")
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="missions_submit",
        summary="Submit (or resubmit) an application",
        description="As the form's submit: the application must be complete and pass the "
        "policy check; an error blocks (400 naming the rule), every warning needs a "
        "justification (keys as in the check's findings), a trip outside the plan a "
        "reason. A refusal changes nothing, the justifications sent included.",
        parameters=[IDEMPOTENCY_KEY],
        request=ms.SubmitInput,
        responses=_responses(ms.MissionStateOutput, 400, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        mission = _visible(request, mission_pk)
        data = valid(ms.SubmitInput, request.data)
        ip = client_ip(request)
        version = data.get("version")
        with _one_write():
            if "out_of_plan_reason" in data:
                mission = services.mission_update_basics(
                    actor=request.user,
                    mission=mission,
                    version=version,
                    out_of_plan_reason=data["out_of_plan_reason"],
                    ip=ip,
                )
                version = mission.version
            mission = services.mission_submit(
                actor=request.user,
                mission=mission,
                version=version,
                justifications=data.get("justifications") or {},
                ip=ip,
            )
        return Response(_state(mission, "submitted"))


class _DecisionView(JsonOnly, APIView):
    permission_classes = [IsAuthenticated, TripRoles]
    write_roles = APPROVERS
    write_message = gettext_lazy("Your role does not decide on trip applications.")
    parser_classes = [JSONParser]
    decision = ""
    input_class: type = ms.ApproveInput

    def decide(self, request, mission_pk: int) -> Response:
        mission = _visible(request, mission_pk)
        data = valid(self.input_class, request.data)
        outcome = services.mission_decide(
            actor=request.user,
            mission=mission,
            decision=self.decision,
            comment=data.get("comment", ""),
            field_comments=data.get("field_comments") or None,
            override_reason=data.get("override_reason", ""),
            ip=client_ip(request),
        )
        return Response(_state(mission, outcome))


_DECIDE_ERRORS = (400, 403, 404, 422)


class MissionApproveView(_DecisionView):
    decision = "approve"
    input_class = ms.ApproveInput

    @extend_schema(
        operation_id="missions_approve",
        summary="Approve the pending step",
        description="As the decision page: the caller must hold the pending step (or a "
        "delegation for it) and not travel on or have drafted the trip; the policy is "
        "checked again, and the last step needs the publicity run and the quota.",
        parameters=[IDEMPOTENCY_KEY],
        request=ms.ApproveInput,
        responses=_responses(ms.MissionStateOutput, *_DECIDE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        return self.decide(request, mission_pk)


class MissionReturnView(_DecisionView):
    decision = "return"
    input_class = ms.ReturnInput

    @extend_schema(
        operation_id="missions_return",
        summary="Return the application for changes",
        description="A comment is required; field_comments are shown to the clerk on the "
        "form's parts they name.",
        parameters=[IDEMPOTENCY_KEY],
        request=ms.ReturnInput,
        responses=_responses(ms.MissionStateOutput, *_DECIDE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        return self.decide(request, mission_pk)


class MissionRejectView(_DecisionView):
    decision = "reject"
    input_class = ms.RejectInput

    @extend_schema(
        operation_id="missions_reject",
        summary="Reject the application",
        description="Final; a comment is required.",
        parameters=[IDEMPOTENCY_KEY],
        request=ms.RejectInput,
        responses=_responses(ms.MissionStateOutput, *_DECIDE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        return self.decide(request, mission_pk)
