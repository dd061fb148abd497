"""Outcomes followed to done over the API: the list, one outcome with its progress updates,
recording and editing an outcome, progress (with optional evidence), done, dropped,
given to another unit, and the evidence's download.

Thin, like the pages (``followups.views``): reads start in ``scoping`` (a unit's roles see
the outcomes their unit is responsible for; another unit's is 404), every write is a
``waishi.followups.services`` call (checked, locked and audited as on the pages) and takes
an ``Idempotency-Key``. Outcomes have no version: a change is applied to the outcome as it
is when the service locks it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import followup_serializers as fs
from waishi.api.errors import valid
from waishi.api.fields import file_responses
from waishi.api.idempotency import fits_a_replay, idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.followups import selectors, services, workflow
from waishi.followups.models import Outcome, ProgressUpdate, Track
from waishi.followups.workflow import actions_for
from waishi.lib import downloads, uploads
from waishi.lib.roles import UNIT_ROLES, VIEWERS
from waishi.orgs import scoping
from waishi.orgs.models import Person, Unit

_WRITE_ERRORS = (400, 403, 404, 422)
# What evidence is checked to be (followups.evidence.detect), so served as.
EVIDENCE_KINDS = (uploads.PDF, uploads.JPEG, uploads.PNG, uploads.DOCX)


class _FollowupView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = VIEWERS
    read_message = gettext_lazy("Your role does not give access to outcomes.")
    write_roles = workflow.MANAGES
    write_message = gettext_lazy(
        "Only the FAO, or the responsible unit's clerk and leader, record and edit outcomes."
    )


def _outcome(request, pk) -> Outcome:
    """An outcome (a supervised task is not one: it has its own endpoints, ``task_views``)."""
    return scoping.get_for_user(
        request.user,
        Outcome.objects.filter(track=Track.OUTCOME).select_related(
            "responsible_unit", "responsible_person", "created_by"
        ),
        pk,
    )


def _detail_response(request, pk, code: int = 200) -> Response:
    outcome = _outcome(request, pk)
    outcome.update_rows = list(selectors.updates_of(outcome))
    outcome.actions = actions_for(request.user, outcome)
    return Response(fs.OutcomeDetailOutput(outcome).data, status=code)


def _person(user, pk: int, field: str = "responsible_person") -> Person:
    person = scoping.visible(user, Person).filter(pk=pk).first()
    if person is None:
        raise ValidationError({field: _("No person with this id is visible to you.")})
    return person


def _unit(pk: int | None, field: str = "responsible_unit") -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ValidationError({field: _("Choose the responsible unit.")})
    return unit


# --- the collection -------------------------------------------------------------------------


class OutcomeCollectionView(_FollowupView, generics.GenericAPIView):
    serializer_class = fs.OutcomeListOutput
    queryset = Outcome.objects.none()

    def get_queryset(self):
        query = valid(fs.OutcomeQuery, self.request.query_params)
        return selectors.outcome_list(
            self.request.user,
            state=query["state"],
            unit_id=query["unit"],
            kind=query["kind"],
            overdue=query["overdue"],
            q=query["q"],
        )

    @extend_schema(
        operation_id="followups_list",
        summary="Outcomes followed up",
        description="Scoped like the page: a unit's roles see the outcomes their unit is "
        "responsible for, the FAO, the committee and the auditor every unit's. The earliest "
        "due first; paginated.",
        parameters=[fs.OutcomeQuery],
        responses=_responses(fs.OutcomeListOutput(many=True), 400, 403),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(fs.OutcomeListOutput(page, many=True).data)

    @extend_schema(
        operation_id="followups_create",
        summary="Record an outcome to follow",
        description="The FAO for any unit, or a unit's clerk or leader for their own unit "
        "(responsible_unit may then be left out): a responsible person of that unit and a "
        "due date not in the past; optionally the record it comes from (source_type, "
        "source_id), which the caller must be able to see.",
        parameters=[IDEMPOTENCY_KEY],
        request=fs.OutcomeCreateInput,
        responses=_responses(fs.OutcomeDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request):
        data = valid(fs.OutcomeCreateInput, request.data)
        user = request.user
        if user.role in UNIT_ROLES:
            if data.get("responsible_unit") not in (None, user.unit_id):
                raise ValidationError(
                    {"responsible_unit": _("A unit's staff record outcomes of their own unit.")}
                )
            unit = user.unit
        else:
            unit = _unit(data.get("responsible_unit"))
        outcome = services.outcome_create(
            actor=user,
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
            responsible_unit=unit,
            responsible_person=_person(user, data["responsible_person"]),
            due_date=data["due_date"],
            source_type=data["source_type"],
            source_id=data.get("source_id"),
            ip=client_ip(request),
        )
        return _detail_response(request, outcome.pk, 201)


# --- one outcome ----------------------------------------------------------------------------


class OutcomeView(_FollowupView, APIView):
    @extend_schema(
        operation_id="followups_retrieve",
        summary="One outcome",
        description="With its progress updates (the latest first) and what the caller may "
        "do with it now.",
        responses=_responses(fs.OutcomeDetailOutput, 403, 404),
    )
    def get(self, request, outcome_pk: int):
        return _detail_response(request, outcome_pk)

    @extend_schema(
        operation_id="followups_partial_update",
        summary="Change an outcome",
        description="Only the fields sent change (title, kind, description, responsible "
        "person of the same unit, due date). Only the FAO moves the due date of an overdue "
        "outcome, which then counts as in progress again. A done or dropped outcome no "
        "longer changes.",
        parameters=[IDEMPOTENCY_KEY],
        request=fs.OutcomeUpdateInput,
        responses=_responses(fs.OutcomeDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, outcome_pk: int):
        outcome = _outcome(request, outcome_pk)
        data = valid(fs.OutcomeUpdateInput, request.data, partial=True)
        if "responsible_person" in data:
            data["responsible_person"] = _person(request.user, data["responsible_person"])
        services.outcome_update(actor=request.user, outcome=outcome, ip=client_ip(request), **data)
        return _detail_response(request, outcome.pk)


class OutcomeProgressView(_FollowupView, APIView):
    write_roles = workflow.RECORDS_PROGRESS
    write_message = gettext_lazy("Only the responsible unit's clerk and leader record progress.")
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="followups_progress",
        summary="Record progress",
        description="The responsible unit's clerk or leader, while the outcome is open, in "
        "progress or overdue; the first update moves an open outcome to in progress. "
        "Evidence (multipart/form-data) is optional: a PDF, an image or a Word document, "
        "checked by its content.",
        parameters=[IDEMPOTENCY_KEY],
        request={
            "application/json": fs.ProgressInput,
            "multipart/form-data": fs.ProgressInput,
        },
        responses=_responses(fs.OutcomeDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @fits_a_replay("evidence")
    @idempotent
    def post(self, request, outcome_pk: int):
        outcome = _outcome(request, outcome_pk)
        data = valid(fs.ProgressInput, request.data)
        services.progress_add(
            actor=request.user,
            outcome=outcome,
            text=data["text"],
            evidence=data.get("evidence"),
            ip=client_ip(request),
        )
        return _detail_response(request, outcome.pk, 201)


class OutcomeCompleteView(_FollowupView, APIView):
    write_roles = workflow.COMPLETES
    write_message = gettext_lazy("Only the responsible unit's leader or the FAO marks it done.")

    @extend_schema(
        operation_id="followups_complete",
        summary="Mark the outcome done",
        description="The responsible unit's leader, or the FAO; from open, in progress or overdue.",
        parameters=[IDEMPOTENCY_KEY],
        request=fs.CompleteInput,
        responses=_responses(fs.OutcomeDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, outcome_pk: int):
        outcome = _outcome(request, outcome_pk)
        data = valid(fs.CompleteInput, request.data)
        services.outcome_complete(
            actor=request.user, outcome=outcome, comment=data["comment"], ip=client_ip(request)
        )
        return _detail_response(request, outcome.pk)


class OutcomeDropView(_FollowupView, APIView):
    write_roles = workflow.DROPS
    write_message = gettext_lazy("Only the FAO head drops an outcome.")

    @extend_schema(
        operation_id="followups_drop",
        summary="Drop the outcome, with the reason",
        description="The FAO head; the reason is required and kept on the outcome.",
        parameters=[IDEMPOTENCY_KEY],
        request=fs.DropInput,
        responses=_responses(fs.OutcomeDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, outcome_pk: int):
        outcome = _outcome(request, outcome_pk)
        data = valid(fs.DropInput, request.data)
        services.outcome_drop(
            actor=request.user, outcome=outcome, reason=data["reason"], ip=client_ip(request)
        )
        return _detail_response(request, outcome.pk)


class OutcomeReassignView(_FollowupView, APIView):
    write_roles = workflow.REASSIGNS
    write_message = gettext_lazy("Only the FAO gives an outcome to another unit.")

    @extend_schema(
        operation_id="followups_reassign",
        summary="Give the outcome to another unit",
        description="The FAO: the new responsible unit and a person of it.",
        parameters=[IDEMPOTENCY_KEY],
        request=fs.ReassignInput,
        responses=_responses(fs.OutcomeDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, outcome_pk: int):
        outcome = _outcome(request, outcome_pk)
        data = valid(fs.ReassignInput, request.data)
        services.outcome_reassign(
            actor=request.user,
            outcome=outcome,
            responsible_unit=_unit(data["responsible_unit"]),
            responsible_person=_person(request.user, data["responsible_person"]),
            ip=client_ip(request),
        )
        return _detail_response(request, outcome.pk)


class EvidenceView(_FollowupView, APIView):
    @extend_schema(
        operation_id="followups_evidence_download",
        summary="Download a progress update's evidence",
        description="To those who may see the outcome; every download is recorded. Served as "
        "an attachment with the type its content was checked to be.",
        responses=file_responses(EVIDENCE_KINDS, 403, 404),
    )
    def get(self, request, update_pk: int):
        update = scoping.get_for_user(
            request.user, ProgressUpdate.objects.select_related("outcome"), update_pk
        )
        return downloads.stored_file(
            update.evidence,
            filename=update.evidence_name or "evidence",
            content_type=update.evidence_type,
            record=lambda: services.evidence_download(
                actor=request.user, update=update, ip=client_ip(request)
            ),
        )
