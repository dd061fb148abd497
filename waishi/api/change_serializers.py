"""Input and output shapes of the change requests (变更申请) of an approved trip and of its
itinerary versions (``change_views``).

A proposal has the shape of an itinerary version (``waishi.missions.core.itinerary``): dates,
stops, members by ``person_id``; what ``GET`` answers can be changed and sent back (the
members' name, unit and post are ignored on input: the service fills them in). Inputs
say nothing the services do not: every write goes through
``waishi.missions.changes.services``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from waishi.api.fields import IdField, ReadWhole, VersionField
from waishi.api.mission_serializers import (
    ApprovalStepOutput,
    CheckOutput,
    CodeChoiceField,
    UserRefOutput,
    _country,
)
from waishi.missions.models import ChangeKind, ChangeState

OUTCOMES = ("submitted", "next", "approved", "returned", "rejected", "withdrawn")

# --- inputs ---------------------------------------------------------------------------------


class ChangeStopInput(serializers.Serializer):
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        default="",
        help_text=_("ISO code of the country or region."),
    )
    city = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    arrive = serializers.DateField(required=False, allow_null=True, default=None)
    depart = serializers.DateField(required=False, allow_null=True, default=None)
    transit_airside = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("An airside transit: the country does not count."),
    )

    def validate_country(self, value: str) -> str:
        return _country(value, blank=True)


class ChangeMemberInput(serializers.Serializer):
    person_id = IdField(
        help_text=_("A member of the trip, or a person of the unit to add (GET /api/v1/people/)."),
    )
    task = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    is_leader = serializers.BooleanField(
        required=False, default=False, help_text=_("Head of the delegation.")
    )


class _ProposalFields(serializers.Serializer):
    """The itinerary as it should be. A part not sent is kept as it is (on creation: as
    the itinerary in force); ``stops`` and ``members``, when sent, are the whole list."""

    departure_date = serializers.DateField(required=False, allow_null=True)
    return_date = serializers.DateField(required=False, allow_null=True)
    stops = ChangeStopInput(many=True, required=False, max_length=30)
    members = ChangeMemberInput(many=True, required=False, max_length=60)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text=_("Why the itinerary must change."),
    )
    justifications = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000),
        required=False,
        help_text=_("Finding key (e.g. ONE_CONTINENT) -> written justification."),
    )


class ChangeCreateInput(_ProposalFields):
    pass


class ChangeUpdateInput(ReadWhole, _ProposalFields):
    version = VersionField()


class ChangeSubmitInput(serializers.Serializer):
    version = VersionField(required=False)
    justifications = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000),
        required=False,
        help_text=_("Finding key (e.g. ONE_CONTINENT) -> written justification."),
    )


class ChangeApproveInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("The FAO head or the committee: the reason for overriding a principle rule."),
    )


class ChangeCommentInput(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text=_("Say why."))
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_comment(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give a comment: say why."))
        return value


class ChangeWithdrawInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CompareQuery(serializers.Serializer):
    against = IdField(
        required=False,
        help_text=_(
            "The number of the version to compare with (default: version 1, or for version "
            "1 itself the version in force)."
        ),
    )


# --- outputs --------------------------------------------------------------------------------


class ItineraryStopOutput(serializers.Serializer):
    country = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    arrive = serializers.DateField(allow_null=True)
    depart = serializers.DateField(allow_null=True)
    transit_airside = serializers.BooleanField()


class ItineraryMemberOutput(serializers.Serializer):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    post = serializers.CharField(allow_blank=True)
    task = serializers.CharField(allow_blank=True)
    is_leader = serializers.BooleanField()


class ItineraryOutput(serializers.Serializer):
    departure_date = serializers.DateField(allow_null=True)
    return_date = serializers.DateField(allow_null=True)
    stops = ItineraryStopOutput(many=True)
    members = ItineraryMemberOutput(many=True)


# ``from`` is a keyword: these two are built rather than written as classes.
ItineraryStopChangeOutput = type(
    "ItineraryStopChangeOutput",
    (serializers.Serializer,),
    {"__module__": __name__, "from": ItineraryStopOutput(), "to": ItineraryStopOutput()},
)
ItineraryMemberChangeOutput = type(
    "ItineraryMemberChangeOutput",
    (serializers.Serializer,),
    {"__module__": __name__, "from": ItineraryMemberOutput(), "to": ItineraryMemberOutput()},
)


class ItineraryDifferencesOutput(serializers.Serializer):
    """What differs from the earlier itinerary to the later one; a pair is [earlier, later],
    null when it does not change."""

    departure_date = serializers.ListField(
        child=serializers.DateField(allow_null=True), allow_null=True
    )
    return_date = serializers.ListField(
        child=serializers.DateField(allow_null=True), allow_null=True
    )
    days_abroad = serializers.ListField(
        child=serializers.IntegerField(allow_null=True), allow_null=True
    )
    stops_added = ItineraryStopOutput(many=True)
    stops_removed = ItineraryStopOutput(many=True)
    stops_changed = ItineraryStopChangeOutput(many=True)
    route_changed = serializers.BooleanField()
    countries_added = serializers.ListField(child=serializers.CharField())
    countries_removed = serializers.ListField(child=serializers.CharField())
    members_added = ItineraryMemberOutput(many=True)
    members_removed = ItineraryMemberOutput(many=True)
    members_changed = ItineraryMemberChangeOutput(many=True)


class _RowFields(serializers.Serializer):
    status = CodeChoiceField(choices=[(s, s) for s in ("same", "changed", "added", "removed")])
    fields = serializers.ListField(
        child=serializers.CharField(), help_text=_("The keys that differ.")
    )


class ItineraryStopRowOutput(_RowFields):
    left = ItineraryStopOutput(allow_null=True, help_text=_("In the earlier version."))
    right = ItineraryStopOutput(allow_null=True, help_text=_("In the later version."))


class ItineraryMemberRowOutput(_RowFields):
    left = ItineraryMemberOutput(allow_null=True, help_text=_("In the earlier version."))
    right = ItineraryMemberOutput(allow_null=True, help_text=_("In the later version."))


class ChangeRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class ItineraryVersionRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    departure_date = serializers.DateField()
    return_date = serializers.DateField()
    days_abroad = serializers.IntegerField(allow_null=True)
    countries = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("ISO codes of the countries that count (no airside transit), in order."),
    )


class ItineraryVersionOutput(ItineraryVersionRefOutput):
    in_force = serializers.BooleanField()
    stops = ItineraryStopOutput(many=True)
    members = ItineraryMemberOutput(many=True)
    change_request = ChangeRefOutput(
        allow_null=True, help_text=_("The change request that made it (null: as approved).")
    )
    created_by = UserRefOutput(allow_null=True)
    created_at = serializers.DateTimeField()


class ItineraryCompareOutput(serializers.Serializer):
    earlier = ItineraryVersionRefOutput()
    later = ItineraryVersionRefOutput()
    differences = ItineraryDifferencesOutput()
    stop_rows = ItineraryStopRowOutput(many=True, help_text=_("The stops side by side."))
    member_rows = ItineraryMemberRowOutput(many=True, help_text=_("The members side by side."))


class ChangeListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mission = serializers.IntegerField(source="mission_id")
    number = serializers.IntegerField()
    state = CodeChoiceField(choices=ChangeState.choices)
    state_display = serializers.CharField(source="get_state_display")
    kinds = serializers.ListField(
        child=CodeChoiceField(choices=ChangeKind.choices),
        help_text=_("What the change changes, against the version it is based on."),
    )
    kinds_display = serializers.SerializerMethodField()
    reason = serializers.CharField(allow_blank=True)
    base_number = serializers.IntegerField(
        help_text=_("The itinerary version in force when the change was requested.")
    )
    applied_version = serializers.SerializerMethodField(
        help_text=_("The itinerary version the change became, once approved.")
    )
    version = serializers.IntegerField(help_text=_("The change request's own version."))
    created_by = UserRefOutput()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_kinds_display(self, change) -> list[str]:
        labels = dict(ChangeKind.choices)
        return [str(labels.get(kind, kind)) for kind in change.kinds or []]

    def get_applied_version(self, change) -> int | None:
        version = getattr(change, "applied_version", None)  # reverse one-to-one: may be absent
        return version.number if version is not None else None


class ChangeActionsOutput(serializers.Serializer):
    edit = serializers.BooleanField()
    submit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    decide = serializers.BooleanField(help_text=_("The caller holds the pending step."))


class ChangeDetailOutput(ChangeListOutput):
    proposed = ItineraryOutput(
        source="proposed_shown", help_text=_("The whole itinerary as proposed.")
    )
    base = ItineraryOutput(help_text=_("The version the change is based on."))
    differences = ItineraryDifferencesOutput()
    justifications = serializers.DictField(child=serializers.CharField())
    check = CheckOutput(
        source="check_summary",
        help_text=_("The check of the trip as it would be: stored at submission, else live."),
    )
    apply_refusal = serializers.CharField(
        allow_blank=True,
        help_text=_("While in approval: why it could not take effect now (empty: it can)."),
    )
    approval_steps = ApprovalStepOutput(many=True, source="step_rows")
    actions = ChangeActionsOutput()


class ChangeStateOutput(serializers.Serializer):
    """The answer to submit, a decision and a withdrawal (kept for an Idempotency-Key
    replay)."""

    id = serializers.IntegerField()
    state = CodeChoiceField(choices=ChangeState.choices)
    version = serializers.IntegerField()
    outcome = CodeChoiceField(
        choices=[(o, o) for o in OUTCOMES],
        help_text=_(
            "submitted, withdrawn; or the decision's outcome: next (another step follows), "
            "approved (the last step: the change is in force), returned, rejected."
        ),
    )
    itinerary_version = serializers.IntegerField(
        help_text=_("The trip's itinerary version in force now.")
    )
