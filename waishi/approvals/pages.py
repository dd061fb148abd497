"""The one decision page of every subject of an approval chain.

A GET shows the form (a notification link lands here), saying first what blocks the
approval now (the policy's errors, the subject's ``blockers``) and then not offering it;
a first POST shows what will be done and asks to confirm; the confirming POST decides
through the subject's service, as the API does (the policy is checked there, once); the
page runs the subject's check itself only to show its findings, and again when the service
refuses. A subject gives its own parts: whether the user may decide now, the service call,
the check, its page's context, its two templates, its outcome messages and where to go
afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from waishi.approvals.forms import DecisionForm
from waishi.approvals.selectors import may_override
from waishi.lib.forms import apply_errors


@dataclass(frozen=True)
class DecisionPage:
    """A subject's parts of its decision page."""

    # (the pending step or None, may the user decide it, on whose behalf, why not)
    state: tuple[Any, bool, Any, str | None]
    # the subject's decision service, given the valid form; returns the outcome
    decide: Callable[[DecisionForm], str]
    # the policy check of the subject as it would be approved (ValidationError: not run)
    recheck: Callable[[], dict]
    # the subject's context, given the page's shared part (form, step, findings)
    context: Callable[[dict], dict]
    template: str
    confirm_template: str
    outcomes: dict
    done: Callable[[], HttpResponse]
    comment_fields: dict | None = None
    # what blocks the approval now besides the policy's errors, in words (e.g. a trip's
    # publicity still running, its plan not approved): said before approval is offered
    blockers: Callable[[], list[str]] | None = None


def _findings(page: DecisionPage) -> tuple[list[dict], list[dict], str]:
    """(errors nobody may override, *principle* errors, why the check could not run)."""
    try:
        result = page.recheck()
    except ValidationError as exc:
        return [], [], " ".join(exc.messages)
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    principle = [f for f in errors if (f.get("data") or {}).get("principle")]
    return [f for f in errors if f not in principle], principle, ""


def _form(
    request, page: DecisionPage, behalf, *, override: bool, approve: bool = True
) -> DecisionForm:
    return DecisionForm(
        request.POST or None,
        override=override and may_override(request.user, behalf),
        comment_fields=page.comment_fields,
        approve=approve,
    )


def _decided(request, page: DecisionPage, outcome: str) -> HttpResponse:
    messages.success(request, str(page.outcomes.get(outcome, outcome)))
    return page.done()


def decision_page(request, page: DecisionPage) -> HttpResponse:
    step, ok, behalf, reason = page.state
    if not ok:
        messages.warning(request, reason or _("Nothing on this record is waiting for you."))
        return page.done()
    refusal = None
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        posted = _form(request, page, behalf, override=True)
        if posted.is_valid():
            try:
                outcome = page.decide(posted)
            except (ValidationError, PermissionDenied) as exc:
                refusal = exc
            else:
                return _decided(request, page, outcome)
    hard, principle, check_problem = _findings(page)
    blockers = list(page.blockers()) if page.blockers is not None else []
    # What blocks the approval is said first, and the approval is then not offered.
    blocked = bool(hard or blockers)
    form = _form(request, page, behalf, override=bool(principle), approve=not blocked)
    context = page.context(
        {
            "step": step,
            "on_behalf_of": behalf,
            "form": form,
            "hard": hard,
            "principle": principle,
            "check_problem": check_problem,
            "blockers": blockers,
            "approval_blocked": blocked,
        }
    )
    if request.method == "POST":
        valid = form.is_valid()
        if refusal is not None:  # the service refused the confirmed decision: say why
            _refused(form, refusal)
        elif valid:
            if request.POST.get("confirm") != "yes":
                return render(request, page.confirm_template, context)
            try:
                outcome = page.decide(form)
            except (ValidationError, PermissionDenied) as exc:
                _refused(form, exc)
            else:
                return _decided(request, page, outcome)
    return render(request, page.template, context)


def _refused(form: DecisionForm, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        apply_errors(form, exc)
    else:
        form.add_error(None, str(exc) or _("You are not allowed to do this."))
