"""Supervised tasks (督办事项) over the API: the list with its filters, one task with what
the caller may do with it now, registering a task and every step of its flow (assign,
accept, ask to redirect, redirect or keep, progress, a supporting unit's report, urge,
feedback, close, return, archive, drop, ask for and decide an extension), the office's
board and the units' on-time table.

Thin, like the pages: reads start in ``scoping`` through ``followups.selectors`` (a unit's
roles see the tasks their unit leads or supports; another unit's task is 404; a trip's
outcome is not a task here), every write is a ``waishi.followups.supervision`` call
(checked, locked and audited as on the pages) and takes an ``Idempotency-Key``. A role that
may never take a step is refused with 403 before the task is read; a refusal of the task's
state, or of a unit that does not lead it, comes from the service (400 or 403)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import lookups
from waishi.api import task_serializers as ts
from waishi.api.errors import renamed, valid
from waishi.api.idempotency import fits_a_replay, idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.followups import selectors, supervision, workflow
from waishi.followups.models import Extension, ExtensionState, Outcome, Track
from waishi.lib.roles import ACTORS, VIEWERS
from waishi.orgs import scoping

_WRITE_ERRORS = (400, 403, 404, 422)
# A service names the lead unit as the model does; the API calls it lead_unit.
_NAMES = {"responsible_unit": "lead_unit"}


def _roles_of(action: str) -> frozenset[str]:
    """The roles that may ever take the transition ``action`` (its rows' roles)."""
    found: frozenset[str] = frozenset()
    for transition in workflow.TASK.edges():
        if transition.action == action:
            found |= transition.roles
    return found & ACTORS


class _TaskView(JsonOnly):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = VIEWERS
    read_message = gettext_lazy("Your role does not give access to supervised tasks.")
    write_roles = workflow.OFFICE & ACTORS
    write_message = gettext_lazy("Only the supervision office registers supervised tasks.")


# --- reads ----------------------------------------------------------------------------------


def _tasks():
    return Outcome.objects.filter(track=Track.TASK).select_related(
        "responsible_unit", "responsible_person", "created_by"
    )


def _task(request, pk) -> Outcome:
    return scoping.get_for_user(request.user, _tasks(), pk)


def _detail_response(request, pk, code: int = 200) -> Response:
    today = timezone.localdate()
    task = scoping.get_for_user(
        request.user,
        _tasks()
        .annotate(warning=selectors.colour_now(today))
        .prefetch_related(
            "supporting_units",
            Prefetch(
                "extensions", queryset=Extension.objects.select_related("asked_by", "decided_by")
            ),
        ),
        pk,
    )
    task.report_rows = list(selectors.task_updates(task))
    task.urge_rows = list(task.urges.select_related("by").order_by("-at", "-pk"))
    task.review_rows = list(task.reviews.select_related("by").order_by("-at", "-pk"))
    task.extension_rows = sorted(
        task.extensions.all(), key=lambda e: (e.asked_at, e.pk), reverse=True
    )
    task.actions = workflow.task_actions_for(request.user, task, today=today)
    return Response(ts.TaskDetailOutput(task).data, status=code)


def _calling(service, **kwargs):
    """``service(**kwargs)``, its refusals naming the fields as the API's input does."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise renamed(exc, _NAMES) from None


# --- the collection -------------------------------------------------------------------------


class TaskCollectionView(_TaskView, generics.GenericAPIView):
    serializer_class = ts.TaskListOutput
    queryset = Outcome.objects.none()

    def get_queryset(self):
        query = valid(ts.TaskQuery, self.request.query_params)
        return (
            selectors.task_list(
                self.request.user,
                unit_id=query["unit"],
                colour=query["colour"] or None,
                source_kind=query["source_kind"] or None,
                state=query["state"] or None,
                q=query["q"],
                year=query["year"],
            )
        ).prefetch_related("supporting_units")

    @extend_schema(
        operation_id="tasks_list",
        summary="Supervised tasks",
        description="Scoped like the pages: a unit's roles see the tasks their unit leads or "
        "supports, the office, the committee and the auditor every unit's. Filtered by unit "
        "(leading or supporting), warning colour, kind of source, state, year and text; "
        "paginated.",
        parameters=[ts.TaskQuery],
        responses=_responses(ts.TaskListOutput(many=True), 400, 403),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ts.TaskListOutput(page, many=True).data)

    @extend_schema(
        operation_id="tasks_create",
        summary="Register a supervised task (立项)",
        description="The supervision office: the source (kind, and optionally the record it "
        "comes from), a lead unit with a responsible person of it, supporting units, and a "
        "deadline (left out: the default for the kind of source, in working days). With "
        "assign=true it is also assigned (交办) to the lead unit at once.",
        parameters=[IDEMPOTENCY_KEY],
        request=ts.TaskRegisterInput,
        responses=_responses(ts.TaskDetailOutput, *_WRITE_ERRORS, ok_status=201),
    )
    @idempotent
    def post(self, request):
        data = valid(ts.TaskRegisterInput, request.data)
        user = request.user
        task = _calling(
            supervision.task_register,
            actor=user,
            title=data["title"],
            source_kind=data["source_kind"],
            lead_unit=lookups.unit(data["lead_unit"], "lead_unit"),
            responsible_person=lookups.person(
                user, data["responsible_person"], "responsible_person"
            ),
            supporting_units=lookups.units(data["supporting_units"], "supporting_units"),
            description=data["description"],
            source_type=data["source_type"],
            source_id=data.get("source_id"),
            urgency=data["urgency"],
            instructed_by=data["instructed_by"],
            due_date=data["due_date"],
            major=data["major"],
            assign=data["assign"],
            ip=client_ip(request),
        )
        return _detail_response(request, task.pk, 201)


# --- one task -------------------------------------------------------------------------------


class TaskView(_TaskView, APIView):
    @extend_schema(
        operation_id="tasks_retrieve",
        summary="One supervised task",
        description="With its reports (progress, feedback, supporting units'), reminders, "
        "reviews and extension requests, the latest first, and what the caller may do with "
        "it now (the buttons of its page).",
        responses=_responses(ts.TaskDetailOutput, 403, 404),
    )
    def get(self, request, outcome_pk: int):
        return _detail_response(request, outcome_pk)


class _StepView(_TaskView, APIView):
    """One step of a task's flow: the input checked, the service called, the task answered."""

    input_class: type = ts.TaskEmptyInput
    ok_status = 200

    def call(self, request, task, data) -> None:  # pragma: no cover - each step has its own
        raise NotImplementedError

    def act(self, request, outcome_pk: int) -> Response:
        task = _task(request, outcome_pk)
        data = valid(self.input_class, request.data)
        _calling(self.call, request=request, task=task, data=data)
        return _detail_response(request, task.pk, self.ok_status)


def _step(
    name: str,
    *,
    call,
    input_class,
    roles: frozenset[str],
    message,
    summary: str,
    description: str,
    upload: str = "",
    ok_status: int = 200,
):
    """A step's endpoint: ``call(request, task, data)`` runs the service."""
    request_body = (
        {"application/json": input_class, "multipart/form-data": input_class}
        if upload
        else input_class
    )

    class View(_StepView):
        write_roles = roles & ACTORS
        write_message = message
        parser_classes = [JSONParser, MultiPartParser, FormParser] if upload else [JSONParser]

        def post(self, request, outcome_pk: int):
            return self.act(request, outcome_pk)

        post = idempotent(post)
        if upload:
            post = fits_a_replay(upload)(post)
        post = extend_schema(
            operation_id=f"tasks_{name}",
            summary=summary,
            description=description,
            parameters=[IDEMPOTENCY_KEY],
            request=request_body,
            responses=_responses(ts.TaskDetailOutput, *_WRITE_ERRORS, ok_status=ok_status),
        )(post)

    View.input_class = input_class
    View.ok_status = ok_status
    View.call = staticmethod(call)
    View.__name__ = View.__qualname__ = "Task" + name.title().replace("_", "") + "View"
    return View


def _ip(request) -> str:
    return client_ip(request)


TaskAssignView = _step(
    "assign",
    call=lambda request, task, data: supervision.task_assign(
        actor=request.user, task=task, ip=_ip(request)
    ),
    input_class=ts.TaskEmptyInput,
    roles=_roles_of("assign"),
    message=gettext_lazy("Only the supervision office assigns a task."),
    summary="Assign the task to its lead unit (交办)",
    description="The office, a registered task: it is given its number (督办〔year〕N号) and "
    "the lead unit is told.",
)
TaskAcceptView = _step(
    "accept",
    call=lambda request, task, data: supervision.task_accept(
        actor=request.user, task=task, ip=_ip(request)
    ),
    input_class=ts.TaskEmptyInput,
    roles=_roles_of("accept"),
    message=gettext_lazy("Only the lead unit's clerk or leader accepts a task."),
    summary="Accept the task (承办)",
    description="The lead unit's clerk or leader, an assigned task.",
)
TaskAskRedirectView = _step(
    "ask_redirect",
    call=lambda request, task, data: supervision.task_ask_redirect(
        actor=request.user, task=task, reason=data["reason"], ip=_ip(request)
    ),
    input_class=ts.TaskReasonInput,
    roles=_roles_of("ask_redirect"),
    message=gettext_lazy("Only the lead unit's clerk or leader asks to redirect a task."),
    summary="Ask the office to give the task to another unit",
    description="The lead unit's clerk or leader, an assigned task, with the reason; the "
    "office then redirects it or keeps the lead unit.",
)


def _redirect(request, task, data) -> None:
    supervision.task_redirect(
        actor=request.user,
        task=task,
        lead_unit=lookups.unit(data["lead_unit"], "lead_unit"),
        responsible_person=lookups.person(
            request.user, data["responsible_person"], "responsible_person"
        ),
        reason=data["reason"],
        ip=_ip(request),
    )


TaskRedirectView = _step(
    "redirect",
    call=_redirect,
    input_class=ts.TaskRedirectInput,
    roles=_roles_of("redirect"),
    message=gettext_lazy("Only the supervision office redirects a task."),
    summary="Give the task to another lead unit",
    description="The office, when the lead unit asked to redirect it: the new lead unit and "
    "a responsible person of it; the task is assigned to that unit.",
)
TaskKeepView = _step(
    "keep",
    call=lambda request, task, data: supervision.task_keep(
        actor=request.user, task=task, reason=data["reason"], ip=_ip(request)
    ),
    input_class=ts.TaskReasonInput,
    roles=_roles_of("keep"),
    message=gettext_lazy("Only the supervision office decides a request to redirect."),
    summary="Keep the lead unit",
    description="The office refuses the lead unit's request to redirect, with the reason; "
    "the task is assigned to the same unit again.",
)
TaskProgressView = _step(
    "progress",
    call=lambda request, task, data: supervision.task_progress(
        actor=request.user,
        task=task,
        text=data["text"],
        evidence=data.get("evidence"),
        ip=_ip(request),
    ),
    input_class=ts.TaskReportInput,
    roles=workflow.LEAD_UNIT,
    message=gettext_lazy("Only the lead unit's clerk or leader reports progress."),
    summary="Report progress",
    description="The lead unit's clerk or leader, while the task is in progress or "
    "returned. Evidence (multipart/form-data) is optional: a PDF, an image or a Word "
    "document, checked by its content.",
    upload="evidence",
    ok_status=201,
)
TaskSupportView = _step(
    "support",
    call=lambda request, task, data: supervision.task_support_report(
        actor=request.user,
        task=task,
        text=data["text"],
        evidence=data.get("evidence"),
        ip=_ip(request),
    ),
    input_class=ts.TaskReportInput,
    roles=workflow.SUPPORTERS,
    message=gettext_lazy("Only a supporting unit's clerk or leader reports its part."),
    summary="Report a supporting unit's part",
    description="A supporting unit's clerk or leader reports its part to the lead unit "
    "(which answers to the office for the whole). Evidence as for progress.",
    upload="evidence",
    ok_status=201,
)
TaskUrgeView = _step(
    "urge",
    call=lambda request, task, data: supervision.task_urge(
        actor=request.user, task=task, method=data["method"], text=data["text"], ip=_ip(request)
    ),
    input_class=ts.TaskUrgeInput,
    roles=workflow.OFFICE,
    message=gettext_lazy("Only the supervision office urges a unit."),
    summary="Urge the lead unit (催办)",
    description="The office records a reminder (by notice, telephone or visit) on a task "
    "given to its lead unit and not yet reported; the unit is told and sees it on the task.",
    ok_status=201,
)
TaskFeedbackView = _step(
    "feedback",
    call=lambda request, task, data: supervision.task_feedback(
        actor=request.user,
        task=task,
        text=data["text"],
        evidence=data.get("evidence"),
        ip=_ip(request),
    ),
    input_class=ts.TaskReportInput,
    roles=_roles_of("feedback"),
    message=gettext_lazy("Only the lead unit's clerk or leader reports the result."),
    summary="Report the result (反馈)",
    description="The lead unit's clerk or leader, a task in progress or returned: the "
    "result, with evidence where it exists; the office then reviews it.",
    upload="evidence",
    ok_status=201,
)
TaskCloseView = _step(
    "close",
    call=lambda request, task, data: supervision.task_close(
        actor=request.user, task=task, comment=data["comment"], ip=_ip(request)
    ),
    input_class=ts.TaskCloseInput,
    roles=_roles_of("close"),
    message=gettext_lazy("Only the supervision office closes a task."),
    summary="Accept the result and close the task (办结)",
    description="The office, a task whose result awaits review.",
)
TaskReturnView = _step(
    "return",
    call=lambda request, task, data: supervision.task_return(
        actor=request.user, task=task, reason=data["reason"], ip=_ip(request)
    ),
    input_class=ts.TaskReasonInput,
    roles=_roles_of("return"),
    message=gettext_lazy("Only the supervision office returns a task."),
    summary="Return the task as not solved",
    description="The office, a task whose result awaits review, with the reason; the "
    "unit's feedback stays on the record.",
)
TaskArchiveView = _step(
    "archive",
    call=lambda request, task, data: supervision.task_archive(
        actor=request.user, task=task, ip=_ip(request)
    ),
    input_class=ts.TaskEmptyInput,
    roles=_roles_of("archive"),
    message=gettext_lazy("Only the supervision office archives a task."),
    summary="File the closed task under its year (归档)",
    description="The office, a closed task.",
)
TaskDropView = _step(
    "drop",
    call=lambda request, task, data: supervision.task_drop(
        actor=request.user, task=task, reason=data["reason"], ip=_ip(request)
    ),
    input_class=ts.TaskReasonInput,
    roles=_roles_of("drop"),
    message=gettext_lazy("Only the head of the office may drop a task."),
    summary="Drop the task, with the reason",
    description="The head of the office, a task not yet closed; the reason is kept on it.",
)
TaskExtensionAskView = _step(
    "extension_ask",
    call=lambda request, task, data: supervision.extension_ask(
        actor=request.user,
        task=task,
        requested_date=data["requested_date"],
        reason=data["reason"],
        ip=_ip(request),
    ),
    input_class=ts.TaskExtensionAskInput,
    roles=workflow.LEAD_UNIT,
    message=gettext_lazy("Only the lead unit's clerk or leader asks for more time."),
    summary="Ask for a later deadline (延期)",
    description="The lead unit's clerk or leader, before the deadline, with the new date "
    "and the reason; one request at a time, decided by the office.",
    ok_status=201,
)


def _decide(request, task, data) -> None:
    extension = task.extensions.filter(state=ExtensionState.ASKED).first()
    if extension is None:
        raise ValidationError(_("No request for a later deadline awaits a decision."))
    supervision.extension_decide(
        actor=request.user,
        extension=extension,
        grant=data["grant"],
        reason=data["reason"],
        ip=_ip(request),
    )


TaskExtensionDecideView = _step(
    "extension_decide",
    call=_decide,
    input_class=ts.TaskExtensionDecideInput,
    roles=workflow.OFFICE,
    message=gettext_lazy("Only the supervision office decides a request for more time."),
    summary="Grant or refuse the request for a later deadline",
    description="The office (past the number of extensions the rules allow, its head) "
    "decides the task's open request: granted, the new date becomes the deadline and the "
    "original stays on the record beside it.",
)


# --- the office's views ---------------------------------------------------------------------


class TaskBoardView(_TaskView, APIView):
    @extend_schema(
        operation_id="tasks_board",
        summary="The board: open tasks by unit, by source and by colour",
        description="Counted over the tasks the caller may see (a unit's roles: the tasks "
        "their unit leads or supports).",
        responses=_responses(ts.TaskBoardOutput, 403),
    )
    def get(self, request):
        counts = selectors.board_counts(request.user, today=timezone.localdate())
        return Response(ts.TaskBoardOutput(ts.board_rows(counts)).data)


class TaskOnTimeView(_TaskView, APIView):
    @extend_schema(
        operation_id="tasks_on_time",
        summary="Each unit's on-time rate for a year",
        description="Tasks closed by their (possibly extended) deadline divided by the tasks "
        "due in the year, by lead unit; a task closed after it went red counts as late.",
        parameters=[ts.TaskOnTimeQuery],
        responses=_responses(ts.TaskOnTimeRowOutput(many=True), 400, 403),
    )
    def get(self, request):
        query = valid(ts.TaskOnTimeQuery, request.query_params)
        year = query["year"] or timezone.localdate().year
        rows = selectors.on_time(request.user, year=year)
        return Response(ts.TaskOnTimeRowOutput(ts.on_time_rows(rows), many=True).data)
