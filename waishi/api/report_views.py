"""The trip report (出访报告) over the API: the list, the report of a trip with what the
caller may do now, its structured fields, the signed document (upload and audited
download), the post-trip publicity, submission, and the FAO's acceptance or return.

Thin, like the pages (``missions.report.views``): every read starts in ``scoping`` from the
trip (another unit's trip is 404, and so is a trip whose report is not opened yet), every
write is a ``waishi.missions.report.services`` call (checked, locked and audited exactly as
on the page) and takes an ``Idempotency-Key``. Editing the fields needs the report's
``version`` as read; the other writes take it optionally. A stale version is 409 and
nothing is saved."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import report_serializers as rs
from waishi.api.errors import valid
from waishi.api.fields import file_responses
from waishi.api.idempotency import fits_a_replay, idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, VIEWERS, _one_write, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.lib import downloads, uploads
from waishi.lib.roles import has
from waishi.missions.models import Mission, TripReport
from waishi.missions.report import selectors as report_selectors
from waishi.missions.report import services
from waishi.missions.report.workflow import EDITABLE_STATES, REPORT, REVIEWERS, SUBMITTERS, WRITERS
from waishi.orgs import scoping

_WRITE_ERRORS = (400, 403, 404, 409, 422)
# What the signed report is checked to be (services.report._document_kind), so served as.
DOCUMENT_KINDS = (uploads.PDF, uploads.DOCX)

# The services' own refusals, so that "what the caller may do" says what a write would.
WRITE_MESSAGE = gettext_lazy("Only a clerk of the trip's unit writes its report.")
FILE_MESSAGE = gettext_lazy("Only the trip's own unit files its report.")
PUBLISH_MESSAGE = gettext_lazy("Only the trip's own unit publishes its report.")
SUBMIT_MESSAGE = gettext_lazy("Only the trip's own unit submits its report.")
DECIDE_MESSAGE = gettext_lazy("Only the FAO accepts or returns trip reports.")


class _ReportView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = VIEWERS  # as the pages (missions.report.views)
    read_message = gettext_lazy("Your role does not give access to trip applications.")
    write_roles = WRITERS
    write_message = WRITE_MESSAGE


# --- reads ----------------------------------------------------------------------------------


def _report(request, mission_pk) -> TripReport:
    """The trip's report, for a caller who may see the trip; 404 when there is none yet."""
    mission = scoping.get_for_user(request.user, Mission.objects.select_related("unit"), mission_pk)
    report = (
        TripReport.objects.select_related("submitted_by", "decided_by")
        .filter(mission=mission)
        .first()
    )
    if report is None:
        raise exceptions.NotFound(
            _("This trip has no report yet: it is opened when the return is confirmed.")
        )
    report.mission = mission
    return report


def _own_unit(user, report: TripReport, roles: frozenset[str], message) -> str | None:
    """As the services' lock: the role, the trip's own unit, a state the unit edits in."""
    if not has(user, roles) or user.unit_id is None or user.unit_id != report.mission.unit_id:
        return str(message)
    if report.state not in EDITABLE_STATES:
        return _("The report is %(state)s and can no longer be changed.") % {
            "state": report.get_state_display()
        }
    return None


def _decision(user, report: TripReport, action: str) -> str | None:
    if not has(user, REVIEWERS):
        return str(DECIDE_MESSAGE)
    return REPORT.refusal(report, action, user)


def _actions(report: TripReport, user) -> dict:
    refusals = {
        "update": _own_unit(user, report, WRITERS, WRITE_MESSAGE),
        "upload_document": _own_unit(user, report, services.PUBLISHERS, FILE_MESSAGE),
        "publish": _own_unit(user, report, services.PUBLISHERS, PUBLISH_MESSAGE),
        "submit": _own_unit(user, report, SUBMITTERS, SUBMIT_MESSAGE)
        or REPORT.refusal(report, "submit", user),
        "accept": _decision(user, report, "accept"),
        "return": _decision(user, report, "return"),
    }
    return {
        name: {"allowed": refusal is None, "refusal": str(refusal or "")}
        for name, refusal in refusals.items()
    }


def _detail(request, mission_pk) -> dict:
    report = _report(request, mission_pk)
    gaps = services.missing(report) if report.state in EDITABLE_STATES else {}
    report.gaps = [{"field": name, "message": str(text)} for name, text in gaps.items()]
    report.actions = _actions(report, request.user)
    return rs.ReportOutput(report).data


class ReportListView(_ReportView, generics.GenericAPIView):
    serializer_class = rs.ReportListOutput
    queryset = TripReport.objects.none()

    def get_queryset(self):
        query = valid(rs.ReportQuery, self.request.query_params)
        return report_selectors.report_list(
            self.request.user,
            report_selectors.ReportFilters(
                q=query["q"], state=query["state"], unit_id=query["unit"]
            ),
        )

    @extend_schema(
        operation_id="reports_list",
        summary="Trip reports",
        description="As the page's list: a unit's roles see their unit's reports, the FAO, "
        "the committee and the auditor every unit's. The overdue first, then those awaiting "
        "the FAO, then the rest still owed, then the accepted; by due date within each. "
        "Paginated.",
        parameters=[rs.ReportQuery],
        responses=_responses(rs.ReportListOutput(many=True), 400, 403),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(rs.ReportListOutput(page, many=True).data)


# --- writes ---------------------------------------------------------------------------------


class ReportView(_ReportView, APIView):
    @extend_schema(
        operation_id="missions_report_retrieve",
        summary="The trip report",
        description="Its state, due date (and whether it is overdue), version, the "
        "structured fields, the post-trip publicity, the signed document, who submitted and "
        "decided when, the FAO's comment when returned, what still keeps it from being "
        "submitted, and what the caller may do now (with the reason when not). 404 until "
        "the return is confirmed.",
        responses=_responses(rs.ReportOutput, 403, 404),
    )
    def get(self, request, mission_pk: int):
        return Response(_detail(request, mission_pk))

    @extend_schema(
        operation_id="missions_report_partial_update",
        summary="Write the report's structured fields",
        description="A clerk of the trip's unit, while the report is a draft or returned. "
        "Only the fields sent change, saved as typed (complete or not: the required ones "
        "are checked at submission). version is required: a stale one is 409 and nothing "
        "is saved.",
        parameters=[IDEMPOTENCY_KEY],
        request=rs.ReportUpdateInput,
        responses=_responses(rs.ReportOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        data = valid(rs.ReportUpdateInput, request.data)
        version = data.pop("version")
        with _one_write():
            services.report_update(
                actor=request.user, report=report, version=version, ip=client_ip(request), **data
            )
        return Response(_detail(request, mission_pk))


class ReportDocumentView(_ReportView, APIView):
    parser_classes = [MultiPartParser, FormParser]
    write_roles = services.PUBLISHERS
    write_message = FILE_MESSAGE

    @extend_schema(
        operation_id="missions_report_document_download",
        summary="Download the signed report",
        description="To those who may see the trip; every download is recorded. Served as "
        "an attachment with the type its content was checked to be.",
        responses=file_responses(DOCUMENT_KINDS, 403, 404),
    )
    def get(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        return downloads.stored_file(
            report.document,
            filename=report.document_name or "report",
            content_type=report.document_type,
            record=lambda: services.report_document_download(
                actor=request.user, report=report, ip=client_ip(request)
            ),
        )

    @extend_schema(
        operation_id="missions_report_document_upload",
        summary="File the signed report",
        description="The trip's unit (clerk or leader), while the report is a draft or "
        "returned: a PDF or a Word (.docx) document, checked by its content, size-limited; "
        "it replaces the one on file (multipart/form-data).",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": rs.ReportDocumentInput},
        responses=_responses(rs.ReportOutput, *_WRITE_ERRORS, 415),
    )
    @fits_a_replay("document")
    @idempotent
    def post(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        data = valid(rs.ReportDocumentInput, request.data)
        version = data.get("version")
        with _one_write():
            services.report_upload_document(
                actor=request.user,
                report=report,
                document=data["document"],
                version=version,
                ip=client_ip(request),
            )
        return Response(_detail(request, mission_pk))


class ReportPublishView(_ReportView, APIView):
    write_roles = services.PUBLISHERS
    write_message = PUBLISH_MESSAGE

    @extend_schema(
        operation_id="missions_report_publish",
        summary="Record the post-trip publicity inside the unit",
        description="出访后公示: the trip's unit (clerk or leader), while the report is a "
        "draft or returned. The period runs the required working days (PUBLICITY_BEFORE) "
        "from starts_on (today when left out; not in the future, not before the return). "
        "Published again, the new period replaces the old one.",
        parameters=[IDEMPOTENCY_KEY],
        request=rs.ReportPublishInput,
        responses=_responses(rs.ReportOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        data = valid(rs.ReportPublishInput, request.data)
        version = data.get("version")
        with _one_write():
            services.report_publish(
                actor=request.user,
                report=report,
                starts_on=data.get("starts_on"),
                version=version,
                ip=client_ip(request),
            )
        return Response(_detail(request, mission_pk))


class ReportSubmitView(_ReportView, APIView):
    write_roles = SUBMITTERS
    write_message = SUBMIT_MESSAGE

    @extend_schema(
        operation_id="missions_report_submit",
        summary="Submit the report to the FAO",
        description="The trip's unit (clerk or leader), from draft or returned. Refused "
        "with 400, every gap named in fields (the empty required fields, and publicity "
        "while the post-trip publicity is not published); nothing changes then.",
        parameters=[IDEMPOTENCY_KEY],
        request=rs.ReportSubmitInput,
        responses=_responses(rs.ReportOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        data = valid(rs.ReportSubmitInput, request.data)
        version = data.get("version")
        with _one_write():
            services.report_submit(
                actor=request.user, report=report, version=version, ip=client_ip(request)
            )
        return Response(_detail(request, mission_pk))


class ReportAcceptView(_ReportView, APIView):
    write_roles = REVIEWERS
    write_message = DECIDE_MESSAGE

    @extend_schema(
        operation_id="missions_report_accept",
        summary="Accept the report",
        description="The FAO (reviewer or head, not a member of the trip), once submitted. "
        "The trip closes in the same transaction when every passport is back too "
        "(mission.state and mission.closed_at in the answer).",
        parameters=[IDEMPOTENCY_KEY],
        request=rs.ReportAcceptInput,
        responses=_responses(rs.ReportOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        data = valid(rs.ReportAcceptInput, request.data)
        with _one_write():
            services.report_accept(
                actor=request.user,
                report=report,
                comment=data["comment"],
                version=data.get("version"),
                ip=client_ip(request),
            )
        return Response(_detail(request, mission_pk))


class ReportReturnView(_ReportView, APIView):
    write_roles = REVIEWERS
    write_message = DECIDE_MESSAGE

    @extend_schema(
        operation_id="missions_report_return",
        summary="Return the report to the unit for changes",
        description="The FAO (reviewer or head, not a member of the trip), once submitted, "
        "saying in comment what the unit must change; the unit edits it and submits again.",
        parameters=[IDEMPOTENCY_KEY],
        request=rs.ReportReturnInput,
        responses=_responses(rs.ReportOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        report = _report(request, mission_pk)
        data = valid(rs.ReportReturnInput, request.data)
        with _one_write():
            services.report_return(
                actor=request.user,
                report=report,
                comment=data["comment"],
                version=data.get("version"),
                ip=client_ip(request),
            )
        return Response(_detail(request, mission_pk))
