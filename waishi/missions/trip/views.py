"""The "出访期间与回国" page of a trip: departure and return confirmed with the actual
dates, deviations from the itinerary in force, incidents, and closing once the report is
accepted and every passport is back. Thin: parse, call ``trip.services`` or
``readiness``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.services import client_ip
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors, flash_form_errors, flash_refusal
from waishi.lib.roles import VIEWERS
from waishi.lib.workflow import WorkflowError
from waishi.missions.core import readiness, selectors
from waishi.missions.core.workflow import actions_for
from waishi.missions.models import (
    TRAVELLED_STATES,
    Incident,
    Member,
    Mission,
    State,
    TripReport,
)
from waishi.missions.trip import forms
from waishi.missions.trip import services as trip
from waishi.orgs import scoping


def _mission(request, mission_pk) -> Mission:
    return selectors.mission_detail(request.user, mission_pk)


def _page(mission_pk: int):
    return redirect("missions:travel", mission_pk=mission_pk)


def _members(mission: Mission) -> list[Member]:
    return list(Member.objects.filter(mission=mission).select_related("person").order_by("order"))


@role_required(VIEWERS)
def mission_travel(request, mission_pk: int):
    return _travel_page(request, _mission(request, mission_pk))


def _travel_page(request, mission: Mission, *, deviation: dict | None = None):
    """The page; ``deviation``: a date just posted that deviates from the approved
    itinerary ({"action", "form", "problems"}), asking for its reason and confirmation."""
    if mission.state not in TRAVELLED_STATES:
        messages.info(request, _("Departure and return are confirmed once the trip is approved."))
        return redirect("missions:detail", mission_pk=mission.pk)
    user = request.user
    checklist = readiness.departure_checklist(mission) if mission.state == State.APPROVED else []
    close_lines = readiness.close_checklist(mission) if mission.state == State.BACK else []
    blockers = [label for label, done in checklist if not done]
    close_blockers = [label for label, done in close_lines if not done]
    actions = actions_for(user, mission)
    incidents = (
        Incident.objects.filter(mission=mission)
        .select_related("member__person", "recorded_by")
        .order_by("-occurred_at", "-pk")
    )
    return render(
        request,
        "missions/travel.html",
        {
            "mission": mission,
            "deviations": trip.deviations(mission),
            "checklist": checklist,
            "blockers": blockers,
            "close_lines": close_lines,
            "close_blockers": close_blockers,
            "can_depart": actions["depart"] is None,
            "can_return": actions["come_back"] is None,
            "can_close": actions["close"] is None,
            "date_form": forms.ActualDateForm(initial={"day": timezone.localdate()}),
            "deviation": deviation,
            "incidents": incidents,
            "can_record": trip.may_record_incident(user, mission),
            "report": TripReport.objects.filter(mission=mission).first(),
        },
    )


# The fields of a refusal that ask for the second step (the reason, its confirmation).
DEVIATION_FIELDS = ("deviation_reason", "deviation_confirmed")


def _confirm(request, mission_pk: int, service, done_message: str, action: str):
    mission = _mission(request, mission_pk)
    form = forms.ActualDateForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _page(mission.pk)
    data = form.cleaned_data
    try:
        service(
            actor=request.user,
            mission=mission,
            on=data["day"],
            ip=client_ip(request),
            deviation_reason=data["deviation_reason"],
            deviation_confirmed=data["deviation_confirmed"],
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        if not any(name in errors for name in DEVIATION_FIELDS):
            flash_refusal(request, exc)
            return _page(mission.pk)
        # The second step: the same page, the date kept, asking for the reason and the
        # confirmation (nothing is recorded until both are given).
        # Errors under the fields only once they were on the page (the second step).
        if any(name in request.POST for name in DEVIATION_FIELDS):
            for name in DEVIATION_FIELDS:
                for message in errors.get(name, []):
                    form.add_error(name, message)
        problems = _deviations_of(mission, data["day"], action)
        return _travel_page(
            request, mission, deviation={"action": action, "form": form, "problems": problems}
        )
    except (PermissionDenied, WorkflowError) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, done_message)
    return _page(mission.pk)


def _deviations_of(mission: Mission, day, action: str) -> list[str]:
    """The deviations of ``day`` in words, for the second step's box."""
    if action == "depart":
        return trip.departure_deviations(mission, day)
    return trip.return_deviations(mission, day)


@require_POST
@role_required(trip.CONFIRMERS)
def mission_depart(request, mission_pk: int):
    return _confirm(
        request,
        mission_pk,
        trip.mission_depart,
        _("The departure is recorded."),
        "depart",
    )


@require_POST
@role_required(trip.CONFIRMERS)
def mission_come_back(request, mission_pk: int):
    return _confirm(
        request,
        mission_pk,
        trip.mission_come_back,
        _("The return is recorded. The trip report is now due."),
        "come_back",
    )


@require_POST
@role_required(trip.CONFIRMERS)
def mission_close(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    try:
        trip.mission_close(actor=request.user, mission=mission, ip=client_ip(request))
    except (ValidationError, PermissionDenied, WorkflowError) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The trip is closed."))
    return _page(mission.pk)


def _incident_form_page(request, mission: Mission, incident: Incident | None):
    members = _members(mission)
    initial = None
    if incident is not None:
        initial = {
            "kind": incident.kind,
            "occurred_at": timezone.localtime(incident.occurred_at),
            "place": incident.place,
            "member": incident.member_id or "",
            "report": incident.report,
            "follow_up": incident.follow_up,
        }
    form = forms.IncidentForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST":
        if not trip.may_record_incident(request.user, mission):
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if incident is None:
                    trip.incident_record(
                        actor=request.user, mission=mission, data=data, ip=client_ip(request)
                    )
                else:
                    trip.incident_update(
                        actor=request.user,
                        incident=incident,
                        data=data,
                        close="close" in request.POST,
                        ip=client_ip(request),
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You are not allowed to do this."))
            else:
                messages.success(request, _("The incident is recorded."))
                return _page(mission.pk)
    elif not trip.may_record_incident(request.user, mission) and incident is None:
        messages.warning(request, _("You cannot record incidents of this trip now."))
        return _page(mission.pk)
    return render(
        request,
        "missions/incident_form.html",
        {
            "mission": mission,
            "incident": incident,
            "form": form,
            "can_record": trip.may_record_incident(request.user, mission),
        },
    )


@role_required(trip.INCIDENT_RECORDERS)
def incident_create(request, mission_pk: int):
    return _incident_form_page(request, _mission(request, mission_pk), None)


@role_required(VIEWERS)
def incident_edit(request, mission_pk: int, incident_pk: int):
    mission = _mission(request, mission_pk)
    incident = scoping.get_for_user(
        request.user,
        Incident.objects.filter(mission=mission).select_related("member__person", "recorded_by"),
        incident_pk,
    )
    return _incident_form_page(request, mission, incident)
