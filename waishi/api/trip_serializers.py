"""Input and output shapes of the trip after approval (``trip_views``): the checklists,
departure, return, closing and incidents.

Inputs say nothing the services do not: every write goes through
``waishi.missions.trip.services``. A member concerned by an incident shows the person's
name only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from waishi.api.fields import IdField, VersionField
from waishi.api.mission_serializers import CodeChoiceField, UserRefOutput
from waishi.missions.models import EducationMethod, IncidentKind, State

# --- inputs ---------------------------------------------------------------------------------


class ActualDateInput(serializers.Serializer):
    date = serializers.DateField(
        help_text=_("The actual date, YYYY-MM-DD: today or earlier, once it has happened.")
    )
    version = VersionField(required=False)
    deviation_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_(
            "Needed when the date deviates from the approved itinerary (a departure outside "
            "it, a return after it or on the day of departure): why."
        ),
    )
    deviation_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("With the reason: true to confirm the deviation."),
    )


class EducationInput(serializers.Serializer):
    given_on = serializers.DateField(
        help_text=_("The day of the education session, YYYY-MM-DD: today or earlier.")
    )
    method = CodeChoiceField(choices=EducationMethod.choices, help_text=_("The form of it."))
    given_by = serializers.CharField(max_length=200, help_text=_("Who gave it."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    members = serializers.ListField(
        child=IdField(),
        required=False,
        allow_empty=False,
        max_length=1000,
        help_text=_("The members who attended (their ids); every member when left out."),
    )


class EducationRowOutput(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    given_on = serializers.DateField()
    method = serializers.CharField()
    method_display = serializers.CharField()
    given_by = serializers.CharField()


class EducationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    recorded = EducationRowOutput(many=True)
    not_recorded = serializers.ListField(child=serializers.CharField())


class CloseInput(serializers.Serializer):
    version = VersionField(required=False)


class _IncidentFields(serializers.Serializer):
    kind = CodeChoiceField(choices=IncidentKind.choices, help_text=_("What happened."))
    occurred_at = serializers.DateTimeField(
        help_text=_("When it happened (ISO 8601; without a zone: Beijing time).")
    )
    place = serializers.CharField(max_length=200)
    member = IdField(
        required=False,
        allow_null=True,
        help_text=_("The id of the member concerned (see the trip's members); null for none."),
    )
    report = serializers.CharField(
        max_length=10000, help_text=_("What happened and what was done.")
    )
    follow_up = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, default=""
    )


class IncidentCreateInput(_IncidentFields):
    pass


class IncidentUpdateInput(_IncidentFields):
    """Read partially (PATCH): only the fields sent change; ``close`` marks the follow-up
    done (it must be written)."""

    close = serializers.BooleanField(required=False, help_text=_("True: the follow-up is done."))


# --- outputs --------------------------------------------------------------------------------


class ChecklistLineOutput(serializers.Serializer):
    label = serializers.CharField()
    done = serializers.BooleanField()


class ActionOutput(serializers.Serializer):
    allowed = serializers.BooleanField(help_text=_("Whether the caller may take it now."))
    refusal = serializers.CharField(
        allow_blank=True, help_text=_("Why not, in words (empty when allowed).")
    )


class TripActionsOutput(serializers.Serializer):
    depart = ActionOutput()
    come_back = ActionOutput()
    close = ActionOutput()


class ReadinessOutput(serializers.Serializer):
    id = serializers.IntegerField()
    state = CodeChoiceField(choices=State.choices)
    state_display = serializers.CharField()
    version = serializers.IntegerField()
    departure_date = serializers.DateField(allow_null=True)
    return_date = serializers.DateField(allow_null=True)
    actual_departure = serializers.DateField(allow_null=True)
    actual_return = serializers.DateField(allow_null=True)
    itinerary_version = serializers.IntegerField()
    deviations = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("How the actual dates depart from the itinerary in force, in words."),
    )
    departure_checklist = ChecklistLineOutput(
        many=True,
        help_text=_("What the trip needs before departure (while it is approved; else empty)."),
    )
    departure_blockers = serializers.ListField(
        child=serializers.CharField(), help_text=_("The lines not done yet.")
    )
    close_checklist = ChecklistLineOutput(
        many=True,
        help_text=_("What the trip needs before it closes (once it is back; else empty)."),
    )
    close_blockers = serializers.ListField(child=serializers.CharField())
    actions = TripActionsOutput()


class TripStateOutput(serializers.Serializer):
    """The answer to departure, return and closing (kept for an Idempotency-Key replay)."""

    id = serializers.IntegerField()
    state = CodeChoiceField(choices=State.choices)
    version = serializers.IntegerField()
    actual_departure = serializers.DateField(allow_null=True)
    actual_return = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    deviations = serializers.ListField(child=serializers.CharField())
    report_due = serializers.DateField(
        allow_null=True, help_text=_("The trip report's due date, once the return is confirmed.")
    )


class IncidentMemberOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The member's id."))
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")


class IncidentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mission = serializers.IntegerField(source="mission_id")
    kind = CodeChoiceField(choices=IncidentKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField()
    member = IncidentMemberOutput(allow_null=True)
    report = serializers.CharField()
    follow_up = serializers.CharField()
    closed = serializers.SerializerMethodField(help_text=_("The follow-up is done."))
    closed_at = serializers.DateTimeField(allow_null=True)
    recorded_by = UserRefOutput()
    recorded_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(allow_null=True)

    def get_closed(self, incident) -> bool:
        return incident.closed_at is not None
