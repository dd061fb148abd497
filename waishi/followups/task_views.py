"""The supervised tasks' pages (督办事项): the list with its filters and export, the
office's register form, a task's page with its history and documents, one page per
action of the flow, the office's board, a unit's page and the year's on-time table.

Thin: scoping says what a person sees, ``workflow.task_actions_for`` which buttons they
get, the services (``supervision``) do and refuse; a refusal is shown on the form, in the
reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.followups import selectors, sources, supervision, task_docx, task_exports
from waishi.followups import task_forms as forms
from waishi.followups.models import Colour, Outcome, State, Track
from waishi.followups.workflow import task_actions_for
from waishi.lib import downloads
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import other_params, paginate
from waishi.lib.roles import CITY_ROLES, FAO, UNIT_ROLES, VIEWERS, has
from waishi.orgs import scoping
from waishi.orgs.models import Unit

# The colours, worst first, as the unit's page and the board group them.
COLOURS = (Colour.RED.value, Colour.YELLOW.value, Colour.BLUE.value, Colour.NONE.value)
# How many open tasks a unit's page lists in each group (the list has the rest).
UNIT_PAGE_ROWS = 100

# How many units the board's by-unit table (as the list's pages) and the on-time table
# show a page.
BOARD_UNITS = 25
ON_TIME_UNITS = 50

# What happens next, by state: a task's page says it in words, not as the table.
NEXT_STEP = {
    State.REGISTERED: gettext_lazy("The office sends the task to its lead unit (交办)."),
    State.ASSIGNED: gettext_lazy(
        "The lead unit accepts the task (承办), or asks the office to give it to another unit."
    ),
    State.REDIRECT_ASKED: gettext_lazy(
        "The office decides: the task goes to another unit, or stays with this one."
    ),
    State.IN_PROGRESS: gettext_lazy(
        "The lead unit works on the task, reports its progress and, when it is done, "
        "reports the result with its evidence (反馈)."
    ),
    State.FEEDBACK: gettext_lazy(
        "The office reviews the result: it closes the task (办结), or returns it as not solved."
    ),
    State.RETURNED: gettext_lazy(
        "Returned as not solved: the lead unit works on it again and reports the result anew."
    ),
    State.DONE: gettext_lazy("Done. The office files it under its year (归档)."),
    State.ARCHIVED: gettext_lazy("Filed. Nothing more is to be done."),
    State.DROPPED: gettext_lazy("Dropped. Nothing more is to be done."),
}


def _tasks():
    return Outcome.objects.filter(track=Track.TASK).select_related(
        "responsible_unit", "responsible_person", "created_by"
    )


def _task(request, outcome_pk: int) -> Outcome:
    """The task, or 404: another unit's, a trip's outcome, or none."""
    return scoping.get_for_user(request.user, _tasks(), outcome_pk)


def _detail(task: Outcome):
    return redirect("followups:task-detail", outcome_pk=task.pk)


def _refused(form, exc: Exception) -> None:
    """A service's refusal on the form: each message under its field, or at the top (a
    hidden field's too: nobody would see it under the field)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
    elif isinstance(exc, ValidationError):
        apply_errors(form, exc)
    else:
        form.add_error(None, str(exc) or _("You are not allowed to do this."))


# --- the list ---------------------------------------------------------------------------


def _filtered(request):
    form = forms.TaskFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    unit = data.get("unit")
    tasks = selectors.task_list(
        request.user,
        unit_id=unit.pk if unit else None,
        colour=data.get("colour") or None,
        source_kind=data.get("source_kind") or None,
        state=data.get("state") or None,
        q=data.get("q") or "",
        year=data.get("year") or None,
    )
    if unit is not None and data.get("lead"):
        # The board counts the tasks a unit leads: its links ask for those alone.
        tasks = tasks.filter(responsible_unit_id=unit.pk)
    return form, tasks


@role_required(VIEWERS)
def task_list(request):
    form, tasks = _filtered(request)
    page = paginate(
        request,
        tasks.select_related("responsible_unit", "responsible_person"),
        estimate=True,
        # Every page's ids first: the order and the ids are read from an index alone
        # (the red tasks' page: 2,900 whole rows read and sorted for 25 on PostgreSQL).
        ids_first_from=0,
    )
    return render(
        request,
        "followups/tasks/list.html",
        {
            "search": form,
            "can_add": has(request.user, FAO),
            "sees_all": scoping.is_reader_of_everything(request.user),
            # A unit's account: the tasks its unit only supports are marked so.
            "my_unit": request.user.unit_id if has(request.user, UNIT_ROLES) else None,
            "export_query": request.GET.urlencode(),
            **page,
        },
    )


@role_required(VIEWERS)
def task_export(request):
    _form, tasks = _filtered(request)
    return task_exports.tasks_xlsx(request, tasks)


# --- register ---------------------------------------------------------------------------


@role_required(FAO)
def task_create(request):
    initial = {
        "source_type": request.GET.get("source_type", ""),
        "source_id": request.GET.get("source_id") or None,
        "source_kind": request.GET.get("source_kind") or "",
        "assign": True,
    }
    form = forms.TaskRegisterForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source_type = data.get("source_type") or ""
        source_id = data.get("source_id") if source_type else None
        try:
            task = supervision.task_register(
                actor=request.user,
                title=data["title"],
                source_kind=data["source_kind"],
                lead_unit=data["lead_unit"],
                responsible_person=data["responsible_person"],
                supporting_units=list(data.get("supporting_units") or ()),
                description=data.get("description") or "",
                source_type=source_type,
                source_id=source_id,
                source_title=data.get("source_title") or "",
                urgency=data.get("urgency") or "",
                instructed_by=data.get("instructed_by") or "",
                due_date=data.get("due_date"),
                major=bool(data.get("major")),
                assign=bool(data.get("assign")),
                ip=client_ip(request),
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The task is registered."))
            return _detail(task)
    source_type = form["source_type"].value() or ""
    return render(
        request,
        "followups/tasks/form.html",
        {
            "form": form,
            "source_label": sources.label_of(source_type) if source_type else "",
        },
    )


# --- a task's page ----------------------------------------------------------------------


@role_required(VIEWERS)
def task_detail(request, outcome_pk: int):
    task = _task(request, outcome_pk)
    actions = task_actions_for(request.user, task)
    reports = list(selectors.task_updates(task))
    extensions = list(
        task.extensions.select_related("asked_by", "decided_by").order_by("asked_at", "pk")
    )
    return render(
        request,
        "followups/tasks/detail.html",
        {
            "task": task,
            "warning": supervision.colour_of(task),
            "buttons": _buttons(task, actions),
            "next_step": NEXT_STEP.get(task.state, ""),
            "source_label": sources.label_of(task.source_type) if task.source_type else "",
            "source_url": sources.url_of(task.source_type, task.source_id),
            "supporting": list(task.supporting_units.order_by("name")),
            "reports": reports,
            "urges": list(task.urges.select_related("by").order_by("-at", "-pk")),
            "reviews": list(task.reviews.select_related("by", "feedback").order_by("-at", "-pk")),
            "extensions": extensions,
            "granted": [e for e in extensions if e.state == "granted"],
            "pending_extension": next((e for e in extensions if e.state == "asked"), None),
            "can_notice": task_docx.available(task, "notice"),
            "history": history(task),
        },
    )


# --- the actions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str  # the key of ``task_actions_for``
    form: type
    run: Callable[..., Any]  # (actor, task, data, ip) -> None
    heading: Any
    button: Any
    done: Any  # the message after it
    danger: bool = False
    multipart: bool = False
    intro: Any = ""
    warning: Any = ""  # said above the form of what cannot be undone


def _report(service):
    return lambda actor, task, data, ip: service(
        actor=actor, task=task, text=data["text"], evidence=data.get("evidence"), ip=ip
    )


ACTIONS: dict[str, Action] = {
    "assign": Action(
        "assign",
        forms.EmptyForm,
        lambda actor, task, data, ip: supervision.task_assign(actor=actor, task=task, ip=ip),
        gettext_lazy("Send to the lead unit (交办)"),
        pgettext_lazy("task page", "Send"),
        gettext_lazy("The task was sent to its lead unit."),
        intro=gettext_lazy(
            "The task gets its number and the lead unit and the supporting units are told."
        ),
    ),
    "accept": Action(
        "accept",
        forms.EmptyForm,
        lambda actor, task, data, ip: supervision.task_accept(actor=actor, task=task, ip=ip),
        gettext_lazy("Accept the task (承办)"),
        pgettext_lazy("task page", "Accept"),
        gettext_lazy("Your unit has accepted the task."),
        intro=gettext_lazy("Your unit takes the lead on this task and answers for the whole."),
    ),
    "ask-redirect": Action(
        "ask_redirect",
        forms.ReasonForm,
        lambda actor, task, data, ip: supervision.task_ask_redirect(
            actor=actor, task=task, reason=data["reason"], ip=ip
        ),
        gettext_lazy("Ask to give the task to another unit"),
        gettext_lazy("Send the request"),
        gettext_lazy("The office was asked to give the task to another unit."),
        intro=gettext_lazy("Say why the task is not your unit's; the office decides."),
    ),
    "redirect": Action(
        "redirect",
        forms.RedirectForm,
        lambda actor, task, data, ip: supervision.task_redirect(
            actor=actor,
            task=task,
            lead_unit=data["lead_unit"],
            responsible_person=data["responsible_person"],
            reason=data.get("reason") or "",
            ip=ip,
        ),
        gettext_lazy("Give the task to another unit"),
        gettext_lazy("Give to this unit"),
        gettext_lazy("The task was given to another unit."),
    ),
    "keep": Action(
        "keep",
        forms.ReasonForm,
        lambda actor, task, data, ip: supervision.task_keep(
            actor=actor, task=task, reason=data["reason"], ip=ip
        ),
        gettext_lazy("Keep the task with its lead unit"),
        gettext_lazy("Keep it"),
        gettext_lazy("The task stays with its lead unit."),
        intro=gettext_lazy("The request is refused; the lead unit is told why."),
    ),
    "progress": Action(
        "progress",
        forms.ReportForm,
        _report(supervision.task_progress),
        gettext_lazy("Report progress"),
        gettext_lazy("Save"),
        gettext_lazy("Progress recorded."),
        multipart=True,
    ),
    "support": Action(
        "support",
        forms.ReportForm,
        _report(supervision.task_support_report),
        gettext_lazy("Report your unit's part"),
        gettext_lazy("Send to the lead unit"),
        gettext_lazy("Your report was sent to the lead unit."),
        multipart=True,
        intro=gettext_lazy(
            "A supporting unit reports its part to the lead unit, which answers for the whole."
        ),
    ),
    "urge": Action(
        "urge",
        forms.UrgeForm,
        lambda actor, task, data, ip: supervision.task_urge(
            actor=actor, task=task, method=data["method"], text=data["text"], ip=ip
        ),
        gettext_lazy("Urge the unit (催办)"),
        gettext_lazy("Record the reminder"),
        gettext_lazy("The reminder is recorded and shown to the unit."),
        intro=gettext_lazy(
            "The reminder is kept on the task and shown to the lead unit; "
            "its reminder sheet (催办单) can then be printed."
        ),
    ),
    "feedback": Action(
        "feedback",
        forms.ReportForm,
        _report(supervision.task_feedback),
        gettext_lazy("Report the result (反馈)"),
        gettext_lazy("Send to the office"),
        gettext_lazy("The result was sent to the office for review."),
        multipart=True,
        intro=gettext_lazy("Say what was done, with the evidence where it exists."),
    ),
    "close": Action(
        "close",
        forms.CloseForm,
        lambda actor, task, data, ip: supervision.task_close(
            actor=actor, task=task, comment=data.get("comment") or "", ip=ip
        ),
        gettext_lazy("Close the task (办结)"),
        gettext_lazy("Close the task"),
        gettext_lazy("The task is closed."),
        warning=gettext_lazy("The result is accepted and the task closed; this cannot be undone."),
    ),
    "return": Action(
        "return",
        forms.ReasonForm,
        lambda actor, task, data, ip: supervision.task_return(
            actor=actor, task=task, reason=data["reason"], ip=ip
        ),
        gettext_lazy("Return as not solved"),
        pgettext_lazy("task page", "Return"),
        gettext_lazy("The task was returned to its lead unit."),
        danger=True,
        intro=gettext_lazy("The unit's feedback stays on the record; say what is missing."),
    ),
    "archive": Action(
        "archive",
        forms.ArchiveForm,
        lambda actor, task, data, ip: supervision.task_archive(actor=actor, task=task, ip=ip),
        gettext_lazy("File the task (归档)"),
        pgettext_lazy("task page", "File"),
        gettext_lazy("The task is filed."),
        warning=gettext_lazy("A filed task is kept as it is; this cannot be undone."),
    ),
    "drop": Action(
        "drop",
        forms.DropForm,
        lambda actor, task, data, ip: supervision.task_drop(
            actor=actor, task=task, reason=data["reason"], ip=ip
        ),
        gettext_lazy("Drop the task"),
        gettext_lazy("Drop"),
        gettext_lazy("The task was dropped."),
        danger=True,
        warning=gettext_lazy("A dropped task is not followed any more; this cannot be undone."),
    ),
    "extend": Action(
        "extend",
        forms.ExtensionAskForm,
        lambda actor, task, data, ip: supervision.extension_ask(
            actor=actor,
            task=task,
            requested_date=data["requested_date"],
            reason=data["reason"],
            ip=ip,
        ),
        gettext_lazy("Ask for a later deadline"),
        gettext_lazy("Send the request"),
        gettext_lazy("The request for a later deadline was sent to the office."),
        intro=gettext_lazy(
            "Ask before the deadline; the office decides, and the original deadline stays "
            "on the record beside the new one."
        ),
    ),
}


def _buttons(task: Outcome, actions: dict[str, bool]) -> list[dict]:
    """The task page's buttons, one per action ``task_actions_for`` allows: each opens the
    action's own page (a GET never changes anything)."""
    out = []
    for name, action in ACTIONS.items():
        if actions.get(action.key):
            style = "btn-outline-danger" if action.danger or action.warning else "btn-primary"
            out.append(
                {
                    "name": name,
                    "url": reverse(f"followups:task-{name}", kwargs={"outcome_pk": task.pk}),
                    "label": action.heading,
                    "style": style if name not in SECONDARY else "btn-outline-primary",
                }
            )
        if name == "extend" and actions.get("decide_extension"):
            out.append(
                {
                    "name": "extension-decide",
                    "url": reverse(
                        "followups:task-extension-decide", kwargs={"outcome_pk": task.pk}
                    ),
                    "label": _("Decide the request for a later deadline"),
                    "style": "btn-primary",
                }
            )
    return out


# Buttons shown beside the main one, not as the next step itself.
SECONDARY = frozenset({"ask-redirect", "keep", "extend", "urge", "progress", "support"})


def _form_kwargs(form_class, request) -> dict:
    if form_class is forms.RedirectForm:
        return {"user": request.user}
    return {}


def task_action(request, outcome_pk: int, name: str):
    """The page of one action: GET shows its form (the confirmation, where it cannot be
    undone), POST takes it through the service."""
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    task = _task(request, outcome_pk)
    if not task_actions_for(request.user, task).get(action.key):
        raise PermissionDenied
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = action.form(*data, **_form_kwargs(action.form, request))
    if request.method == "POST" and form.is_valid():
        try:
            action.run(request.user, task, form.cleaned_data, client_ip(request))
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, str(action.done))
            return _detail(task)
    return render(
        request,
        "followups/tasks/action.html",
        {"task": task, "form": form, "action": action, "name": name},
    )


def _action_view(name: str):
    @role_required(VIEWERS)
    def view(request, outcome_pk: int):
        return task_action(request, outcome_pk, name)

    view.__name__ = f"task_{name.replace('-', '_')}"
    return view


ACTION_VIEWS = {name: _action_view(name) for name in ACTIONS}


@role_required(VIEWERS)
def extension_decide(request, outcome_pk: int):
    """The office's decision on the task's pending request for a later deadline."""
    task = _task(request, outcome_pk)
    if not task_actions_for(request.user, task).get("decide_extension"):
        raise PermissionDenied
    extension = (
        task.extensions.select_related("asked_by").filter(state="asked").order_by("pk").first()
    )
    if extension is None:
        raise Http404
    form = forms.ExtensionDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grant = form.cleaned_data["decision"] == "grant"
        try:
            supervision.extension_decide(
                actor=request.user,
                extension=extension,
                grant=grant,
                reason=form.cleaned_data.get("reason") or "",
                ip=client_ip(request),
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("The new deadline is granted.") if grant else _("The request was refused."),
            )
            return _detail(task)
    return render(
        request,
        "followups/tasks/extension_decide.html",
        {"task": task, "form": form, "extension": extension},
    )


# --- documents --------------------------------------------------------------------------


def _document(request, task: Outcome, kind: str, urge=None):
    return downloads.generated_document(
        lambda: task_docx.task_document(task, kind, urge),
        record=lambda: task_docx.task_document_download(
            actor=request.user, task=task, kind=kind, ip=client_ip(request)
        ),
    )


@role_required(VIEWERS)
def task_notice(request, outcome_pk: int):
    """督办通知单 (.docx), once the task has its number."""
    return _document(request, _task(request, outcome_pk), "notice")


@role_required(VIEWERS)
def task_reminder(request, outcome_pk: int):
    """催办单 (.docx) of one urge (``?urge=``), else of the latest."""
    task = _task(request, outcome_pk)
    urge = task_docx.urge_of(task, request.GET.get("urge"))
    if urge is None:
        raise Http404
    return _document(request, task, "reminder", urge)


# --- the board, a unit's page, the on-time table ------------------------------------------


def _list_url(**query) -> str:
    """The list filtered as a count of the board counts: open tasks, and the count's own
    condition."""
    return _list_base() + urlencode({"state": "open", **query})


def _list_base() -> str:
    return reverse("followups:task-list") + "?"


def _linked(row: dict, **query) -> dict:
    """A row of counts with the list's address of each count."""
    base = _list_base()
    links = {"total": base + urlencode({"state": "open", **query})}
    for colour in ("red", "yellow", "blue", "none"):
        links[colour] = base + urlencode({"state": "open", **query, "colour": colour})
    return {**row, "links": links}


@role_required(CITY_ROLES)
def board(request):
    """The office's board: every open task counted by colour, by source and by lead unit,
    each count a link to the list so filtered."""
    counts = selectors.board_counts(request.user, today=timezone.localdate())
    by_colour = [
        {
            "colour": colour,
            "label": Colour(colour if colour != "none" else "").label,
            "count": counts["by_colour"][colour],
            "url": _list_url(colour=colour),
        }
        for colour in ("red", "yellow", "blue", "none")
    ]
    units = Paginator(counts["by_unit"], BOARD_UNITS).get_page(request.GET.get("page"))
    return render(
        request,
        "followups/tasks/board.html",
        {
            "total": counts["total"],
            "total_url": _list_url(),
            "by_colour": by_colour,
            "by_source": [_linked(r, source_kind=r["source_kind"]) for r in counts["by_source"]],
            # Red and yellow first; a page of units at a time (2,000 rows nobody reads).
            "by_unit": [_linked(r, unit=r["unit_id"], lead="on") for r in units.object_list],
            "page_obj": units,
            "query_string": other_params(request, "page"),
        },
    )


def _by_colour(tasks: list) -> list[tuple[str, Any, list]]:
    """(colour, its label, the tasks) for each colour that has any, worst first."""
    groups = []
    for colour in COLOURS:
        rows = [t for t in tasks if (t.warning or "") == colour]
        if rows:
            groups.append((colour, Colour(colour).label, rows))
    return groups


@role_required(VIEWERS)
def unit_tasks(request):
    """A unit's open tasks by colour, those it leads and those it supports: the unit roles
    their own unit's, the city roles any unit's."""
    user = request.user
    pick = None
    if scoping.is_reader_of_everything(user):
        pick = forms.UnitPickForm(request.GET or None)
        unit = pick.cleaned_data.get("unit") if pick.is_valid() else None
    else:
        unit = Unit.objects.filter(pk=user.unit_id).first()
    leading: list = []
    supporting: list = []
    if unit is not None:
        rows = selectors.task_list(user, unit_id=unit.pk, state="open")
        leading = list(rows.filter(responsible_unit_id=unit.pk)[: UNIT_PAGE_ROWS + 1])
        supporting = list(
            rows.filter(selectors.supported_by(unit.pk)).exclude(responsible_unit_id=unit.pk)[
                : UNIT_PAGE_ROWS + 1
            ]
        )
    return render(
        request,
        "followups/tasks/unit.html",
        {
            "unit": unit,
            "pick": pick,
            "groups": _by_colour(leading[:UNIT_PAGE_ROWS]),
            "more_leading": len(leading) > UNIT_PAGE_ROWS,
            "supporting": supporting[:UNIT_PAGE_ROWS],
            "more_supporting": len(supporting) > UNIT_PAGE_ROWS,
            "max_rows": UNIT_PAGE_ROWS,
            "list_url": _list_url(unit=unit.pk) if unit is not None else "",
        },
    )


def _on_time(request):
    form = forms.YearForm(request.GET or None)
    year = form.year_or_this()
    return form, year, selectors.on_time(request.user, year=year)


@role_required(VIEWERS)
def on_time(request):
    """A year's on-time table: each lead unit's tasks due, closed on time, and the rate."""
    form, year, rows = _on_time(request)
    due = sum(row.due for row in rows)
    on_time = sum(row.on_time for row in rows)
    # A page of units at a time (2,000 rows nobody reads), under the totals of them all.
    page = Paginator(rows, ON_TIME_UNITS).get_page(request.GET.get("page"))
    return render(
        request,
        "followups/tasks/on_time.html",
        {
            "form": form,
            "year": year,
            "rows": [
                {
                    "row": row,
                    "rate": task_exports.rate_text(row.rate),
                    "late": row.due - row.on_time,
                }
                for row in page.object_list
            ],
            "totals": {
                "due": due,
                "on_time": on_time,
                "late": due - on_time,
                "rate": task_exports.rate_text(on_time / due if due else None),
            },
            "page_obj": page,
            "query_string": other_params(request, "page"),
        },
    )


@role_required(VIEWERS)
def on_time_export(request):
    _form, year, rows = _on_time(request)
    return task_exports.on_time_xlsx(request, rows, year)
