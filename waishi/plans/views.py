"""Pages of the annual plan. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.lib import downloads, roles
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import other_params, paginate
from waishi.lib.roles import ACTORS, CLERKS, FAO, VIEWERS
from waishi.lib.workflow import offered
from waishi.orgs import scoping
from waishi.orgs.models import Unit
from waishi.plans import exports, forms, selectors, services
from waishi.plans.models import (
    Category,
    PlanEntry,
    PlanEntryVersion,
    PlanYear,
    Quota,
)
from waishi.plans.workflow import ENTRY, PLAN


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- plans ------------------------------------------------------------------------------------


QUOTA_UNITS = 50  # units a page of the quota table


@role_required(VIEWERS)
def plan_list(request):
    plans = scoping.visible(request.user, PlanYear).order_by("-year")
    return render(
        request,
        "plans/plan_list.html",
        {"can_open": roles.has(request.user, FAO), **paginate(request, plans)},
    )


@role_required(FAO)
def plan_form(request, plan_pk: int | None = None):
    plan = scoping.get_for_user(request.user, PlanYear, plan_pk) if plan_pk else None
    initial = {"deadline": plan.deadline} if plan else {}
    form = forms.PlanForm(request.POST or None, initial=initial, editing=plan is not None)
    if request.method == "POST" and form.is_valid():
        try:
            if plan:
                plan = services.plan_update(
                    actor=request.user,
                    plan=plan,
                    deadline=form.cleaned_data["deadline"],
                    ip=client_ip(request),
                )
            else:
                plan = services.plan_open(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    deadline=form.cleaned_data["deadline"],
                    ip=client_ip(request),
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The annual plan has been saved."))
            return redirect("plans:plan-detail", plan_pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


def _quota_page(request, plan: PlanYear):
    """The quotas of 2,000 units are 4,000 rows: a page of units at a time, and only that
    page's units summed. ``query``: the page's other parameters, for its links."""
    units = selectors.quota_units(plan, user=request.user)
    page = Paginator(units, QUOTA_UNITS).get_page(request.GET.get("quota_page"))
    page.object_list = selectors.quota_summary(plan, user=request.user, units=page.object_list)
    page.query = other_params(request, "quota_page")
    return page


@role_required(VIEWERS)
def plan_detail(request, plan_pk: int):
    user = request.user
    plan = scoping.get_for_user(user, PlanYear, plan_pk)
    sees_all = scoping.is_reader_of_everything(user)
    units = (
        Unit.objects.filter(plan_entries__plan=plan).distinct().order_by("code")
        if sees_all
        else None
    )
    search = forms.EntryFilterForm(request.GET or None, units=units)
    filters: dict = {}
    if search.is_valid():
        unit = search.cleaned_data.get("unit")
        filters = {
            "unit_id": unit.pk if unit else None,
            "state": search.cleaned_data["state"],
            "category": search.cleaned_data["category"],
        }
    entries = selectors.entries_for(user, plan, **filters)
    actions = selectors.plan_actions_for(user, plan)
    amendments = (
        scoping.visible(user, PlanEntryVersion)
        .filter(entry__plan=plan, plan_version__gt=1)
        .select_related("entry", "entry__unit", "approved_by")
        .order_by("-plan_version")
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "sees_all": sees_all,
            "search": search,
            "summary": _quota_page(request, plan),
            "transitions": offered(PLAN, plan, actions),
            "can_add_entry": actions["add_entry"],
            "can_set_quota": actions["set_quota"],
            "can_edit_plan": actions["edit"],
            "can_export": roles.has(user, roles.CITY_ROLES),
            "copy_offer": selectors.copy_offer(user, plan),
            "amendments": amendments,
            "history": history(plan),
            **paginate(request, entries),
        },
    )


@require_POST
@role_required(ACTORS)
def plan_transition(request, plan_pk: int):
    plan = scoping.get_for_user(request.user, PlanYear, plan_pk)
    action = request.POST.get("action", "")
    if action not in services.PLAN_ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("plans:plan-detail", plan_pk=plan.pk)
    try:
        services.plan_act(
            actor=request.user,
            plan=plan,
            action=action,
            comment=request.POST.get("comment", "")[:2000],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": PLAN.action_label(action)})
    return redirect("plans:plan-detail", plan_pk=plan.pk)


@role_required(roles.CITY_ROLES)
def plan_export(request, plan_pk: int, fmt: str):
    plan = scoping.get_for_user(request.user, PlanYear, plan_pk)
    build = exports.xlsx if fmt == "xlsx" else exports.docx
    handle = build(request.user, plan)
    services.plan_export_recorded(actor=request.user, plan=plan, fmt=fmt, ip=client_ip(request))
    # Outside the f-string: makemessages does not read into one.
    stem = _("annual-plan")
    filename = f"{stem}-{plan.year}-v{plan.version}.{fmt}"
    fallback = f"annual-plan-{plan.year}-v{plan.version}.{fmt}"
    return downloads.file_response(handle, filename=filename, fallback=fallback)


@role_required(CLERKS | FAO)
def plan_copy_last_year(request, plan_pk: int):
    """Last year's approved plan as this year's draft: a unit clerk's entries, or the
    FAO's quotas. The page lists what will be created; the button creates it (all or
    nothing, each row audited as if typed)."""
    user = request.user
    plan = scoping.get_for_user(user, PlanYear, plan_pk)
    clerk = roles.has(user, CLERKS)
    if request.method == "POST":
        copy = services.entries_copy_last_year if clerk else services.quotas_copy_last_year
        try:
            created = copy(actor=user, plan=plan, ip=client_ip(request))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                (
                    ngettext(
                        "%(count)d entry drafted from last year's plan.",
                        "%(count)d entries drafted from last year's plan.",
                        len(created),
                    )
                    if clerk
                    else ngettext(
                        "%(count)d quota set from last year's plan.",
                        "%(count)d quotas set from last year's plan.",
                        len(created),
                    )
                )
                % {"count": len(created)},
            )
            return redirect("plans:plan-detail", plan_pk=plan.pk)
    previous = selectors.last_year(plan)
    if clerk:
        entries = [
            {
                **values,
                "countries_text": forms.country_names(values.get("countries") or []),
                "category_text": Category(values["category"]).label
                if values.get("category") in Category.values
                else values.get("category"),
            }
            for values in selectors.last_year_entries(plan, user.unit_id)
        ]
        quotas = []
    else:
        entries = []
        quotas = [q for q in selectors.last_year_quotas(plan) if q.unit.is_active]
    return render(
        request,
        "plans/copy_last_year.html",
        {
            "plan": plan,
            "previous": previous,
            "clerk": clerk,
            "offer": selectors.copy_offer(user, plan),
            "entries": entries,
            "quotas": quotas,
        },
    )


# --- entries ----------------------------------------------------------------------------------


def _entry(request, entry_pk: int) -> PlanEntry:
    return scoping.get_for_user(
        request.user, PlanEntry.objects.select_related("plan", "unit", "bound_version"), entry_pk
    )


@role_required(CLERKS)
def entry_create(request, plan_pk: int):
    plan = scoping.get_for_user(request.user, PlanYear, plan_pk)
    form = forms.EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                actor=request.user, plan=plan, ip=client_ip(request), **form.values()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The plan entry has been saved as a draft."))
            return redirect("plans:entry-detail", entry_pk=entry.pk)
    return render(request, "plans/entry_form.html", {"form": form, "plan": plan, "entry": None})


@role_required(CLERKS)
def entry_edit(request, entry_pk: int):
    entry = _entry(request, entry_pk)
    if not selectors.can_edit_entry(request.user, entry):
        raise PermissionDenied
    form = forms.EntryForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(
                actor=request.user, entry=entry, ip=client_ip(request), **form.values()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The plan entry has been saved."))
            return redirect("plans:entry-detail", entry_pk=entry.pk)
    return render(
        request, "plans/entry_form.html", {"form": form, "plan": entry.plan, "entry": entry}
    )


@role_required(VIEWERS)
def entry_detail(request, entry_pk: int):
    entry = _entry(request, entry_pk)
    actions = selectors.actions_for(request.user, entry)
    return render(
        request,
        "plans/entry_detail.html",
        {
            "entry": entry,
            "countries": forms.country_names(entry.countries),
            "ranks": exports.ranks_text(entry.ranks),
            "transitions": offered(ENTRY, entry, actions),
            "can_edit": actions["edit"],
            "can_delete": actions["delete"],
            "versions": [
                {
                    "version": v,
                    "countries": forms.country_names(v.data.get("countries")),
                    "ranks": exports.ranks_text(v.data.get("ranks") or []),
                }
                for v in entry.versions.select_related("approved_by")
            ],
            "history": history(entry),
        },
    )


@require_POST
@role_required(CLERKS)
def entry_delete(request, entry_pk: int):
    entry = _entry(request, entry_pk)
    plan_pk = entry.plan_id
    try:
        services.entry_delete(actor=request.user, entry=entry, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("plans:entry-detail", entry_pk=entry.pk)
    messages.success(request, _("The plan entry has been deleted."))
    return redirect("plans:plan-detail", plan_pk=plan_pk)


@require_POST
@role_required(ACTORS)
def entry_transition(request, entry_pk: int):
    entry = _entry(request, entry_pk)
    form = forms.ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("plans:entry-detail", entry_pk=entry.pk)
    action = form.cleaned_data["action"]
    try:
        services.entry_act(
            actor=request.user,
            entry=entry,
            action=action,
            comment=form.cleaned_data["comment"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": ENTRY.action_label(action)})
    return redirect("plans:entry-detail", entry_pk=entry.pk)


# --- quotas -----------------------------------------------------------------------------------


def _quota_form(request, plan: PlanYear, quota: Quota | None):
    form = forms.QuotaForm(request.POST or None, quota=quota)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.quota_set(
                actor=request.user,
                plan=plan,
                unit=quota.unit if quota else data["unit"],
                category=quota.category if quota else data["category"],
                batches=data["batches"],
                person_trips=data["person_trips"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The quota has been saved."))
            return redirect("plans:plan-detail", plan_pk=plan.pk)
    return render(
        request,
        "plans/quota_form.html",
        {"form": form, "plan": plan, "quota": quota, "history": history(quota) if quota else []},
    )


@role_required(FAO)
def quota_create(request, plan_pk: int):
    plan = scoping.get_for_user(request.user, PlanYear, plan_pk)
    return _quota_form(request, plan, None)


@role_required(FAO)
def quota_edit(request, quota_pk: int):
    quota = scoping.get_for_user(
        request.user, Quota.objects.select_related("plan", "unit"), quota_pk
    )
    return _quota_form(request, quota.plan, quota)
