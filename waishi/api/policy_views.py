"""``POST /api/v1/policy/check``: the command line's ``waishi policy-check`` over HTTP.

Same input JSON, same output object (``waishi.policy.output.result_json``, the very
function the command prints), per ``contracts/policy-check.md``. The only difference is
where the policy comes from: the ``PolicySet`` version in force in the database, where
the command reads the shipped file (the data migration seeds the first from the other).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import serializers as s
from waishi.api.views import JsonOnly
from waishi.lib import roles
from waishi.policy.output import result_json
from waishi.policy.parse import parse_date
from waishi.policy.run import judge
from waishi.policy.selectors import policy_in_force_db
from waishi.policy.types import (
    CATEGORIES,
    DAY_KINDS,
    INVITATION_SOURCES,
    RANKS,
    RELATIONS,
    SEVERITIES,
    InputError,
)


class MayCheckTrips(BasePermission):
    """Any business role may check a trip; the three administrators handle no trips (Z3)."""

    message = _("Your role does not check trips.")
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        return roles.has(request.user, roles.BUSINESS_ROLES)


# --- schema only: the response is built by result_json, these describe it -------------------


class PolicyRefOutput(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()


class FindingOutput(serializers.Serializer):
    rule = serializers.CharField(help_text=_("The rule code, e.g. STAY_DAYS."))
    severity = serializers.ChoiceField(choices=SEVERITIES)
    message = serializers.CharField(help_text=_("A sentence in the caller's language."))
    citation = serializers.CharField(help_text=_("The regulation the rule comes from."))
    data = serializers.DictField(help_text=_("The numbers that decided the finding."))
    member = serializers.IntegerField(
        allow_null=True, help_text=_("The member's index when the finding is about one member.")
    )


class PolicyCheckOutput(serializers.Serializer):
    policy = PolicyRefOutput()
    category = serializers.ChoiceField(choices=CATEGORIES, help_text=_("The category judged."))
    days_abroad = serializers.IntegerField()
    countries = serializers.ListField(
        child=serializers.CharField(), help_text=_("Counted countries/regions, in order.")
    )
    verdict = serializers.ChoiceField(choices=("pass", "warn", "fail"))
    findings = FindingOutput(
        many=True, help_text=_("By severity (error, warning, info), rule code, member index.")
    )


# --- the input, as contracts/policy-check.md has it and waishi.policy.parse reads it --------
# Required: what the parser refuses to go without; booleans default to false, relation to
# null, trips, days and budget to empty; a key not listed is refused (additionalProperties).


def _object(properties: dict, required: tuple[str, ...]) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {**_DATE, "nullable": True}
_TEXT = {"type": "string"}
_FLAG = {"type": "boolean", "default": False}
_AMOUNT = {"type": "number", "minimum": 0}
_COUNTRY = {
    "type": "string",
    "pattern": "^[A-Z]{2}$",
    "description": "ISO 3166-1 alpha-2 (HK, MO, TW included).",
}


def _enum(values, **extra) -> dict:
    return {"type": "string", "enum": list(values), **extra}


POLICY_CHECK_INPUT = _object(
    {
        "category": _enum(CATEGORIES),
        "submitted_on": _NULLABLE_DATE,
        "departure_date": _DATE,
        "return_date": _DATE,
        "in_annual_plan": _FLAG,
        "invitation": _object({"source": _enum(INVITATION_SOURCES), "inviter": _TEXT}, ("source",)),
        "stops": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "country": _COUNTRY,
                    "city": _TEXT,
                    "arrive": _DATE,
                    "depart": _DATE,
                    "transit_airside": _FLAG,
                },
                ("country", "arrive", "depart"),
            ),
        },
        "days": {
            "type": "array",
            "items": _object(
                {"date": _DATE, "kind": _enum(DAY_KINDS), "activities": _TEXT}, ("date", "kind")
            ),
        },
        "members": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "name": _TEXT,
                    "unit": _TEXT,
                    "title": _TEXT,
                    "rank": _enum(RANKS),
                    "is_unit_leadership": _FLAG,
                    "is_city_leader": _FLAG,
                    "task": _TEXT,
                    "party_member": _FLAG,
                    "retired": _FLAG,
                    "relation": _enum(RELATIONS, nullable=True, default=None),
                    "econ_tech": _FLAG,
                    "trips": {
                        "type": "array",
                        "items": _object(
                            {
                                "departure_date": _DATE,
                                "return_date": _NULLABLE_DATE,
                                "category": _enum(CATEGORIES),
                            },
                            ("departure_date", "category"),
                        ),
                    },
                },
                ("name", "unit", "rank"),
            ),
        },
        "budget": {
            "type": "array",
            "items": _object(
                {
                    "country": _COUNTRY,
                    "city": _TEXT,
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "lodging_per_day": _AMOUNT,
                    "meals_per_day": _AMOUNT,
                    "incidentals_per_day": _AMOUNT,
                },
                ("country", "currency", "lodging_per_day", "meals_per_day", "incidentals_per_day"),
            ),
        },
    },
    ("category", "departure_date", "return_date", "invitation", "stops", "members"),
)

# The contract's example input (its // comments taken out).
EXAMPLE_INPUT = {
    "category": "general",
    "submitted_on": "2026-03-01",
    "departure_date": "2026-05-10",
    "return_date": "2026-05-17",
    "in_annual_plan": True,
    "invitation": {"source": "foreign_counterpart", "inviter": "Stadt München"},
    "stops": [
        {
            "country": "DE",
            "city": "München",
            "arrive": "2026-05-10",
            "depart": "2026-05-13",
            "transit_airside": False,
        }
    ],
    "days": [{"date": "2026-05-11", "kind": "official", "activities": "..."}],
    "members": [
        {
            "name": "张三",
            "unit": "市商务局",
            "title": "局长",
            "rank": "bureau",
            "is_unit_leadership": True,
            "is_city_leader": False,
            "task": "带队洽谈合作项目",
            "party_member": True,
            "retired": False,
            "relation": None,
            "econ_tech": False,
            "trips": [
                {"departure_date": "2025-06-01", "return_date": "2025-06-06", "category": "general"}
            ],
        }
    ],
    "budget": [
        {
            "country": "JP",
            "city": "东京",
            "currency": "JPY",
            "lodging_per_day": 18000,
            "meals_per_day": 10000,
            "incidentals_per_day": 5000,
        }
    ],
}

# The contract's example output (its days_abroad made to agree with the finding's data).
EXAMPLE_OUTPUT = {
    "policy": {"name": "因公临时出国默认政策", "version": "2026.1"},
    "category": "general",
    "days_abroad": 9,
    "countries": ["DE", "FR"],
    "verdict": "fail",
    "findings": [
        {
            "rule": "STAY_DAYS",
            "severity": "error",
            "message": "出访2国在外停留不得超过8天，本团组为9天",
            "citation": "...",
            "data": {"limit": 8, "days_abroad": 9},
            "member": None,
        }
    ],
}

_DESCRIPTION = """Judge one trip against the policy in force, exactly as the command line
`waishi policy-check [--on YYYY-MM-DD] INPUT.json` does (contracts/policy-check.md):
same input object, same output object, same findings. A trip that breaks a rule is
still a 200 answer (`verdict` "fail"); 400 means the input cannot be judged, and
`error.fields` names the place (e.g. `members[2].rank`)."""


class PolicyCheckView(JsonOnly, APIView):
    """Check a trip (JSON) against the policy; nothing is stored."""

    permission_classes = [IsAuthenticated, MayCheckTrips]
    # JSON in: a form-encoded body would turn every value into a string.
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Check a trip against the policy",
        description=_DESCRIPTION,
        operation_id="policy_check",
        parameters=[
            OpenApiParameter(
                "on",
                OpenApiTypes.DATE,
                description=_(
                    "Judge as of this date (YYYY-MM-DD); default: the input's submitted_on, "
                    "else today. Selects the policy version in force then."
                ),
            )
        ],
        request={"application/json": POLICY_CHECK_INPUT},
        responses={200: PolicyCheckOutput, **{c: s.ErrorOutput for c in (400, 401, 403, 429)}},
        examples=[
            OpenApiExample("The contract's example", value=EXAMPLE_INPUT, request_only=True),
            OpenApiExample("A failing trip", value=EXAMPLE_OUTPUT, response_only=True),
        ],
    )
    def post(self, request):
        try:
            data = request.data
        except exceptions.ParseError as exc:
            # Named like the command line names a file that is not JSON.
            raise exceptions.ValidationError({"input": [str(exc.detail)]}) from None
        try:
            on = request.query_params.get("on")
            day = parse_date(on, "on") if on is not None else None
            result = judge(data, on=day, lookup=policy_in_force_db)
        except InputError as exc:
            raise exceptions.ValidationError({exc.field or "input": [exc.message]}) from None
        return Response(result_json(result))


@extend_schema(exclude=True)
class PolicyCheckSlashView(PolicyCheckView):
    """The same at ``/api/v1/policy/check/``, the spelling of the other v1 routes (a POST
    cannot follow APPEND_SLASH's redirect); documented once, at the contract's path."""
