"""Input and output shapes of the trip report endpoints (``report_views``): the list, the
report of a trip, its structured fields, the signed document, the post-trip publicity,
submission and the FAO's decision.

Inputs say nothing the services do not: every write goes through
``waishi.missions.report.services``. The structured fields are saved as typed, complete or
not; the required ones (``required_fields``) bite only at submission."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.fields import IdField, ReadWhole, UploadField, VersionField
from waishi.api.mission_serializers import CodeChoiceField, UserRefOutput
from waishi.api.serializers import UnitRefOutput
from waishi.api.trip_serializers import ActionOutput
from waishi.missions.models import ReportState, State
from waishi.missions.report import services
from waishi.missions.report.selectors import OVERDUE

TEXT_LIMIT = services.TEXT_LIMIT
QUERY_STATES = [*ReportState.choices, (OVERDUE, _("Overdue"))]

# --- inputs ---------------------------------------------------------------------------------


class ReportQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text=_("Part of the trip's title."),
    )
    state = serializers.ChoiceField(
        choices=QUERY_STATES,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A state of the report, or overdue: still owed after its due date."),
    )
    unit = IdField(
        required=False,
        default=None,
        allow_null=True,
        help_text=_("The trip's unit id (a unit's roles see their own unit's reports only)."),
    )


def _text(help_text=None) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        trim_whitespace=False,  # the service trims, as on the page
        help_text=help_text,
    )


class ReportUpdateInput(ReadWhole, serializers.Serializer):
    """Only the fields sent change; ``version`` is the report's, as read."""

    version = VersionField()
    tasks_done = _text()
    meetings = _text()
    agreements = _text()
    outcomes = _text()
    costs = _text(_("How the budget was spent, by item, against the approved budget."))
    actual_cost_cny = serializers.DecimalField(
        required=False,
        allow_null=True,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("The actual cost in yuan; null clears it."),
    )
    problems = _text()


class _VersionInput(serializers.Serializer):
    version = VersionField(required=False)


class ReportDocumentInput(_VersionInput):
    document = UploadField(
        help_text=_("The report as signed and sealed: a PDF or a Word (.docx) document.")
    )


class ReportPublishInput(_VersionInput):
    starts_on = serializers.DateField(
        required=False,
        help_text=_(
            "The first day of the publicity inside the unit, YYYY-MM-DD: not in the future, "
            "not before the return; today when left out."
        ),
    )


class ReportSubmitInput(_VersionInput):
    pass


class ReportAcceptInput(_VersionInput):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReportReturnInput(_VersionInput):
    comment = serializers.CharField(
        max_length=2000, help_text=_("What the unit must change in the report.")
    )


# --- outputs --------------------------------------------------------------------------------


class ReportTripOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    unit = UnitRefOutput()
    state = CodeChoiceField(choices=State.choices, help_text=_("The trip's state."))
    actual_return = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class _Overdue(serializers.Serializer):
    overdue = serializers.SerializerMethodField(
        help_text=_("Still owed by the unit (draft or returned) after its due date.")
    )
    days_overdue = serializers.SerializerMethodField(
        help_text=_("Days past the due date while the report is still owed (0: not overdue).")
    )

    def get_overdue(self, report) -> bool:
        return services.is_overdue(report, timezone.localdate())

    def get_days_overdue(self, report) -> int:
        today = timezone.localdate()
        if not services.is_overdue(report, today):
            return 0
        return (today - report.due_date).days


class ReportListOutput(_Overdue):
    id = serializers.IntegerField()
    mission = ReportTripOutput()
    state = CodeChoiceField(choices=ReportState.choices)
    state_display = serializers.CharField(source="get_state_display")
    due_date = serializers.DateField()
    version = serializers.IntegerField()
    has_document = serializers.SerializerMethodField()
    publicity_starts_on = serializers.DateField(allow_null=True)
    publicity_ends_on = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_has_document(self, report) -> bool:
        return bool(report.document)


class ReportGapOutput(serializers.Serializer):
    field = serializers.CharField(
        help_text=_("The structured field left empty, or publicity when not published.")
    )
    message = serializers.CharField()


class ReportActionsOutput(serializers.Serializer):
    update = ActionOutput(help_text=_("Edit the structured fields (PATCH)."))
    upload_document = ActionOutput()
    publish = ActionOutput()
    submit = ActionOutput()
    accept = ActionOutput()

    def get_fields(self):
        fields = super().get_fields()
        fields["return"] = ActionOutput()  # a keyword: no class attribute can be named so
        return fields


class ReportOutput(ReportListOutput):
    """The report of a trip (also the answer to every write, kept for an
    Idempotency-Key replay)."""

    state_changed_at = serializers.DateTimeField()
    tasks_done = serializers.CharField()
    meetings = serializers.CharField()
    agreements = serializers.CharField()
    outcomes = serializers.CharField()
    costs = serializers.CharField()
    actual_cost_cny = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    problems = serializers.CharField()
    required_fields = serializers.SerializerMethodField(
        help_text=_("The structured fields that must be filled in to submit.")
    )
    missing = ReportGapOutput(
        many=True,
        source="gaps",
        help_text=_("What still keeps the report from being submitted (while the unit owes it)."),
    )
    document_name = serializers.CharField()
    document_type = serializers.CharField()
    document_size = serializers.IntegerField(allow_null=True)
    document_url = serializers.SerializerMethodField(
        help_text=_("Where to download the signed report (null when none is filed).")
    )
    submitted_by = UserRefOutput(allow_null=True)
    decided_by = UserRefOutput(allow_null=True)
    return_comment = serializers.CharField()
    actions = ReportActionsOutput(help_text=_("What the caller may do now, and why not."))
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_required_fields(self, report) -> list[str]:
        return list(services.REQUIRED)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, report):
        if not report.document:
            return None
        return reverse("api:report-document", kwargs={"mission_pk": report.mission_id})
