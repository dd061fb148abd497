"""The district's actions on an arrival: confirm a step, hand the arrival over to another
district (ask, accept, refuse, withdraw), and the city command's reassignment.

Thin: every object comes through ``waishi.orgs.scoping``, every change through
``waishi.arrivals.services``; a GET never changes anything. A refusal of a service comes
back as a message on the form or the page, never as a server error."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from waishi.arrivals import action_forms as forms
from waishi.arrivals import selectors, services
from waishi.arrivals.models import Arrival, Handover, Step
from waishi.lib import roles
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors, flash_form_errors, flash_refusal
from waishi.lib.pages import paginate
from waishi.orgs import permissions, scoping

DISTRICT = roles.DISTRICT_OFFICERS
COMMAND = roles.COMMAND
# Who reads hand-overs: the two districts of each, the city command, the auditor.
HANDOVER_READERS = roles.ARRIVALS_READERS


def _to_arrival(arrival_pk: int):
    return redirect("arrivals:arrival-detail", arrival_pk=arrival_pk)


def next_open_step(arrival: Arrival) -> Step | None:
    return Step.objects.filter(arrival=arrival, done_at__isnull=True).order_by("sequence").first()


def step_refusal(step: Step, first_open: Step | None) -> str | None:
    """Why ``step`` cannot be confirmed now (``first_open``: the arrival's first open
    step), or None. The service checks again under its lock."""
    if step.done_at is not None:
        return _("This step is already confirmed.")
    if first_open is not None and first_open.pk != step.pk:
        return _("Confirm “%(step)s” first: the steps are done in order.") % {"step": first_open}
    return None


masked_name = selectors.masked_name


def may_read_essentials(user, handover: Handover) -> bool:
    """The arrival's essentials are shown to whoever may see the arrival, and to the
    district asked while the request waits for its answer (so that it can decide)."""
    if scoping.can_see(user, handover.arrival):
        return True
    return handover.state == Handover.State.PENDING and permissions.may_for_district(
        user, DISTRICT, handover.to_district_id
    )


# -- steps ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(DISTRICT)
def step_confirm(request, arrival_step_pk: int):
    step = scoping.get_for_user(
        request.user,
        Step.objects.select_related("arrival__district", "arrival__plan", "done_by"),
        arrival_step_pk,
    )
    arrival = step.arrival
    # Why the form is not offered, on a GET; a POST hears it from the service.
    refusal = step_refusal(step, next_open_step(arrival)) if request.method == "GET" else None
    form = forms.StepConfirmForm(request.POST or None, step=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_confirm(actor=request.user, step=step, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            flash_refusal(request, exc)
            return _to_arrival(arrival.pk)
        else:
            arrival.refresh_from_db(fields=["state"])
            messages.success(
                request,
                _("“%(step)s” is confirmed. The arrival is now: %(state)s.")
                % {"step": step.label, "state": arrival.get_state_display()},
            )
            return _to_arrival(arrival.pk)
    return render(
        request,
        "arrivals/step_confirm.html",
        {"step": step, "arrival": arrival, "form": form, "refusal": refusal},
    )


# -- hand-overs ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(DISTRICT)
def handover_request(request, arrival_pk: int):
    arrival = scoping.get_for_user(
        request.user, Arrival.objects.select_related("district"), arrival_pk
    )
    pending = Handover.objects.filter(arrival=arrival, state=Handover.State.PENDING).first()
    form = forms.HandoverRequestForm(request.POST or None, arrival=arrival)
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.handover_request(
                actor=request.user,
                arrival=arrival,
                to_district=form.cleaned_data["to_district"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            flash_refusal(request, exc)
            return _to_arrival(arrival.pk)
        else:
            messages.success(
                request,
                _("%(district)s has been asked to take the arrival over.")
                % {"district": handover.to_district.name},
            )
            return _to_arrival(arrival.pk)
    return render(
        request,
        "arrivals/handover_request.html",
        {"arrival": arrival, "form": form, "pending": pending},
    )


@role_required(HANDOVER_READERS)
def handover_list(request):
    user = request.user
    search = forms.HandoverSearchForm(
        request.GET or None, district_officer=roles.has(user, DISTRICT)
    )
    data = search.cleaned_data if search.is_valid() else {}
    rows = selectors.handover_list(
        user,
        state=data.get("state") or "",
        direction=data.get("direction") or "",
        q=data.get("q") or "",
    )
    context = paginate(request, rows)
    page = list(context["page_obj"].object_list)
    selectors.name_shown(user, page)
    context.update({"search": search, "rows": page})
    return render(request, "arrivals/handover_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(HANDOVER_READERS)
def handover_detail(request, handover_pk: int):
    user = request.user
    handover = scoping.get_for_user(
        user,
        Handover.objects.select_related(
            "arrival__district", "from_district", "to_district", "requested_by", "decided_by"
        ),
        handover_pk,
    )
    pending = handover.state == Handover.State.PENDING
    in_district = roles.has(user, DISTRICT)
    can_answer = pending and permissions.may_for_district(user, DISTRICT, handover.to_district_id)
    form = forms.HandoverDecisionForm(request.POST or None)
    if request.method == "POST":
        if not in_district:
            raise PermissionDenied
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect("arrivals:handover-detail", handover_pk=handover.pk)
        response = _decide(request, handover, form, answers_here=can_answer)
        if response is not None:
            return response
    context = {
        "handover": handover,
        "arrival": handover.arrival,
        "essentials": may_read_essentials(user, handover),
        "arrival_visible": scoping.can_see(user, handover.arrival),
        "masked_name": masked_name(handover.arrival.name),
        "can_answer": can_answer,
        "can_withdraw": pending
        and permissions.may_for_district(user, DISTRICT, handover.from_district_id),
        "form": form,
    }
    return render(request, "arrivals/handover_detail.html", context)


def _decide(request, handover: Handover, form, *, answers_here: bool) -> HttpResponse | None:
    """Apply the decision; the response, or None to show the answer form again (a refusal
    without its reason, when the page has that form to show)."""
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if action != "withdraw" and not answers_here and handover.state == Handover.State.PENDING:
        # The service asks for the reason before it checks who answers: say the real
        # reason to anyone but the district asked.
        flash_refusal(
            request, PermissionDenied(_("Only the district asked may answer this hand-over."))
        )
        return redirect("arrivals:handover-detail", handover_pk=handover.pk)
    try:
        if action == "accept":
            services.handover_accept(actor=request.user, handover=handover, reason=reason)
        elif action == "refuse":
            services.handover_refuse(actor=request.user, handover=handover, reason=reason)
        else:
            services.handover_withdraw(actor=request.user, handover=handover)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and answers_here:
            apply_errors(form, exc)  # a reason is needed: the form again, with what was typed
            return None
        flash_refusal(request, exc)
        return redirect("arrivals:handover-detail", handover_pk=handover.pk)
    except PermissionDenied as exc:
        flash_refusal(request, exc)
        return redirect("arrivals:handover-detail", handover_pk=handover.pk)
    if action == "accept":
        messages.success(request, _("Your district has taken the arrival over."))
        return _to_arrival(handover.arrival_id)
    if action == "refuse":
        messages.success(request, _("The hand-over has been refused."))
        return redirect("arrivals:handover-list")
    messages.success(request, _("The hand-over request has been withdrawn."))
    return _to_arrival(handover.arrival_id)


# -- the city command --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(COMMAND)
def arrival_reassign(request, arrival_pk: int):
    arrival = scoping.get_for_user(
        request.user, Arrival.objects.select_related("district"), arrival_pk
    )
    form = forms.ReassignForm(request.POST or None, arrival=arrival)
    if request.method == "POST" and form.is_valid():
        try:
            arrival = services.arrival_reassign(
                actor=request.user,
                arrival=arrival,
                district=form.cleaned_data["district"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            flash_refusal(request, exc)
            return _to_arrival(arrival.pk)
        else:
            messages.success(
                request,
                _("The arrival now belongs to %(district)s.") % {"district": arrival.district.name},
            )
            return _to_arrival(arrival.pk)
    pending = Handover.objects.filter(arrival=arrival, state=Handover.State.PENDING).first()
    return render(
        request,
        "arrivals/arrival_reassign.html",
        {"arrival": arrival, "form": form, "pending": pending},
    )
