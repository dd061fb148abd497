"""Arrivals from abroad over the API: the board (and each district's work queue), one
arrival, its health record, recording an arrival reported by a list, confirming a step,
hand-overs between districts (ask, accept, refuse, withdraw) and the city command's
reassignment.

Thin, like the pages (``arrivals.work_views``, ``arrivals.action_views``): reads start in
``scoping`` (the city command and the auditor see every arrival, a district officer their
own district's; another district's arrival is 404), every write is a
``waishi.arrivals.services`` call (checked, locked and audited as on the pages) and takes
an ``Idempotency-Key``. Health data has its own endpoint, for the roles that see it on the
pages (the arrivals roles, not the auditor), and each read of it is audited as the page's."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import arrival_serializers as az
from waishi.api.errors import valid
from waishi.api.idempotency import idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.arrivals import import_rows, selectors, services
from waishi.arrivals.models import (
    Arrival,
    ArrivalState,
    Handover,
    HealthDeclaration,
    Step,
)
from waishi.arrivals.models import validate_passport as clean_passport
from waishi.audit.services import client_ip
from waishi.lib import roles
from waishi.orgs import permissions, scoping
from waishi.orgs.models import District

_WRITE_ERRORS = (400, 403, 404, 422)
# The fields of a recorded arrival, in the order the list import's row check reads them.
RECORD_FIELDS = tuple(c.field for c in import_rows.COLUMNS)


class _ArrivalView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = roles.ARRIVALS_READERS
    read_message = gettext_lazy("Your role does not give access to arrivals.")
    write_roles = roles.DISTRICT_OFFICERS
    write_message = gettext_lazy("Only the arrival's district does this.")


# --- reads ----------------------------------------------------------------------------------


def _arrival(request, pk) -> Arrival:
    """The arrival as the board reads it (with its next step), or 404."""
    user = request.user
    return scoping.get_for_user(user, selectors.arrival_list(user), pk)


def _arrival_response(request, pk, code: int = 200) -> Response:
    arrival = _arrival(request, pk)
    user = request.user
    arrival.step_rows = list(
        scoping.visible(user, Step)
        .filter(arrival=arrival)
        .select_related("done_by")
        .order_by("sequence")
    )
    arrival.handover_rows = list(selectors.handovers_of(user, arrival).select_related("arrival"))
    selectors.name_shown(user, arrival.handover_rows)
    own = permissions.may(user, roles.DISTRICT_OFFICERS, arrival)
    is_open = arrival.state != ArrivalState.CLOSED
    arrival.actions = {
        "confirm_step": own and arrival.next_step_pk is not None,
        "handover": own
        and is_open
        and not any(h.state == Handover.State.PENDING for h in arrival.handover_rows),
        "reassign": roles.has(user, roles.COMMAND),
        "health": roles.has(user, roles.ARRIVALS_ROLES),
    }
    return Response(az.ArrivalDetailOutput(arrival).data, status=code)


def _handover(request, pk) -> Handover:
    return scoping.get_for_user(
        request.user,
        Handover.objects.select_related(
            "arrival", "from_district", "to_district", "requested_by", "decided_by"
        ),
        pk,
    )


def _handover_response(request, pk, code: int = 200) -> Response:
    handover = _handover(request, pk)
    selectors.name_shown(request.user, [handover])
    return Response(az.HandoverOutput(handover).data, status=code)


def _district(pk: int, field: str) -> District:
    district = District.objects.filter(pk=pk).first()
    if district is None:
        raise ValidationError({field: _("No district has this id.")})
    return district


# --- the board and recording ----------------------------------------------------------------


class ArrivalCollectionView(_ArrivalView, generics.GenericAPIView):
    serializer_class = az.ArrivalListOutput
    queryset = Arrival.objects.none()
    write_roles = roles.COMMAND
    write_message = gettext_lazy("Only the city command records arrivals reported by lists.")

    @extend_schema(
        operation_id="arrivals_list",
        summary="Arrivals (the board, or the work queue)",
        description="Scoped like the board: the city command and the auditor see every "
        "arrival, a district officer their own district's. Arrivals with an overdue step "
        "first, then the latest arrival dates; with queue=true the open arrivals only, by "
        "the due time of their next step. Filters as on the board; paginated.",
        parameters=[az.ArrivalQuery],
        responses=_responses(az.ArrivalListOutput(many=True), 400, 403, 404),
    )
    def get(self, request):
        query = valid(az.ArrivalQuery, request.query_params)
        filters = selectors.Filters(
            q=query["q"],
            state=query["state"],
            district_id=query["district"],
            overdue=query["overdue"],
        )
        now = timezone.now()
        if query["queue"]:
            rows = selectors.queue(request.user, filters, now=now)
        else:
            rows = selectors.board_rows(request.user, filters, now=now)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(az.ArrivalListOutput(page, many=True).data)

    @extend_schema(
        operation_id="arrivals_record",
        summary="Record an arrival reported by a list",
        description="The city command: one person arriving on one date, as one row of a list "
        "from the port, an airline or the province, checked as the list import checks a "
        "row. The first report of a passport number and arrival date creates the arrival "
        "(201), with its district, plan and steps; a later one is kept as another source "
        "of the same arrival and fills only what it lacks (200).",
        parameters=[IDEMPOTENCY_KEY],
        request=az.ArrivalRecordInput,
        responses={
            201: az.ArrivalDetailOutput,
            **_responses(az.ArrivalDetailOutput, *_WRITE_ERRORS),
        },
    )
    @idempotent
    def post(self, request):
        data = valid(az.ArrivalRecordInput, request.data)
        district = _district(data["district"], "district")
        given = dict(data, district=district.code)
        problems = import_rows.Problems()
        checker = import_rows.Checker(
            columns={i: (name, name) for i, name in enumerate(RECORD_FIELDS)},
            problems=problems,
            encrypt=False,
        )
        checked = checker.row(1, tuple(given.get(name) for name in RECORD_FIELDS))
        if checked is None:
            fields: dict[str, list[str]] = {}
            for item in problems.items:
                fields.setdefault(item["column"] or "non_field_errors", []).append(item["message"])
            raise ValidationError(fields)
        registered = services.arrival_register(
            data=checked.data,
            passport=clean_passport(data["passport"]),
            district=district,
            kind=data["kind"],
            actor=request.user,
        )
        code = status.HTTP_201_CREATED if registered.created else status.HTTP_200_OK
        return _arrival_response(request, registered.arrival.pk, code)


class ArrivalView(_ArrivalView, APIView):
    @extend_schema(
        operation_id="arrivals_retrieve",
        summary="One arrival",
        description="Its steps, its hand-overs and what the caller may do with it now. No "
        "health data: that is GET .../health/, for the arrivals roles.",
        responses=_responses(az.ArrivalDetailOutput, 403, 404),
    )
    def get(self, request, arrival_pk: int):
        return _arrival_response(request, arrival_pk)


class ArrivalHealthView(_ArrivalView, APIView):
    read_roles = roles.ARRIVALS_ROLES
    read_message = gettext_lazy("Your role does not give access to health data.")

    @extend_schema(
        operation_id="arrivals_health",
        summary="The arrival's health record",
        description="Its health declarations and test results, to the city command and the "
        "arrival's district only; each read is recorded in the audit trail (without any "
        "health detail), as the page's.",
        responses=_responses(az.HealthOutput, 403, 404),
    )
    def get(self, request, arrival_pk: int):
        arrival = scoping.get_for_user(request.user, Arrival, arrival_pk)
        declarations, tests = selectors.health_record(request.user, arrival)
        arrival.declaration_rows = list(declarations)
        arrival.test_rows = list(tests)
        for declaration in arrival.declaration_rows:
            listed = declaration.symptoms if isinstance(declaration.symptoms, list) else []
            known = set(HealthDeclaration.Symptom.values)
            declaration.symptom_list = [s for s in listed if s in known]
        services.health_record_viewed(actor=request.user, arrival=arrival, ip=client_ip(request))
        response = Response(az.HealthOutput(arrival).data)
        response["Cache-Control"] = "no-store"
        return response


# --- the district's actions -----------------------------------------------------------------


class StepConfirmView(_ArrivalView, APIView):
    @extend_schema(
        operation_id="arrivals_step_confirm",
        summary="Confirm a step",
        description="The arrival's district, in order: when it was done (not in the future, "
        "not before the step before it) and a note; a test step with its result. The first "
        "step puts the arrival under management, the last closes it.",
        parameters=[IDEMPOTENCY_KEY],
        request=az.StepConfirmInput,
        responses=_responses(az.ArrivalDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, arrival_step_pk: int):
        step = scoping.get_for_user(
            request.user, Step.objects.select_related("arrival"), arrival_step_pk
        )
        data = valid(az.StepConfirmInput, request.data)
        services.step_confirm(
            actor=request.user,
            step=step,
            done_at=data.get("done_at"),
            note=data["note"],
            outcome=data["outcome"],
            sampled_on=data.get("sampled_on"),
        )
        return _arrival_response(request, step.arrival_id)


class HandoverRequestView(_ArrivalView, APIView):
    @extend_schema(
        operation_id="arrivals_handover",
        summary="Ask another district to take the arrival over",
        description="The arrival's district, with the reason; one request at a time, not "
        "for a closed arrival. The district asked accepts or refuses.",
        parameters=[IDEMPOTENCY_KEY],
        request=az.HandoverRequestInput,
        responses=_responses(az.HandoverOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, arrival_pk: int):
        arrival = scoping.get_for_user(
            request.user, Arrival.objects.select_related("district"), arrival_pk
        )
        data = valid(az.HandoverRequestInput, request.data)
        handover = services.handover_request(
            actor=request.user,
            arrival=arrival,
            to_district=_district(data["to_district"], "to_district"),
            reason=data["reason"],
        )
        return _handover_response(request, handover.pk, status.HTTP_201_CREATED)


class ReassignView(_ArrivalView, APIView):
    write_roles = roles.COMMAND
    write_message = gettext_lazy("Only the city command moves an arrival to another district.")

    @extend_schema(
        operation_id="arrivals_reassign",
        summary="Move the arrival to another district",
        description="The city command, with the reason; a waiting hand-over is withdrawn.",
        parameters=[IDEMPOTENCY_KEY],
        request=az.ArrivalReassignInput,
        responses=_responses(az.ArrivalDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, arrival_pk: int):
        arrival = scoping.get_for_user(
            request.user, Arrival.objects.select_related("district"), arrival_pk
        )
        data = valid(az.ArrivalReassignInput, request.data)
        services.arrival_reassign(
            actor=request.user,
            arrival=arrival,
            district=_district(data["district"], "district"),
            reason=data["reason"],
        )
        return _arrival_response(request, arrival.pk)


# --- hand-overs -----------------------------------------------------------------------------


class HandoverListView(_ArrivalView, generics.GenericAPIView):
    read_roles = roles.ARRIVALS_READERS
    serializer_class = az.HandoverOutput
    queryset = Handover.objects.none()

    @extend_schema(
        operation_id="arrivals_handovers_list",
        summary="Hand-overs",
        description="Those of the caller's district (asked by it or of it), or every one for "
        "the city command and the auditor; waiting ones first. An arrival's name is masked "
        "where the caller may not see the arrival. Paginated.",
        parameters=[az.HandoverQuery],
        responses=_responses(az.HandoverOutput(many=True), 400, 403, 404),
    )
    def get(self, request):
        query = valid(az.HandoverQuery, request.query_params)
        direction = query["direction"] if roles.has(request.user, roles.DISTRICT_OFFICERS) else ""
        rows = selectors.handover_list(
            request.user, state=query["state"], direction=direction, q=query["q"]
        )
        page = self.paginate_queryset(rows)
        selectors.name_shown(request.user, page)
        return self.get_paginated_response(az.HandoverOutput(page, many=True).data)


class HandoverView(_ArrivalView, APIView):
    read_roles = roles.ARRIVALS_READERS

    @extend_schema(
        operation_id="arrivals_handovers_retrieve",
        summary="One hand-over",
        responses=_responses(az.HandoverOutput, 403, 404),
    )
    def get(self, request, handover_pk: int):
        return _handover_response(request, handover_pk)


class _HandoverAnswerView(_ArrivalView, APIView):
    def answer(self, request, handover_pk: int, service) -> Response:
        handover = _handover(request, handover_pk)
        data = valid(az.HandoverAnswerInput, request.data)
        service(actor=request.user, handover=handover, reason=data["reason"])
        return _handover_response(request, handover.pk)


class HandoverAcceptView(_HandoverAnswerView):
    @extend_schema(
        operation_id="arrivals_handovers_accept",
        summary="Take the arrival over",
        description="The district asked, while the request waits: the arrival moves to it "
        "with all its remaining steps.",
        parameters=[IDEMPOTENCY_KEY],
        request=az.HandoverAnswerInput,
        responses=_responses(az.HandoverOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, handover_pk: int):
        return self.answer(request, handover_pk, services.handover_accept)


class HandoverRefuseView(_HandoverAnswerView):
    @extend_schema(
        operation_id="arrivals_handovers_refuse",
        summary="Refuse to take the arrival over",
        description="The district asked, while the request waits, with the reason.",
        parameters=[IDEMPOTENCY_KEY],
        request=az.HandoverAnswerInput,
        responses=_responses(az.HandoverOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, handover_pk: int):
        return self.answer(request, handover_pk, services.handover_refuse)


class HandoverWithdrawView(_HandoverAnswerView):
    @extend_schema(
        operation_id="arrivals_handovers_withdraw",
        summary="Withdraw a hand-over request",
        description="The district that asked, while the request waits.",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses=_responses(az.HandoverOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, handover_pk: int):
        handover = _handover(request, handover_pk)
        services.handover_withdraw(actor=request.user, handover=handover)
        return _handover_response(request, handover.pk)
