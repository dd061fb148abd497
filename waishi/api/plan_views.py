"""The annual plan over the API: plans (open, move the deadline, send to the committee,
send back, approve), their entries (draft, change, delete, submit, accept, return,
approve an amendment, amend, discard) and quotas (set, change).

Thin, like the pages (``waishi.plans.views``): reads start in ``scoping`` (a unit's roles
see the plans and their own unit's entries and quotas; another unit's entry or quota is
404), every write is a ``waishi.plans.services`` call (checked, locked and audited as on
the pages) and takes an ``Idempotency-Key``. Who may act is the plan's transition table
(``waishi.plans.workflow``): a role that may never take an action is refused with 403, a
refusal of the record's state or of a rule with 400 naming it. Plans and entries have no
version: a change applies to the row as the service locks it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import plan_serializers as ps
from waishi.api.errors import valid
from waishi.api.idempotency import idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.lib.roles import ACTORS, CLERKS, COMMITTEE, FAO, FAO_HEAD, VIEWERS
from waishi.orgs import scoping
from waishi.orgs.models import Unit
from waishi.plans import selectors, services
from waishi.plans.models import PlanEntry, PlanYear, Quota
from waishi.plans.workflow import ENTRY

_WRITE_ERRORS = (400, 403, 404, 422)


class _PlanView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = VIEWERS
    read_message = gettext_lazy("Your role does not give access to the annual plan.")
    write_roles = FAO
    write_message = gettext_lazy("Only the FAO opens annual plans and sets quotas.")


# --- reads ----------------------------------------------------------------------------------


def _plan(request, pk) -> PlanYear:
    return scoping.get_for_user(request.user, PlanYear.objects.select_related("approved_by"), pk)


def _plan_response(request, pk, code: int = 200) -> Response:
    plan = _plan(request, pk)
    user = request.user
    plan.actions = selectors.plan_actions_for(user, plan)
    return Response(ps.PlanDetailOutput(plan).data, status=code)


def _entry(request, pk) -> PlanEntry:
    return scoping.get_for_user(
        request.user,
        PlanEntry.objects.select_related("plan", "unit", "bound_version"),
        pk,
    )


def _entry_response(request, pk, code: int = 200) -> Response:
    entry = _entry(request, pk)
    user = request.user
    actions = selectors.actions_for(user, entry)
    actions["return_"] = actions.pop("return")
    entry.actions = actions
    entry.version_rows = list(entry.versions.select_related("approved_by"))
    return Response(ps.EntryDetailOutput(entry).data, status=code)


def _quota(request, pk) -> Quota:
    return scoping.get_for_user(request.user, Quota.objects.select_related("plan", "unit"), pk)


def _quota_response(request, pk, code: int = 200) -> Response:
    return Response(ps.QuotaOutput(_quota(request, pk)).data, status=code)


# --- plans ----------------------------------------------------------------------------------


class PlanCollectionView(_PlanView, generics.GenericAPIView):
    serializer_class = ps.PlanOutput
    queryset = PlanYear.objects.none()

    @extend_schema(
        operation_id="plans_list",
        summary="Annual plans",
        description="Every plan year, the latest first, to the units' roles and the city's; "
        "paginated.",
        responses=_responses(ps.PlanOutput(many=True), 403, 404),
    )
    def get(self, request):
        plans = scoping.visible(request.user, PlanYear).select_related("approved_by")
        page = self.paginate_queryset(plans.order_by("-year"))
        return self.get_paginated_response(ps.PlanOutput(page, many=True).data)

    @extend_schema(
        operation_id="plans_create",
        summary="Open a plan year",
        description="The FAO: the year (one plan a year) and the deadline for entries.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.PlanCreateInput,
        responses=_responses(ps.PlanDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request):
        data = valid(ps.PlanCreateInput, request.data)
        plan = services.plan_open(
            actor=request.user, year=data["year"], deadline=data["deadline"], ip=client_ip(request)
        )
        return _plan_response(request, plan.pk, status.HTTP_201_CREATED)


class PlanView(_PlanView, APIView):
    @extend_schema(
        operation_id="plans_retrieve",
        summary="One annual plan",
        description="With what the caller may do with it now.",
        responses=_responses(ps.PlanDetailOutput, 403, 404),
    )
    def get(self, request, plan_pk: int):
        return _plan_response(request, plan_pk)

    @extend_schema(
        operation_id="plans_partial_update",
        summary="Move the deadline for entries",
        description="The FAO (for late entries, say).",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.PlanUpdateInput,
        responses=_responses(ps.PlanDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        data = valid(ps.PlanUpdateInput, request.data)
        services.plan_update(
            actor=request.user, plan=plan, deadline=data["deadline"], ip=client_ip(request)
        )
        return _plan_response(request, plan.pk)


class _PlanDecisionView(_PlanView, APIView):
    action = ""
    input_class: type = ps.EmptyInput

    def act(self, request, plan_pk: int) -> Response:
        plan = _plan(request, plan_pk)
        data = valid(self.input_class, request.data)
        services.plan_act(
            actor=request.user,
            plan=plan,
            action=self.action,
            comment=data.get("comment", ""),
            ip=client_ip(request),
        )
        return _plan_response(request, plan.pk)


class PlanConsolidateView(_PlanDecisionView):
    action = "consolidate"
    write_roles = FAO_HEAD
    write_message = gettext_lazy("Only the FAO head sends the plan to the committee.")

    @extend_schema(
        operation_id="plans_consolidate",
        summary="Send the plan to the committee",
        description="The FAO head, when no entry awaits review and at least one is "
        "accepted; entries then no longer change until the committee decides.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.EmptyInput,
        responses=_responses(ps.PlanDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, plan_pk: int):
        return self.act(request, plan_pk)


class PlanReopenView(_PlanDecisionView):
    action = "reopen"
    input_class = ps.PlanReopenInput
    write_roles = FAO_HEAD | COMMITTEE
    write_message = gettext_lazy("Only the FAO head or the committee sends the plan back.")

    @extend_schema(
        operation_id="plans_reopen",
        summary="Send the plan back to the FAO",
        description="The FAO head or the committee, while the committee has the plan.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.PlanReopenInput,
        responses=_responses(ps.PlanDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, plan_pk: int):
        return self.act(request, plan_pk)


class PlanApproveView(_PlanDecisionView):
    action = "approve"
    write_roles = COMMITTEE
    write_message = gettext_lazy("Only the committee approves the annual plan.")

    @extend_schema(
        operation_id="plans_approve",
        summary="Approve the plan",
        description="The committee: the plan binds at version 1, with every accepted entry "
        "approved.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.EmptyInput,
        responses=_responses(ps.PlanDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, plan_pk: int):
        return self.act(request, plan_pk)


# --- entries --------------------------------------------------------------------------------


class EntryCollectionView(_PlanView, generics.GenericAPIView):
    serializer_class = ps.EntryOutput
    queryset = PlanEntry.objects.none()
    write_roles = CLERKS
    write_message = gettext_lazy("Only a unit clerk drafts plan entries.")

    @extend_schema(
        operation_id="plans_entries_list",
        summary="A plan's entries",
        description="Scoped like the plan page: a unit's roles see their unit's entries, "
        "the city's roles every unit's. Filters as on the page; paginated.",
        parameters=[ps.EntryQuery],
        responses=_responses(ps.EntryOutput(many=True), 400, 403, 404),
    )
    def get(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        query = valid(ps.EntryQuery, request.query_params)
        entries = selectors.entries_for(
            request.user,
            plan,
            unit_id=query["unit"],
            state=query["state"],
            category=query["category"],
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ps.EntryOutput(page, many=True).data)

    @extend_schema(
        operation_id="plans_entries_create",
        summary="Draft an entry",
        description="A unit clerk, for their own unit, while the plan is open or (as an "
        "amendment) approved; never while the committee has it.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.EntryInput,
        responses=_responses(ps.EntryDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        data = valid(ps.EntryInput, request.data)
        entry = services.entry_create(actor=request.user, plan=plan, ip=client_ip(request), **data)
        return _entry_response(request, entry.pk, status.HTTP_201_CREATED)


class EntryView(_PlanView, APIView):
    write_roles = CLERKS
    write_message = gettext_lazy("Only a clerk of the unit changes its plan entries.")

    @extend_schema(
        operation_id="plans_entries_retrieve",
        summary="One plan entry",
        description="With the versions the committee approved and what the caller may do "
        "with it now.",
        responses=_responses(ps.EntryDetailOutput, 403, 404),
    )
    def get(self, request, entry_pk: int):
        return _entry_response(request, entry_pk)

    @extend_schema(
        operation_id="plans_entries_partial_update",
        summary="Change an entry",
        description="Its unit's clerk, while it is a draft or returned and the committee "
        "does not have the plan. Only the fields sent change; ranks sets the size.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.EntryInput,
        responses=_responses(ps.EntryDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, entry_pk: int):
        entry = _entry(request, entry_pk)
        data = valid(ps.EntryInput, request.data, partial=True)
        services.entry_update(actor=request.user, entry=entry, ip=client_ip(request), **data)
        return _entry_response(request, entry.pk)

    @extend_schema(
        operation_id="plans_entries_destroy",
        summary="Delete an entry",
        description="A draft or returned entry that never bound (an amendment of an "
        "approved entry is discarded instead).",
        parameters=[IDEMPOTENCY_KEY],
        responses={204: None, **_responses(None, *_WRITE_ERRORS)},
    )
    @idempotent
    def delete(self, request, entry_pk: int):
        entry = _entry(request, entry_pk)
        services.entry_delete(actor=request.user, entry=entry, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _entry_roles(action: str) -> frozenset[str]:
    """The roles that may ever take ``action`` (its transitions' roles)."""
    found: frozenset[str] = frozenset()
    for t in ENTRY.edges():
        if t.action == action:
            found |= t.roles
    return found


class _EntryDecisionView(_PlanView, APIView):
    action = ""
    input_class: type = ps.EmptyInput

    def act(self, request, entry_pk: int) -> Response:
        entry = _entry(request, entry_pk)
        data = valid(self.input_class, request.data)
        services.entry_act(
            actor=request.user,
            entry=entry,
            action=self.action,
            comment=data.get("comment", ""),
            ip=client_ip(request),
        )
        return _entry_response(request, entry.pk)


def _decision(action: str, input_class, summary: str, description: str, message):
    """An entry's decision endpoint: a view class for one of the workflow's actions."""

    class View(_EntryDecisionView):
        write_roles = _entry_roles(action) & ACTORS
        write_message = message

        @extend_schema(
            operation_id=f"plans_entries_{action}",
            summary=summary,
            description=description,
            parameters=[IDEMPOTENCY_KEY],
            request=input_class,
            responses=_responses(ps.EntryDetailOutput, *_WRITE_ERRORS),
        )
        @idempotent
        def post(self, request, entry_pk: int):
            return self.act(request, entry_pk)

    View.action = action
    View.input_class = input_class
    View.__name__ = View.__qualname__ = f"Entry{action.title()}View"
    return View


EntrySubmitView = _decision(
    "submit",
    ps.EmptyInput,
    "Submit the entry to the FAO",
    "Its unit's leader, a draft or returned entry, before the deadline (or as an "
    "amendment of an approved plan).",
    gettext_lazy("Only the unit leader submits plan entries."),
)
EntryAcceptView = _decision(
    "accept",
    ps.CommentInput,
    "Accept the entry",
    "The FAO, a submitted entry, while the committee does not have the plan.",
    gettext_lazy("Only the FAO accepts plan entries."),
)
EntryReturnView = _decision(
    "return",
    ps.ReturnEntryInput,
    "Return the entry for changes",
    "The FAO (a submitted or accepted entry) or the committee (an accepted amendment); a "
    "comment saying what to change is required.",
    gettext_lazy("Only the FAO or the committee returns plan entries."),
)
EntryApproveView = _decision(
    "approve",
    ps.EmptyInput,
    "Approve an amendment",
    "The committee, an accepted entry of an approved plan: the plan's version goes up by "
    "one and the entry binds at it.",
    gettext_lazy("Only the committee approves amendments."),
)
EntryAmendView = _decision(
    "amend",
    ps.EmptyInput,
    "Amend an approved entry",
    "Its unit's clerk re-opens it as a draft; it binds as approved until the committee "
    "approves the amendment.",
    gettext_lazy("Only a unit clerk amends plan entries."),
)
EntryDiscardView = _decision(
    "discard",
    ps.EmptyInput,
    "Discard an amendment",
    "Its unit's clerk: the entry goes back to what the committee approved.",
    gettext_lazy("Only a unit clerk discards amendments."),
)


# --- quotas ---------------------------------------------------------------------------------


class QuotaCollectionView(_PlanView, generics.GenericAPIView):
    serializer_class = ps.QuotaOutput
    queryset = Quota.objects.none()

    @extend_schema(
        operation_id="plans_quotas_list",
        summary="A plan's quotas",
        description="Per unit and category, with what approved trips used and what is left; "
        "a unit's roles see their own unit's. Paginated.",
        parameters=[ps.QuotaQuery],
        responses=_responses(ps.QuotaOutput(many=True), 400, 403, 404),
    )
    def get(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        query = valid(ps.QuotaQuery, request.query_params)
        quotas = scoping.visible(request.user, Quota).filter(plan=plan).select_related("unit")
        if query["unit"]:
            quotas = quotas.filter(unit_id=query["unit"])
        page = self.paginate_queryset(quotas.order_by("unit__code", "category", "pk"))
        return self.get_paginated_response(ps.QuotaOutput(page, many=True).data)

    @extend_schema(
        operation_id="plans_quotas_set",
        summary="Set a unit's quota",
        description="The FAO: batches and person-trips of a unit for a category with a "
        "quota (ordinary, economic/trade/technology); an existing quota of that unit and "
        "category is changed. Never below what approved trips already used.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.QuotaCreateInput,
        responses={
            201: ps.QuotaOutput,
            **_responses(ps.QuotaOutput, *_WRITE_ERRORS),
        },
    )
    @idempotent
    def post(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        data = valid(ps.QuotaCreateInput, request.data)
        unit = Unit.objects.filter(pk=data["unit"], is_active=True).first()
        if unit is None:
            raise ValidationError({"unit": _("No active unit has this id.")})
        known = Quota.objects.filter(plan=plan, unit=unit, category=data["category"]).exists()
        quota = services.quota_set(
            actor=request.user,
            plan=plan,
            unit=unit,
            category=data["category"],
            batches=data["batches"],
            person_trips=data["person_trips"],
            ip=client_ip(request),
        )
        return _quota_response(
            request, quota.pk, status.HTTP_200_OK if known else status.HTTP_201_CREATED
        )


class QuotaView(_PlanView, APIView):
    @extend_schema(
        operation_id="plans_quotas_retrieve",
        summary="One quota",
        responses=_responses(ps.QuotaOutput, 403, 404),
    )
    def get(self, request, quota_pk: int):
        return _quota_response(request, quota_pk)

    @extend_schema(
        operation_id="plans_quotas_partial_update",
        summary="Change a quota",
        description="The FAO; never below what approved trips already used.",
        parameters=[IDEMPOTENCY_KEY],
        request=ps.QuotaUpdateInput,
        responses=_responses(ps.QuotaOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, quota_pk: int):
        quota = _quota(request, quota_pk)
        data = valid(ps.QuotaUpdateInput, request.data)
        services.quota_set(
            actor=request.user,
            plan=quota.plan,
            unit=quota.unit,
            category=quota.category,
            batches=data["batches"],
            person_trips=data["person_trips"],
            ip=client_ip(request),
        )
        return _quota_response(request, quota.pk)


# --- last year's plan as this year's draft --------------------------------------------------


class EntryCopyLastYearView(_PlanView, APIView):
    write_roles = CLERKS
    write_message = gettext_lazy("Only a unit clerk drafts plan entries.")

    @extend_schema(
        operation_id="plans_entries_copy_last_year",
        summary="Draft this year's entries from last year's",
        description="A unit clerk: each entry the committee approved for their unit in the "
        "year before is drafted again in this plan, as the page does (each created and "
        "audited as a new entry), all or none. Refused when the unit has entries in this "
        "plan already, when the year before has no approved plan, or the unit no entry "
        "in it. No body.",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses=_responses(ps.EntryOutput(many=True), *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        created = services.entries_copy_last_year(
            actor=request.user, plan=plan, ip=client_ip(request)
        )
        entries = selectors.entries_for(request.user, plan).filter(pk__in=[e.pk for e in created])
        return Response(ps.EntryOutput(entries, many=True).data, status=status.HTTP_201_CREATED)


class QuotaCopyLastYearView(_PlanView, APIView):
    @extend_schema(
        operation_id="plans_quotas_copy_last_year",
        summary="Set this year's quotas to last year's",
        description="The FAO: every active unit's quota of the year before's approved plan "
        "is set in this plan, as the page does (each set and audited), all or none. "
        "Refused when this plan has quotas already or the year before has no approved "
        "plan. No body.",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses=_responses(ps.QuotaOutput(many=True), *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request, plan_pk: int):
        plan = _plan(request, plan_pk)
        created = services.quotas_copy_last_year(
            actor=request.user, plan=plan, ip=client_ip(request)
        )
        quotas = (
            Quota.objects.filter(pk__in=[q.pk for q in created])
            .select_related("unit")
            .order_by("unit__code", "category", "pk")
        )
        return Response(ps.QuotaOutput(quotas, many=True).data, status=status.HTTP_201_CREATED)
