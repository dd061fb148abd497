"""Input and output shapes of the follow-up endpoints (``followup_views``): outcomes, their
progress updates and their state changes. Every write goes through
``waishi.followups.services``; a responsible person shows the name only."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.fields import IdField, UploadField
from waishi.api.mission_serializers import CodeChoiceField, UserRefOutput
from waishi.api.serializers import UnitRefOutput
from waishi.followups import sources
from waishi.followups.models import Kind, State

PERSON_HELP = _("The id of a person of the responsible unit (GET /api/v1/people/).")

# --- inputs ---------------------------------------------------------------------------------


class OutcomeQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Part of the title, description, source or responsible person's name."),
    )
    state = serializers.ChoiceField(
        choices=State.choices, required=False, allow_blank=True, default=""
    )
    kind = serializers.ChoiceField(
        choices=Kind.choices, required=False, allow_blank=True, default=""
    )
    unit = IdField(
        required=False,
        default=None,
        allow_null=True,
        help_text=_("The responsible unit's id."),
    )
    overdue = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Only outcomes past their due date and not done or dropped."),
    )


class _OutcomeFields(serializers.Serializer):
    kind = CodeChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, default=""
    )
    responsible_person = IdField(help_text=PERSON_HELP)
    due_date = serializers.DateField(help_text=_("Not in the past."))


class OutcomeCreateInput(_OutcomeFields):
    responsible_unit = IdField(
        required=False,
        allow_null=True,
        help_text=_("The responsible unit's id; a unit's own staff may leave it out."),
    )
    source_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("The kind of record the outcome comes from, e.g. missions.mission."),
    )
    source_id = IdField(required=False, allow_null=True, help_text=_("That record's id."))

    def validate_source_type(self, value: str) -> str:
        value = (value or "").strip()
        if value and sources.get(value) is None:
            raise serializers.ValidationError(_("Unknown kind of source record."))
        return value


class OutcomeUpdateInput(_OutcomeFields):
    """Read partially (PATCH): only the fields sent change."""


class ProgressInput(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text=_("What has been done."))
    evidence = UploadField(
        required=False,
        allow_null=True,
        help_text=_("Optional: a PDF, a JPEG or PNG image, or a Word (.docx) document."),
    )


class CompleteInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DropInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the outcome is dropped."))


class ReassignInput(serializers.Serializer):
    responsible_unit = IdField(help_text=_("The new unit's id."))
    responsible_person = IdField(help_text=PERSON_HELP)


# --- outputs --------------------------------------------------------------------------------


class PersonRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SourceOutput(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    label = serializers.CharField(help_text=_("What kind of record it is, in words."))


class OutcomeListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = CodeChoiceField(choices=Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    responsible_unit = UnitRefOutput()
    responsible_person = PersonRefOutput()
    due_date = serializers.DateField()
    state = CodeChoiceField(choices=State.choices)
    state_display = serializers.CharField(source="get_state_display")
    is_overdue = serializers.BooleanField(
        help_text=_("Marked overdue, or still to do and past its due date.")
    )
    source = serializers.SerializerMethodField()
    done_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(SourceOutput(allow_null=True))
    def get_source(self, outcome):
        if not outcome.source_type:
            return None
        return {
            "type": outcome.source_type,
            "id": outcome.source_id,
            "title": outcome.source_title,
            "label": sources.label_of(outcome.source_type),
        }


class ProgressOutput(serializers.Serializer):
    id = serializers.IntegerField()
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


class OutcomeActionsOutput(serializers.Serializer):
    """What the caller may do with the outcome now."""

    edit = serializers.BooleanField()
    progress = serializers.BooleanField()
    complete = serializers.BooleanField()
    drop = serializers.BooleanField()
    reassign = serializers.BooleanField()


class OutcomeDetailOutput(OutcomeListOutput):
    description = serializers.CharField()
    drop_reason = serializers.CharField()
    overdue_since = serializers.DateField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    created_by = UserRefOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    updates = ProgressOutput(many=True, source="update_rows", help_text=_("The latest first."))
    actions = OutcomeActionsOutput()
