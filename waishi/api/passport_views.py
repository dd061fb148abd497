"""Official passports over the API: the register (masked numbers), one passport with its
hand-outs, the passports out of custody, and a passport's return.

Thin, like the pages (``passports.views``): reads start in ``scoping`` (a unit's roles see
their unit's passports only; another unit's passport is 404), the return is
``passports.services.passport_return`` (checked, locked, audited as on the page) with an
``Idempotency-Key``.

Issuing a passport and revealing its number need a fresh second factor (security.md S2).
The pages ask for it (``lib.decorators.step_up_challenge``); an API token cannot give one,
so the API refuses both with 403 ``second_factor_required`` -- after the role and scope
checks, so that nobody learns more than a refusal would tell them -- and names the page
where it is done."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import passport_serializers as ps
from waishi.api import serializers as s
from waishi.api.errors import valid
from waishi.api.idempotency import idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.lib import roles
from waishi.orgs import scoping
from waishi.passports import selectors, services
from waishi.passports.models import Passport, PassportCustody

MANAGERS = services.MANAGES_PASSPORTS


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "second_factor_required"


# What the two step-up operations answer: refusals only.
REFUSED = {code: s.ErrorOutput for code in (401, 403, 404, 429)}


class _PassportView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = roles.VIEWERS
    read_message = gettext_lazy("Your role does not give access to official passports.")
    write_roles = MANAGERS
    write_message = gettext_lazy("Only the FAO hands out and takes back official passports.")


def _open_rows():
    return Prefetch(
        "custodies",
        queryset=PassportCustody.objects.filter(returned_at__isnull=True).select_related("mission"),
        to_attr="open_rows",
    )


def _passport(request, pk) -> Passport:
    return scoping.get_for_user(request.user, Passport.objects.select_related("holder__unit"), pk)


def _detail(request, pk) -> dict:
    passport = scoping.get_for_user(
        request.user,
        Passport.objects.select_related("holder__unit").prefetch_related(_open_rows()),
        pk,
    )
    passport.custody_rows = list(selectors.custody_history(passport))
    return ps.PassportDetailOutput(passport).data


class PassportListView(_PassportView, generics.GenericAPIView):
    serializer_class = ps.PassportListOutput
    queryset = Passport.objects.none()

    def get_queryset(self):
        query = valid(ps.PassportQuery, self.request.query_params)
        return selectors.passport_search(
            self.request.user, q=query["q"], state=query["state"], unit_id=query["unit"]
        ).prefetch_related(_open_rows())

    @extend_schema(
        operation_id="passports_list",
        summary="Official passports",
        description="The register as the page shows it: a unit's roles see their unit's "
        "passports, the FAO, the committee and the auditor every unit's. Numbers are masked "
        "and not searched. Paginated.",
        parameters=[ps.PassportQuery],
        responses=_responses(ps.PassportListOutput(many=True), 400, 403),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ps.PassportListOutput(page, many=True).data)


class PassportView(_PassportView, APIView):
    @extend_schema(
        operation_id="passports_retrieve",
        summary="One passport",
        description="With every hand-out for a trip (the open one first), masked number.",
        responses=_responses(ps.PassportDetailOutput, 403, 404),
    )
    def get(self, request, passport_pk: int):
        return Response(_detail(request, passport_pk))


class PassportReturnView(_PassportView, APIView):
    @extend_schema(
        operation_id="passports_return",
        summary="Take a passport back into custody",
        description="The FAO; closes the passport's open hand-out. If it was what locked its "
        "unit's new trip applications, the lock lifts; if it was the trip's last passport "
        "out and the report is accepted, the trip closes.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.PassportReturnInput,
        responses=_responses(ps.PassportDetailOutput, 400, 403, 404, 422),
    )
    @idempotent
    def post(self, request, passport_pk: int):
        passport = _passport(request, passport_pk)
        data = valid(ps.PassportReturnInput, request.data)
        custody = selectors.open_custody(passport)
        if custody is None:
            raise ValidationError(_("This passport is not out for a trip."), code="state")
        services.passport_return(
            actor=request.user, custody=custody, note=data["note"], ip=client_ip(request)
        )
        return Response(_detail(request, passport.pk))


class PassportReturnManyView(_PassportView, APIView):
    @extend_schema(
        operation_id="passports_return_many",
        summary="Take several passports back into custody at once",
        description="The FAO; each passport's return as ``passports/{id}/return/`` does it "
        "(its audit event per passport), all in one transaction: if any passport is not "
        "out or not found, nothing is recorded and the error names it.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.PassportReturnManyInput,
        responses=_responses(ps.PassportDetailOutput(many=True), 400, 403, 404, 422),
    )
    @idempotent
    def post(self, request):
        data = valid(ps.PassportReturnManyInput, request.data)
        wanted = list(dict.fromkeys(data["passports"]))
        found = {
            p.pk: p
            for p in scoping.visible(request.user, Passport)
            .filter(pk__in=wanted)
            .select_related("holder")
        }
        custodies = []
        for pk in wanted:
            passport = found.get(pk)
            if passport is None:
                raise ValidationError(
                    {"passports": _("No passport %(id)d. Nothing was recorded.") % {"id": pk}},
                    code="not_found",
                )
            custody = selectors.open_custody(passport)
            if custody is None:
                raise ValidationError(
                    {
                        "passports": _(
                            "The passport of %(name)s is not out for a trip. Nothing was recorded."
                        )
                        % {"name": passport.holder.name}
                    },
                    code="state",
                )
            custodies.append(custody)
        services.passports_return(
            actor=request.user, custodies=custodies, note=data["note"], ip=client_ip(request)
        )
        return Response([_detail(request, pk) for pk in wanted])


class PassportIssueView(_PassportView, APIView):
    @extend_schema(
        operation_id="passports_issue",
        summary="Issue a passport for a trip: not through the API",
        description="Issuing needs a fresh second-factor check (security rule S2), which an "
        "API token cannot give: always 403 second_factor_required (after the role and scope "
        "checks). Issue it in the browser, on the trip's page for issuing passports.",
        request=None,
        responses=REFUSED,
    )
    def post(self, request, passport_pk: int):
        _passport(request, passport_pk)
        raise SecondFactorRequired(
            _(
                "Issuing a passport needs a fresh second-factor check (security rule S2), "
                "which an API token cannot give. Issue it in the browser, on the trip's page "
                "for issuing passports (%(url)s)."
            )
            % {"url": reverse("passports:trips")}
        )


class PassportNumberView(_PassportView, APIView):
    @extend_schema(
        operation_id="passports_number",
        summary="Reveal the full number: not through the API",
        description="The full number is shown only in the browser after a fresh "
        "second-factor check (security rules S2, Z2): always 403 second_factor_required "
        "(after the role and scope checks).",
        request=None,
        responses=REFUSED,
    )
    def post(self, request, passport_pk: int):
        passport = _passport(request, passport_pk)
        raise SecondFactorRequired(
            _(
                "The full passport number is shown only in the browser, after a fresh "
                "second-factor check (security rule S2). Reveal it on the passport's page "
                "(%(url)s)."
            )
            % {"url": reverse("passports:detail", kwargs={"passport_pk": passport.pk})}
        )


class CustodyListView(_PassportView, generics.GenericAPIView):
    serializer_class = ps.CustodyOutput
    queryset = PassportCustody.objects.none()

    def get_queryset(self):
        query = valid(ps.CustodyQuery, self.request.query_params)
        rows = selectors.out_of_custody(self.request.user).select_related(
            "passport__holder__unit", "mission", "issued_by"
        )
        if query["overdue"]:
            rows = rows.filter(due_back__lt=timezone.localdate())
        if query["unit"]:
            rows = rows.filter(passport__holder__unit_id=query["unit"])
        return rows.order_by("due_back", "pk")

    @extend_schema(
        operation_id="passports_custody_list",
        summary="Passports out of custody",
        description="Every passport handed out and not back yet, with its trip, due date and "
        "days overdue; the earliest due first. Scoped like the register. Paginated.",
        parameters=[ps.CustodyQuery],
        responses=_responses(ps.CustodyOutput(many=True), 400, 403),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ps.CustodyOutput(page, many=True).data)
