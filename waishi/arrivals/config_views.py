"""The city command's configuration pages: the numbers in force (with their history and
the health counts kept after the purge), the management plans with their versions, and
the rules that choose a plan. District officers and the auditor read them; only the
city command changes them. Thin: parse, call ``config_services``, render."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.arrivals import config_forms as forms
from waishi.arrivals import config_services as services
from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    HealthTally,
    ManagementPlan,
    PlanRule,
    StepKind,
)
from waishi.audit.selectors import history
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import ARRIVALS_READERS, COMMAND, has
from waishi.orgs import scoping
from waishi.policy.reference import COUNTRIES

READERS = ARRIVALS_READERS
EDITORS = COMMAND
STEP_FIELDS = ("kind", "day", "within_hours", "label")
TALLY_MONTHS = 36


def country_names(codes: list[str]) -> str:
    english = (get_language() or "").startswith("en")
    names = []
    for code in codes or []:
        found = COUNTRIES.get(code)
        if found is None:
            names.append(code)
        else:
            names.append(f"{found.name_en if english else found.name_zh} ({code})")
    return ", ".join(names) if english else "、".join(names)


# -- settings ---------------------------------------------------------------------


def _settings_initial(current: ArrivalSettings) -> dict:
    return {
        "declare_lead_hours": current.declare_lead_hours,
        "retention_days": current.retention_days,
        "resident_interval_days": current.resident_interval_days,
        "default_plan_code": current.default_plan_code,
    }


def _tallies(user) -> list[dict]:
    """The counts kept after the purge, one row per month and district (latest first),
    as far as the user sees them."""
    visible = scoping.visible(user, HealthTally)
    recent = sorted(set(visible.values_list("month", flat=True)), reverse=True)[:TALLY_MONTHS]
    tallies = (
        visible.filter(month__in=recent)
        .select_related("district")
        .order_by("-month", "district__sort_order", "district__code")
    )
    rows: dict[tuple, dict] = {}
    for tally in tallies:
        row = rows.setdefault(
            (tally.month, tally.district_id),
            {"month": tally.month, "district": tally.district, "counts": Counter()},
        )
        row["counts"][tally.what] += tally.count
    for row in rows.values():
        # In the order of the table's columns (a template cannot index by a variable).
        row["values"] = [row["counts"][what] for what in HealthTally.What.values]
    return list(rows.values())


@role_required(READERS)
def settings_view(request):
    current = ArrivalSettings.current()
    can_edit = has(request.user, EDITORS)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = forms.SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_change(
                    actor=request.user, ip=client_ip(request), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The new settings are in force."))
                return redirect("arrivals:settings")
    elif can_edit:
        form = forms.SettingsForm(initial=_settings_initial(current))
    saved = ArrivalSettings.objects.select_related("created_by").order_by("-pk")
    return render(
        request,
        "arrivals/settings.html",
        {
            "current": current,
            "default_plan": ManagementPlan.current(current.default_plan_code),
            "form": form,
            "can_edit": can_edit,
            "tallies": _tallies(request.user),
            "tally_whats": HealthTally.What.choices,
            **paginate(request, saved, per_page=10),
        },
    )


# -- plans ------------------------------------------------------------------------


def _arrival_counts(user, field: str) -> dict:
    """{plan code or plan id: how many arrivals the user sees with it}."""
    rows = scoping.visible(user, Arrival).values(field).annotate(n=Count("pk")).order_by()
    return {row[field]: row["n"] for row in rows}


def describe_steps(steps: list[dict]) -> list[dict]:
    """A plan's steps for a table: what, which day, and when it is due, in words."""
    out = []
    for n, spec in enumerate(steps, start=1):
        kind = spec.get("kind")
        hours = spec.get("within_hours")
        day = spec.get("day") or 0
        if hours:
            due = _("within %(hours)d hours of arrival") % {"hours": hours}
        else:
            due = _("by the end of day %(day)d") % {"day": day}
        out.append(
            {
                "n": n,
                "kind": StepKind(kind).label if kind in StepKind.values else kind,
                "label": spec.get("label") or "",
                "day": day,
                "within_hours": hours,
                "due": due,
            }
        )
    return out


@role_required(READERS)
def plan_list(request):
    versions = list(scoping.visible(request.user, ManagementPlan).order_by("code", "-version"))
    latest: dict[str, ManagementPlan] = {}
    counts: dict[str, int] = defaultdict(int)
    for plan in versions:
        latest.setdefault(plan.code, plan)
        counts[plan.code] += 1
    arrivals = _arrival_counts(request.user, "plan__code")
    settings = ArrivalSettings.current()
    rows = [
        {
            "plan": plan,
            "versions": counts[code],
            "arrivals": arrivals.get(code, 0),
            "steps": len(plan.steps),
            "is_default": code == settings.default_plan_code,
        }
        for code, plan in latest.items()
    ]
    rules = [
        {"rule": rule, "countries": country_names(rule.origin_countries)}
        for rule in scoping.visible(request.user, PlanRule).order_by("sequence", "pk")
    ]
    return render(
        request,
        "arrivals/plan_list.html",
        {
            "rows": rows,
            "rules": rules,
            "settings": settings,
            "can_edit": has(request.user, EDITORS),
        },
    )


@role_required(READERS)
def plan_detail(request, mplan_pk: int):
    plan = scoping.get_for_user(
        request.user, ManagementPlan.objects.select_related("created_by"), mplan_pk
    )
    versions = list(
        scoping.visible(request.user, ManagementPlan)
        .filter(code=plan.code)
        .select_related("created_by")
        .order_by("-version")
    )
    arrivals = _arrival_counts(request.user, "plan_id")
    rules = scoping.visible(request.user, PlanRule).filter(plan_code=plan.code)
    can_edit = has(request.user, EDITORS)
    return render(
        request,
        "arrivals/plan_detail.html",
        {
            "plan": plan,
            "latest": versions[0],
            "is_latest": versions[0].pk == plan.pk,
            "steps": describe_steps(plan.steps),
            "versions": [{"plan": v, "arrivals": arrivals.get(v.pk, 0)} for v in versions],
            "arrivals": arrivals.get(plan.pk, 0),
            "arrivals_all_versions": sum(arrivals.get(v.pk, 0) for v in versions),
            "rules": rules,
            "is_default": ArrivalSettings.current().default_plan_code == plan.code,
            "can_edit": can_edit,
            "retire_form": forms.RetireForm() if can_edit else None,
            "history": history(plan),
        },
    )


def _posted_rows(data) -> list[dict]:
    """The rows as typed (not checked), without those marked for removal: to show them
    again with more empty rows."""
    try:
        total = int(data.get("steps-TOTAL_FORMS") or 0)
    except ValueError:
        total = 0
    rows = []
    for i in range(min(max(total, 0), forms.StepFormSet.absolute_max)):
        if data.get(f"steps-{i}-DELETE"):
            continue
        row = {f: data.get(f"steps-{i}-{f}", "") for f in STEP_FIELDS}
        if any(str(v).strip() for v in row.values()):
            rows.append(row)
    return rows


def _plan_form_page(request, *, base: ManagementPlan | None):
    """The page that creates a plan (``base`` None) or saves a new version of ``base``'s
    plan: the steps as rows (add, remove) or, with ``?as=json``, as a JSON list."""
    creating = base is None
    as_json = (request.POST.get("mode") or request.GET.get("as")) == "json"
    latest = None if creating else ManagementPlan.current(base.code)
    if request.method == "POST" and "add_rows" in request.POST:
        meta = forms.PlanForm(
            initial={k: request.POST.get(k) for k in forms.PlanForm.base_fields},
            creating=creating,
        )
        steps_form = forms.StepFormSet(initial=_posted_rows(request.POST), prefix="steps")
    elif request.method == "POST":
        meta = forms.PlanForm(request.POST, creating=creating)
        if as_json:
            steps_form = forms.StepsJSONForm(request.POST)
        else:
            steps_form = forms.StepFormSet(request.POST, prefix="steps")
        if meta.is_valid() & steps_form.is_valid():
            steps = steps_form.cleaned_data["steps_json"] if as_json else steps_form.steps()
            data = meta.cleaned_data
            try:
                if creating:
                    plan = services.plan_create(
                        actor=request.user,
                        code=data["code"],
                        name=data["name"],
                        description=data["description"],
                        steps=steps,
                        reason=data["reason"],
                        ip=client_ip(request),
                    )
                else:
                    plan = services.plan_save_version(
                        actor=request.user,
                        plan=base,
                        name=data["name"],
                        description=data["description"],
                        steps=steps,
                        reason=data["reason"],
                        expected_version=data.get("expected_version"),
                        ip=client_ip(request),
                    )
            except ValidationError as exc:
                apply_errors(meta, exc)
            else:
                if creating:
                    messages.success(request, _("The plan has been created."))
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(version)d is in force for arrivals registered from now "
                            "on; earlier arrivals keep their plan."
                        )
                        % {"version": plan.version},
                    )
                return redirect("arrivals:plan-detail", mplan_pk=plan.pk)
    else:
        initial = {}
        if base is not None:
            initial = {
                "name": base.name,
                "description": base.description,
                "expected_version": latest.version,
            }
        meta = forms.PlanForm(initial=initial, creating=creating)
        if as_json:
            steps = base.steps if base is not None else []
            steps_form = forms.StepsJSONForm(initial={"steps_json": forms.steps_as_json(steps)})
        else:
            rows = (
                forms.steps_initial(base)
                if base is not None
                else [
                    {"kind": StepKind.LANDING_CHECK, "day": 0, "within_hours": 24},
                    {"kind": StepKind.RELEASE, "day": 0},
                ]
            )
            steps_form = forms.StepFormSet(initial=rows, prefix="steps")
    return render(
        request,
        "arrivals/plan_form.html",
        {
            "base": base,
            "latest": latest,
            "next_version": latest.version + 1 if latest else 1,
            "meta": meta,
            "steps_form": steps_form,
            "as_json": as_json,
            "creating": creating,
        },
    )


@role_required(EDITORS)
def plan_create(request):
    return _plan_form_page(request, base=None)


@role_required(EDITORS)
def plan_edit(request, mplan_pk: int):
    base = scoping.get_for_user(request.user, ManagementPlan, mplan_pk)
    return _plan_form_page(request, base=base)


@require_POST
@role_required(EDITORS)
def plan_retire(request, mplan_pk: int):
    plan = scoping.get_for_user(request.user, ManagementPlan, mplan_pk)
    form = forms.RetireForm(request.POST)
    retire = request.POST.get("retired") != "0"
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
    else:
        try:
            services.plan_retire(
                actor=request.user,
                plan=plan,
                reason=form.cleaned_data["reason"],
                retired=retire,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The plan is retired: no new arrival gets it.")
                if retire
                else _("The plan is in force again."),
            )
    return redirect("arrivals:plan-detail", mplan_pk=plan.pk)


# -- rules ------------------------------------------------------------------------


@role_required(READERS)
def rule_list(request):
    plans = {p.code: p for p in ManagementPlan.objects.order_by("code", "version")}
    rules = [
        {
            "rule": rule,
            "countries": country_names(rule.origin_countries),
            "plan": plans.get(rule.plan_code),
        }
        for rule in scoping.visible(request.user, PlanRule).order_by("sequence", "pk")
    ]
    return render(
        request,
        "arrivals/rule_list.html",
        {
            "rules": rules,
            "settings": ArrivalSettings.current(),
            "can_edit": has(request.user, EDITORS),
        },
    )


def _rule_form_page(request, rule: PlanRule | None):
    if rule is None:
        initial = {"sequence": 10, "active": True}
    else:
        initial = {
            "sequence": rule.sequence,
            "name": rule.name,
            "category": rule.category,
            "origin_countries": ", ".join(rule.origin_countries or []),
            "arrives_from": rule.arrives_from,
            "arrives_until": rule.arrives_until,
            "plan_code": rule.plan_code,
            "active": rule.active,
        }
    form = forms.RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                services.rule_create(actor=request.user, ip=client_ip(request), **form.cleaned_data)
            else:
                services.rule_update(
                    actor=request.user, rule=rule, ip=client_ip(request), **form.cleaned_data
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The rule is saved; it chooses the plan of arrivals registered from now on."),
            )
            return redirect("arrivals:rule-list")
    return render(request, "arrivals/rule_form.html", {"form": form, "rule": rule})


@role_required(EDITORS)
def rule_create(request):
    return _rule_form_page(request, None)


@role_required(EDITORS)
def rule_edit(request, plan_rule_pk: int):
    rule = scoping.get_for_user(request.user, PlanRule, plan_rule_pk)
    return _rule_form_page(request, rule)


@require_POST
@role_required(EDITORS)
def rule_delete(request, plan_rule_pk: int):
    rule = scoping.get_for_user(request.user, PlanRule, plan_rule_pk)
    try:
        services.rule_delete(actor=request.user, rule=rule, ip=client_ip(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The rule has been deleted."))
    return redirect("arrivals:rule-list")
