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
    UrgeMethod,
    Urgency,
)
from waishi.followups.workflow import TASK_ACTIONS
from waishi.orgs.models import Unit

# The states a task passes through (an outcome's open and overdue are not among them).
TASK_STATES = [
    (value, label)
    for value, label in State.choices
    if value in OPEN_TASK_STATES | CLOSED_TASK_STATES | {State.DROPPED}
]
# The list's filters, as ``followups.selectors.task_list`` reads them: "open" is every
# state not closed nor dropped, "none" a task without a warning.
STATE_FILTER = [("open", _("Not closed")), *TASK_STATES]
COLOUR_FILTER = [("none", Colour.NONE.label), *[(v, lab) for v, lab in Colour.choices if v]]
# Dates the API takes: a deadline is a day of this century, not of year 9999.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
MAX_SUPPORTING = 50

PERSON_HELP = _("The id of a person of the lead unit (GET /api/v1/people/).")


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
        choices=COLOUR_FILTER,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The warning today; none: no warning."),
    )
    source_kind = serializers.ChoiceField(
        choices=SourceKind.choices, required=False, allow_blank=True, default=""
    )
    state = serializers.ChoiceField(
        choices=STATE_FILTER,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("open: every state not closed nor dropped."),
    )
    year = WholeNumberField(
        required=False,
        default=None,
        allow_null=True,
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the task's number."),
    )


class TaskOnTimeQuery(serializers.Serializer):
    year = WholeNumberField(
        required=False,
        default=None,
        allow_null=True,
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the deadlines; this year when left out."),
    )


class TaskEmptyInput(serializers.Serializer):
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


class TaskReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("The reason, required."))


class TaskRedirectInput(serializers.Serializer):
    lead_unit = IdField(help_text=_("The new lead unit's id."))
    responsible_person = IdField(help_text=PERSON_HELP)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TaskReportInput(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text=_("What has been done."))
    evidence = UploadField(
        required=False,
        allow_null=True,
        help_text=_("Optional: a PDF, a JPEG or PNG image, or a Word (.docx) document."),
    )


class TaskUrgeInput(serializers.Serializer):
    method = CodeChoiceField(choices=UrgeMethod.choices, help_text=_("How the unit was urged"))
    text = serializers.CharField(max_length=2000, help_text=_("What the unit was told."))


class TaskCloseInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TaskExtensionAskInput(serializers.Serializer):
    requested_date = DayField(help_text=_("The new deadline asked for, after the present one."))
    reason = serializers.CharField(max_length=2000, help_text=_("Why more time is needed."))


class TaskExtensionDecideInput(serializers.Serializer):
    grant = serializers.BooleanField(help_text=_("true grants the new deadline, false refuses it."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- outputs --------------------------------------------------------------------------------


def warning_of(task) -> str:
    """The task's colour today, as the list filters by it (``selectors.colour_now``,
    annotated as ``warning``); the colour the daily sweep stored when not annotated."""
    return getattr(task, "warning", task.colour) or ""


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
    colour = serializers.SerializerMethodField(
        help_text=_("The warning today: red, yellow, blue, or empty for none.")
    )
    colour_display = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    assigned_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_colour(self, task) -> str:
        return warning_of(task)

    def get_colour_display(self, task) -> str:
        return str(Colour(warning_of(task)).label)

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


class TaskReportOutput(serializers.Serializer):
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


class TaskUrgeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    method = CodeChoiceField(choices=UrgeMethod.choices)
    method_display = serializers.CharField(source="get_method_display")
    text = serializers.CharField()
    by = UserRefOutput()
    at = serializers.DateTimeField()


class TaskReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    decision = CodeChoiceField(choices=ReviewDecision.choices)
    decision_display = serializers.CharField(source="get_decision_display")
    reason = serializers.CharField()
    feedback = serializers.IntegerField(
        source="feedback_id", allow_null=True, help_text=_("The id of the feedback reviewed.")
    )
    by = UserRefOutput()
    at = serializers.DateTimeField()


class TaskExtensionOutput(serializers.Serializer):
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
    reports = TaskReportOutput(
        many=True,
        source="report_rows",
        help_text=_("Progress, feedback and supporting units' reports, the latest first."),
    )
    urges = TaskUrgeOutput(many=True, source="urge_rows", help_text=_("The latest first."))
    reviews = TaskReviewOutput(many=True, source="review_rows", help_text=_("The latest first."))
    extensions = TaskExtensionOutput(
        many=True, source="extension_rows", help_text=_("The latest first.")
    )
    actions = TaskActionsOutput()


# --- the board and the on-time table ---------------------------------------------------------


class TaskColourCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    blue = serializers.IntegerField()
    none = serializers.IntegerField(help_text=_("Without a warning."))


class TaskColourCountOutput(serializers.Serializer):
    colour = CodeChoiceField(choices=Colour.choices, help_text=_("Empty: no warning"))
    colour_display = serializers.CharField()
    count = serializers.IntegerField()


class TaskSourceCountsOutput(TaskColourCountsOutput):
    source_kind = CodeChoiceField(choices=SourceKind.choices)
    source_kind_display = serializers.CharField()


class TaskUnitCountsOutput(TaskColourCountsOutput):
    unit = UnitRefOutput(help_text=_("The lead unit."))


class TaskBoardOutput(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Open tasks the caller may see."))
    by_colour = TaskColourCountOutput(many=True, help_text=_("Red, yellow, blue, then none."))
    by_source = TaskSourceCountsOutput(many=True)
    by_unit = TaskUnitCountsOutput(
        many=True, help_text=_("The most red first, then the most yellow, then the most open.")
    )


class TaskOnTimeRowOutput(serializers.Serializer):
    unit = UnitRefOutput(help_text=_("The lead unit."))
    due = serializers.IntegerField(help_text=_("Tasks due in the year (closed, or past due)."))
    on_time = serializers.IntegerField(
        help_text=_("Closed by their deadline (an extension granted moves it), never red.")
    )
    rate = serializers.FloatField(
        allow_null=True, help_text=_("on_time / due, from 0 to 1; null when nothing was due.")
    )


def _units_by_id(ids) -> dict:
    return {u.pk: u for u in Unit.objects.filter(pk__in=set(ids))}


def board_rows(counts: dict) -> dict:
    """``followups.selectors.board_counts`` as ``TaskBoardOutput`` reads it: each colour and
    kind of source with its label, each unit with its code (one query for the units)."""
    units = _units_by_id(row["unit_id"] for row in counts["by_unit"])
    colours = [Colour.RED, Colour.YELLOW, Colour.BLUE, Colour.NONE]
    return {
        "total": counts["total"],
        "by_colour": [
            {
                "colour": colour.value,
                "colour_display": str(colour.label),
                "count": counts["by_colour"][colour.value or "none"],
            }
            for colour in colours
        ],
        "by_source": [
            {
                **row,
                "source_kind_display": str(SourceKind(row["source_kind"]).label),
            }
            for row in counts["by_source"]
        ],
        "by_unit": [{**row, "unit": units[row["unit_id"]]} for row in counts["by_unit"]],
    }


def on_time_rows(rows) -> list[dict]:
    """``followups.selectors.on_time``'s rows with each unit's code (one query)."""
    units = _units_by_id(row.unit_id for row in rows)
    return [
        {"unit": units[row.unit_id], "due": row.due, "on_time": row.on_time, "rate": row.rate}
        for row in rows
    ]
