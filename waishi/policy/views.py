"""The FAO's policy pages: the rules in force, every version, and the head's change form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.roles import POLICY_READERS, has
from waishi.orgs import scoping
from waishi.policy import forms, labels, live, selectors, services
from waishi.policy.models import PolicySet
from waishi.policy.params import SCHEMA

READERS = POLICY_READERS


def _rules(version: PolicySet | None, policy) -> list[dict]:
    parameters = version.parameters if version else policy.parameters
    citations = policy.citations
    return [
        {
            "code": code,
            "description": labels.rule_title(code),
            "parameters": labels.described(code, parameters.get(code, {})),
            "citation": citations.get(code, ""),
        }
        for code in SCHEMA
    ]


@role_required(READERS)
def index(request):
    today = timezone.localdate()
    current = selectors.version_in_force(today)
    policy = selectors.policy_in_force_db(today)
    rows = scoping.visible(request.user, PolicySet).select_related("created_by")
    return render(
        request,
        "policy/index.html",
        {
            "current": current,
            "policy": policy,
            "rules": _rules(current, policy),
            "versions": rows.order_by("name", "-effective_from"),
            "can_change": has(request.user, services.CHANGES_POLICY),
        },
    )


@role_required(READERS)
def detail(request, policy_pk: int):
    version = scoping.get_for_user(
        request.user, PolicySet.objects.select_related("created_by"), policy_pk
    )
    return render(
        request,
        "policy/detail.html",
        {
            "version": version,
            "rules": _rules(version, version.to_policy()),
            "history": history(version),
        },
    )


@role_required(READERS)
def change(request):
    """Pick a rule, then edit its parameters as typed fields starting from the values of
    the newest version (which may start after today)."""
    if not has(request.user, services.CHANGES_POLICY):
        raise PermissionDenied
    rule = request.POST.get("rule") or request.GET.get("rule")
    if rule not in SCHEMA:
        if request.method == "POST":
            messages.error(request, _("Unknown rule."))
        latest = selectors.versions().first()
        policy = (
            latest.to_policy() if latest else selectors.policy_in_force_db(timezone.localdate())
        )
        return render(
            request,
            "policy/change_pick.html",
            {"rules": _rules(latest, policy), "status": 400 if request.method == "POST" else 200},
            status=400 if request.method == "POST" else 200,
        )
    latest = selectors.versions().first()
    base = latest.to_policy() if latest else selectors.policy_in_force_db(timezone.localdate())
    form = forms.RuleChangeForm(request.POST or None, rule=rule, current=base.parameters[rule])
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_parameter_change(
                actor=request.user,
                ip=client_ip(request),
                rule=rule,
                values=form.cleaned_data["values"],
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Policy version %(version)s created.") % {"version": version.version}
            )
            return redirect("policy:detail", policy_pk=version.pk)
    return render(
        request,
        "policy/change.html",
        {
            "form": form,
            "rule": rule,
            "description": labels.rule_title(rule),
            "citation": base.citations.get(rule, ""),
            "base": latest,
        },
    )


@role_required(READERS)
def try_check(request):
    """The trial page: a trip as JSON, findings beside it (live through ``live_check``)."""
    form = forms.TryForm(request.POST or None)
    check = None
    if request.method == "POST" and form.is_valid():
        check = live.evaluate(form.cleaned_data["trip"], on=form.cleaned_data["on"])
    return render(request, "policy/try.html", {"form": form, "check": check})


@require_POST
@role_required(READERS)
def live_check(request):
    """The htmx fragment: findings for the posted trip, or what is missing to judge it."""
    form = forms.TryForm(request.POST)
    if form.is_valid():
        check = live.evaluate(form.cleaned_data["trip"], on=form.cleaned_data["on"])
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        check = live.LiveCheck(error="; ".join(errors))
    return render(request, "policy/_findings.html", {"check": check})


@role_required(READERS)
def hot_destinations(request):
    """The hot/tourist destination list (HOT_DESTINATION) in force; the FAO head edits it,
    each save being a new policy version like any other parameter change."""
    today = timezone.localdate()
    current = selectors.policy_in_force_db(today)
    in_force = list(current.parameters["HOT_DESTINATION"]["destinations"])
    # Changes build on the newest version, which may start later than today.
    latest = selectors.versions().first()
    scheduled = latest if latest is not None and latest.effective_from > today else None
    destinations = (
        list(scheduled.parameters["HOT_DESTINATION"]["destinations"]) if scheduled else in_force
    )
    can_change = has(request.user, services.CHANGES_POLICY)
    form = None
    if can_change:
        form = forms.HotDestinationForm(request.POST or None, destinations=destinations)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            version = services.policy_parameter_change(
                actor=request.user,
                ip=client_ip(request),
                rule="HOT_DESTINATION",
                values={"destinations": form.cleaned_data["destinations"]},
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Policy version %(version)s created.") % {"version": version.version}
            )
            return redirect("policy:hot")
    return render(
        request,
        "policy/hot.html",
        {
            "form": form,
            "rows": [forms.place_label(entry) for entry in in_force],
            "scheduled": scheduled,
            "scheduled_rows": [forms.place_label(entry) for entry in destinations],
            "policy": current,
        },
    )
