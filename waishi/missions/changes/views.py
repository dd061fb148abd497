"""Pages of the itinerary versions and change requests of an approved trip: the
"行程与变更" page (versions in force and past, the open change, past changes), the change
form (dates, stops, members, reason, justifications, live findings), the change with its
check and approval chain, the approver's decision (confirmed before it is taken), and the
compare page. Thin: parse, call a service (``changes.services``) or ``itinerary``, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from waishi.approvals.forms import DecisionForm
from waishi.approvals.pages import DecisionPage, decision_page
from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors, flash_refusal
from waishi.lib.roles import VIEWERS
from waishi.missions.changes import forms as change_forms
from waishi.missions.changes import services as changes
from waishi.missions.changes.workflow import APPROVERS, CHANGE, IN_CHAIN, OPEN_STATES
from waishi.missions.core import checking, itinerary, selectors
from waishi.missions.models import TRAVELLED_STATES, ChangeRequest, ItineraryVersion, Mission
from waishi.orgs import scoping
from waishi.orgs.models import Person
from waishi.policy import live

CLERKS = changes.REQUESTERS
OUTCOMES = {
    "next": gettext_lazy("Approved; the change goes to the next approver."),
    "approved": gettext_lazy("Approved; the change is in force as the new itinerary version."),
    "returned": gettext_lazy("Returned to the unit for changes."),
    "rejected": gettext_lazy("Rejected."),
}


def _mission(request, mission_pk) -> Mission:
    return selectors.mission_detail(request.user, mission_pk)


def _change(request, mission: Mission, change_pk) -> ChangeRequest:
    return scoping.get_for_user(
        request.user,
        ChangeRequest.objects.filter(mission=mission).select_related("mission", "created_by"),
        change_pk,
    )


def _changes_page(mission_pk: int):
    return redirect("missions:changes", mission_pk=mission_pk)


def _detail_page(change: ChangeRequest):
    return redirect("missions:change-detail", mission_pk=change.mission_id, change_pk=change.pk)


def _countries(version: dict) -> list[str]:
    return itinerary.counted_countries(version.get("stops") or [])


# --- the trip's versions and changes ----------------------------------------------------------


@role_required(VIEWERS)
def mission_changes(request, mission_pk: int):
    """行程与变更: the itinerary in force, every recorded version, the change in flight and
    the changes decided before."""
    mission = _mission(request, mission_pk)
    if mission.state not in TRAVELLED_STATES:
        messages.info(request, _("Changes are requested once the trip is approved."))
        return redirect("missions:detail", mission_pk=mission.pk)
    versions = list(
        ItineraryVersion.objects.filter(mission=mission)
        .select_related("change_request", "created_by")
        .order_by("-number")
    )
    rows = [
        {
            "version": v,
            "countries": _countries(itinerary.version_dict(v)),
            "days": itinerary.days_abroad(itinerary.version_dict(v)),
            "members": len(v.members or []),
            "in_force": v.number == mission.itinerary_version,
        }
        for v in versions
    ]
    current = itinerary.current(mission)
    all_changes = list(
        ChangeRequest.objects.filter(mission=mission)
        .select_related("created_by")
        .order_by("-number")
    )
    open_change = next((c for c in all_changes if c.state in OPEN_STATES), None)
    return render(
        request,
        "missions/changes/list.html",
        {
            "mission": mission,
            "versions": rows,
            "current": current,
            "current_countries": _countries(current),
            "current_days": itinerary.days_abroad(current),
            "open_change": open_change,
            "past_changes": [c for c in all_changes if c is not open_change],
            "can_request": changes.may_request(request.user, mission) and open_change is None,
            "workflow": CHANGE.people_table(),
        },
    )


# --- the change form --------------------------------------------------------------------------


def _people_to_add(user, mission: Mission, proposal: dict):
    """The unit's active people the clerk may pick, not in the proposal yet."""
    taken = [m.get("person_id") for m in proposal.get("members") or []]
    return (
        scoping.visible(user, Person)
        .filter(is_active=True, unit_id=mission.unit_id)
        .exclude(pk__in=[pk for pk in taken if pk])
        .order_by("name_pinyin", "name", "pk")
    )


def _live(mission: Mission, proposal: dict, base: dict) -> dict:
    """The live policy check of the trip as ``proposal`` would make it, and what differs
    from ``base``."""
    check = live.evaluate(changes.proposal_input(mission, proposal))
    names = [m.get("name", "") for m in proposal.get("members") or []]
    return {
        "check": check,
        "member_names": names,
        "kinds": itinerary.kinds_of(base, proposal),
        "differences": itinerary.compare(base, proposal),
    }


def _justification_rows(check, given: dict, mission: Mission) -> list[dict]:
    """The findings that need a written justification, with what is written so far."""
    rows = []
    for finding in check.findings:
        if not checking.needs_justification(finding):
            continue
        key = checking.finding_key(finding)
        text = given.get(key, "")
        if not text and "#" not in key:
            text = (mission.justifications or {}).get(key, "")
        if not text and finding["rule"] == "NOT_IN_PLAN":
            text = mission.out_of_plan_reason
        rows.append({"key": key, "finding": finding, "text": text})
    return rows


def _forms(request, mission: Mission, proposal: dict, reason: str, bound: bool):
    data = request.POST if bound else None
    basics = change_forms.ChangeForm(
        data,
        initial={
            "departure_date": proposal.get("departure_date"),
            "return_date": proposal.get("return_date"),
            "reason": reason,
        },
    )
    stops = change_forms.ChangeStopFormSet(
        data,
        prefix="stops",
        initial=[
            {k: s.get(k) for k in ("country", "city", "arrive", "depart", "transit_airside")}
            for s in proposal.get("stops") or []
        ],
    )
    members = change_forms.ChangeMemberFormSet(
        data,
        prefix="members",
        initial=[
            {"person_id": m["person_id"], "task": m.get("task"), "is_leader": m.get("is_leader")}
            for m in proposal.get("members") or []
        ],
    )
    add = change_forms.AddPersonForm(data, people=_people_to_add(request.user, mission, proposal))
    by_id = {m["person_id"]: m for m in proposal.get("members") or []}
    member_rows = []
    for form in members.forms:
        pid = form.initial.get("person_id")
        if pid is None and bound:
            try:
                pid = int(form["person_id"].value())
            except (TypeError, ValueError):
                pid = None
        member_rows.append((by_id.get(pid, {"person_id": pid}), form))
    return {
        "basics": basics,
        "stops": stops,
        "members": members,
        "member_rows": member_rows,
        "add": add,
    }


class _Invalid(Exception):
    pass


def _posted(request, ctx: dict) -> tuple[dict, str, dict]:
    """(the proposal as typed, the reason, the justifications) from the posted forms,
    with the row a remove button names taken out and the person picked added."""
    basics, stops, members, add = ctx["basics"], ctx["stops"], ctx["members"], ctx["add"]
    if not all(f.is_valid() for f in (basics, stops, members, add)):
        raise _Invalid
    remove = request.POST.get("remove", "")
    stop_rows = []
    for index, row in enumerate(stops.cleaned_data):
        if not row or remove == f"stop-{index}":
            continue
        stop_rows.append({k: row.get(k) for k in ("country", "city", "arrive", "depart")})
        stop_rows[-1]["transit_airside"] = bool(row.get("transit_airside"))
    member_rows = [
        {"person_id": row["person_id"], "task": row.get("task", ""), "is_leader": row["is_leader"]}
        for row in members.cleaned_data
        if row and remove != f"member-{row['person_id']}"
    ]
    person = add.cleaned_data.get("add_person")
    if person is not None and all(r["person_id"] != person.pk for r in member_rows):
        member_rows.append({"person_id": person.pk, "task": "", "is_leader": False})
    proposal = {
        "departure_date": basics.cleaned_data.get("departure_date"),
        "return_date": basics.cleaned_data.get("return_date"),
        "stops": stop_rows,
        "members": member_rows,
    }
    justifications = {
        key.removeprefix("justify-"): value
        for key, value in request.POST.items()
        if key.startswith("justify-")
    }
    return proposal, basics.cleaned_data.get("reason", ""), justifications


def _render_form(request, mission, change, ctx, proposal, given, *, status=200):
    base = changes.base_of(change) if change is not None else itinerary.current(mission)
    returned = None
    if change is not None and change.state == "returned":
        returned = next(
            (s for s in reversed(changes.chain_of(change)) if s.state == "returned"), None
        )
    try:
        found = _live(mission, proposal, base)
    except ValidationError as exc:  # pragma: no cover - a proposal that cannot be judged
        found = {"check": live.LiveCheck(error=" ".join(exc.messages)), "kinds": []}
    return render(
        request,
        "missions/changes/form.html",
        {
            "mission": mission,
            "change": change,
            "base": base,
            "base_number": change.base_number if change else (mission.itinerary_version or 1),
            "returned_step": returned,
            "proposal_shown": proposal,
            "justification_rows": _justification_rows(found["check"], given, mission),
            **found,
            **ctx,
        },
        status=status,
    )


def _save_and_maybe_submit(request, mission, change, ctx, proposal, reason, justifications):
    """Save the change (create it on the first save), then submit it when asked. A
    refused submission keeps what was saved and says why."""
    ip = client_ip(request)
    if change is None:
        change = changes.change_create(
            actor=request.user,
            mission=mission,
            proposed=proposal,
            reason=reason,
            justifications=justifications,
            ip=ip,
        )
    else:
        change = changes.change_update(
            actor=request.user,
            change=change,
            version=request.POST.get("version"),
            proposed=proposal,
            reason=reason,
            justifications=justifications,
            ip=ip,
        )
    if request.POST.get("action") != "submit":
        messages.success(request, _("The change request is saved."))
        return redirect("missions:change-edit", mission_pk=mission.pk, change_pk=change.pk)
    try:
        changes.change_submit(actor=request.user, change=change, version=change.version, ip=ip)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
        return redirect("missions:change-edit", mission_pk=mission.pk, change_pk=change.pk)
    messages.success(request, _("The change request has been submitted for approval."))
    return _detail_page(change)


def _form_view(request, mission: Mission, change: ChangeRequest | None):
    if change is None:
        proposal, reason, given = itinerary.current(mission), "", {}
    else:
        proposal, reason, given = change.proposed or {}, change.reason, change.justifications
    if request.method != "POST":
        ctx = _forms(request, mission, proposal, reason, bound=False)
        return _render_form(request, mission, change, ctx, proposal, given)
    ctx = _forms(request, mission, proposal, reason, bound=True)
    try:
        posted, reason, justifications = _posted(request, ctx)
        return _save_and_maybe_submit(request, mission, change, ctx, posted, reason, justifications)
    except _Invalid:
        return _render_form(request, mission, change, ctx, proposal, given)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        apply_errors(ctx["basics"], exc)
        return _render_form(request, mission, change, ctx, proposal, given)


@role_required(CLERKS)
def change_create(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    if not changes.may_request(request.user, mission):
        if request.method == "POST":
            raise PermissionDenied
        messages.warning(request, _("You cannot request a change of this trip."))
        return _changes_page(mission.pk)
    open_change = ChangeRequest.objects.filter(mission=mission, state__in=OPEN_STATES).first()
    if open_change is not None:
        messages.info(
            request,
            _("This trip already has a change request in progress: finish or withdraw it first."),
        )
        return _detail_page(open_change)
    return _form_view(request, mission, None)


@role_required(CLERKS)
def change_edit(request, mission_pk: int, change_pk: int):
    mission = _mission(request, mission_pk)
    change = _change(request, mission, change_pk)
    if not changes.may_edit(request.user, change):
        if request.method == "POST":
            raise PermissionDenied
        messages.warning(request, _("This change request can no longer be edited."))
        return _detail_page(change)
    return _form_view(request, mission, change)


@require_POST
@role_required(CLERKS)
def change_check(request, mission_pk: int):
    """The live findings of the form as typed (htmx fragment); nothing is saved."""
    mission = _mission(request, mission_pk)
    if not changes.may_request(request.user, mission):
        raise PermissionDenied
    base = itinerary.current(mission)
    raw_change = request.POST.get("change")
    if raw_change and str(raw_change).isdigit():
        found = ChangeRequest.objects.filter(mission=mission, pk=int(raw_change)).first()
        if found is not None:
            base = changes.base_of(found)
    ctx = _forms(request, mission, base, "", bound=True)
    context = {"mission": mission}
    try:
        posted, _reason, _justifications = _posted(request, ctx)
        proposal = changes.clean_proposal(request.user, mission, posted)
        context.update(_live(mission, proposal, base))
    except _Invalid:
        context.update(
            {"check": live.LiveCheck(error=_("Some fields are not valid.")), "kinds": []}
        )
    except ValidationError as exc:
        context.update({"check": live.LiveCheck(error=" ".join(exc.messages)), "kinds": []})
    return render(request, "missions/changes/_check.html", context)


# --- one change -------------------------------------------------------------------------------


@role_required(VIEWERS)
def change_detail(request, mission_pk: int, change_pk: int):
    mission = _mission(request, mission_pk)
    change = _change(request, mission, change_pk)
    base = changes.base_of(change)
    proposal = change.proposed or {}
    if change.check_result:
        check = live.LiveCheck(result=change.check_result)
        names = [m.get("name", "") for m in (change.check_input or {}).get("members", [])]
    else:
        check = live.evaluate(changes.proposal_input(mission, proposal))
        names = [m.get("name", "") for m in proposal.get("members") or []]
    actions = changes.actions_for(request.user, change)
    step = changes.decision_state(request.user, change)[0]
    applied = ItineraryVersion.objects.filter(change_request=change).first()
    return render(
        request,
        "missions/changes/detail.html",
        {
            "mission": mission,
            "change": change,
            "base": base,
            "proposal": proposal,
            "differences": itinerary.compare(base, proposal),
            "check": check,
            "member_names": names,
            "approval_steps": changes.chain_of(change),
            "pending_step": step,
            "can_decide": actions["decide"],
            "can_edit": actions["edit"],
            "can_withdraw": actions["withdraw"],
            "withdraw_form": change_forms.WithdrawForm(),
            "apply_refusal": changes.apply_refusal(mission, change)
            if change.state in IN_CHAIN
            else None,
            "applied": applied,
            "history": history(change),
            "workflow": CHANGE.people_table(),
        },
    )


@require_POST
@role_required(CLERKS)
def change_withdraw(request, mission_pk: int, change_pk: int):
    mission = _mission(request, mission_pk)
    change = _change(request, mission, change_pk)
    form = change_forms.WithdrawForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        changes.change_withdraw(
            actor=request.user, change=change, comment=comment, ip=client_ip(request)
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        flash_refusal(request, exc)
        return _detail_page(change)
    messages.success(request, _("The change request has been withdrawn."))
    return _changes_page(mission.pk)


@role_required(APPROVERS)
def change_decide(request, mission_pk: int, change_pk: int):
    """The change's decision page (``approvals.pages``): approve, return or reject."""
    mission = _mission(request, mission_pk)
    change = _change(request, mission, change_pk)
    return decision_page(
        request,
        DecisionPage(
            state=changes.decision_state(request.user, change),
            decide=lambda form: _decide(request, change, form),
            recheck=lambda: changes.recheck(change),
            context=lambda shared: _decision_context(mission, change, shared),
            template="missions/changes/decide.html",
            confirm_template="missions/changes/decide_confirm.html",
            outcomes=OUTCOMES,
            done=lambda: _detail_page(change),
        ),
    )


def _decision_context(mission, change, shared: dict) -> dict:
    base = changes.base_of(change)
    return {
        "mission": mission,
        "change": change,
        **shared,
        "apply_refusal": changes.apply_refusal(mission, change),
        "removal_refusals": changes.removal_refusals(mission, change.proposed or {}),
        "base": base,
        "proposal": change.proposed or {},
        "differences": itinerary.compare(base, change.proposed or {}),
        "approval_steps": changes.chain_of(change),
        "justified": checking.justified_findings(
            (change.check_result or {}).get("findings", []),
            change.justifications or {},
            out_of_plan_reason=mission.out_of_plan_reason,
        ),
    }


def _decide(request, change, form: DecisionForm) -> str:
    data = form.cleaned_data
    return changes.change_decide(
        actor=request.user,
        change=change,
        decision=data["decision"],
        comment=data.get("comment", ""),
        override_reason=data.get("override_reason", ""),
        ip=client_ip(request),
    )


# --- comparing --------------------------------------------------------------------------------


def _compare_context(mission, left: dict, right: dict, left_label, right_label) -> dict:
    return {
        "mission": mission,
        "left": left,
        "right": right,
        "left_label": left_label,
        "right_label": right_label,
        "left_countries": _countries(left),
        "right_countries": _countries(right),
        "differences": itinerary.compare(left, right),
    }


@role_required(VIEWERS)
def change_compare(request, mission_pk: int, change_pk: int):
    """A change's proposal side by side with the version it was based on."""
    mission = _mission(request, mission_pk)
    change = _change(request, mission, change_pk)
    context = _compare_context(
        mission,
        changes.base_of(change),
        change.proposed or {},
        _("Version %(number)s (in force when the change was requested)")
        % {"number": change.base_number},
        _("As proposed by change request %(number)s") % {"number": change.number},
    )
    context["change"] = change
    return render(request, "missions/changes/compare.html", context)


@role_required(VIEWERS)
def version_compare(request, mission_pk: int, version_pk: int):
    """A recorded version side by side with another (``?against=N``; default the
    approved version 1, or for version 1 itself the version in force)."""
    mission = _mission(request, mission_pk)
    version = scoping.get_for_user(
        request.user, ItineraryVersion.objects.filter(mission=mission), version_pk
    )
    numbers = list(
        ItineraryVersion.objects.filter(mission=mission)
        .order_by("number")
        .values_list("number", flat=True)
    )
    default = 1 if version.number != 1 else (mission.itinerary_version or 1)
    raw = request.GET.get("against", "")
    against = int(raw) if raw.isdigit() else default
    other = ItineraryVersion.objects.filter(mission=mission, number=against).first()
    if other is None:
        raise Http404
    earlier, later = (other, version) if other.number <= version.number else (version, other)

    def label(v: ItineraryVersion) -> str:
        if v.number == 1:
            return _("Version 1 (as approved)")
        return _("Version %(number)s") % {"number": v.number}

    context = _compare_context(
        mission,
        itinerary.version_dict(earlier),
        itinerary.version_dict(later),
        label(earlier),
        label(later),
    )
    context.update({"version": version, "against": other.number, "numbers": numbers})
    return render(request, "missions/changes/compare.html", context)
