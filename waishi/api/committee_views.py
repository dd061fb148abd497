"""The Foreign Affairs Committee over the API: meetings (list, schedule, change, mark held,
attendance), agenda items (list, add, opinion, sign-off), documents and their versions
(upload, list, download), minutes (list, draft, change, send for review, return, issue, the
.docx) and a decision turned into a supervised task.

Thin, like the pages (``committee.views``): reads start in ``scoping`` and the committee's
selectors (an internal document only for its named readers, the office and the auditor),
every write is a ``waishi.committee.services`` call and takes an ``Idempotency-Key``."""

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

from waishi.api import committee_serializers as cs
from waishi.api import lookups
from waishi.api.errors import valid
from waishi.api.fields import file_responses
from waishi.api.idempotency import fits_a_replay, idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.committee import minutes_docx, selectors, services, uploads
from waishi.committee.models import AgendaItem, CommitteeMember, Meeting, Minutes
from waishi.committee.workflow import (
    APPROVERS,
    ISSUERS,
    ITEM_READERS,
    OFFICE,
    READERS,
    UPLOADERS,
    minutes_actions,
)
from waishi.lib import downloads
from waishi.lib.uploads import DOCX
from waishi.orgs import scoping

_WRITE_ERRORS = (400, 403, 404, 422)


class _CommitteeView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = READERS
    read_message = gettext_lazy(
        "Your role does not give access to the committee's meetings and minutes."
    )
    write_roles = OFFICE
    write_message = gettext_lazy("Only the committee office may do this.")


def _meeting_response(request, pk, code: int = 200) -> Response:
    meeting = selectors.meeting_detail(request.user, pk)
    meeting.attendance_rows = selectors.attendance_of(meeting)
    meeting.item_rows = list(selectors.items(request.user, meeting=meeting))
    meeting.minutes_id = (
        Minutes.objects.filter(meeting=meeting).values_list("pk", flat=True).first()
    )
    return Response(cs.MeetingDetailOutput(meeting).data, status=code)


def _item_response(request, pk, code: int = 200) -> Response:
    item = selectors.item_detail(request.user, pk)
    docs = list(selectors.documents(request.user).filter(item=item).order_by("pk"))
    for d in docs:
        d.version_rows = list(selectors.versions_of(request.user, d))
    item.document_rows = docs
    return Response(cs.AgendaItemDetailOutput(item).data, status=code)


def _minutes_response(request, pk, code: int = 200) -> Response:
    minutes = selectors.minutes_detail(request.user, pk)
    minutes.decision_rows = selectors.decisions_of(minutes)
    minutes.actions = minutes_actions(request.user, minutes)
    return Response(cs.MinutesDetailOutput(minutes).data, status=code)


# --- meetings ---------------------------------------------------------------------------------


class MeetingCollectionView(_CommitteeView, generics.GenericAPIView):
    serializer_class = cs.MeetingListOutput
    queryset = Meeting.objects.none()

    @extend_schema(
        operation_id="committee_meetings_list",
        summary="Committee meetings",
        description="For committee members, the office and the auditor; the latest first.",
        parameters=[cs.MeetingQuery],
        responses=_responses(cs.MeetingListOutput(many=True), 400, 403),
    )
    def get(self, request):
        query = valid(cs.MeetingQuery, request.query_params)
        rows = selectors.meetings(
            request.user, year=query["year"], kind=query["kind"], q=query["q"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(cs.MeetingListOutput(page, many=True).data)

    @extend_schema(
        operation_id="committee_meetings_create",
        summary="Schedule a meeting",
        description="The office: its number (第N次) is the next of its kind in the year of "
        "its date; the active members are invited, present by default.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.MeetingCreateInput,
        responses=_responses(cs.MeetingDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request):
        data = valid(cs.MeetingCreateInput, request.data)
        meeting = services.meeting_create(
            actor=request.user,
            kind=data["kind"],
            date=data["date"],
            place=data["place"],
            convener=lookups.person(request.user, data.get("convener"), "convener"),
            title=data["title"],
            attendees_extra=data["attendees_extra"],
            ip=client_ip(request),
        )
        return _meeting_response(request, meeting.pk, 201)


class MeetingView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_meetings_retrieve",
        summary="One meeting",
        description="With its attendance and agenda items.",
        responses=_responses(cs.MeetingDetailOutput, 403, 404),
    )
    def get(self, request, meeting_pk: int):
        return _meeting_response(request, meeting_pk)

    @extend_schema(
        operation_id="committee_meetings_partial_update",
        summary="Change a meeting",
        description="Only the fields sent change; the date stays within the meeting's year. "
        "Closed once its minutes are issued.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.MeetingUpdateInput,
        responses=_responses(cs.MeetingDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, meeting_pk: int):
        meeting = selectors.meeting_detail(request.user, meeting_pk)
        data = valid(cs.MeetingUpdateInput, request.data, partial=True)
        if "convener" in data:
            data["convener"] = lookups.person(request.user, data["convener"], "convener")
        services.meeting_update(actor=request.user, meeting=meeting, ip=client_ip(request), **data)
        return _meeting_response(request, meeting.pk)


class MeetingHoldView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_meetings_hold",
        summary="Mark the meeting held",
        description="The office, once the meeting has taken place; opinions follow.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.CommitteeEmptyInput,
        responses=_responses(cs.MeetingDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, meeting_pk: int):
        meeting = selectors.meeting_detail(request.user, meeting_pk)
        services.meeting_hold(actor=request.user, meeting=meeting, ip=client_ip(request))
        return _meeting_response(request, meeting.pk)


class MeetingAttendanceView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_meetings_attendance",
        summary="Record a member's attendance",
        description="Present, on leave (with the reason) or represented (by whom).",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.AttendanceInput,
        responses=_responses(cs.MeetingDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, meeting_pk: int):
        meeting = selectors.meeting_detail(request.user, meeting_pk)
        data = valid(cs.AttendanceInput, request.data)
        member = CommitteeMember.objects.filter(pk=data["member"]).first()
        if member is None:
            raise ValidationError({"member": _("No committee member with this id.")})
        services.attendance_set(
            actor=request.user,
            meeting=meeting,
            member=member,
            status=data["status"],
            reason=data["reason"],
            represented_by=data["represented_by"],
            ip=client_ip(request),
        )
        return _meeting_response(request, meeting.pk)


class MeetingItemsView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_meetings_items_create",
        summary="Put an item on the agenda",
        description="The office; after the last item.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.AgendaItemInput,
        responses=_responses(cs.AgendaItemDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, meeting_pk: int):
        meeting = selectors.meeting_detail(request.user, meeting_pk)
        data = valid(cs.AgendaItemInput, request.data)
        item = services.item_add(
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            submitting_unit=lookups.unit(data["submitting_unit"], "submitting_unit"),
            ip=client_ip(request),
        )
        return _item_response(request, item.pk, 201)


class MeetingMinutesView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_meetings_minutes_create",
        summary="Draft the minutes from the meeting",
        description="The office, once the meeting is held: each item with its opinion, one "
        "decision per item that goes on.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.CommitteeEmptyInput,
        responses=_responses(cs.MinutesDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, meeting_pk: int):
        meeting = selectors.meeting_detail(request.user, meeting_pk)
        minutes = services.minutes_draft(actor=request.user, meeting=meeting, ip=client_ip(request))
        return _minutes_response(request, minutes.pk, 201)


# --- agenda items ---------------------------------------------------------------------------------


class ItemCollectionView(_CommitteeView, generics.GenericAPIView):
    serializer_class = cs.AgendaItemOutput
    queryset = AgendaItem.objects.none()
    read_roles = ITEM_READERS
    read_message = gettext_lazy("Your role does not give access to the committee's items.")

    @extend_schema(
        operation_id="committee_items_list",
        summary="Agenda items",
        description="A unit's roles see the items their unit submitted; committee members, "
        "the office and the auditor every item. The latest meeting first.",
        responses=_responses(cs.AgendaItemOutput(many=True), 403),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.items(request.user))
        return self.get_paginated_response(cs.AgendaItemOutput(page, many=True).data)


class ItemView(_CommitteeView, APIView):
    read_roles = ITEM_READERS
    read_message = ItemCollectionView.read_message

    @extend_schema(
        operation_id="committee_items_retrieve",
        summary="One agenda item",
        description="With the documents the caller may read and their versions.",
        responses=_responses(cs.AgendaItemDetailOutput, 403, 404),
    )
    def get(self, request, agenda_item_pk: int):
        return _item_response(request, agenda_item_pk)


class ItemOpinionView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_items_opinion",
        summary="Record the meeting's opinion on the item",
        description="The office, once the meeting is held: agree, agree_revise (原则同意并修改"
        "完善), resubmit (修改后再报) or disagree; the submitting unit is told.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.OpinionInput,
        responses=_responses(cs.AgendaItemDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, agenda_item_pk: int):
        item = selectors.item_detail(request.user, agenda_item_pk)
        data = valid(cs.OpinionInput, request.data)
        services.item_opinion(
            actor=request.user,
            item=item,
            opinion=data["opinion"],
            note=data["note"],
            ip=client_ip(request),
        )
        return _item_response(request, item.pk)


class ItemApproveView(_CommitteeView, APIView):
    read_roles = ITEM_READERS
    write_roles = APPROVERS
    write_message = gettext_lazy("Only the committee office or the chair signs off a version.")

    @extend_schema(
        operation_id="committee_items_approve",
        summary="Sign off the approved version",
        description="The office or the committee's chair; for an item agreed in principle, a "
        "version revised after the meeting.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.SignOffInput,
        responses=_responses(cs.AgendaItemDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, agenda_item_pk: int):
        item = selectors.item_detail(request.user, agenda_item_pk)
        data = valid(cs.SignOffInput, request.data)
        version = selectors.versions(request.user).filter(pk=data["version"]).first()
        if version is None:
            raise ValidationError({"version": _("No version with this id is visible to you.")})
        services.item_approve(actor=request.user, item=item, version=version, ip=client_ip(request))
        return _item_response(request, item.pk)


class ItemDocumentsView(_CommitteeView, APIView):
    read_roles = ITEM_READERS
    write_roles = UPLOADERS
    write_message = gettext_lazy(
        "Only the committee office or the submitting unit's clerk and leader upload documents."
    )
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="committee_items_documents_create",
        summary="Submit a document of the item",
        description="Its first version (multipart/form-data): a Word (.docx) or PDF file, "
        "checked by its content.",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": cs.CommitteeDocumentInput},
        responses=_responses(cs.AgendaItemDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @fits_a_replay("file")
    @idempotent
    def post(self, request, agenda_item_pk: int):
        item = selectors.item_detail(request.user, agenda_item_pk)
        data = valid(cs.CommitteeDocumentInput, request.data)
        services.document_add(
            actor=request.user,
            item=item,
            title=data["title"],
            kind=data["kind"],
            internal=data["internal"],
            file=data["file"],
            reason=data["reason"],
            ip=client_ip(request),
        )
        return _item_response(request, item.pk, 201)


# --- versions ---------------------------------------------------------------------------------


class DocumentVersionsView(_CommitteeView, APIView):
    read_roles = ITEM_READERS
    read_message = ItemCollectionView.read_message
    write_roles = UPLOADERS
    write_message = ItemDocumentsView.write_message
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="committee_documents_versions_list",
        summary="A document's versions",
        description="In order, with who uploaded each and why.",
        responses=_responses(cs.DocumentVersionOutput(many=True), 403, 404),
    )
    def get(self, request, document_pk: int):
        document = selectors.document_detail(request.user, document_pk)
        rows = selectors.versions_of(request.user, document)
        return Response(cs.DocumentVersionOutput(rows, many=True).data)

    @extend_schema(
        operation_id="committee_documents_versions_create",
        summary="Upload a new version",
        description="Before the meeting a corrected submission; after it the revision asked "
        "for (the reason is then required). Refused once a version is signed off.",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": cs.DocumentVersionInput},
        responses=_responses(cs.DocumentVersionOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @fits_a_replay("file")
    @idempotent
    def post(self, request, document_pk: int):
        document = selectors.document_detail(request.user, document_pk)
        data = valid(cs.DocumentVersionInput, request.data)
        version = services.version_upload(
            actor=request.user,
            document=document,
            file=data["file"],
            reason=data["reason"],
            ip=client_ip(request),
        )
        return Response(cs.DocumentVersionOutput(version).data, status=201)


class VersionDownloadView(_CommitteeView, APIView):
    read_roles = ITEM_READERS
    read_message = ItemCollectionView.read_message

    @extend_schema(
        operation_id="committee_versions_download",
        summary="Download a version",
        description="To those who may read the document; every download is recorded.",
        responses=file_responses(uploads.KINDS, 403, 404),
    )
    def get(self, request, document_version_pk: int):
        version = selectors.version_detail(request.user, document_version_pk)
        return downloads.stored_file(
            version.file,
            filename=version.name or "document",
            content_type=version.content_type,
            record=lambda: services.version_download(
                actor=request.user, version=version, ip=client_ip(request)
            ),
        )


# --- minutes ----------------------------------------------------------------------------------


class MinutesCollectionView(_CommitteeView, generics.GenericAPIView):
    serializer_class = cs.MinutesListOutput
    queryset = Minutes.objects.none()

    @extend_schema(
        operation_id="committee_minutes_list",
        summary="Minutes of committee meetings",
        parameters=[cs.MinutesQuery],
        responses=_responses(cs.MinutesListOutput(many=True), 400, 403),
    )
    def get(self, request):
        query = valid(cs.MinutesQuery, request.query_params)
        rows = selectors.minutes_list(request.user, state=query["state"], year=query["year"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(cs.MinutesListOutput(page, many=True).data)


class MinutesView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_minutes_retrieve",
        summary="One set of minutes",
        description="With its decisions and what the caller may do now.",
        responses=_responses(cs.MinutesDetailOutput, 403, 404),
    )
    def get(self, request, minutes_pk: int):
        return _minutes_response(request, minutes_pk)

    @extend_schema(
        operation_id="committee_minutes_update",
        summary="Change a draft",
        description="The office: title, text, decisions (one per entry), 份号 and 密级.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.MinutesUpdateInput,
        responses=_responses(cs.MinutesDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def put(self, request, minutes_pk: int):
        minutes = selectors.minutes_detail(request.user, minutes_pk)
        data = valid(cs.MinutesUpdateInput, request.data)
        services.minutes_update(
            actor=request.user,
            minutes=minutes,
            title=data["title"],
            body=data["body"],
            decisions=data["decisions"],
            copy_no=data["copy_no"],
            secrecy=data["secrecy"],
            ip=client_ip(request),
        )
        return _minutes_response(request, minutes.pk)


class MinutesSubmitView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_minutes_submit",
        summary="Send the minutes for review",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.CommitteeEmptyInput,
        responses=_responses(cs.MinutesDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, minutes_pk: int):
        minutes = selectors.minutes_detail(request.user, minutes_pk)
        services.minutes_submit(actor=request.user, minutes=minutes, ip=client_ip(request))
        return _minutes_response(request, minutes.pk)


class MinutesReturnView(_CommitteeView, APIView):
    write_roles = ISSUERS
    write_message = gettext_lazy("Only the FAO head or a committee leader reviews minutes.")

    @extend_schema(
        operation_id="committee_minutes_return",
        summary="Return the minutes to draft, with the reason",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.MinutesReturnInput,
        responses=_responses(cs.MinutesDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, minutes_pk: int):
        minutes = selectors.minutes_detail(request.user, minutes_pk)
        data = valid(cs.MinutesReturnInput, request.data)
        services.minutes_return(
            actor=request.user, minutes=minutes, reason=data["reason"], ip=client_ip(request)
        )
        return _minutes_response(request, minutes.pk)


class MinutesIssueView(_CommitteeView, APIView):
    write_roles = ISSUERS
    write_message = MinutesReturnView.write_message

    @extend_schema(
        operation_id="committee_minutes_issue",
        summary="Issue the minutes",
        description="The 发文字号 of the year is given now.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.CommitteeEmptyInput,
        responses=_responses(cs.MinutesDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, minutes_pk: int):
        minutes = selectors.minutes_detail(request.user, minutes_pk)
        services.minutes_issue(actor=request.user, minutes=minutes, ip=client_ip(request))
        return _minutes_response(request, minutes.pk)


class MinutesDocumentView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_minutes_document",
        summary="The issued minutes as a Word document",
        description="In the 公文 layout of GB/T 9704-2012; 404 before issue. Recorded.",
        responses=file_responses((DOCX,), 403, 404),
    )
    def get(self, request, minutes_pk: int):
        minutes = selectors.minutes_detail(request.user, minutes_pk)
        return downloads.generated_document(
            lambda: (minutes_docx.render(minutes), minutes_docx.filename(minutes)),
            record=lambda: services.minutes_download(
                actor=request.user, minutes=minutes, ip=client_ip(request)
            ),
        )


class DecisionTaskView(_CommitteeView, APIView):
    @extend_schema(
        operation_id="committee_decisions_task",
        summary="Turn a decision into a supervised task",
        description="The office, for a decision of issued minutes: registered and assigned "
        "to the lead unit on the one tracker (GET /api/v1/followups/...).",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.DecisionTaskInput,
        responses=_responses(cs.DecisionTaskOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, decision_pk: int):
        from waishi.committee.models import Decision

        decision = scoping.get_for_user(request.user, Decision, decision_pk)
        data = valid(cs.DecisionTaskInput, request.data)
        person = lookups.person(request.user, data["responsible_person"], "responsible_person")
        task = services.decision_to_task(
            actor=request.user,
            decision=decision,
            title=data["title"],
            lead_unit=lookups.unit(data["lead_unit"], "lead_unit"),
            responsible_person=person,
            supporting_units=[
                lookups.unit(pk, "supporting_units") for pk in data["supporting_units"]
            ],
            due_date=data["due_date"],
            major=data["major"],
            ip=client_ip(request),
        )
        return Response({"decision": decision.pk, "task": task.pk}, status=201)
