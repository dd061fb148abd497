"""Input and output shapes of the arrivals endpoints (``arrival_views``).

An arrival's own fields are what its page shows to every reader of it (the masked passport
number, never the number). Health data -- declarations and test results -- is a separate
output (``HealthOutput``), given only to the roles that see it on the pages; no other
output carries a health field."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.mission_serializers import UserRefOutput
from waishi.api.plan_serializers import enum_field, id_field
from waishi.api.serializers import DistrictOutput
from waishi.arrivals import import_rows
from waishi.arrivals.importer import LIST_KINDS
from waishi.arrivals.models import (
    ArrivalState,
    Category,
    Handover,
    HealthDeclaration,
    Purpose,
    StepKind,
    TestOutcome,
)

LIST_KIND_CHOICES = [(k.value, k.label) for k in LIST_KINDS]
# What a district records for a test it confirms (as the step's form).
CONFIRMED_OUTCOMES = [(o.value, o.label) for o in (TestOutcome.NEGATIVE, TestOutcome.POSITIVE)]

# --- inputs ---------------------------------------------------------------------------------


class ArrivalQuery(serializers.Serializer):
    """The board's filters (and the work queue's, with ``queue``)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Name, passport number as shown (masked), or flight."),
    )
    state = enum_field(
        ArrivalState.choices, "ArrivalState", required=False, allow_blank=True, default=""
    )
    district = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("District id (a district officer sees their own district's only)."),
    )
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("Only arrivals with an overdue step.")
    )
    queue = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The work queue: open arrivals only, overdue first, then by the due time of "
            "their next step."
        ),
    )


def _help(name: str):
    return import_rows.HELP[name]


class ArrivalRecordInput(serializers.Serializer):
    """One person arriving on one date, as one row of a list from the port, an airline or
    the province: checked by the list import's own row check."""

    kind = enum_field(
        LIST_KIND_CHOICES, "ArrivalListKind", help_text=_("Where the report comes from.")
    )
    name = serializers.CharField(max_length=100, help_text=_help("name"))
    category = enum_field(Category.choices, "ArrivalCategory")
    nationality = serializers.CharField(max_length=2, help_text=_("ISO code, e.g. JP."))
    passport = serializers.CharField(max_length=40, help_text=_help("passport"))
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, help_text=_help("phone"))
    origin_country = serializers.CharField(max_length=2, help_text=_("ISO code, e.g. JP."))
    origin_city = serializers.CharField(max_length=100)
    route = serializers.CharField(max_length=100, help_text=_help("route"))
    departs_on = serializers.DateField()
    arrival_date = serializers.DateField()
    arrival_time = serializers.TimeField(required=False, allow_null=True)
    port = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=300)
    district = id_field(
        help_text=_("The district of the address (its id): it manages the arrival.")
    )
    purpose = enum_field(
        Purpose.choices, "ArrivalPurpose", required=False, allow_blank=True, default=""
    )


class StepConfirmInput(serializers.Serializer):
    done_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_("When the step was done (now when left out); not in the future."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    outcome = enum_field(
        CONFIRMED_OUTCOMES,
        "ConfirmedTestOutcome",
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A test step: its result (required there)."),
    )
    sampled_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("A test step: the day the sample was taken (the day it was done if left out)."),
    )


class HandoverRequestInput(serializers.Serializer):
    to_district = id_field(help_text=_("The district asked to take the arrival over (its id)."))
    reason = serializers.CharField(max_length=2000, help_text=_("Why (e.g. the address)."))


class HandoverAnswerInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=_("Required when refusing."),
    )


class ArrivalReassignInput(serializers.Serializer):
    district = id_field(help_text=_("The district the arrival moves to (its id)."))
    reason = serializers.CharField(max_length=2000)


class HandoverQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Part of the arrival's name."),
    )
    state = enum_field(
        Handover.State.choices, "HandoverState", required=False, allow_blank=True, default=""
    )
    direction = enum_field(
        [("in", _("Asked of my district")), ("out", _("Asked by my district"))],
        "HandoverDirection",
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A district officer: only those asked of, or by, their district."),
    )


# --- outputs --------------------------------------------------------------------------------


class NextStepOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    due_at = serializers.DateTimeField()


class ArrivalListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    category = enum_field(Category.choices, "ArrivalCategory")
    passport_masked = serializers.CharField()
    nationality = serializers.CharField()
    origin_country = serializers.CharField()
    route = serializers.CharField()
    arrival_date = serializers.DateField()
    arrival_time = serializers.TimeField(allow_null=True)
    district = DistrictOutput()
    plan = serializers.CharField(source="plan.__str__", help_text=_("The management plan."))
    state = enum_field(ArrivalState.choices, "ArrivalState")
    state_display = serializers.CharField(source="get_state_display")
    late_declaration = serializers.BooleanField()
    next_step = serializers.SerializerMethodField()
    has_overdue = serializers.BooleanField(help_text=_("An open step is past its due time."))

    @extend_schema_field(NextStepOutput(allow_null=True))
    def get_next_step(self, arrival):
        """The first open step (null when every step is done)."""
        if getattr(arrival, "next_step_pk", None) is None:
            return None
        step = {
            "id": arrival.next_step_pk,
            "label": arrival.next_step_label,
            "due_at": arrival.next_step_due,
        }
        return NextStepOutput(step).data


class StepOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = enum_field(StepKind.choices, "ArrivalStepKind")
    kind_display = serializers.CharField(source="get_kind_display")
    label = serializers.CharField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = UserRefOutput(allow_null=True)
    note = serializers.CharField()
    escalated_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()


class HandoverOutput(serializers.Serializer):
    id = serializers.IntegerField()
    arrival = serializers.IntegerField(source="arrival_id")
    arrival_name = serializers.CharField(
        source="shown_name",
        help_text=_(
            "Masked (张**) unless the caller may see the arrival, or is the district asked "
            "while the request waits."
        ),
    )
    from_district = DistrictOutput()
    to_district = DistrictOutput()
    reason = serializers.CharField()
    state = enum_field(Handover.State.choices, "HandoverState")
    state_display = serializers.CharField(source="get_state_display")
    requested_by = UserRefOutput()
    requested_at = serializers.DateTimeField()
    decided_by = UserRefOutput(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    answer_here = serializers.BooleanField(
        help_text=_("The caller's district is asked and has not answered yet.")
    )


class ArrivalActionsOutput(serializers.Serializer):
    confirm_step = serializers.BooleanField(help_text=_("Confirm the next open step."))
    handover = serializers.BooleanField(help_text=_("Ask another district to take it over."))
    reassign = serializers.BooleanField(help_text=_("Move it to another district (the command)."))
    health = serializers.BooleanField(help_text=_("Read its health record."))


class ArrivalDetailOutput(ArrivalListOutput):
    birth_date = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    email = serializers.CharField()
    origin_city = serializers.CharField()
    departs_on = serializers.DateField(allow_null=True)
    port = serializers.CharField()
    address = serializers.CharField()
    purpose = enum_field(Purpose.choices, "ArrivalPurpose")
    declared_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    steps = StepOutput(many=True, source="step_rows")
    handovers = HandoverOutput(many=True, source="handover_rows")
    actions = ArrivalActionsOutput()


class DeclarationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    declared_at = serializers.DateTimeField()
    symptoms = serializers.ListField(
        child=enum_field(HealthDeclaration.Symptom.choices, "Symptom"), source="symptom_list"
    )
    symptoms_note = serializers.CharField()
    test_on = serializers.DateField(allow_null=True)
    test_outcome = enum_field(TestOutcome.choices, "TestOutcomeEnum")


class TestResultOutput(serializers.Serializer):
    id = serializers.IntegerField()
    step = serializers.IntegerField(source="step_id", allow_null=True)
    sampled_on = serializers.DateField()
    outcome = enum_field(TestOutcome.choices, "TestOutcomeEnum")
    recorded_by = UserRefOutput(allow_null=True)
    recorded_at = serializers.DateTimeField()


class HealthOutput(serializers.Serializer):
    arrival = serializers.IntegerField(source="id")
    declarations = DeclarationOutput(many=True, source="declaration_rows")
    tests = TestResultOutput(many=True, source="test_rows")
