"""Input and output shapes of the passport endpoints (``passport_views``).

A passport number is only ever shown masked (``SE*****67``): the full number is revealed
on the page only, after a fresh second factor (security.md S2, Z2)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.api.fields import IdField
from waishi.api.mission_serializers import CodeChoiceField, UserRefOutput
from waishi.api.serializers import UnitRefOutput
from waishi.passports.models import Kind, PassportState

# --- inputs ---------------------------------------------------------------------------------


class PassportQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("The holder's name, pinyin or pinyin initials (numbers are not searched)."),
    )
    state = serializers.ChoiceField(
        choices=PassportState.choices, required=False, allow_blank=True, default=""
    )
    unit = IdField(required=False, default=None, allow_null=True, help_text=_("Unit id."))


class CustodyQuery(serializers.Serializer):
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("Only those past their due date.")
    )
    unit = IdField(
        required=False,
        default=None,
        allow_null=True,
        help_text=_("Unit id (of the holder)."),
    )


class PassportReturnInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PassportReturnManyInput(serializers.Serializer):
    passports = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        max_length=1000,
        help_text=_("The passports handed back (their ids), each out for a trip."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


# --- outputs --------------------------------------------------------------------------------


class HolderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefOutput()


class TripRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class _Overdue(serializers.Serializer):
    days_overdue = serializers.SerializerMethodField(
        help_text=_("Days past the due date while the passport is still out (0: not overdue).")
    )

    def get_days_overdue(self, custody) -> int:
        return custody.days_overdue(timezone.localdate())


class CustodyRowOutput(_Overdue):
    """One hand-out of a passport for a trip."""

    id = serializers.IntegerField()
    mission = TripRefOutput()
    issued_at = serializers.DateTimeField()
    issued_by = UserRefOutput()
    due_back = serializers.DateField()
    returned_at = serializers.DateTimeField(allow_null=True)
    received_by = UserRefOutput(allow_null=True)
    lost = serializers.BooleanField(help_text=_("Closed because the passport was reported lost."))


class OpenCustodyOutput(_Overdue):
    id = serializers.IntegerField()
    mission = TripRefOutput()
    issued_at = serializers.DateTimeField()
    due_back = serializers.DateField()


class PassportListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    holder = HolderOutput()
    kind = CodeChoiceField(choices=Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    state = CodeChoiceField(choices=PassportState.choices)
    state_display = serializers.CharField(source="get_state_display")
    number_masked = serializers.CharField(help_text=_("The number, masked: SE*****67."))
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()
    out_for_trip = serializers.SerializerMethodField(
        help_text=_("Handed out for a trip and not back yet.")
    )
    open_custody = serializers.SerializerMethodField(
        help_text=_("The trip it is out for, and when it is due back (null when in custody).")
    )

    def _open(self, passport):
        rows = getattr(passport, "open_rows", None)
        if rows is None:
            rows = list(
                passport.custodies.filter(returned_at__isnull=True).select_related("mission")
            )
        return rows[0] if rows else None

    def get_out_for_trip(self, passport) -> bool:
        return self._open(passport) is not None

    @extend_schema_field(OpenCustodyOutput(allow_null=True))
    def get_open_custody(self, passport):
        row = self._open(passport)
        return OpenCustodyOutput(row).data if row is not None else None


class PassportDetailOutput(PassportListOutput):
    state_reason = serializers.CharField()
    custodies = CustodyRowOutput(
        many=True, source="custody_rows", help_text=_("Every hand-out, the latest first.")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PassportRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = CodeChoiceField(choices=Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    number_masked = serializers.CharField()
    expires_on = serializers.DateField()
    holder = HolderOutput()


class CustodyOutput(_Overdue):
    """An open hand-out, for the custody list."""

    id = serializers.IntegerField()
    passport = PassportRefOutput()
    mission = TripRefOutput()
    issued_at = serializers.DateTimeField()
    issued_by = UserRefOutput()
    due_back = serializers.DateField()
    reminded_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    locked_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the unit's new submissions were locked for it.")
    )
