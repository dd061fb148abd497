"""Approval pages: my queue with bulk approval, the FAO's rules, delegations. Thin."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from waishi.approvals import forms, selectors, services, subjects
from waishi.approvals.models import APPROVER_ROLES, ApprovalRule, ApprovalStep, Delegation
from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import paginate
from waishi.lib.roles import has
from waishi.orgs import scoping

OUTCOME_LABELS = {
    "next": gettext_lazy("Approved; passed to the next approver"),
    "approved": gettext_lazy("Approved; the approval is complete"),
    "returned": gettext_lazy("Returned"),
    "rejected": gettext_lazy("Rejected"),
}
BULK_LIMIT = 100


# --- the queue ------------------------------------------------------------------------------


@role_required(APPROVER_ROLES)
def queue(request):
    found = selectors.queue_for(request.user)
    page = paginate(request, found.steps)
    steps = list(page["page_obj"].object_list)
    rows = selectors.queue_rows(steps, found.on_behalf_for(steps))
    return render(request, "approvals/queue.html", {"rows": rows, **page})


def _chosen_ids(request) -> list[int]:
    ids = []
    for value in request.POST.getlist("steps"):
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:BULK_LIMIT]


@dataclass
class BulkResult:
    title: str
    url: str
    ok: bool
    text: str


class _Stale(Exception):
    """The step chosen was decided by someone else before this item's turn."""


def _approve_one(request, step_pk: int, comment: str, titles: dict) -> BulkResult:
    """One item of a bulk approval, in its own transaction, through the subject's own
    ``decide`` service (the same path as approving it on its page).

    The subject's service takes its locks in its own order (subject, then step); the
    step is read here without a lock and checked again afterwards: when the decision
    fell on another step (the chosen one was decided meanwhile), it is rolled back."""
    title, url = titles.get(step_pk, (f"#{step_pk}", ""))
    stale = BulkResult(title, url, False, _("Already decided by someone else."))
    step = scoping.visible(request.user, ApprovalStep).filter(pk=step_pk).first()
    if step is None:
        return BulkResult(title, url, False, _("Not found."))
    if step.state != "pending":
        return stale
    subject = subjects.get(step.subject_type)
    if subject is None:
        return BulkResult(title, url, False, _("This kind of record cannot be decided here."))
    try:
        with transaction.atomic():
            outcome = subject.decide(
                actor=request.user,
                subject_id=step.subject_id,
                decision="approve",
                comment=comment,
                ip=client_ip(request),
            )
            decided = ApprovalStep.objects.filter(pk=step_pk).values("state", "decided_by")
            if list(decided) != [{"state": "approved", "decided_by": request.user.pk}]:
                raise _Stale
    except _Stale:
        return stale
    except (PermissionDenied, ValidationError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return BulkResult(title, url, False, reason or _("You are not allowed to do this."))
    return BulkResult(title, url, True, str(OUTCOME_LABELS.get(outcome, outcome)))


@role_required(APPROVER_ROLES)
@require_POST
def bulk(request):
    """Bulk approval: the first POST shows what will be approved and asks to confirm;
    the confirming POST approves each item in its own transaction and reports each."""
    ids = _chosen_ids(request)
    comment = (request.POST.get("comment") or "").strip()[:2000]
    if not ids:
        messages.warning(request, _("Select at least one item to approve."))
        return redirect("approvals:queue")
    found = selectors.queue_for(request.user)
    steps = list(found.steps.filter(pk__in=ids))
    rows = selectors.queue_rows(steps, found.on_behalf_for(steps))
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "approvals/bulk_confirm.html",
            {"rows": rows, "comment": comment, "missing": len(ids) - len(rows)},
        )
    titles = {row.step.pk: (row.title, row.url) for row in rows}
    results = [_approve_one(request, pk, comment, titles) for pk in ids]
    return render(
        request,
        "approvals/bulk_result.html",
        {"results": results, "approved": sum(r.ok for r in results)},
    )


# --- rules ----------------------------------------------------------------------------------


@role_required(services.READS_RULES)
def rule_list(request):
    rules = scoping.visible(request.user, ApprovalRule).order_by("applies_to", "sequence", "pk")
    labels = dict(forms.subject_type_choices())
    rows = [(rule, labels.get(rule.applies_to, rule.applies_to)) for rule in rules]
    return render(
        request,
        "approvals/rule_list.html",
        {"rows": rows, "can_manage": has(request.user, services.MANAGES_RULES)},
    )


@role_required(services.READS_RULES)
def rule_detail(request, rule_pk: int):
    rule = scoping.get_for_user(request.user, ApprovalRule, rule_pk)
    return render(
        request,
        "approvals/rule_detail.html",
        {
            "rule": rule,
            "applies_to": dict(forms.subject_type_choices()).get(rule.applies_to),
            "can_manage": has(request.user, services.MANAGES_RULES),
            "history": history(rule),
        },
    )


def _rule_values(form) -> dict:
    return {
        k: form.cleaned_data[k]
        for k in (
            "name",
            "applies_to",
            "sequence",
            "approver_role",
            "conditions",
            "due_working_days",
            "active",
        )
    }


@role_required(services.MANAGES_RULES)
def rule_create(request):
    form = forms.RuleForm(request.POST or None, initial={"sequence": 1, "due_working_days": 3})
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.rule_create(
                actor=request.user, ip=client_ip(request), **_rule_values(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Approval rule saved."))
            return redirect("approvals:rule-detail", rule_pk=rule.pk)
    return render(request, "approvals/rule_form.html", {"form": form, "rule": None})


@role_required(services.MANAGES_RULES)
def rule_edit(request, rule_pk: int):
    rule = scoping.get_for_user(request.user, ApprovalRule, rule_pk)
    form = forms.RuleForm(request.POST or None, initial=forms.RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                actor=request.user, rule=rule, ip=client_ip(request), **_rule_values(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Approval rule saved."))
            return redirect("approvals:rule-detail", rule_pk=rule.pk)
    return render(request, "approvals/rule_form.html", {"form": form, "rule": rule})


@role_required(services.MANAGES_RULES)
@require_POST
def rule_deactivate(request, rule_pk: int):
    rule = scoping.get_for_user(request.user, ApprovalRule, rule_pk)
    services.rule_deactivate(actor=request.user, rule=rule, ip=client_ip(request))
    messages.success(request, _("The rule is no longer applied to new approvals."))
    return redirect("approvals:rule-detail", rule_pk=rule.pk)


# --- delegations ----------------------------------------------------------------------------


@role_required(APPROVER_ROLES)
def delegation_list(request):
    user = request.user
    # Every list starts from the scope: the delegator's own (the FAO head: all), plus the
    # delegations this account has been given.
    given = scoping.visible(user, Delegation).values("pk")
    delegations = (
        Delegation.objects.filter(Q(pk__in=given) | Q(delegate=user))
        .select_related("delegator", "delegate", "created_by")
        .order_by("-starts_on", "-pk")
    )
    page = paginate(request, delegations)
    for delegation in page["page_obj"].object_list:
        delegation.can_revoke = delegation.revoked_at is None and (
            delegation.delegator_id == user.pk or has(user, services.MANAGES_ALL_DELEGATIONS)
        )
    return render(request, "approvals/delegation_list.html", {**page})


@role_required(APPROVER_ROLES)
def delegation_create(request):
    user = request.user
    for_anyone = has(user, services.MANAGES_ALL_DELEGATIONS)
    form = forms.DelegationForm(request.POST or None, user=user, for_anyone=for_anyone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegation_create(
                actor=user,
                delegator=data.get("delegator") or user,
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                applies_to=data.get("applies_to") or "",
                reason=data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You are not allowed to do this."))
        else:
            messages.success(request, _("Delegation created."))
            return redirect("approvals:delegation-list")
    return render(request, "approvals/delegation_form.html", {"form": form})


@role_required(APPROVER_ROLES)
@require_POST
def delegation_revoke(request, delegation_pk: int):
    delegation = scoping.get_for_user(request.user, Delegation, delegation_pk)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation, ip=client_ip(request))
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delegation revoked."))
    return redirect("approvals:delegation-list")
