"""Input and output shapes of the committee's endpoints (``committee_views``): meetings
with their attendance and agenda items, documents and their versions, minutes and their
decisions. Every write goes through ``waishi.committee.services``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.fields import IdField, UploadField
from waishi.api.mission_serializers import CodeChoiceField, UserRefOutput
from waishi.api.serializers import UnitRefOutput
from waishi.committee.models import (
    AttendanceStatus,
    DocumentKind,
    MeetingKind,
    MeetingState,
    MinutesState,
    Opinion,
    Secrecy,
    Stage,
)

# --- inputs ---------------------------------------------------------------------------------


class MeetingQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, default=None)
    kind = serializers.ChoiceField(
        choices=MeetingKind.choices, required=False, allow_blank=True, default=""
    )
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class MinutesQuery(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=MinutesState.choices, required=False, allow_blank=True, default=""
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, default=None)


class MeetingCreateInput(serializers.Serializer):
    kind = CodeChoiceField(choices=MeetingKind.choices)
    date = serializers.DateField()
    place = serializers.CharField(max_length=100)
    convener = IdField(required=False, allow_null=True, default=None, help_text=_("A person's id."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    attendees_extra = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )


class MeetingUpdateInput(serializers.Serializer):
    """Read partially (PATCH): only the fields sent change; the date stays in its year."""

    date = serializers.DateField(required=False)
    place = serializers.CharField(required=False, max_length=100)
    convener = IdField(required=False, allow_null=True, help_text=_("A person's id."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    attendees_extra = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AttendanceInput(serializers.Serializer):
    member = IdField(help_text=_("The committee member's id."))
    status = CodeChoiceField(choices=AttendanceStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    represented_by = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )


class AgendaItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    submitting_unit = IdField(help_text=_("The submitting unit's id."))


class OpinionInput(serializers.Serializer):
    opinion = CodeChoiceField(choices=Opinion.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SignOffInput(serializers.Serializer):
    version = IdField(help_text=_("The id of the version signed off as approved."))


class CommitteeDocumentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = CodeChoiceField(choices=DocumentKind.choices, required=False, default=DocumentKind.OTHER)
    internal = serializers.BooleanField(required=False, default=False)
    file = UploadField(help_text=_("A Word (.docx) or PDF file."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DocumentVersionInput(serializers.Serializer):
    file = UploadField(help_text=_("A Word (.docx) or PDF file."))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=_("Required after the meeting: what was revised, and why."),
    )


class MinutesUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50000, allow_blank=True)
    decisions = serializers.ListField(
        child=serializers.CharField(max_length=2000), max_length=100, required=False, default=list
    )
    copy_no = serializers.CharField(required=False, allow_blank=True, max_length=6, default="")
    secrecy = CodeChoiceField(choices=Secrecy.choices, required=False, allow_blank=True, default="")


class MinutesReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CommitteeEmptyInput(serializers.Serializer):
    pass


class DecisionTaskInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    lead_unit = IdField(help_text=_("The lead unit's id."))
    responsible_person = IdField(help_text=_("The id of a person of the lead unit."))
    supporting_units = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=50
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    major = serializers.BooleanField(required=False, default=False)


# --- outputs --------------------------------------------------------------------------------


class CommitteePersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeetingListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = CodeChoiceField(choices=MeetingKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    year = serializers.IntegerField()
    number = serializers.IntegerField(help_text=_("第N次: its number within the year and kind."))
    name = serializers.CharField(source="__str__")
    date = serializers.DateField()
    place = serializers.CharField()
    convener = CommitteePersonOutput(allow_null=True)
    title = serializers.CharField()
    state = CodeChoiceField(choices=MeetingState.choices)
    state_display = serializers.CharField(source="get_state_display")


class AttendanceOutput(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.person.name")
    status = CodeChoiceField(choices=AttendanceStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    represented_by = serializers.CharField()


class DocumentVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    stage = CodeChoiceField(choices=Stage.choices)
    stage_display = serializers.CharField(source="get_stage_display")
    reason = serializers.CharField()
    uploaded_by = UserRefOutput()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, version) -> str:
        return reverse("api:committee-version-download", kwargs={"version_pk": version.pk})


class CommitteeDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = CodeChoiceField(choices=DocumentKind.choices)
    internal = serializers.BooleanField()
    versions = DocumentVersionOutput(many=True, source="version_rows")


class AgendaItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    meeting_name = serializers.CharField(source="meeting.__str__")
    order = serializers.IntegerField()
    title = serializers.CharField()
    submitting_unit = UnitRefOutput()
    opinion = CodeChoiceField(choices=Opinion.choices, allow_blank=True)
    opinion_display = serializers.CharField(source="get_opinion_display")
    opinion_note = serializers.CharField()
    approved_version = serializers.IntegerField(source="approved_version_id", allow_null=True)
    approved_by = UserRefOutput(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


class AgendaItemDetailOutput(AgendaItemOutput):
    documents = CommitteeDocumentOutput(many=True, source="document_rows")


class MeetingDetailOutput(MeetingListOutput):
    attendees_extra = serializers.CharField()
    attendance = AttendanceOutput(many=True, source="attendance_rows")
    items = AgendaItemOutput(many=True, source="item_rows")
    minutes = serializers.IntegerField(source="minutes_id", allow_null=True)


class DecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    text = serializers.CharField()
    item = serializers.IntegerField(source="item_id", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)


class MinutesListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    title = serializers.CharField()
    number = serializers.CharField(help_text=_("发文字号, given on issue."))
    state = CodeChoiceField(choices=MinutesState.choices)
    state_display = serializers.CharField(source="get_state_display")
    issued_at = serializers.DateTimeField(allow_null=True)


class MinutesActionsOutput(serializers.Serializer):
    edit = serializers.BooleanField()
    submit = serializers.BooleanField()
    issue = serializers.BooleanField()
    return_to_draft = serializers.BooleanField(source="return")
    to_task = serializers.BooleanField()


class MinutesDetailOutput(MinutesListOutput):
    body = serializers.CharField()
    copy_no = serializers.CharField()
    secrecy = CodeChoiceField(choices=Secrecy.choices, allow_blank=True)
    return_reason = serializers.CharField()
    decisions = DecisionOutput(many=True, source="decision_rows")
    document_url = serializers.SerializerMethodField(
        help_text=_("The issued minutes as a Word document (null before issue).")
    )
    actions = MinutesActionsOutput()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, minutes):
        if minutes.state != MinutesState.ISSUED:
            return None
        return reverse("api:committee-minutes-document", kwargs={"minutes_pk": minutes.pk})


class DecisionTaskOutput(serializers.Serializer):
    decision = serializers.IntegerField()
    task = serializers.IntegerField()
