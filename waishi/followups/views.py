"""The follow-up pages: outcome list (filters, export), detail, forms; the unit's
obligations. Thin: scoping, forms and services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.followups import exports, forms, obligations, selectors, services, sources, workflow
from waishi.followups.models import Outcome, ProgressUpdate, Track
from waishi.followups.workflow import actions_for
from waishi.lib import downloads
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import paginate
from waishi.lib.roles import VIEWERS, has
from waishi.orgs import scoping
from waishi.orgs.models import Unit


def _outcome(request, outcome_pk: int) -> Outcome:
    qs = Outcome.objects.filter(track=Track.OUTCOME).select_related(
        "responsible_unit", "responsible_person", "created_by"
    )
    return scoping.get_for_user(request.user, qs, outcome_pk)


def _filtered(request):
    form = forms.FilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    unit = data.get("unit")
    outcomes = selectors.outcome_list(
        request.user,
        state=data.get("state") or "",
        unit_id=unit.pk if unit else None,
        kind=data.get("kind") or "",
        overdue=bool(data.get("overdue")),
        q=data.get("q") or "",
    )
    return form, outcomes


@role_required(VIEWERS)
def outcome_list(request):
    form, outcomes = _filtered(request)
    page = paginate(request, outcomes)
    return render(
        request,
        "followups/outcome_list.html",
        {
            "search": form,
            "can_add": has(request.user, workflow.MANAGES),
            "export_query": request.GET.urlencode(),
            **page,
        },
    )


@role_required(VIEWERS)
def outcome_export(request):
    _form, outcomes = _filtered(request)
    return exports.xlsx_response(request, outcomes)


def _actions(outcome: Outcome, user) -> dict:
    """The buttons of the outcome's page: ``workflow.actions_for``, as the API answers."""
    return {f"can_{action}": ok for action, ok in actions_for(user, outcome).items()}


@role_required(VIEWERS)
def outcome_detail(request, outcome_pk: int):
    outcome = _outcome(request, outcome_pk)
    return render(
        request,
        "followups/outcome_detail.html",
        {
            "outcome": outcome,
            "source_label": sources.label_of(outcome.source_type) if outcome.source_type else "",
            "source_url": sources.url_of(outcome.source_type, outcome.source_id),
            "updates": selectors.updates_of(outcome),
            "progress_form": forms.ProgressForm(),
            "complete_form": forms.CompleteForm(),
            "history": history(outcome),
            **_actions(outcome, request.user),
        },
    )


@role_required(workflow.MANAGES)
def outcome_create(request):
    initial = {
        "source_type": request.GET.get("source_type", ""),
        "source_id": request.GET.get("source_id") or None,
    }
    form = forms.OutcomeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.outcome_create(
                actor=request.user,
                title=data["title"],
                kind=data["kind"],
                description=data["description"],
                responsible_unit=data.get("responsible_unit") or request.user.unit,
                responsible_person=data["responsible_person"],
                due_date=data["due_date"],
                source_type=data.get("source_type") or "",
                source_id=data.get("source_id"),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You are not allowed to do this."))
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("followups:detail", outcome_pk=outcome.pk)
    source_type = form["source_type"].value() if "source_type" in form.fields else ""
    return render(
        request,
        "followups/outcome_form.html",
        {
            "form": form,
            "outcome": None,
            "source_label": sources.label_of(source_type) if source_type else "",
        },
    )


@role_required(workflow.MANAGES)
def outcome_edit(request, outcome_pk: int):
    outcome = _outcome(request, outcome_pk)
    if not _actions(outcome, request.user)["can_edit"]:
        raise PermissionDenied
    initial = {
        "kind": outcome.kind,
        "title": outcome.title,
        "description": outcome.description,
        "responsible_person": outcome.responsible_person_id,
        "due_date": outcome.due_date,
    }
    form = forms.OutcomeForm(
        request.POST or None, user=request.user, outcome=outcome, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.outcome_update(
                actor=request.user,
                outcome=outcome,
                ip=client_ip(request),
                **{k: data[k] for k in services.EDITABLE},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You are not allowed to do this."))
        else:
            messages.success(request, _("Outcome saved."))
            return redirect("followups:detail", outcome_pk=outcome.pk)
    return render(request, "followups/outcome_form.html", {"form": form, "outcome": outcome})


@role_required(workflow.RECORDS_PROGRESS)
def outcome_progress(request, outcome_pk: int):
    outcome = _outcome(request, outcome_pk)
    if not _actions(outcome, request.user)["can_progress"]:
        raise PermissionDenied
    form = forms.ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_add(
                actor=request.user,
                outcome=outcome,
                text=form.cleaned_data["text"],
                evidence=form.cleaned_data.get("evidence"),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You are not allowed to do this."))
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("followups:detail", outcome_pk=outcome.pk)
    return render(
        request,
        "followups/action_form.html",
        {
            "form": form,
            "outcome": outcome,
            "heading": _("Record progress"),
            "multipart": True,
            "button": _("Save"),
        },
    )


@role_required(workflow.COMPLETES)
@require_POST
def outcome_complete(request, outcome_pk: int):
    outcome = _outcome(request, outcome_pk)
    form = forms.CompleteForm(request.POST)
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    try:
        services.outcome_complete(
            actor=request.user, outcome=outcome, comment=comment, ip=client_ip(request)
        )
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The outcome is done."))
    return redirect("followups:detail", outcome_pk=outcome.pk)


@role_required(workflow.DROPS)
def outcome_drop(request, outcome_pk: int):
    outcome = _outcome(request, outcome_pk)
    form = forms.DropForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_drop(
                actor=request.user,
                outcome=outcome,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The outcome was dropped."))
            return redirect("followups:detail", outcome_pk=outcome.pk)
    return render(
        request,
        "followups/action_form.html",
        {
            "form": form,
            "outcome": outcome,
            "heading": _("Drop the outcome"),
            "button": _("Drop"),
            "danger": True,
        },
    )


@role_required(workflow.REASSIGNS)
def outcome_reassign(request, outcome_pk: int):
    outcome = _outcome(request, outcome_pk)
    form = forms.ReassignForm(
        request.POST or None,
        user=request.user,
        initial={
            "responsible_unit": outcome.responsible_unit_id,
            "responsible_person": outcome.responsible_person_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_reassign(
                actor=request.user,
                outcome=outcome,
                responsible_unit=form.cleaned_data["responsible_unit"],
                responsible_person=form.cleaned_data["responsible_person"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The outcome was given to another unit."))
            return redirect("followups:detail", outcome_pk=outcome.pk)
    return render(
        request,
        "followups/action_form.html",
        {
            "form": form,
            "outcome": outcome,
            "heading": _("Give to another unit"),
            "button": _("Save"),
        },
    )


@role_required(VIEWERS)
def evidence_download(request, update_pk: int):
    """The evidence file, to those who may see the outcome; every download is recorded.
    Served as an attachment with its checked type, never inline."""
    update = scoping.get_for_user(
        request.user, ProgressUpdate.objects.select_related("outcome"), update_pk
    )
    return downloads.stored_file(
        update.evidence,
        filename=update.evidence_name or "evidence",
        content_type=update.evidence_type,
        record=lambda: services.evidence_download(
            actor=request.user, update=update, ip=client_ip(request)
        ),
    )


@role_required(VIEWERS)
def unit_obligations(request):
    """A unit's open obligations: unit roles their own unit, the city roles any unit."""
    user = request.user
    pick = None
    if scoping.is_reader_of_everything(user):
        pick = forms.UnitPickForm(request.GET or None)
        unit = pick.cleaned_data.get("unit") if pick.is_valid() else None
    else:
        unit = Unit.objects.filter(pk=user.unit_id).first()
    items = obligations.for_unit(unit) if unit is not None else []
    return render(
        request,
        "followups/unit.html",
        {"unit": unit, "pick": pick, "items": items, "overdue": sum(i.overdue for i in items)},
    )
