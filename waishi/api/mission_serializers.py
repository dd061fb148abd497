"""Input and output shapes of the trip application endpoints (``mission_views``).

Inputs are stricter than the form (a date must be a date, a country an ISO code) but
say nothing the services do not: every write goes through ``waishi.missions.application.services``.
Outputs are explicit: a member shows the person's name, unit, post and rank only --
never an ID number (PIPL: only what is needed)."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.fields import IdField, ReadWhole, UploadField, VersionField, WholeNumberField
from waishi.api.policy_views import PolicyCheckOutput
from waishi.api.serializers import UnitRefOutput
from waishi.approvals.models import ApproverRole, StepState
from waishi.missions.application.services.decisions import COMMENT_FIELDS
from waishi.missions.models import (
    Category,
    DayKind,
    InvitationSource,
    Relation,
    State,
)
from waishi.orgs.models import Rank
from waishi.policy import reference
from waishi.policy.types import CATEGORIES


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceField(serializers.ChoiceField):
    """A choice that the schema describes as a string with its codes in the description
    rather than as an enum: drf-spectacular names enums after the field, and another
    ``kind`` or ``state`` (a unit's, a mission's) already has that name."""

    def __init__(self, choices, **kwargs):
        codes = ", ".join(str(value) for value, _label in choices)
        help_text = kwargs.pop("help_text", None)
        kwargs["help_text"] = format_lazy("{} ({})", help_text, codes) if help_text else codes
        super().__init__(choices, **kwargs)


# Categories as the policy check's output names them (codes only; ``category_display``
# has the label), so that the schema has one enum of them rather than two clashing.
assert set(CATEGORIES) == set(Category.values)

MAX_STOPS = 30

# --- inputs ---------------------------------------------------------------------------------


class MissionQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Part of the title, or a member's name, pinyin or pinyin initials."),
    )
    state = serializers.ChoiceField(
        choices=State.choices, required=False, allow_blank=True, default=""
    )
    category = serializers.ChoiceField(
        choices=CATEGORIES, required=False, allow_blank=True, default=""
    )
    unit = IdField(required=False, default=None, allow_null=True, help_text=_("Unit id."))
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        default="",
        help_text=_("ISO code of a country or region the trip stops in."),
    )
    month = serializers.RegexField(
        r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$",  # 1900-01 to 2999-12
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Month of departure, YYYY-MM (1900-01 to 2999-12)."),
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text=_("Only the applications I created.")
    )

    def validate_country(self, value: str) -> str:
        return _country(value, blank=True)


def _country(value: str, *, blank: bool) -> str:
    code = (value or "").strip().upper()
    if not code and blank:
        return ""
    if reference.country(code) is None:
        raise serializers.ValidationError(_("Unknown country or region code."))
    return code


class _Row(serializers.Serializer):
    """A row of a list: with ``id`` it changes that row of this application, without it
    a row is created; ``delete`` removes the row named by ``id``. Rows not sent stay."""

    id = IdField(required=False)
    delete = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if attrs.get("delete") and "id" not in attrs:
            raise serializers.ValidationError({"id": _("Name the row to delete by its id.")})
        return attrs


class StopInput(_Row):
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    arrive = serializers.DateField(required=False, allow_null=True)
    depart = serializers.DateField(required=False, allow_null=True)
    transit_airside = serializers.BooleanField(required=False)

    def validate_country(self, value: str) -> str:
        return _country(value, blank=True)


class DayInput(_Row):
    date = serializers.DateField(required=False, allow_null=True)
    kind = CodeChoiceField(choices=DayKind.choices, required=False)
    activities = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class MemberInput(_Row):
    person = IdField(
        required=False,
        help_text=_("To add a member: the id of a person you may see (GET /api/v1/people/)."),
    )
    task = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    is_leader = serializers.BooleanField(required=False, help_text=_("Head of the delegation."))
    role = serializers.CharField(required=False, allow_blank=True, max_length=100)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, allow_blank=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if ("id" in attrs) == ("person" in attrs):
            raise serializers.ValidationError(
                {"person": _("Give either the id of a member or the person to add.")}
            )
        return attrs


class BudgetLineInput(_Row):
    stop = IdField(required=False, allow_null=True, help_text=_("The id of a stop."))
    stop_number = WholeNumberField(
        required=False,
        min_value=1,
        max_value=MAX_STOPS,
        help_text=_("Instead of stop: the stop's number in the itinerary (1 for the first)."),
    )
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, allow_blank=True)
    lodging_per_day = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    meals_per_day = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    incidentals_per_day = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    days = WholeNumberField(min_value=0, max_value=366, required=False, allow_null=True)
    international_fares = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    other_costs = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_country(self, value: str) -> str:
        return _country(value, blank=True)


class MissionDraftInput(serializers.Serializer):
    """The application's fields; only those sent are saved. Drafts may be incomplete:
    what is missing is named at submission."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    tasks = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    category = serializers.ChoiceField(choices=CATEGORIES, required=False)
    departure_date = serializers.DateField(required=False, allow_null=True)
    return_date = serializers.DateField(required=False, allow_null=True)
    plan_entry = IdField(
        required=False,
        allow_null=True,
        help_text=_("An entry of the unit's approved annual plan; null for none."),
    )
    out_of_plan = serializers.BooleanField(required=False)
    out_of_plan_reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    funding_source = serializers.CharField(required=False, allow_blank=True, max_length=200)
    budget_total_cny = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    invitation_source = serializers.ChoiceField(
        choices=InvitationSource.choices, required=False, allow_blank=True
    )
    inviter = serializers.CharField(required=False, allow_blank=True, max_length=200)
    stops = StopInput(many=True, required=False, max_length=MAX_STOPS)
    days = DayInput(many=True, required=False, max_length=60)
    members = MemberInput(many=True, required=False, max_length=50)
    budget = BudgetLineInput(many=True, required=False, max_length=30)


class MissionCreateInput(MissionDraftInput):
    def validate(self, attrs):
        for name in ("members", "budget", "stops", "days"):
            if any("id" in row for row in attrs.get(name, [])):
                raise serializers.ValidationError(
                    {name: _("A new application has no rows yet: leave out the ids.")}
                )
        return attrs


class MissionUpdateInput(ReadWhole, MissionDraftInput):
    version = VersionField()


class SubmitInput(serializers.Serializer):
    version = VersionField(
        required=False,
    )
    justifications = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000),
        required=False,
        help_text=_("Finding key (e.g. LEAD_TIME, FREQUENCY#1) -> written justification."),
    )
    out_of_plan_reason = serializers.CharField(
        required=False,
        allow_blank=False,
        max_length=4000,
        help_text=_("The reason for a trip outside the annual plan (计划外)."),
    )


class ApproveInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("The FAO head or the committee: the reason for overriding a principle rule."),
    )


class ReturnInput(serializers.Serializer):
    comment = serializers.CharField(
        max_length=2000, help_text=_("Say why, and what should change.")
    )
    field_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text=format_lazy(
            _("Comments per part of the form: {fields}."), fields=", ".join(COMMENT_FIELDS)
        ),
    )

    def validate_comment(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give a comment: say why, and what should change."))
        return value


class RejectInput(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text=_("Say why the trip is rejected."))

    def validate_comment(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give a comment: say why, and what should change."))
        return value


class LetterInput(serializers.Serializer):
    letter = UploadField(
        help_text=_("The invitation letter: PDF, JPEG, PNG or .docx (checked by content).")
    )
    version = VersionField()


# --- outputs --------------------------------------------------------------------------------


class UserRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class MissionListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    unit = UnitRefOutput()
    category = serializers.ChoiceField(choices=CATEGORIES)
    category_display = serializers.CharField(source="get_category_display")
    state = serializers.ChoiceField(choices=State.choices)
    state_display = serializers.CharField(source="get_state_display")
    departure_date = serializers.DateField(allow_null=True)
    return_date = serializers.DateField(allow_null=True)
    countries = serializers.SerializerMethodField(
        help_text=_("ISO codes of the countries and regions, in itinerary order.")
    )
    member_count = serializers.IntegerField()
    out_of_plan = serializers.BooleanField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)

    def get_countries(self, mission) -> list[str]:
        seen: list[str] = []
        for stop in mission.stops.all():  # prefetched by the selector
            if stop.country and stop.country not in seen:
                seen.append(stop.country)
        return seen


class StopOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    country = serializers.CharField()
    city = serializers.CharField()
    arrive = serializers.DateField(allow_null=True)
    depart = serializers.DateField(allow_null=True)
    transit_airside = serializers.BooleanField()


class DayOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField(allow_null=True)
    kind = CodeChoiceField(choices=DayKind.choices)
    activities = serializers.CharField()


class MemberPersonOutput(serializers.Serializer):
    """The person as the delegation needs them: no ID number, no contact details."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefOutput()
    post = serializers.CharField()
    rank = serializers.ChoiceField(choices=Rank.choices)
    rank_display = serializers.CharField(source="get_rank_display")


class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    person = MemberPersonOutput()
    task = serializers.CharField()
    is_leader = serializers.BooleanField()
    role = serializers.CharField()
    relation = serializers.CharField()


class BudgetLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    stop = serializers.IntegerField(source="stop_id", allow_null=True)
    country = serializers.CharField()
    city = serializers.CharField()
    currency = serializers.CharField()
    lodging_per_day = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    meals_per_day = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    incidentals_per_day = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    days = serializers.IntegerField(allow_null=True)
    international_fares = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    other_costs = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note = serializers.CharField()


class ApprovalStepOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    sequence = serializers.IntegerField()
    approver_role = serializers.ChoiceField(choices=ApproverRole.choices)
    approver_role_display = serializers.CharField(source="get_approver_role_display")
    state = CodeChoiceField(choices=StepState.choices)
    state_display = serializers.CharField(source="get_state_display")
    started_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = UserRefOutput(allow_null=True, help_text=_("Who acted."))
    on_behalf_of = UserRefOutput(
        allow_null=True, help_text=_("Whose authority was used, when acting as a delegate.")
    )
    comment = serializers.CharField()
    field_comments = serializers.DictField(child=serializers.CharField())


class CheckOutput(serializers.Serializer):
    stored = serializers.BooleanField(
        help_text=_(
            "True: the check stored at submission; false: the draft as saved now, checked live."
        )
    )
    checked_at = serializers.DateTimeField(allow_null=True)
    policy_version = serializers.CharField()
    result = PolicyCheckOutput(allow_null=True)
    error = serializers.CharField(
        allow_null=True, help_text=_("Why the draft cannot be checked yet, naming the field.")
    )


class MissionDetailOutput(MissionListOutput):
    purpose = serializers.CharField()
    tasks = serializers.CharField()
    invitation_source = serializers.CharField()
    inviter = serializers.CharField()
    has_invitation_letter = serializers.SerializerMethodField()
    plan_entry = serializers.IntegerField(source="plan_entry_id", allow_null=True)
    out_of_plan_reason = serializers.CharField()
    funding_source = serializers.CharField()
    budget_total_cny = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    justifications = serializers.DictField(child=serializers.CharField())
    approved_at = serializers.DateTimeField(allow_null=True)
    actual_departure = serializers.DateField(
        allow_null=True, help_text=_("The day the delegation actually left (once confirmed).")
    )
    actual_return = serializers.DateField(
        allow_null=True, help_text=_("The day the delegation actually came back (once confirmed).")
    )
    itinerary_version = serializers.IntegerField(
        help_text=_(
            "The itinerary version in force: 1 as approved, each approved change adds one "
            "(0: none yet)."
        )
    )
    closed_at = serializers.DateTimeField(allow_null=True)
    stops = StopOutput(many=True, source="stop_rows")
    days = DayOutput(many=True, source="day_rows")
    members = MemberOutput(many=True, source="member_rows")
    budget = BudgetLineOutput(many=True, source="budget_rows")
    check = CheckOutput(source="check_summary")
    approval_steps = ApprovalStepOutput(many=True, source="step_rows")

    def get_has_invitation_letter(self, mission) -> bool:
        return bool(mission.invitation_letter)


class MissionStateOutput(serializers.Serializer):
    """The answer to submit and to a decision (kept for an Idempotency-Key replay)."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    version = serializers.IntegerField()
    outcome = serializers.ChoiceField(
        choices=("submitted", "next", "approved", "returned", "rejected"),
        help_text=_(
            "submitted; or the decision's outcome: next (another step follows), approved "
            "(the last step), returned, rejected."
        ),
    )
