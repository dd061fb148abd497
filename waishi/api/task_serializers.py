"""Input and output shapes of the supervised tasks' endpoints (``task_views``): the list
and its filters, one task with its reports, reminders, reviews and extensions, each step
of the flow, the office's board and the on-time table. Every write goes through
``waishi.followups.supervision``; each code a person reads comes with its label
(``*_display``), in the caller's language."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.fields import IdField, UploadField, WholeNumberField
from waishi.api.followup_serializers import PersonRefOutput, SourceOutput
from waishi.api.mission_serializers import CodeChoiceField, UserRefOutput
from waishi.api.serializers import UnitRefOutput
from waishi.followups import sources
from waishi.followups.models import (
    CLOSED_TASK_STATES,
    OPEN_TASK_STATES,
    Colour,
    ExtensionState,
    ReviewDecision,
    SourceKind,
    State,
    UpdateKind,
    Urgency,
    UrgeMethod,
)
from waishi.followups.workflow import TASK_ACTIONS

# The states a task passes through (an outcome's open and overdue are not among them).
TASK_STATES = [
    (value, label)
    for value, label in State.choices
    if value in OPEN_TASK_STATES | CLOSED_TASK_STATES | {State.DROPPED}
]
COLOURS = [(value, label) for value, label in Colour.choices if value]
# Dates the API takes: a deadline is a day of this century, not of year 9999.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
MAX_SUPPORTING = 50

PERSON_HELP = _("The id of a person of the lead unit (GET /api/v1/people/).")
DATE_HELP = _("A day from 2000-01-01 to 2100-12-31.")


class DayField(serializers.DateField):
    """A date from ``FIRST_DAY`` to ``LAST_DAY``; another is refused as invalid (400)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise serializers.ValidationError(_("Give a day from 2000-01-01 to 2100-12-31."))
        return day


# --- inputs ---------------------------------------------------------------------------------


class TaskQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Part of the title, number, source or responsible person's name."),
    )
    unit = IdField(
        required=False,
        default=None,
        allow_null=True,
        help_text=_("A unit's id: the tasks it leads or supports."),
    )
    colour = serializers.ChoiceField(
        choices=COLOURS, required=False, allow_blank=True, default=""
    )
    source_kind = serializers.ChoiceField(
        choices=SourceKind.choices, required=False, allow_blank=True, default=""
    )
    state = serializers.ChoiceField(
        choices=TASK_STATES, required=False, allow_blank=True, default=""
    )
    year = WholeNumberField(
        required=False,
        default=None,
        allow_null=True,
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the task's number."),
    )


class OnTimeQuery(serializers.Serializer):
    year = WholeNumberField(
        required=False,
        default=None,
        allow_null=True,
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the deadlines; this year when left out."),
    )


class EmptyInput(serializers.Serializer):
    """Nothing to send."""


class TaskRegisterInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    source_kind = CodeChoiceField(choices=SourceKind.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, default=""
    )
    lead_unit = IdField(help_text=_("The lead unit's id."))
    responsible_person = IdField(help_text=PERSON_HELP)
    supporting_units = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        max_length=MAX_SUPPORTING,
        help_text=_("The supporting units' ids."),
    )
    urgency = CodeChoiceField(
        choices=Urgency.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For a leader's instruction"),
    )
    instructed_by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Who gave the instruction."),
    )
    due_date = DayField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The deadline; left out, the default for the kind of source."),
    )
    major = serializers.BooleanField(
        required=False, default=False, help_text=_("A major task: reports progress monthly.")
    )
    assign = serializers.BooleanField(
        required=False, default=False, help_text=_("Assign it to the lead unit at once.")
    )
    source_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("The kind of record the task comes from, e.g. committee.decision."),
    )
    source_id = IdField(required=False, allow_null=True, help_text=_("That record's id."))

    def validate_source_type(self, value: str) -> str:
        value = (value or "").strip()
        if value and sources.get(value) is None:
            raise serializers.ValidationError(_("Unknown kind of source record."))
        return value


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("The reason, required."))


class RedirectInput(serializers.Serializer):
    lead_unit = IdField(help_text=_("The new lead unit's id."))
    responsible_person = IdField(help_text=PERSON_HELP)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReportInput(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text=_("What has been done."))
    evidence = UploadField(
        required=False,
        allow_null=True,
        help_text=_("Optional: a PDF, a JPEG or PNG image, or a Word (.docx) document."),
    )


class UrgeInput(serializers.Serializer):
    method = CodeChoiceField(choices=UrgeMethod.choices, help_text=_("How the unit was urged"))
    text = serializers.CharField(max_length=2000, help_text=_("What the unit was told."))


class CloseInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ExtensionAskInput(serializers.Serializer):
    requested_date = DayField(help_text=_("The new deadline asked for, after the present one."))
    reason = serializers.CharField(max_length=2000, help_text=_("Why more time is needed."))


class ExtensionDecideInput(serializers.Serializer):
    grant = serializers.BooleanField(help_text=_("true grants the new deadline, false refuses it."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- outputs --------------------------------------------------------------------------------


class TaskListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text=_("Given when the task is assigned; empty before."))
    title = serializers.CharField()
    source_kind = CodeChoiceField(choices=SourceKind.choices)
    source_kind_display = serializers.CharField(source="get_source_kind_display")
    urgency = CodeChoiceField(choices=[("", ""), *Urgency.choices])
    urgency_display = serializers.CharField(source="get_urgency_display")
    major = serializers.BooleanField()
    lead_unit = UnitRefOutput(source="responsible_unit")
    responsible_person = PersonRefOutput()
    supporting_units = serializers.SerializerMethodField()
    due_date = serializers.DateField()
    original_due_date = serializers.DateField(
        allow_null=True, help_text=_("The deadline before an extension was granted.")
    )
    state = CodeChoiceField(choices=TASK_STATES)
    state_display = serializers.CharField(source="get_state_display")
    colour = CodeChoiceField(choices=Colour.choices, help_text=_("Empty: no warning"))
    colour_display = serializers.CharField(source="get_colour_display")
    source = serializers.SerializerMethodField()
    assigned_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(UnitRefOutput(many=True))
    def get_supporting_units(self, task):
        units = sorted(task.supporting_units.all(), key=lambda u: (u.code, u.pk))
        return UnitRefOutput(units, many=True).data

    @extend_schema_field(SourceOutput(allow_null=True))
    def get_source(self, task):
        if not task.source_type:
            return None
        return {
            "type": task.source_type,
            "id": task.source_id,
            "title": task.source_title,
            "label": sources.label_of(task.source_type),
        }


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = CodeChoiceField(choices=UpdateKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    unit = UnitRefOutput(allow_null=True, help_text=_("The unit that reported."))
    text = serializers.CharField()
    has_evidence = serializers.SerializerMethodField()
    evidence_name = serializers.CharField()
    evidence_type = serializers.CharField()
    evidence_url = serializers.SerializerMethodField(
        help_text=_("Where to download the evidence (null when there is none).")
    )
    recorded_by = UserRefOutput()
    recorded_at = serializers.DateTimeField()

    def get_has_evidence(self, update) -> bool:
        return bool(update.evidence)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_url(self, update):
        if not update.evidence:
            return None
        return reverse("api:followup-evidence", kwargs={"update_pk": update.pk})


class UrgeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    method = CodeChoiceField(choices=UrgeMethod.choices)
    method_display = serializers.CharField(source="get_method_display")
    text = serializers.CharField()
    by = UserRefOutput()
    at = serializers.DateTimeField()


class ReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    decision = CodeChoiceField(choices=ReviewDecision.choices)
    decision_display = serializers.CharField(source="get_decision_display")
    reason = serializers.CharField()
    feedback = serializers.IntegerField(
        source="feedback_id", allow_null=True, help_text=_("The id of the feedback reviewed.")
    )
    by = UserRefOutput()
    at = serializers.DateTimeField()


class ExtensionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    state = CodeChoiceField(choices=ExtensionState.choices)
    state_display = serializers.CharField(source="get_state_display")
    reason = serializers.CharField()
    due_before = serializers.DateField(help_text=_("The deadline when it was asked."))
    requested_date = serializers.DateField()
    asked_by = UserRefOutput()
    asked_at = serializers.DateTimeField()
    decided_by = UserRefOutput(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


# What the caller may do with the task now (``followups.workflow.task_actions_for``): one
# boolean per action, named as the workflow names it ("return" too, which a class body
# cannot spell).
TaskActionsOutput = type(
    "TaskActionsOutput",
    (serializers.Serializer,),
    {
        "__doc__": "What the caller may do with the task now.",
        "__module__": __name__,
        **{action: serializers.BooleanField() for action in TASK_ACTIONS},
    },
)


class TaskDetailOutput(TaskListOutput):
    description = serializers.CharField()
    instructed_by = serializers.CharField()
    redirect_reason = serializers.CharField()
    drop_reason = serializers.CharField()
    red_since = serializers.DateField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)
    created_by = UserRefOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    reports = ReportOutput(
        many=True,
        source="report_rows",
        help_text=_("Progress, feedback and supporting units' reports, the latest first."),
    )
    urges = UrgeOutput(many=True, source="urge_rows", help_text=_("The latest first."))
    reviews = ReviewOutput(many=True, source="review_rows", help_text=_("The latest first."))
    extensions = ExtensionOutput(
        many=True, source="extension_rows", help_text=_("The latest first.")
    )
    actions = TaskActionsOutput()
