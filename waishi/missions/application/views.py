"""Pages of the trip application: the list and its export, the record, and the six-step
form. Thin: parse, call a service or selector, render.

The form saves on every button (保存, 上一步/下一步, the step links, add/remove row) and,
through htmx, soon after any change or pause in typing (``hx-trigger``): that
autosave answers with the save status and the re-run policy check (an out-of-band
swap of ``#findings``) and tells the page the new version (``X-Mission-Version``), so
the next save is not mistaken for a stale tab.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.approvals.forms import DecisionForm
from waishi.approvals.models import StepState
from waishi.approvals.pages import DecisionPage, decision_page
from waishi.approvals.selectors import can_decide
from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.lib import downloads
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import paginate
from waishi.lib.roles import CLERKS, VIEWERS, has
from waishi.missions.application import exports, forms, services, steps
from waishi.missions.application.services import decisions, documents
from waishi.missions.application.services import publicity as publicity_services
from waishi.missions.core import checking, selectors
from waishi.missions.core import publicity as publicity_rules
from waishi.missions.core.exclusion import excluded_users_of
from waishi.missions.core.forms import COMMENT_FIELD_LABELS
from waishi.missions.core.workflow import APPROVERS, CLERK_ACTIONS, MISSION, may_edit
from waishi.missions.models import TRAVELLED_STATES, Mission
from waishi.orgs import permissions, scoping
from waishi.orgs.models import Unit


def _mission(request, mission_pk) -> Mission:
    return selectors.mission_detail(request.user, mission_pk)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- list and export ------------------------------------------------------------------------


def _units_for_filter(user):
    if scoping.is_reader_of_everything(user):
        return scoping.visible(user, Unit).filter(is_active=True)
    return Unit.objects.filter(pk=user.unit_id)


def _filters(request) -> tuple[forms.MissionSearchForm, selectors.Filters]:
    search = forms.MissionSearchForm(request.GET or None, units=_units_for_filter(request.user))
    if not search.is_valid():
        return search, selectors.Filters()
    data = search.cleaned_data
    return search, selectors.Filters(
        q=data["q"],
        state=data["state"],
        category=data["category"],
        unit_id=data["unit"].pk if data["unit"] else None,
        country=data["country"],
        month=data["month"],
        mine=data["mine"],
    )


@role_required(VIEWERS)
def mission_list(request):
    search, filters = _filters(request)
    missions = selectors.mission_list(request.user, filters)
    context = {
        "search": search,
        "can_create": has(request.user, CLERKS),
        "export_query": request.GET.urlencode(),
        **paginate(request, missions, estimate=True),
    }
    if _is_htmx(request):
        return render(request, "missions/_mission_rows.html", context)
    return render(request, "missions/mission_list.html", context)


@role_required(VIEWERS)
def mission_export(request):
    _search, filters = _filters(request)
    missions = selectors.mission_list(request.user, filters)
    return exports.xlsx_response(request, missions)


# --- the record -----------------------------------------------------------------------------


OUTCOMES = {
    "next": gettext_lazy("Approved; the application goes to the next approver."),
    "approved": gettext_lazy("Approved; the approval of the trip is complete."),
    "returned": gettext_lazy("Returned to the unit for changes."),
    "rejected": gettext_lazy("Rejected."),
}


def _decision_state(user, mission: Mission, chain: list):
    """(the pending step or None, may ``user`` decide it, on whose behalf, why not), the
    pending step taken from ``chain``, the trip's steps the page shows."""
    if mission.state not in decisions.IN_CHAIN or not has(user, APPROVERS):
        return None, False, None, None
    step = next((s for s in chain if s.state == StepState.PENDING), None)
    if step is None:
        return None, False, None, None
    ok, behalf, reason = can_decide(user, step, excluded_user_ids=excluded_users_of(mission))
    return step, ok, behalf, reason


def _documents(mission: Mission) -> list[dict]:
    urls = {
        "approval_form": "missions:approval-form",
        "approval_notice": "missions:approval-notice",
        "publicity": "missions:publicity-docx",
    }
    labels = {
        "approval_form": _("Approval form (审批意见表)"),
        "approval_notice": _("Approval notice (批件)"),
        "publicity": _("Publicity notice (公示)"),
    }
    return [
        {"kind": kind, "label": labels[kind], "url": urls[kind]}
        for kind in documents.KINDS
        if documents.available(mission, kind)
    ]


def _next_steps(mission: Mission) -> list[dict]:
    """What can happen to the trip from its state and who does it: the rows of the
    workflow table that leave the state (``Workflow.people_table``)."""
    return [row for row in MISSION.people_table() if row["from_code"] == mission.state]


@role_required(VIEWERS)
def workflow_help(request):
    """How a trip goes (流程说明): the trip's transition table, each step with who takes
    it; ``?state=`` marks the steps that leave a trip's present state (the record links
    here with its state)."""
    state = request.GET.get("state", "")
    return render(
        request,
        "missions/workflow_help.html",
        {
            "workflow": MISSION.people_table(),
            "state": state,
            "state_label": MISSION.label(state) if state in MISSION.states else "",
        },
    )


@role_required(VIEWERS)
def mission_detail(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    rows = checking.TripRows(mission)  # read once for the live check and the page
    check, names = steps.check_of(mission, rows)
    actions = MISSION.allowed(mission, request.user, actions=CLERK_ACTIONS)
    chain = selectors.chain_of(mission)
    return render(
        request,
        "missions/mission_detail.html",
        {
            "mission": mission,
            "stops": rows.stops,
            "days": rows.days,
            "members": selectors.member_rows(mission, rows),
            "lines": steps.budget_rows(mission, rows),
            "totals": checking.budget_totals(mission, len(rows.members), lines=rows.budget_lines),
            "check": check,
            "member_names": names,
            "can_edit": may_edit(request.user, mission),
            "actions": actions,
            "next_steps": _next_steps(mission),
            "destinations": selectors.country_names(
                list(dict.fromkeys(s.country for s in rows.stops if s.country)),
                (get_language() or "").startswith("en"),
            ),
            "pending_step": next((s for s in chain if s.state == StepState.PENDING), None),
            "history": history(mission, known=(mission.unit, mission.created_by)),
            "approval_steps": chain,
            "steps": steps.STEPS,
            "can_decide": _decision_state(request.user, mission, chain)[1],
            "can_cancel": MISSION.refusal(mission, "cancel", request.user) is None,
            "cancel_form": forms.CancelForm(),
            "publicity": documents.publicity_of(mission),
            "documents": _documents(mission),
            "return_notes": selectors.return_notes(mission),
            "can_prepare_departure": mission.state in TRAVELLED_STATES,
            "has_report": mission.has_report,
        },
    )


@role_required(VIEWERS)
def mission_letter(request, mission_pk: int):
    """The invitation letter, to those who may see the application; every download is
    recorded. Served as an attachment with its checked type, never inline HTML."""
    mission = _mission(request, mission_pk)
    return downloads.stored_file(
        mission.invitation_letter,
        filename=mission.invitation_letter_name or "invitation",
        content_type=mission.invitation_letter_type,
        record=lambda: services.mission_letter_download(
            actor=request.user, mission=mission, ip=client_ip(request)
        ),
    )


@require_POST
@role_required(VIEWERS)
def mission_check(request, mission_pk: int):
    """The findings fragment for the application as saved now (no write)."""
    mission = _mission(request, mission_pk)
    check, names = steps.check_of(mission)
    return render(request, "policy/_findings.html", {"check": check, "members": names})


@require_POST
@role_required(CLERKS)
def mission_withdraw(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    try:
        services.mission_withdraw(
            actor=request.user,
            mission=mission,
            ip=client_ip(request),
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("missions:detail", mission_pk=mission.pk)


# --- the form -------------------------------------------------------------------------------


@role_required(CLERKS)
def mission_create(request):
    form = forms.BasicsForm(
        request.POST or None, entries=steps.plan_entries(request.user.unit_id, None)
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            mission = services.mission_create_draft(
                actor=request.user, ip=client_ip(request), **values
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The draft has been saved."))
            goto = request.POST.get("goto")
            slug = goto if goto in steps.STEP_BY_SLUG else "basics"
            return redirect(f"missions:{slug}", mission_pk=mission.pk)
    return render(
        request,
        "missions/step.html",
        {"form": form, "mission": None, "step": steps.STEPS[0], "steps": steps.STEPS},
    )


def _show_errors(ctx: dict, exc: ValidationError) -> list[str]:
    """Field errors onto the step's main form when it has the field; the rest returned."""
    form = ctx.get("form")
    if form is not None and hasattr(exc, "error_dict"):
        leftover = []
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                leftover.extend(errors)
        return leftover
    return list(exc.messages)


def _autosave_response(request, mission, *, saved: bool, errors: list[str]):
    check, names = steps.check_of(mission)
    response = render(
        request,
        "missions/_autosave.html",
        {
            "saved": saved,
            "errors": errors,
            "at": timezone.localtime(),
            "check": check,
            "members": names,
        },
    )
    response["X-Mission-Version"] = str(mission.version)
    return response


@role_required(VIEWERS)
def mission_step(request, mission_pk: int, step: str):
    mission = _mission(request, mission_pk)
    current = steps.STEP_BY_SLUG[step]
    if not may_edit(request.user, mission):
        if request.method == "POST":
            raise PermissionDenied
        return redirect("missions:detail", mission_pk=mission.pk)
    build, save = steps.HANDLERS[step]
    if request.method == "GET" and step == "members" and _is_htmx(request):
        ctx = build(request, mission, False)
        return render(request, "missions/_person_results.html", {"mission": mission, **ctx})
    bound = request.method == "POST"
    ctx = build(request, mission, bound)
    errors: list[str] = []
    if bound:
        autosave = _is_htmx(request)
        try:
            mission = save(request, mission, ctx, steps.posted_version(request))
        except steps.Invalid:
            errors = [_("Not saved: correct the marked fields.")]
        except services.StaleVersion as exc:
            errors = list(exc.messages)
        except ValidationError as exc:
            errors = _show_errors(ctx, exc)
        else:
            if autosave:
                return _autosave_response(request, mission, saved=True, errors=[])
            goto = request.POST.get("goto", "")
            if goto == "detail":
                return redirect("missions:detail", mission_pk=mission.pk)
            target = goto if goto in steps.STEP_BY_SLUG else step
            if goto not in steps.STEP_BY_SLUG or goto == step:
                messages.success(request, _("Saved."))
            return redirect(f"missions:{target}", mission_pk=mission.pk)
        if autosave:
            mission.refresh_from_db()
            return _autosave_response(request, mission, saved=False, errors=errors)
        mission.refresh_from_db()
    check, names = steps.check_of(mission)
    response = render(
        request,
        "missions/step.html",
        {
            "mission": mission,
            "step": current,
            "steps": steps.STEPS,
            "errors": errors,
            "check": check,
            "member_names": names,
            "return_notes": selectors.return_notes(mission, step),
            **ctx,
            **({"form": ctx["form"]} if "form" in ctx else {}),
        },
    )
    response["X-Mission-Version"] = str(mission.version)
    return response


@require_POST
@role_required(CLERKS)
def mission_submit(request, mission_pk: int):
    """Submit with the justifications typed on the review page, through the same service
    as the API: one transaction, one policy check, the submission's audit events. A
    refused submission keeps what was typed: it is then saved on its own (as is a
    justification cleared on the page before it is submitted without it)."""
    mission = _mission(request, mission_pk)
    if not may_edit(request.user, mission):
        raise PermissionDenied
    version = steps.posted_version(request)
    typed = steps.typed_justifications(request)
    saved = mission.justifications or {}
    try:
        if any(saved.get(key) and not text.strip() for key, text in typed.items()):
            mission = _save_typed(request, mission, version)
            version = mission.version
        services.mission_submit(
            actor=request.user,
            mission=mission,
            version=version,
            justifications=typed,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        with suppress(ValidationError):
            _save_typed(request, mission, version)
        for message in exc.messages:
            messages.error(request, message)
        return redirect("missions:review", mission_pk=mission.pk)
    messages.success(request, _("The application has been submitted for approval."))
    return redirect("missions:detail", mission_pk=mission.pk)


def _save_typed(request, mission, version):
    """Save the justifications typed on the review page (their own transaction)."""
    return steps.review_save(request, mission, steps.review_build(request, mission, True), version)


# --- decisions ------------------------------------------------------------------------------


@role_required(APPROVERS)
def mission_decide(request, mission_pk: int):
    """The trip's decision page (``approvals.pages``): approve, return (comment, comments
    per field) or reject."""
    mission = _mission(request, mission_pk)
    chain = selectors.chain_of(mission)
    return decision_page(
        request,
        DecisionPage(
            state=_decision_state(request.user, mission, chain),
            decide=lambda form: _decide(request, mission, form),
            recheck=lambda: decisions.recheck(mission),
            context=lambda shared: {
                "mission": mission,
                **shared,
                "publicity_refusal": publicity_rules.publicity_refusal(mission),
                "justified": checking.justified_findings(
                    (mission.check_result or {}).get("findings", []),
                    mission.justifications or {},
                    out_of_plan_reason=mission.out_of_plan_reason,
                ),
                "approval_steps": chain,
                "members": selectors.member_rows(mission),
                "stops": mission.stops.order_by("order", "pk"),
            },
            template="missions/decide.html",
            confirm_template="missions/decide_confirm.html",
            outcomes=OUTCOMES,
            done=lambda: redirect("missions:detail", mission_pk=mission.pk),
            comment_fields=COMMENT_FIELD_LABELS,
            blockers=lambda: decisions.approval_blockers(mission),
        ),
    )


def _decide(request, mission, form: DecisionForm) -> str:
    data = form.cleaned_data
    return services.mission_decide(
        actor=request.user,
        mission=mission,
        decision=data["decision"],
        comment=data.get("comment", ""),
        field_comments=form.field_comments(),
        override_reason=data.get("override_reason", ""),
        ip=client_ip(request),
    )


@require_POST
@role_required(decisions.CANCELLERS)
def mission_cancel(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the cancellation."))
        return redirect("missions:detail", mission_pk=mission.pk)
    try:
        services.mission_cancel(
            actor=request.user,
            mission=mission,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You are not allowed to do this."))
    else:
        messages.success(request, _("The trip has been cancelled and its quota given back."))
    return redirect("missions:detail", mission_pk=mission.pk)


# --- publicity (公示) ------------------------------------------------------------------------


@role_required(VIEWERS)
def mission_publicity(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    publicity = documents.publicity_of(mission)
    user = request.user
    open_ = mission.state in publicity_services.PUBLISHABLE_STATES
    can_publish = (
        open_
        and permissions.may(user, publicity_services.PUBLISHERS, mission)
        and not (publicity and (publicity.is_published or publicity.is_exempt))
    )
    can_exempt = (
        open_
        and has(user, publicity_services.EXEMPTERS)
        and not (publicity and publicity.is_exempt)
    )

    return render(
        request,
        "missions/publicity.html",
        {
            "mission": mission,
            "publicity": publicity,
            "members": checking.members_data(mission),
            "countries": selectors.country_names(
                list(dict.fromkeys(s.country for s in mission.stops.all() if s.country))
            ),
            "days": mission.days.order_by("date", "pk"),
            "stops": mission.stops.order_by("order", "pk"),
            "can_publish": can_publish,
            "can_exempt": can_exempt,
            "exemption_form": forms.ExemptionForm(),
            "working_days": publicity_rules.publicity_working_days(),
            "refusal": publicity_rules.publicity_refusal(mission),
        },
    )


@require_POST
@role_required(publicity_services.PUBLISHERS)
def mission_publicity_publish(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    try:
        publicity = services.publicity_publish(
            actor=request.user, mission=mission, ip=client_ip(request)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You are not allowed to do this."))
    else:
        messages.success(
            request,
            _("The notice is published from %(start)s to %(end)s.")
            % {"start": publicity.starts_on.isoformat(), "end": publicity.ends_on.isoformat()},
        )
    return redirect("missions:publicity", mission_pk=mission.pk)


@require_POST
@role_required(publicity_services.EXEMPTERS)
def mission_publicity_exempt(request, mission_pk: int):
    mission = _mission(request, mission_pk)
    form = forms.ExemptionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("missions:publicity", mission_pk=mission.pk)
    try:
        services.publicity_exempt(
            actor=request.user,
            mission=mission,
            exemption=form.cleaned_data["exemption"],
            reason=form.cleaned_data["exemption_reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The exemption from publicity is recorded."))
    return redirect("missions:publicity", mission_pk=mission.pk)


# --- documents ------------------------------------------------------------------------------


def _document(request, mission_pk: int, kind: str):
    mission = _mission(request, mission_pk)
    return downloads.generated_document(
        lambda: services.mission_document(mission, kind),
        record=lambda: services.mission_document_download(
            actor=request.user, mission=mission, kind=kind, ip=client_ip(request)
        ),
    )


@role_required(VIEWERS)
def mission_approval_form(request, mission_pk: int):
    return _document(request, mission_pk, "approval_form")


@role_required(VIEWERS)
def mission_approval_notice(request, mission_pk: int):
    return _document(request, mission_pk, "approval_notice")


@role_required(VIEWERS)
def mission_publicity_docx(request, mission_pk: int):
    return _document(request, mission_pk, "publicity")
