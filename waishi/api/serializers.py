"""Explicit input (query) and output shapes of the API; no ModelSerializer magic, so a
new model field never appears in the API by accident (PIPL: only what is needed)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from waishi.api.fields import IdField
from waishi.lib.roles import Role
from waishi.orgs.models import Rank, UnitKind

# --- inputs ---------------------------------------------------------------------------------


class UnitQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Part of the unit's name, short name or code."),
    )
    kind = serializers.ChoiceField(
        choices=UnitKind.choices, required=False, allow_blank=True, default=""
    )


class PersonQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("Name, pinyin, pinyin initials, or a full resident ID number (exact match)."),
    )
    unit = IdField(required=False, default=None, allow_null=True, help_text=_("Unit id."))


# --- outputs --------------------------------------------------------------------------------


class DistrictOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class UnitRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_display = serializers.CharField(source="get_role_display")
    unit = UnitRefOutput(allow_null=True)
    district = DistrictOutput(allow_null=True)
    language = serializers.CharField()


class UnitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    district = DistrictOutput(allow_null=True)
    is_active = serializers.BooleanField()
    people_count = serializers.IntegerField(
        help_text=_("Active people of the unit that the caller may see.")
    )


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_pinyin = serializers.CharField()
    unit = UnitRefOutput()
    post = serializers.CharField()
    rank = serializers.ChoiceField(choices=Rank.choices)
    rank_display = serializers.CharField(source="get_rank_display")
    # Only ever the mask: the full number needs a fresh second factor and is audited,
    # which the pages offer and the API does not (security.md Z2, S2).
    id_number_masked = serializers.CharField(
        help_text=_("Region and last four digits only, e.g. 3701**********1234.")
    )
    is_active = serializers.BooleanField()


class PersonDetailOutput(PersonOutput):
    is_party_member = serializers.BooleanField()
    is_unit_leadership = serializers.BooleanField()
    is_city_leader = serializers.BooleanField()
    is_econ_tech = serializers.BooleanField()
    is_retired = serializers.BooleanField()
    phone = serializers.CharField()


# --- errors (waishi.api.errors) -------------------------------------------------------------


class ErrorDetailOutput(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable code, e.g. not_found or invalid_token."))
    message = serializers.CharField(help_text=_("A sentence in the caller's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("The messages of each invalid input field."),
    )


class ErrorOutput(serializers.Serializer):
    error = ErrorDetailOutput()
