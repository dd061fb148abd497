"""The FAO's policy pages: the rules in force, every version, and the head's change form."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.roles import Role, has
from waishi.orgs import scoping
from waishi.policy import forms, selectors, services
from waishi.policy.models import PolicySet
from waishi.policy.params import SCHEMA

READERS = frozenset({Role.FAO_REVIEWER, Role.FAO_HEAD, Role.COMMITTEE, Role.AUDITOR})

# What each rule checks, for people (policy-rules.md); Chinese from the catalogue.
DESCRIPTIONS = {
    "CATEGORY_MISMATCH": gettext_lazy("The trip category fits the members' ranks"),
    "GROUP_SIZE": gettext_lazy("At most this many members in a delegation"),
    "COUNTRY_COUNT": gettext_lazy("At most this many countries or regions per trip"),
    "STAY_DAYS": gettext_lazy("Days abroad within the limit for the number of countries"),
    "ONE_CONTINENT": gettext_lazy("The stops lie on one continent"),
    "ITINERARY_INCONSISTENT": gettext_lazy("Dates and stops of the itinerary agree"),
    "TASK_PER_MEMBER": gettext_lazy("Every member has a task on this trip"),
    "NO_SIGHTSEEING": gettext_lazy("No sightseeing days"),
    "BUSINESS_RATIO": gettext_lazy("Official business fills enough of the schedule"),
    "NO_FAMILY": gettext_lazy("No spouses or children in the delegation"),
    "RETIRED_MEMBER": gettext_lazy("No retired members"),
    "INVITATION_MISSING": gettext_lazy("An invitation exists"),
    "INVITATION_SOURCE": gettext_lazy("The invitation does not come from a forbidden source"),
    "HOT_DESTINATION": gettext_lazy("Stops on the hot or tourist destination list"),
    "FREQUENCY": gettext_lazy("Members have not travelled too often within the window"),
    "SAME_UNIT_LEADERS": gettext_lazy("Leaders of the same unit do not travel together"),
    "NOT_IN_PLAN": gettext_lazy("The trip is in the approved annual plan"),
    "LEAD_TIME": gettext_lazy("Submitted early enough before departure"),
    "PARTY_BRANCH": gettext_lazy("A temporary Party branch for enough Party members"),
    "BUDGET_STANDARD": gettext_lazy("Budget within the lodging, meal and incidental standards"),
    "BUDGET_MISSING": gettext_lazy("A budget is given"),
}


def _rules(version: PolicySet | None, policy) -> list[dict]:
    parameters = version.parameters if version else policy.parameters
    citations = policy.citations
    return [
        {
            "code": code,
            "description": DESCRIPTIONS.get(code, ""),
            "parameters": json.dumps(parameters.get(code, {}), ensure_ascii=False),
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
    if not has(request.user, services.CHANGES_POLICY):
        raise PermissionDenied
    initial = {}
    rule = request.GET.get("rule")
    if rule in SCHEMA:
        # Start from the values in force, so the head edits rather than retypes them.
        current = selectors.policy_in_force_db(timezone.localdate())
        initial = {"rule": rule, "values": json.dumps(current.parameters[rule], ensure_ascii=False)}
    form = forms.ParameterChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_parameter_change(
                actor=request.user,
                ip=client_ip(request),
                **{k: form.cleaned_data[k] for k in ("rule", "values", "effective_from", "reason")},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Policy version %(version)s created.") % {"version": version.version}
            )
            return redirect("policy:detail", policy_pk=version.pk)
    return render(request, "policy/change.html", {"form": form})
