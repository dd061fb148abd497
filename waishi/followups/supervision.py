"""Supervised tasks (督办事项, supervision.md): every change of a task, each checked,
locked and audited in its own transaction; the daily colour sweep.

The flow: 立项 ``task_register`` (the office) → 交办 ``task_assign`` (the task gets its
number, 督办〔2026〕12号) → 承办 ``task_accept`` by the lead unit, or ``task_ask_redirect``
(decided by the office: ``task_redirect`` or ``task_keep``) → progress
(``task_progress``; a supporting unit's ``task_support_report`` goes to the lead unit;
the office's reminders ``task_urge``) → 反馈 ``task_feedback`` → 审核 ``task_close`` or
``task_return`` (the earlier feedback stays on the record) → 归档 ``task_archive``.
A deadline is moved by ``extension_ask`` (before the deadline only) and
``extension_decide`` (the office; beyond ``SUPERVISION.extensions_max`` grants, its head).

The lead unit (``responsible_unit``) alone acts for the task; a supporting unit sees it
and reports its part to the lead unit. Only the office closes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import record, snapshot
from waishi.followups import deadlines
from waishi.followups import evidence as evidence_check
from waishi.followups.models import (
    CLOSED_TASK_STATES,
    COLOURED_STATES,
    NUMBER_FORMAT,
    OPEN_TASK_STATES,
    WORKING_STATES,
    Colour,
    Extension,
    ExtensionState,
    Outcome,
    ProgressUpdate,
    Review,
    ReviewDecision,
    SourceKind,
    State,
    TaskSequence,
    Track,
    UpdateKind,
    Urge,
    UrgeMethod,
    Urgency,
)
from waishi.followups.notices import (
    TASK_EXTENSION_ASKED,
    TASK_REMINDED,
    TASK_SUPPORTED,
    TASK_WENT_RED,
)
from waishi.followups.services import _clean_person, _clean_source
from waishi.followups.workflow import (
    EXTENSION,
    LEAD_UNIT,
    OFFICE,
    OFFICE_HEAD,
    SUPPORTERS,
    TASK,
)
from waishi.lib.roles import has
from waishi.notify import handoffs
from waishi.orgs import permissions

TASK_FIELDS = (
    "title",
    "description",
    "source_kind",
    "source_type",
    "source_id",
    "source_title",
    "urgency",
    "instructed_by",
    "major",
    "responsible_unit",
    "responsible_person",
    "due_date",
    "original_due_date",
    "number",
    "state",
)
SWEEP_ACTOR = "supervision colour sweep"
# Reports of the lead unit that count as its monthly report of a major task.
LEAD_REPORTS = (UpdateKind.PROGRESS, UpdateKind.FEEDBACK)


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("You are not allowed to do this."))


def _require_office(actor) -> None:
    if not has(actor, OFFICE):
        raise _denied(_("Only the supervision office may do this."))


def _require_lead(actor, task: Outcome) -> None:
    if not permissions.may(actor, LEAD_UNIT, task):
        raise _denied(_("Only the lead unit of this task may do this."))


def _lock(task: Outcome) -> Outcome:
    locked = Outcome.objects.select_for_update().get(pk=task.pk)
    if locked.track != Track.TASK:
        raise ValidationError(_("This is an outcome, not a supervised task."), code="outcome")
    return locked


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _require_state(task: Outcome, states, message: str) -> None:
    if task.state not in states:
        raise ValidationError(message, code="state")


def _unit_names(units) -> list[str]:
    return sorted(str(u) for u in units)


def _ids(objs) -> set[int]:
    return {getattr(o, "pk", o) for o in objs}


# --- 立项 and 交办 ---------------------------------------------------------------------------


def _clean_task(
    *,
    title: str,
    source_kind: str,
    lead_unit,
    responsible_person,
    supporting_units,
    urgency: str,
    due_date,
    today: dt.date,
) -> tuple[str, str, list]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the task a title.")
    if source_kind not in SourceKind.values:
        errors["source_kind"] = _("Choose where the task comes from.")
    if source_kind == SourceKind.INSTRUCTION:
        if urgency not in Urgency.values:
            errors["urgency"] = _("Say how urgent the leader's instruction is.")
    else:
        urgency = ""
    if lead_unit is None:
        errors["lead_unit"] = _("Choose the lead unit.")
    supporting = list(supporting_units or ())
    if lead_unit is not None and lead_unit.pk in _ids(supporting):
        errors["supporting_units"] = _("The lead unit cannot also be a supporting unit.")
    if due_date is not None and due_date < today:
        errors["due_date"] = _("The deadline must not be in the past.")
    if errors:
        raise ValidationError(errors)
    _clean_person(responsible_person, lead_unit.pk)
    return title, urgency, supporting


def task_register(
    *,
    actor,
    title: str,
    source_kind: str,
    lead_unit,
    responsible_person,
    supporting_units=(),
    description: str = "",
    source_type: str = "",
    source_id: int | None = None,
    source_title: str = "",
    urgency: str = "",
    instructed_by: str = "",
    due_date: dt.date | None = None,
    major: bool = False,
    assign: bool = False,
    ip: str = "",
) -> Outcome:
    """立项: the office records a task with its source, lead unit, responsible person,
    supporting units and deadline (by default from the source's kind, counted from today:
    ``deadlines.default_due``). ``assign=True`` also gives it to the lead unit (交办) in
    the same transaction (its own audit event)."""
    _require_office(actor)
    today = timezone.localdate()
    title, urgency, supporting = _clean_task(
        title=title,
        source_kind=source_kind,
        lead_unit=lead_unit,
        responsible_person=responsible_person,
        supporting_units=supporting_units,
        urgency=urgency,
        due_date=due_date,
        today=today,
    )
    typed_source = (source_title or "").strip()[:200]
    source_type, source_id, source_title = _clean_source(
        actor, source_type, source_id, source_title
    )
    if not source_type:
        # No record of ours: what the task comes from as the office typed it (a leader's
        # instruction 〔2026〕12号, a document's title), printed on the 督办通知单.
        source_title = typed_source
    if due_date is None:
        due_date = deadlines.default_due(source_kind, start=today, urgency=urgency)
    with transaction.atomic():
        task = Outcome.objects.create(
            track=Track.TASK,
            state=State.REGISTERED,
            source_kind=source_kind,
            source_type=source_type,
            source_id=source_id,
            source_title=source_title,
            title=title,
            description=(description or "").strip(),
            urgency=urgency,
            instructed_by=(instructed_by or "").strip()[:100],
            major=bool(major),
            responsible_unit=lead_unit,
            responsible_person=responsible_person,
            due_date=due_date,
            original_due_date=due_date,
            year=today.year,
            created_by=actor,
        )
        if supporting:
            task.supporting_units.set(supporting)
        record(
            action="followups.task.register",
            actor=actor,
            obj=task,
            ip=ip,
            after={
                **snapshot(task, TASK_FIELDS),
                "supporting_units": _unit_names(supporting),
            },
        )
        if assign:
            task = task_assign(actor=actor, task=task, ip=ip)
    return task


def _next_number(year: int) -> int:
    """The year's next task number, under the year's counter row lock (created once, by
    whichever transaction comes first)."""
    TaskSequence.objects.bulk_create([TaskSequence(year=year)], ignore_conflicts=True)
    counter = TaskSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def task_assign(*, actor, task: Outcome, ip: str = "") -> Outcome:
    """交办: the office gives the registered task to its lead unit; the task gets its
    number (督办〔year〕seq号), unique in the year."""
    info: dict = {}

    def effect(locked, _t):
        if locked.track != Track.TASK:
            raise ValidationError(_("This is an outcome, not a supervised task."))
        today = timezone.localdate()
        if locked.seq is None:
            locked.year = today.year
            locked.seq = _next_number(today.year)
            locked.number = NUMBER_FORMAT.format(year=locked.year, seq=locked.seq)
        locked.assigned_at = timezone.now()
        _recolour(locked, today, _t.target)
        info.update(number=locked.number, due_date=locked.due_date.isoformat())

    return TASK.apply(task, "assign", actor=actor, ip=ip, effect=effect, data=info)


# --- 承办 ------------------------------------------------------------------------------------


def task_accept(*, actor, task: Outcome, ip: str = "") -> Outcome:
    """承办: the lead unit takes the task up."""

    def effect(locked, _t):
        locked.accepted_at = timezone.now()
        _recolour(locked, timezone.localdate(), _t.target)

    return TASK.apply(task, "accept", actor=actor, ip=ip, effect=effect)


def task_ask_redirect(*, actor, task: Outcome, reason: str, ip: str = "") -> Outcome:
    """The lead unit asks the office to give the task to another unit, with a reason."""
    reason = _text(reason, "reason", _("Say why the task should go to another unit."))

    def effect(locked, _t):
        locked.redirect_reason = reason

    return TASK.apply(
        task,
        "ask_redirect",
        actor=actor,
        ip=ip,
        effect=effect,
        comment=reason,
        data={"reason": reason},
    )


def task_redirect(
    *, actor, task: Outcome, lead_unit, responsible_person, reason: str = "", ip: str = ""
) -> Outcome:
    """The office gives the task to another lead unit (and a person of it); the new lead
    unit accepts it or asks again."""
    reason = (reason or "").strip()
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("Choose the lead unit.")})
    info: dict = {"reason": reason, "unit": str(lead_unit)}

    def effect(locked, _t):
        if lead_unit.pk == locked.responsible_unit_id:
            raise ValidationError({"lead_unit": _("Choose another unit than the present one.")})
        _clean_person(responsible_person, lead_unit.pk)
        info["from_unit"] = str(locked.responsible_unit)
        locked.responsible_unit = lead_unit
        locked.responsible_person = responsible_person
        locked.assigned_at = timezone.now()
        # A supporting unit made the lead unit supports no more.
        locked.supporting_units.remove(lead_unit)

    return TASK.apply(
        task, "redirect", actor=actor, ip=ip, effect=effect, data=info, comment=reason
    )


def task_keep(*, actor, task: Outcome, reason: str, ip: str = "") -> Outcome:
    """The office refuses the request to redirect: the task stays with its lead unit."""
    reason = _text(reason, "reason", _("Say why the task stays with this unit."))
    return TASK.apply(task, "keep", actor=actor, ip=ip, comment=reason, data={"reason": reason})


# --- progress, support, reminders ------------------------------------------------------------


def _report(
    *,
    actor,
    task: Outcome,
    text: str,
    evidence,
    kind: str,
    unit_id: int,
    stored: list,
) -> ProgressUpdate:
    """A report on ``task`` (locked by the caller) with its optional evidence, checked by
    content; ``stored`` collects the file written, for the caller to remove on failure."""
    found = evidence_check.detect(evidence) if evidence else None
    update = ProgressUpdate(outcome=task, text=text, recorded_by=actor, kind=kind, unit_id=unit_id)
    if found is not None:
        name = getattr(evidence, "name", "") or f"evidence{found.extension}"
        update.evidence_name = str(name).replace("\\", "/").rsplit("/", 1)[-1][:200]
        update.evidence_type = found.content_type
        update.evidence.save(f"evidence{found.extension}", evidence, save=False)
        stored.append((update.evidence.storage, update.evidence.name))
    update.save()
    return update


def _cleanup(stored: list) -> None:
    for storage, name in stored:
        storage.delete(name)


def task_progress(*, actor, task: Outcome, text: str, evidence=None, ip: str = "") -> Outcome:
    """The lead unit reports progress (a major task monthly, by the report day)."""
    text = _text(text, "text", _("Say what has been done."))
    stored: list = []
    try:
        with transaction.atomic():
            locked = _lock(task)
            _require_lead(actor, locked)
            _require_state(
                locked, WORKING_STATES, _("Progress is reported while the task is worked on.")
            )
            update = _report(
                actor=actor,
                task=locked,
                text=text,
                evidence=evidence,
                kind=UpdateKind.PROGRESS,
                unit_id=locked.responsible_unit_id,
                stored=stored,
            )
            record(
                action="followups.task.progress",
                actor=actor,
                obj=locked,
                ip=ip,
                data={"update": update.pk, "text": text[:500], "evidence": update.evidence_name},
            )
            _save_colour(locked, timezone.localdate())
    except BaseException:
        _cleanup(stored)
        raise
    return locked


def task_support_report(*, actor, task: Outcome, text: str, evidence=None, ip: str = "") -> Outcome:
    """A supporting unit reports its part to the lead unit (which answers for the whole
    and alone reports to the office)."""
    text = _text(text, "text", _("Say what your unit has done."))
    stored: list = []
    try:
        with transaction.atomic():
            locked = _lock(task)
            unit_id = getattr(actor, "unit_id", None)
            if not (
                has(actor, SUPPORTERS)
                and unit_id
                and unit_id != locked.responsible_unit_id
                and locked.supporting_units.filter(pk=unit_id).exists()
            ):
                raise _denied(_("Only a supporting unit of this task reports its part."))
            _require_state(
                locked,
                WORKING_STATES | {State.FEEDBACK},
                _("A supporting unit reports while the task is worked on."),
            )
            update = _report(
                actor=actor,
                task=locked,
                text=text,
                evidence=evidence,
                kind=UpdateKind.SUPPORT,
                unit_id=unit_id,
                stored=stored,
            )
            record(
                action="followups.task.support",
                actor=actor,
                obj=locked,
                ip=ip,
                data={
                    "update": update.pk,
                    "unit": str(actor.unit),
                    "text": text[:500],
                    "evidence": update.evidence_name,
                },
            )
            handoffs.tell(TASK_SUPPORTED, update, actor=actor)
    except BaseException:
        _cleanup(stored)
        raise
    return locked


URGED_STATES = frozenset({State.ASSIGNED, State.REDIRECT_ASKED, State.IN_PROGRESS, State.RETURNED})


def task_urge(*, actor, task: Outcome, method: str, text: str, ip: str = "") -> Outcome:
    """催办: the office reminds the lead unit (by notice, phone or visit); recorded on the
    task and shown to the unit."""
    _require_office(actor)
    if method not in UrgeMethod.values:
        raise ValidationError({"method": _("Choose how the unit was reminded.")})
    text = _text(text, "text", _("Say what the unit was reminded of."))
    with transaction.atomic():
        locked = _lock(task)
        _require_state(locked, URGED_STATES, _("Only a task being worked on is urged."))
        urge = Urge.objects.create(outcome=locked, method=method, text=text, by=actor)
        record(
            action="followups.task.urge",
            actor=actor,
            obj=locked,
            ip=ip,
            data={"urge": urge.pk, "method": method, "text": text[:500]},
        )
        handoffs.tell(TASK_REMINDED, urge, actor=actor)
    return locked


# --- 反馈, 审核, 归档 ----------------------------------------------------------------------


def task_feedback(*, actor, task: Outcome, text: str, evidence=None, ip: str = "") -> Outcome:
    """反馈: the lead unit reports the result (with evidence where it exists); the task
    waits for the office's review."""
    text = _text(text, "text", _("Say what the result is."))
    stored: list = []
    info: dict = {"text": text[:500]}

    def effect(locked, _t):
        update = _report(
            actor=actor,
            task=locked,
            text=text,
            evidence=evidence,
            kind=UpdateKind.FEEDBACK,
            unit_id=locked.responsible_unit_id,
            stored=stored,
        )
        info.update(update=update.pk, evidence=update.evidence_name)
        _recolour(locked, timezone.localdate(), _t.target)

    try:
        return TASK.apply(task, "feedback", actor=actor, ip=ip, effect=effect, data=info)
    except BaseException:
        _cleanup(stored)
        raise


def _last_feedback(task: Outcome) -> ProgressUpdate | None:
    return task.updates.filter(kind=UpdateKind.FEEDBACK).order_by("-recorded_at", "-pk").first()


def task_close(*, actor, task: Outcome, comment: str = "", ip: str = "") -> Outcome:
    """办结/销号: the office accepts the result."""
    comment = (comment or "").strip()

    def effect(locked, _t):
        Review.objects.create(
            outcome=locked,
            decision=ReviewDecision.ACCEPTED,
            reason=comment,
            feedback=_last_feedback(locked),
            by=actor,
        )
        locked.done_at = timezone.now()
        locked.closed_on = timezone.localdate(locked.done_at)
        locked.colour = Colour.NONE

    return TASK.apply(task, "close", actor=actor, ip=ip, effect=effect, comment=comment)


def task_return(*, actor, task: Outcome, reason: str, ip: str = "") -> Outcome:
    """退回: the office returns the result as not solved, with a reason; the unit's
    feedback stays on the record."""
    reason = _text(reason, "reason", _("Say why the task is not solved."))
    info: dict = {"reason": reason}

    def effect(locked, _t):
        feedback = _last_feedback(locked)
        Review.objects.create(
            outcome=locked,
            decision=ReviewDecision.RETURNED,
            reason=reason,
            feedback=feedback,
            by=actor,
        )
        info["feedback"] = feedback.pk if feedback else None
        _recolour(locked, timezone.localdate(), _t.target)

    return TASK.apply(task, "return", actor=actor, ip=ip, effect=effect, comment=reason, data=info)


def task_archive(*, actor, task: Outcome, ip: str = "") -> Outcome:
    """归档: a closed task filed under its year."""

    def effect(locked, _t):
        locked.archived_at = timezone.now()

    return TASK.apply(task, "archive", actor=actor, ip=ip, effect=effect)


def task_drop(*, actor, task: Outcome, reason: str, ip: str = "") -> Outcome:
    """The head of the office drops an open task, with the reason."""
    if not has(actor, OFFICE_HEAD):
        raise _denied(_("Only the head of the office may drop a task."))
    reason = _text(reason, "reason", _("Say why the task is dropped."))

    def effect(locked, _t):
        locked.drop_reason = reason
        locked.colour = Colour.NONE

    return TASK.apply(
        task, "drop", actor=actor, ip=ip, effect=effect, comment=reason, data={"reason": reason}
    )


# --- extensions (延期) ---------------------------------------------------------------------


def extension_ask(
    *, actor, task: Outcome, requested_date: dt.date, reason: str, ip: str = ""
) -> Extension:
    """The lead unit asks for a later deadline, with a reason, before the deadline only
    (on the day itself still); the office decides."""
    reason = _text(reason, "reason", _("Say why more time is needed."))
    with transaction.atomic():
        locked = _lock(task)
        _require_lead(actor, locked)
        _require_state(
            locked, WORKING_STATES, _("More time is asked for while the task is worked on.")
        )
        today = timezone.localdate()
        if today > locked.due_date:
            raise ValidationError(
                _("More time must be asked for before the deadline (%(due)s) has passed.")
                % {"due": locked.due_date.isoformat()},
                code="late",
            )
        if requested_date is None or requested_date <= locked.due_date:
            raise ValidationError(
                {"requested_date": _("Ask for a date after the present deadline.")}
            )
        if locked.extensions.filter(state=ExtensionState.ASKED).exists():
            raise ValidationError(
                _("A request for more time is already waiting for the office."), code="pending"
            )
        extension = Extension.objects.create(
            outcome=locked,
            reason=reason,
            asked_by=actor,
            due_before=locked.due_date,
            requested_date=requested_date,
        )
        record(
            action="followups.extension.ask",
            actor=actor,
            obj=locked,
            ip=ip,
            data={
                "extension": extension.pk,
                "due_before": locked.due_date.isoformat(),
                "requested_date": requested_date.isoformat(),
                "reason": reason,
            },
        )
        handoffs.tell(TASK_EXTENSION_ASKED, extension, actor=actor)
    return extension


def granted_count(task: Outcome) -> int:
    return task.extensions.filter(state=ExtensionState.GRANTED).count()


def extension_decide(
    *, actor, extension: Extension, grant: bool, reason: str = "", ip: str = ""
) -> Extension:
    """The office grants (the task's deadline becomes the requested date; the original
    stays on the task and on the request) or refuses (with a reason). A task granted
    ``SUPERVISION.extensions_max`` times already is granted more only by the FAO head."""
    _require_office(actor)
    reason = (reason or "").strip()
    if not grant and not reason:
        raise ValidationError({"reason": _("Say why more time is refused.")})
    action = "grant" if grant else "refuse"
    with transaction.atomic():
        task = _lock(extension.outcome)
        info: dict = {"reason": reason}
        if grant:
            if task.state not in OPEN_TASK_STATES:
                raise ValidationError(_("The task is no longer open."), code="closed")
            limit = int(deadlines.parameters()["extensions_max"])
            if granted_count(task) >= limit and not has(actor, OFFICE_HEAD):
                raise _denied(
                    _(
                        "This task has had %(count)d extensions; only the head of the office "
                        "may grant another."
                    )
                    % {"count": limit}
                )

        def effect(locked, _t):
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            locked.decision_reason = reason
            info.update(
                due_before=locked.due_before.isoformat(),
                requested_date=locked.requested_date.isoformat(),
            )
            if grant:
                today = timezone.localdate()
                task.due_date = locked.requested_date
                if task.due_date >= today:
                    task.red_since = None
                _recolour(task, today)
                task.save(update_fields=["due_date", "red_since", "colour", "updated_at"])

        def audit(row, t):
            return {
                "obj": task,
                "before": {"due_date": row.due_before.isoformat()} if grant else {},
                "after": {"due_date": row.requested_date.isoformat()} if grant else {},
                "data": {"extension": row.pk, "state": t.target, **info},
            }

        return EXTENSION.apply(extension, action, actor=actor, ip=ip, effect=effect, audit=audit)


# --- colours ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """What the colours of one day read from the policy, read once for many tasks."""

    today: dt.date
    blue_limit: dt.date
    report_from: dt.date  # a major task reports after this day ...
    report_by: dt.date  # ... by this one (the last report day before today)

    @classmethod
    def on(cls, today: dt.date | None = None) -> Clock:
        today = today or timezone.localdate()
        report_from, report_by = deadlines.report_window(today)
        return cls(today, deadlines.blue_limit(today), report_from, report_by)


_UNKNOWN = object()


def _local(moment) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def report_missing(task: Outcome, clock: Clock, last_report=_UNKNOWN) -> bool:
    """A major task worked on since before the last report period began has no report of
    its lead unit since then. ``last_report``: the time of its latest report, when the
    caller has read it (None: none)."""
    if not task.major or task.state not in WORKING_STATES:
        return False
    started = _local(task.accepted_at or task.assigned_at)
    if started is None or started > clock.report_from:
        return False
    if last_report is _UNKNOWN:
        last_report = (
            task.updates.filter(kind__in=LEAD_REPORTS)
            .aggregate(last=Max("recorded_at"))
            .get("last")
        )
    return last_report is None or _local(last_report) <= clock.report_from


def colour_of(task: Outcome, today: dt.date | None = None, *, clock=None, last_report=_UNKNOWN):
    """The task's warning on ``today`` (supervision.md): red past the deadline and not
    closed; yellow when returned as not solved or a major task's monthly report is
    missing; blue when the deadline is within ``SUPERVISION.blue_days`` working days;
    else none. Only a task given to its lead unit and still open has a colour."""
    if task.track != Track.TASK or task.state not in COLOURED_STATES:
        return Colour.NONE
    clock = clock or Clock.on(today)
    if task.due_date < clock.today:
        return Colour.RED
    if task.state == State.RETURNED or report_missing(task, clock, last_report):
        return Colour.YELLOW
    if task.due_date <= clock.blue_limit:
        return Colour.BLUE
    return Colour.NONE


def _recolour(task: Outcome, today: dt.date, state: str | None = None) -> None:
    """Set the colour of ``task`` (unsaved) as it stands after a change (into ``state``,
    when a transition is under way). A task found red here (assigned past its deadline)
    gets its ``red_since``, its event and its notices from the next sweep."""
    if state is not None:
        task.state = state  # the engine sets it too, after the effect
    task.colour = colour_of(task, today)


def _save_colour(task: Outcome, today: dt.date) -> None:
    before = (task.colour, task.red_since)
    _recolour(task, today)
    if (task.colour, task.red_since) != before:
        task.save(update_fields=["colour", "red_since", "updated_at"])


def colour_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: every open task's colour as of ``today``. A task turning red is
    marked under its row lock, recorded (one audit event) and told to its lead unit and
    the office (once per deadline); other colours are written as they are found. Safe to
    run twice."""
    clock = Clock.on(today)
    today = clock.today
    counts = {"checked": 0, "red": 0, "yellow": 0, "blue": 0, "none": 0, "changed": 0}
    candidates = (
        Outcome.objects.filter(track=Track.TASK)
        .filter(Q(state__in=list(COLOURED_STATES)) | ~Q(colour=Colour.NONE))
        .annotate(last_report=Max("updates__recorded_at", filter=Q(updates__kind__in=LEAD_REPORTS)))
        .only(
            "pk",
            "track",
            "state",
            "due_date",
            "major",
            "colour",
            "red_since",
            "assigned_at",
            "accepted_at",
        )
        .order_by("pk")
    )
    changes: dict[str, list[int]] = {}
    turning_red: list[int] = []
    for task in candidates.iterator(chunk_size=2000):
        counts["checked"] += 1
        colour = colour_of(task, clock=clock, last_report=task.last_report)
        counts[colour or "none"] += 1
        if colour == Colour.RED and task.red_since is None:
            turning_red.append(task.pk)
        elif colour != task.colour:
            changes.setdefault(colour, []).append(task.pk)
    for colour, pks in changes.items():
        for start in range(0, len(pks), 1000):
            Outcome.objects.filter(pk__in=pks[start : start + 1000]).update(colour=colour)
        counts["changed"] += len(pks)
    for pk in turning_red:
        if _turn_red(pk, today):
            counts["changed"] += 1
    return counts


def _turn_red(pk: int, today: dt.date) -> bool:
    with transaction.atomic():
        task = (
            Outcome.objects.select_for_update()
            .filter(
                pk=pk,
                track=Track.TASK,
                state__in=list(COLOURED_STATES),
                due_date__lt=today,
                red_since__isnull=True,
            )
            .select_related("responsible_unit")
            .first()
        )
        if task is None:
            return False
        previous = task.colour
        task.colour = Colour.RED
        task.red_since = today
        task.save(update_fields=["colour", "red_since", "updated_at"])
        told = handoffs.tell(TASK_WENT_RED, task)
        record(
            action="followups.task.red",
            actor_name=SWEEP_ACTOR,
            obj=task,
            # Found red already (assigned past its deadline): no change to show.
            before={"colour": previous} if previous != Colour.RED else {},
            after={"colour": Colour.RED.value},
            data={"due_date": task.due_date.isoformat(), "recipients": len(told)},
        )
    return True


__all__ = [
    "CLOSED_TASK_STATES",
    "Clock",
    "colour_of",
    "colour_sweep",
    "extension_ask",
    "extension_decide",
    "task_accept",
    "task_archive",
    "task_ask_redirect",
    "task_assign",
    "task_close",
    "task_drop",
    "task_feedback",
    "task_keep",
    "task_progress",
    "task_redirect",
    "task_register",
    "task_return",
    "task_support_report",
    "task_urge",
]
