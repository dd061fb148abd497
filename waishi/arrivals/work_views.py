"""The arrivals' working pages: the city command's board, each district's work queue,
an arrival's page with its timeline, its health record (audited), and the export.

Thin: parse the filters, call a selector, render. Who reads what is scoping's
(``arrivals/apps.py``): the city command and the auditor every arrival, a district
officer their own district's; health data the city command and the arrival's district
only. A GET changes nothing but the audit log (a health record's view, an export).
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.arrivals import (
    audit_messages_work,  # noqa: F401 (the sentences of its actions)
    exports,
    selectors,
    services,
)
from waishi.arrivals.models import Arrival, ArrivalState, HealthDeclaration
from waishi.lib import roles
from waishi.lib.decorators import role_required
from waishi.lib.forms import Form, style_fields
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import Role
from waishi.orgs import scoping
from waishi.orgs.models import District

# The auditor reads arrivals (not their health data); nobody else but the arrivals roles.
READERS = roles.ARRIVALS_READERS
HEALTH_READERS = roles.ARRIVALS_ROLES


class _Styled(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ArrivalSearchForm(_Styled):
    """The board's (and the export's) filters; the queue's are the open states only."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, passport number as shown, flight")}),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=None, empty_label=_("All districts")
    )
    overdue = forms.BooleanField(label=_("Only with overdue steps"), required=False)

    def __init__(self, *args, states=None, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        states = states if states is not None else ArrivalState.choices
        self.fields["state"].choices = [("", _("All states")), *states]
        if districts is None:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts

    def filters(self) -> selectors.Filters:
        if not self.is_valid():
            return selectors.Filters()
        data = self.cleaned_data
        district = data.get("district")
        return selectors.Filters(
            q=data["q"],
            state=data["state"],
            district_id=district.pk if district else None,
            overdue=data["overdue"],
        )


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _districts_to_pick(user):
    """The city command and the auditor pick a district; an officer has their own."""
    if scoping.sees_all(user, Arrival):
        return District.objects.order_by("sort_order", "code")
    return None


def _search_form(request, *, states=None) -> ArrivalSearchForm:
    return ArrivalSearchForm(
        request.GET or None, states=states, districts=_districts_to_pick(request.user)
    )


def _mark_late(rows, now) -> None:
    """Hours late of each row's next step, for the page."""
    for row in rows:
        due = getattr(row, "next_step_due", None) or getattr(row, "due_at", None)
        row.late_hours = selectors.hours_late(due, now) if due and due < now else 0
        if hasattr(row, "origin_country"):
            row.origin_label = selectors.country_label(row.origin_country)


# -- the board -----------------------------------------------------------------------


@role_required(READERS)
def board(request):
    """The city command's board: overdue steps first, counts by district and state, and
    every arrival, searchable. A district officer works from the queue instead."""
    if request.user.role == Role.DISTRICT_OFFICER:
        return redirect("arrivals:queue")
    now = timezone.now()
    search = _search_form(request)
    rows = selectors.board_rows(request.user, search.filters(), now=now)
    context = {"search": search, "export_query": request.GET.urlencode(), "now": now}
    context.update(paginate(request, rows, estimate=True))
    _mark_late(context["page_obj"].object_list, now)
    if _is_htmx(request):
        return render(request, "arrivals/_work_arrival_rows.html", context)
    late = selectors.overdue_steps(request.user, now=now)
    shown = list(late[: selectors.BOARD_OVERDUE_LIMIT])
    _mark_late(shown, now)
    counts, total = selectors.counts_by_district(request.user, now=now)
    context.update(
        {
            "overdue": shown,
            "overdue_count": late.count()
            if len(shown) == selectors.BOARD_OVERDUE_LIMIT
            else len(shown),
            "counts": counts,
            "total": total,
            "states": ArrivalState.choices,
        }
    )
    return render(request, "arrivals/board.html", context)


# -- the work queue ------------------------------------------------------------------


@role_required(READERS)
def work_queue(request):
    now = timezone.now()
    open_states = [(s.value, s.label) for s in selectors.OPEN_STATES]
    search = _search_form(request, states=open_states)
    rows = selectors.queue(request.user, search.filters(), now=now)
    context = {"search": search, "export_query": request.GET.urlencode(), "now": now}
    context.update(paginate(request, rows))
    _mark_late(context["page_obj"].object_list, now)
    if _is_htmx(request):
        return render(request, "arrivals/_work_queue_rows.html", context)
    user = request.user
    context["district"] = user.district if user.role == Role.DISTRICT_OFFICER else None
    context["incoming"] = (
        list(selectors.incoming_handovers(user)) if user.role == Role.DISTRICT_OFFICER else []
    )
    return render(request, "arrivals/queue.html", context)


# -- one arrival ---------------------------------------------------------------------


def _arrival(request, arrival_pk: int) -> Arrival:
    return scoping.get_for_user(
        request.user, Arrival.objects.select_related("district", "plan"), arrival_pk
    )


@role_required(READERS)
def arrival_detail(request, arrival_pk: int):
    arrival = _arrival(request, arrival_pk)
    now = timezone.now()
    handovers = list(selectors.handovers_of(request.user, arrival))
    return render(
        request,
        "arrivals/arrival_detail.html",
        {
            "arrival": arrival,
            "origin_label": selectors.country_label(arrival.origin_country),
            "nationality_label": selectors.country_label(arrival.nationality),
            "sources": selectors.source_rows(request.user, arrival),
            "timeline": selectors.timeline(request.user, arrival, now=now),
            "handovers": handovers,
            "can_see_health": roles.has(request.user, HEALTH_READERS),
            "now": now,
        },
    )


@role_required(HEALTH_READERS)
def arrival_health(request, arrival_pk: int) -> HttpResponse:
    """The person's health declarations and test results; each view is audited, with
    no health detail in the audit row (security.md P2)."""
    arrival = _arrival(request, arrival_pk)
    declarations, tests = selectors.health_record(request.user, arrival)
    declarations, tests = list(declarations), list(tests)
    symptoms = dict(HealthDeclaration.Symptom.choices)
    for declaration in declarations:
        listed = declaration.symptoms if isinstance(declaration.symptoms, list) else []
        declaration.symptom_labels = [str(symptoms.get(s, s)) for s in listed]
    services.health_record_viewed(actor=request.user, arrival=arrival, ip=client_ip(request))
    response = render(
        request,
        "arrivals/arrival_health.html",
        {"arrival": arrival, "declarations": declarations, "tests": tests},
    )
    response["Cache-Control"] = "no-store"
    return response


# -- export --------------------------------------------------------------------------


@role_required(READERS)
def arrival_export(request):
    """What the board shows with its filters, as .xlsx (a district officer: their own
    district's only, whatever the filters say)."""
    search = _search_form(request)
    rows = selectors.arrival_list(request.user, search.filters())
    return exports.xlsx_response(request, rows)
