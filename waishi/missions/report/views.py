"""The trip report pages (出访报告): the list for the FAO (a unit sees its own), and the
report page of a trip -- state, due date, the structured form, the signed document, the
post-trip publicity, submission, and the FAO's acceptance or return. Thin: parse, call
``report.services`` or a selector, render. Every page starts from the trip, reached
through ``orgs.scoping`` (another unit's trip is a 404)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.followups import workflow as followups_workflow
from waishi.followups.models import Outcome
from waishi.lib import downloads
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors, flash_form_errors, flash_refusal
from waishi.lib.pages import paginate
from waishi.lib.roles import VIEWERS, has
from waishi.missions.core import selectors
from waishi.missions.core.common import StaleVersion
from waishi.missions.models import Member, Mission, ReportState, TripReport
from waishi.missions.report import documents as report_documents
from waishi.missions.report import forms, services
from waishi.missions.report import selectors as report_selectors
from waishi.missions.report.workflow import (
    EDITABLE_STATES,
    REPORT,
    REVIEWERS,
    SUBMITTERS,
    WRITERS,
)
from waishi.orgs import scoping
from waishi.orgs.models import Unit

BADGES = {
    ReportState.DRAFT: "secondary",
    ReportState.SUBMITTED: "primary",
    ReportState.RETURNED: "warning",
    ReportState.ACCEPTED: "success",
}
# Who records outcomes of a trip in the follow-ups (``followups.services.MANAGES``).
RECORDS_OUTCOMES = followups_workflow.MANAGES


def _mission(request, mission_pk) -> Mission:
    return selectors.mission_detail(request.user, mission_pk)


def _report(request, mission_pk) -> TripReport:
    """The trip's report, for a user who may see the trip; 404 when there is none yet."""
    mission = _mission(request, mission_pk)
    report = TripReport.objects.filter(mission=mission).first()
    if report is None:
        raise Http404
    report.mission = mission
    return report


def _page(mission_pk: int):
    return redirect("missions:report", mission_pk=mission_pk)


def _initial(report: TripReport) -> dict:
    return {name: getattr(report, name) for name in services.FIELDS} | {"version": report.version}


# --- the list ---------------------------------------------------------------------------------


def _units_for_filter(user):
    if scoping.is_reader_of_everything(user):
        return scoping.visible(user, Unit).filter(is_active=True).order_by("name")
    return None


@role_required(VIEWERS)
def report_list(request):
    search = forms.ReportSearchForm(request.GET or None, units=_units_for_filter(request.user))
    filters = report_selectors.ReportFilters()
    if search.is_valid():
        data = search.cleaned_data
        unit = data.get("unit")
        filters = report_selectors.ReportFilters(
            q=data["q"], state=data["state"], unit_id=unit.pk if unit else None
        )
    reports = report_selectors.report_list(request.user, filters)
    context = {
        "search": search,
        "today": timezone.localdate(),
        **paginate(request, reports),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "missions/report/_rows.html", context)
    return render(request, "missions/report/list.html", context)


# --- the report page --------------------------------------------------------------------------


def _outcomes(user, mission: Mission) -> list:
    return list(
        scoping.visible(user, Outcome)
        .filter(source_type="missions.mission", source_id=mission.pk)
        .select_related("responsible_unit", "responsible_person")
        .order_by("due_date", "pk")
    )


def _render(request, report: TripReport, form=None, *, stale: bool = False, status: int = 200):
    mission = report.mission
    user = request.user
    today = timezone.localdate()
    outcome_url = (
        reverse("followups:create")
        + "?"
        + urlencode({"source_type": "missions.mission", "source_id": mission.pk})
    )
    actions = services.actions_for(user, report)
    context = {
        "mission": mission,
        "report": report,
        "today": today,
        "overdue": services.is_overdue(report, today),
        "badge": BADGES.get(report.state, "secondary"),
        "members": list(
            Member.objects.filter(mission=mission).select_related("person").order_by("order")
        ),
        "form": form or forms.ReportForm(initial=_initial(report)),
        "stale": stale,
        "can_write": actions["update"] is None,
        "can_file": actions["upload_document"] is None,
        # The submit form is offered to whoever may file the report; posting it names what
        # still keeps it back (the API's "submit" answers whether it would pass now).
        "can_submit": actions["publish"] is None,
        "can_decide": actions["accept"] is None,
        "decide_refusal": REPORT.refusal(report, "accept", user)
        if has(user, REVIEWERS) and report.state == ReportState.SUBMITTED
        else None,
        "gaps": services.missing(report) if report.state in EDITABLE_STATES else {},
        "document_form": forms.DocumentForm(
            initial={"version": report.version}, auto_id="document_%s"
        ),
        "publish_form": forms.PublishForm(
            initial={
                "version": report.version,
                "starts_on": report.publicity_starts_on or today,
            },
            auto_id="publish_%s",
        ),
        "decision_form": forms.DecisionForm(auto_id="decision_%s"),
        "may_record_outcome": has(user, RECORDS_OUTCOMES),
        "outcome_url": outcome_url,
        "outcomes": _outcomes(user, mission),
        "workflow": REPORT.people_table(),
        "history": history(report),
        "writers_only": has(user, WRITERS),
    }
    return render(request, "missions/report/report.html", context, status=status)


@role_required(VIEWERS)
def report_detail(request, mission_pk: int):
    """GET: the report page. POST (the unit's clerk): save the structured form; a stale
    version keeps what was typed on the page and says that nothing was saved."""
    mission = _mission(request, mission_pk)
    report = TripReport.objects.filter(mission=mission).first()
    if report is None:
        if request.method == "POST":
            raise Http404
        messages.info(request, _("The trip report is opened when the return is confirmed."))
        return redirect("missions:detail", mission_pk=mission.pk)
    report.mission = mission
    if request.method != "POST":
        return _render(request, report)
    if not services.may_write(request.user, report):
        raise PermissionDenied
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        return _render(request, report, form)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.report_update(
            actor=request.user, report=report, version=version, ip=client_ip(request), **data
        )
    except StaleVersion as exc:
        form.add_error(None, exc.messages[0])
        return _render(request, report, form, stale=True, status=409)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render(request, report, form)
    messages.success(request, _("The report is saved."))
    return _page(mission.pk)


@require_POST
@role_required(SUBMITTERS)
def report_upload(request, mission_pk: int):
    report = _report(request, mission_pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _page(report.mission_id)
    try:
        services.report_upload_document(
            actor=request.user,
            report=report,
            document=form.cleaned_data["document"],
            version=form.cleaned_data.get("version"),
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The signed report is filed."))
    return _page(report.mission_id)


@role_required(VIEWERS)
def report_document(request, mission_pk: int):
    """The signed report as filed, to those who may see the trip; every download is
    recorded. Served as an attachment with its checked type, never inline."""
    report = _report(request, mission_pk)
    return downloads.stored_file(
        report.document,
        filename=report.document_name or "report",
        content_type=report.document_type,
        record=lambda: services.report_document_download(
            actor=request.user, report=report, ip=client_ip(request)
        ),
    )


@require_POST
@role_required(SUBMITTERS)
def report_publish(request, mission_pk: int):
    report = _report(request, mission_pk)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _page(report.mission_id)
    try:
        published = services.report_publish(
            actor=request.user,
            report=report,
            starts_on=form.cleaned_data["starts_on"],
            version=form.cleaned_data.get("version"),
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request,
            _("The report is published inside the unit from %(start)s to %(end)s.")
            % {
                "start": published.publicity_starts_on.isoformat(),
                "end": published.publicity_ends_on.isoformat(),
            },
        )
    return _page(report.mission_id)


@require_POST
@role_required(SUBMITTERS)
def report_submit(request, mission_pk: int):
    report = _report(request, mission_pk)
    try:
        services.report_submit(
            actor=request.user,
            report=report,
            version=request.POST.get("version") or None,
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The report is submitted to the FAO."))
    return _page(report.mission_id)


@require_POST
@role_required(REVIEWERS)
def report_decide(request, mission_pk: int):
    report = _report(request, mission_pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _page(report.mission_id)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    try:
        if decision == "accept":
            services.report_accept(
                actor=request.user, report=report, comment=comment, ip=client_ip(request)
            )
        else:
            services.report_return(
                actor=request.user, report=report, comment=comment, ip=client_ip(request)
            )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
        return _page(report.mission_id)
    if decision == "accept":
        mission = Mission.objects.get(pk=report.mission_id)
        if mission.state == "closed":
            messages.success(request, _("The report is accepted and the trip is closed."))
        else:
            messages.success(
                request,
                _("The report is accepted; the trip closes once every passport is back."),
            )
    else:
        messages.success(request, _("The report is returned to the unit."))
    return _page(report.mission_id)


# --- the Word documents -----------------------------------------------------------------------


def _docx(request, mission_pk: int, kind: str):
    report = _report(request, mission_pk)
    return downloads.generated_document(
        lambda: report_documents.report_document(report, kind),
        record=lambda: report_documents.report_docx_download(
            actor=request.user, report=report, kind=kind, ip=client_ip(request)
        ),
    )


@role_required(VIEWERS)
def report_docx(request, mission_pk: int):
    return _docx(request, mission_pk, "trip_report")


@role_required(VIEWERS)
def report_publicity_docx(request, mission_pk: int):
    return _docx(request, mission_pk, "report_publicity")
