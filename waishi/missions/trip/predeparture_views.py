"""The "出发前准备" page of an approved trip: the checklist of what still blocks departure,
and the forms with which the unit records the head's acknowledgment, each member's
pre-departure education and the temporary Party branch. Thin: parse, call a service
(``trip.predeparture``) or ``readiness``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from waishi.audit.services import client_ip
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors, flash_form_errors, flash_refusal
from waishi.lib.roles import VIEWERS
from waishi.missions.core import readiness, selectors
from waishi.missions.models import (
    TRAVELLED_STATES,
    Education,
    LeaderAcknowledgment,
    Member,
    Mission,
    PartyBranch,
)
from waishi.missions.trip import forms, predeparture
from waishi.orgs import scoping

PREPARERS = predeparture.PREPARERS


def _mission(request, mission_pk) -> Mission:
    return selectors.mission_detail(request.user, mission_pk)


def _page(mission_pk: int):
    return redirect("missions:predeparture", mission_pk=mission_pk)


def _members(mission: Mission) -> list[Member]:
    return list(
        Member.objects.filter(mission=mission)
        .select_related("person", "education")
        .order_by("order", "pk")
    )


def _party_members(members: list[Member]) -> list[Member]:
    def is_party(m: Member) -> bool:
        if m.snapshot and "party_member" in m.snapshot:
            return bool(m.snapshot["party_member"])
        return bool(m.person.is_party_member)

    return [m for m in members if is_party(m)]


@role_required(VIEWERS)
def mission_predeparture(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    if mission.state not in TRAVELLED_STATES:
        messages.info(request, _("Departure is prepared once the trip is approved."))
        return redirect("missions:detail", mission_pk=mission.pk)
    members = _members(mission)
    leader = next((m for m in members if m.is_leader), None)
    acknowledgment = (
        LeaderAcknowledgment.objects.filter(mission=mission)
        .select_related("member__person", "recorded_by")
        .first()
    )
    branch_rule = readiness.party_branch_rule(mission)
    branch = (
        PartyBranch.objects.filter(mission=mission)
        .select_related("secretary__person", "recorded_by")
        .first()
    )
    checklist = readiness.departure_checklist(mission)
    can_prepare = predeparture.may_prepare(request.user, mission)
    ack_form = forms.LeaderAcknowledgmentForm(
        initial={"acknowledged_on": acknowledgment.acknowledged_on, "note": acknowledgment.note}
        if acknowledgment
        else None
    )
    branch_form = forms.PartyBranchForm(
        members=_party_members(members),
        initial={
            "secretary": branch.secretary_id,
            "members_count": branch.members_count,
            "approved_by": branch.approved_by,
            "approved_on": branch.approved_on,
        }
        if branch
        else {"members_count": branch_rule.party_members or None},
    )
    return render(
        request,
        "missions/predeparture.html",
        {
            "mission": mission,
            "members": members,
            "leader": leader,
            "acknowledgment": acknowledgment,
            "acknowledgment_current": acknowledgment is not None
            and leader is not None
            and acknowledgment.member_id == leader.pk,
            "branch_rule": branch_rule,
            "branch": branch,
            "checklist": checklist,
            "blockers": [label for label, done in checklist if not done],
            "can_prepare": can_prepare,
            "ack_form": ack_form,
            "branch_form": branch_form,
        },
    )


@require_POST
@role_required(PREPARERS)
def mission_leader_acknowledge(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    form = forms.LeaderAcknowledgmentForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _page(mission.pk)
    try:
        predeparture.leader_acknowledge(
            actor=request.user,
            mission=mission,
            acknowledged_on=form.cleaned_data["acknowledged_on"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The acknowledgment of the head of delegation is recorded."))
    return _page(mission.pk)


@role_required(PREPARERS)
def mission_member_education(request, mission_pk: int, member_pk: int):
    """The form of one member's pre-departure education (recorded, or corrected)."""
    mission = _mission(request, mission_pk)
    member = scoping.get_for_user(
        request.user, Member.objects.filter(mission=mission).select_related("person"), member_pk
    )
    if not predeparture.may_prepare(request.user, mission):
        if request.method == "POST":
            raise PermissionDenied
        messages.warning(request, _("You cannot record the preparations of this trip."))
        return _page(mission.pk)
    existing = Education.objects.filter(member=member).first()
    initial = (
        {
            "given_on": existing.given_on,
            "method": existing.method,
            "given_by": existing.given_by,
            "note": existing.note,
        }
        if existing
        else None
    )
    form = forms.EducationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            predeparture.education_record(
                actor=request.user,
                mission=mission,
                member=member,
                given_on=data["given_on"],
                method=data["method"],
                given_by=data["given_by"],
                note=data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You are not allowed to do this."))
        else:
            messages.success(
                request,
                _("The pre-departure education of %(name)s is recorded.")
                % {"name": member.person.name},
            )
            return _page(mission.pk)
    return render(
        request,
        "missions/education_form.html",
        {"mission": mission, "member": member, "education": existing, "form": form},
    )


@role_required(PREPARERS)
def mission_education_all(request, mission_pk: int):
    """One education session recorded for every member who attended (all ticked at
    first), through ``predeparture.education_record_many``: all of them or none."""
    mission = _mission(request, mission_pk)
    if not predeparture.may_prepare(request.user, mission):
        if request.method == "POST":
            raise PermissionDenied
        messages.warning(request, _("You cannot record the preparations of this trip."))
        return _page(mission.pk)
    members = _members(mission)
    form = forms.BulkEducationForm(
        request.POST if request.method == "POST" else None,
        members=members,
        initial={"members": [m.pk for m in members]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = predeparture.education_record_many(
                actor=request.user,
                mission=mission,
                members=data["members"],
                given_on=data["given_on"],
                method=data["method"],
                given_by=data["given_by"],
                note=data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You are not allowed to do this."))
        else:
            messages.success(
                request,
                ngettext(
                    "The pre-departure education of %(count)d member is recorded.",
                    "The pre-departure education of %(count)d members is recorded.",
                    len(rows),
                )
                % {"count": len(rows)},
            )
            return _page(mission.pk)
    return render(
        request,
        "missions/education_bulk_form.html",
        {"mission": mission, "members": members, "form": form},
    )


@require_POST
@role_required(PREPARERS)
def mission_party_branch(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    form = forms.PartyBranchForm(request.POST, members=_party_members(_members(mission)))
    if not form.is_valid():
        flash_form_errors(request, form)
        return _page(mission.pk)
    data = form.cleaned_data
    try:
        predeparture.party_branch_record(
            actor=request.user,
            mission=mission,
            secretary=data["secretary"],
            members_count=data["members_count"],
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The temporary Party branch is recorded."))
    return _page(mission.pk)
