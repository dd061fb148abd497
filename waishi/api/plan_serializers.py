"""Input and output shapes of the annual plan's endpoints (``plan_views``): plans, their
entries and quotas, and the decisions on them.

Inputs say what the plan's forms say (the same bounds) and nothing the services do not:
every write goes through ``waishi.plans.services``. Ids are bounded to what a database
key holds (``MAX_ID``), so an absurd number is a 400 in the one error shape, never a
server error."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.mission_serializers import UserRefOutput
from waishi.api.serializers import UnitRefOutput
from waishi.orgs.models import Rank
from waishi.plans.models import QUOTA_CATEGORIES, Category, EntryState, PlanState
from waishi.policy import reference

MAX_ID = 2**63 - 1  # the largest key a database column of ids holds
MAX_TEXT = 10_000


def id_field(**kwargs) -> serializers.IntegerField:
    """An id: 1 to ``MAX_ID``."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


_ENUMS: dict[str, type] = {}


def enum_field(choices, name: str, **kwargs) -> serializers.ChoiceField:
    """A choice the schema describes as the enum component ``name`` (with ``OrBlank``
    when a blank is allowed): named here, because drf-spectacular otherwise names enums
    after the field, and the plan's ``state`` is not the trip's nor the arrival's."""
    codes = [str(value) for value, _label in choices]
    if kwargs.get("allow_blank"):
        name, codes = f"{name}OrBlank", [*codes, ""]
    cls = _ENUMS.get(name)
    if cls is None:
        cls = type(name, (serializers.ChoiceField,), {})
        cls = extend_schema_field({"type": "string", "enum": codes}, component_name=name)(cls)
        _ENUMS[name] = cls
    return cls(choices=choices, **kwargs)


RANK_CHOICES = Rank.choices
QUOTA_CHOICES = [(c.value, c.label) for c in QUOTA_CATEGORIES]
COUNTRY_HELP = _("ISO codes of the countries and regions (not CN; HK, MO and TW are regions).")

# --- inputs ---------------------------------------------------------------------------------


class PlanCreateInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    deadline = serializers.DateField(help_text=_("The last day units may enter trips."))


class PlanUpdateInput(serializers.Serializer):
    deadline = serializers.DateField(help_text=_("The last day units may enter trips."))


class PlanReopenInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EntryQuery(serializers.Serializer):
    unit = id_field(required=False, allow_null=True, default=None, help_text=_("Unit id."))
    state = enum_field(
        EntryState.choices, "PlanEntryState", required=False, allow_blank=True, default=""
    )
    category = enum_field(
        Category.choices, "PlanCategory", required=False, allow_blank=True, default=""
    )


class EntryInput(serializers.Serializer):
    """What the entry form takes; ``ranks`` has one rank per member (its length is the
    delegation's size). Read partially on PATCH: only the fields sent change."""

    title = serializers.CharField(max_length=100)
    purpose = serializers.CharField(max_length=MAX_TEXT)
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2),
        min_length=1,
        max_length=50,
        help_text=COUNTRY_HELP,
    )
    ranks = serializers.ListField(
        child=enum_field(RANK_CHOICES, "PlanRank"),
        min_length=1,
        max_length=99,
        help_text=_("One rank per member of the delegation; their number is its size."),
    )
    category = enum_field(Category.choices, "PlanCategory")
    expected_month = serializers.IntegerField(min_value=1, max_value=12)
    budget_estimate = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text=_("In yuan.")
    )

    def validate_countries(self, value: list[str]) -> list[str]:
        codes = [code.strip().upper() for code in value]
        bad = [code for code in codes if code == "CN" or reference.country(code) is None]
        if bad:
            raise serializers.ValidationError(
                _("Not a country or region abroad: %(codes)s.") % {"codes": ", ".join(bad)}
            )
        return codes

    def validate(self, attrs):
        if "ranks" in attrs:
            attrs["size"] = len(attrs["ranks"])
        return attrs


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReturnEntryInput(serializers.Serializer):
    comment = serializers.CharField(
        max_length=2000, help_text=_("What the unit should change (required).")
    )


class EmptyInput(serializers.Serializer):
    """Nothing to send."""


class QuotaCreateInput(serializers.Serializer):
    unit = id_field(help_text=_("Unit id."))
    category = enum_field(QUOTA_CHOICES, "QuotaCategory")
    batches = serializers.IntegerField(min_value=0, max_value=9999)
    person_trips = serializers.IntegerField(min_value=0, max_value=99999)


class QuotaUpdateInput(serializers.Serializer):
    batches = serializers.IntegerField(min_value=0, max_value=9999)
    person_trips = serializers.IntegerField(min_value=0, max_value=99999)


class QuotaQuery(serializers.Serializer):
    unit = id_field(required=False, allow_null=True, default=None, help_text=_("Unit id."))


# --- outputs --------------------------------------------------------------------------------


class PlanActionsOutput(serializers.Serializer):
    """What the caller may do with the plan now (the plan page's buttons)."""

    consolidate = serializers.BooleanField()
    reopen = serializers.BooleanField()
    approve = serializers.BooleanField()
    edit = serializers.BooleanField(help_text=_("Change the deadline."))
    add_entry = serializers.BooleanField()
    set_quota = serializers.BooleanField()


class PlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    deadline = serializers.DateField()
    state = enum_field(PlanState.choices, "PlanState")
    state_display = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField(
        help_text=_("0 until the committee approves the plan; then 1, +1 per amendment.")
    )
    opened_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    approved_by = UserRefOutput(allow_null=True)
    state_changed_at = serializers.DateTimeField()


class PlanDetailOutput(PlanOutput):
    actions = PlanActionsOutput()


class EntryVersionOutput(serializers.Serializer):
    plan_version = serializers.IntegerField()
    data = serializers.DictField(help_text=_("The entry's fields as the committee approved them."))
    approved_at = serializers.DateTimeField()
    approved_by = UserRefOutput(allow_null=True)


class EntryActionsOutput(serializers.Serializer):
    """What the caller may do with the entry now (the entry page's buttons)."""

    edit = serializers.BooleanField()
    delete = serializers.BooleanField()
    submit = serializers.BooleanField()
    accept = serializers.BooleanField()
    # "return" is a Python keyword: the field is named by its source.
    approve = serializers.BooleanField()
    amend = serializers.BooleanField()
    discard = serializers.BooleanField()

    def get_fields(self):
        fields = super().get_fields()
        fields["return"] = serializers.BooleanField(source="return_")
        return fields


class EntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    unit = UnitRefOutput()
    title = serializers.CharField()
    purpose = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    size = serializers.IntegerField()
    ranks = serializers.ListField(child=enum_field(RANK_CHOICES, "PlanRank"))
    expected_month = serializers.IntegerField()
    budget_estimate = serializers.DecimalField(max_digits=12, decimal_places=2)
    category = enum_field(Category.choices, "PlanCategory")
    category_display = serializers.CharField(source="get_category_display")
    state = enum_field(EntryState.choices, "PlanEntryState")
    state_display = serializers.CharField(source="get_state_display")
    review_comment = serializers.CharField()
    is_bound = serializers.BooleanField(
        help_text=_("Part of the binding plan through its last approved version.")
    )
    created_at = serializers.DateTimeField()
    state_changed_at = serializers.DateTimeField()


class EntryDetailOutput(EntryOutput):
    versions = EntryVersionOutput(
        many=True, source="version_rows", help_text=_("The latest approved version first.")
    )
    actions = EntryActionsOutput()


class QuotaOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    unit = UnitRefOutput()
    category = enum_field(QUOTA_CHOICES, "QuotaCategory")
    category_display = serializers.CharField(source="get_category_display")
    batches = serializers.IntegerField()
    person_trips = serializers.IntegerField()
    batches_used = serializers.IntegerField()
    person_trips_used = serializers.IntegerField()
    batches_left = serializers.IntegerField()
    person_trips_left = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
