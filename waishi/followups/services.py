"""Outcomes: create, update, progress, done, drop, reassign; the daily sweep that marks
overdue outcomes and escalates them. Every write is permission-checked and audited in
its own transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import diff, record, snapshot
from waishi.followups import evidence as evidence_check
from waishi.followups import sources
from waishi.followups.models import ACTIVE_STATES, Kind, Outcome, ProgressUpdate, State, Track
from waishi.followups.notices import ESCALATION, GIVEN, OVERDUE
from waishi.followups.workflow import (
    DROPS,
    MANAGES,
    OUTCOME,
    REASSIGNS,
    RECORDS_PROGRESS,
)
from waishi.lib.roles import FAO, Role, has
from waishi.lib.workdays import working_days_between
from waishi.notify import handoffs
from waishi.notify.services import notify
from waishi.orgs import permissions

FIELDS = (
    "source_type",
    "source_id",
    "source_title",
    "kind",
    "title",
    "description",
    "responsible_person",
    "responsible_unit",
    "due_date",
    "state",
)
EDITABLE = ("kind", "title", "description", "responsible_person", "due_date")
SWEEP_ACTOR = "follow-up sweep"


def escalate_after_days() -> int:
    """Working days past the due date after which an overdue outcome goes to the FAO."""
    return int(settings.FOLLOWUP_ESCALATE_AFTER_DAYS)


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You are not allowed to do this."))


def _require(actor, roles: frozenset[str], unit_id: int | None) -> None:
    if not permissions.may(actor, roles, unit_id):
        raise _denied()


def _clean_person(person, unit_id: int) -> None:
    if person is None:
        raise ValidationError({"responsible_person": _("Name the responsible person.")})
    if person.unit_id != unit_id:
        raise ValidationError(
            {"responsible_person": _("The responsible person must belong to the responsible unit.")}
        )
    if not person.is_active:
        raise ValidationError({"responsible_person": _("This person is no longer active.")})


def _clean_fields(*, title: str, kind: str, due_date, check_past: bool = True) -> str:
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the outcome a title.")
    if kind not in Kind.values:
        errors["kind"] = _("Choose a kind of outcome.")
    if due_date is None:
        errors["due_date"] = _("Give a due date.")
    elif check_past and due_date < timezone.localdate():
        errors["due_date"] = _("The due date must not be in the past.")
    if errors:
        raise ValidationError(errors)
    return title


def _clean_source(actor, source_type: str, source_id, source_title: str) -> tuple:
    source_type = (source_type or "").strip()
    if not source_type:
        if source_id not in (None, ""):
            raise ValidationError(
                {"source_type": _("Name the kind of record the outcome comes from.")}
            )
        return "", None, ""
    try:
        source_id = int(source_id)
    except (TypeError, ValueError):
        raise ValidationError({"source_id": _("Name the record the outcome comes from.")}) from None
    if sources.get(source_type) is not None:
        if not sources.can_see(actor, source_type, source_id):
            raise ValidationError({"source_id": _("This record does not exist or is not yours.")})
        source_title = source_title or sources.title_of(source_type, source_id)
    if not (source_title or "").strip():
        raise ValidationError({"source_id": _("This record does not exist or is not yours.")})
    return source_type, source_id, source_title.strip()[:200]


def outcome_create(
    *,
    actor,
    title: str,
    kind: str,
    responsible_person,
    responsible_unit,
    due_date: dt.date,
    description: str = "",
    source_type: str = "",
    source_id: int | None = None,
    source_title: str = "",
    ip: str = "",
) -> Outcome:
    """Record an outcome to follow: by the FAO, or the responsible unit's clerk or leader."""
    unit_id = getattr(responsible_unit, "pk", None)
    _require(actor, MANAGES, unit_id)
    if responsible_unit is None:
        raise ValidationError({"responsible_unit": _("Choose the responsible unit.")})
    title = _clean_fields(title=title, kind=kind, due_date=due_date)
    _clean_person(responsible_person, unit_id)
    source_type, source_id, source_title = _clean_source(
        actor, source_type, source_id, source_title
    )
    with transaction.atomic():
        outcome = Outcome.objects.create(
            source_type=source_type,
            source_id=source_id,
            source_title=source_title,
            kind=kind,
            title=title,
            description=(description or "").strip(),
            responsible_person=responsible_person,
            responsible_unit=responsible_unit,
            due_date=due_date,
            created_by=actor,
        )
        record(
            action="followups.outcome.create",
            actor=actor,
            obj=outcome,
            ip=ip,
            after=snapshot(outcome, FIELDS),
        )
        handoffs.tell(GIVEN, outcome, actor=actor)
    return outcome


def _lock(outcome: Outcome) -> Outcome:
    return Outcome.objects.select_for_update().get(pk=outcome.pk)


def _require_active(outcome: Outcome) -> None:
    if outcome.track != Track.OUTCOME:
        # A supervised task moves through ``supervision``, never through these services.
        raise ValidationError(_("This is a supervised task, not an outcome."), code="task")
    if outcome.state not in ACTIVE_STATES:
        raise ValidationError(
            _("This outcome is %(state)s; it can no longer be changed.")
            % {"state": outcome.get_state_display()},
            code="closed",
        )


def outcome_update(*, actor, outcome: Outcome, ip: str = "", **values) -> Outcome:
    """Change the title, kind, description, responsible person or due date. Only the
    FAO moves the due date of an overdue outcome (which then counts as in progress)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(outcome)
        _require(actor, MANAGES, locked.responsible_unit_id)
        _require_active(locked)
        before = snapshot(locked, FIELDS)
        new_due = values.get("due_date", locked.due_date)
        due_moved = new_due != locked.due_date
        if due_moved and locked.state == State.OVERDUE and not has(actor, FAO):
            raise ValidationError(
                {"due_date": _("Only the FAO can move the due date of an overdue outcome.")}
            )
        title = _clean_fields(
            title=values.get("title", locked.title),
            kind=values.get("kind", locked.kind),
            due_date=new_due,
            check_past=due_moved,
        )
        person = values.get("responsible_person", locked.responsible_person)
        if person is None or person.pk != locked.responsible_person_id:
            _clean_person(person, locked.responsible_unit_id)
        locked.title = title
        locked.kind = values.get("kind", locked.kind)
        locked.description = (values.get("description", locked.description) or "").strip()
        locked.responsible_person = person
        locked.due_date = new_due
        if due_moved:
            locked.overdue_since = locked.reminded_at = locked.escalated_at = None
        locked.save()
        old, new = diff(before, snapshot(locked, FIELDS))
        if new:
            record(
                action="followups.outcome.update",
                actor=actor,
                obj=locked,
                ip=ip,
                before=old,
                after=new,
            )
        if due_moved and locked.state == State.OVERDUE:
            locked = OUTCOME.apply(
                locked, "reschedule", actor=actor, ip=ip, data={"due_date": new_due}
            )
    return locked


def progress_add(
    *, actor, outcome: Outcome, text: str, evidence=None, ip: str = ""
) -> ProgressUpdate:
    """Record progress (with optional evidence: PDF, image or Word, checked by content);
    the first update moves an open outcome to in progress."""
    text = (text or "").strip()
    stored: list = []  # the evidence file written, removed again if the update fails
    try:
        with transaction.atomic():
            locked = _lock(outcome)
            _require(actor, RECORDS_PROGRESS, locked.responsible_unit_id)
            _require_active(locked)
            if not text:
                raise ValidationError({"text": _("Say what has been done.")})
            kind = evidence_check.detect(evidence) if evidence else None
            update = ProgressUpdate(outcome=locked, text=text, recorded_by=actor)
            if kind is not None:
                name = getattr(evidence, "name", "") or f"evidence{kind.extension}"
                update.evidence_name = str(name).replace("\\", "/").rsplit("/", 1)[-1][:200]
                update.evidence_type = kind.content_type
                update.evidence.save(f"evidence{kind.extension}", evidence, save=False)
                stored.append((update.evidence.storage, update.evidence.name))
            update.save()
            record(
                action="followups.progress.add",
                actor=actor,
                obj=locked,
                ip=ip,
                data={"update": update.pk, "text": text[:500], "evidence": update.evidence_name},
            )
            if locked.state == State.OPEN:
                OUTCOME.apply(locked, "start", actor=actor, ip=ip)
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return update


def evidence_download(*, actor, update: ProgressUpdate, ip: str = "") -> None:
    record(
        action="followups.evidence.download",
        actor=actor,
        obj=update.outcome,
        ip=ip,
        data={"update": update.pk, "evidence": update.evidence_name},
    )


def outcome_complete(*, actor, outcome: Outcome, comment: str = "", ip: str = "") -> Outcome:
    """Done: the responsible unit's leader, or the FAO."""

    def effect(locked, _t):
        _require_active(locked)
        locked.done_at = timezone.now()

    return OUTCOME.apply(
        outcome, "complete", actor=actor, ip=ip, comment=(comment or "").strip(), effect=effect
    )


def outcome_drop(*, actor, outcome: Outcome, reason: str, ip: str = "") -> Outcome:
    """Dropped, with the reason: the FAO head."""
    reason = (reason or "").strip()
    if not has(actor, DROPS):
        raise _denied()
    if not reason:
        raise ValidationError({"reason": _("Say why the outcome is dropped.")})

    def effect(locked, _t):
        _require_active(locked)
        locked.drop_reason = reason

    return OUTCOME.apply(
        outcome, "drop", actor=actor, ip=ip, comment=reason, data={"reason": reason}, effect=effect
    )


def outcome_reassign(
    *, actor, outcome: Outcome, responsible_unit, responsible_person, ip: str = ""
) -> Outcome:
    """Give the outcome to another unit (and a person of it): the FAO."""
    if not has(actor, REASSIGNS):
        raise _denied()
    if responsible_unit is None:
        raise ValidationError({"responsible_unit": _("Choose the responsible unit.")})
    with transaction.atomic():
        locked = _lock(outcome)
        _require_active(locked)
        _clean_person(responsible_person, responsible_unit.pk)
        before = snapshot(locked, FIELDS)
        locked.responsible_unit = responsible_unit
        locked.responsible_person = responsible_person
        locked.save(update_fields=["responsible_unit", "responsible_person", "updated_at"])
        old, new = diff(before, snapshot(locked, FIELDS))
        record(
            action="followups.outcome.reassign",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
            data={"unit": str(responsible_unit)},
        )
        handoffs.tell(GIVEN, locked, actor=actor)
    return locked


# --- the daily sweep ----------------------------------------------------------------------


def _url(outcome: Outcome) -> str:
    return reverse("followups:detail", kwargs={"outcome_pk": outcome.pk})


def _leaders(unit_id: int):
    return (
        get_user_model()
        .objects.filter(is_active=True, role=Role.UNIT_LEADER, unit_id=unit_id)
        .order_by("pk")
    )


def _fao_reviewers():
    return get_user_model().objects.filter(is_active=True, role=Role.FAO_REVIEWER).order_by("pk")


def _tell_overdue(outcome: Outcome) -> list:
    """Tell the responsible unit's leaders that ``outcome`` is overdue (once per due date)."""
    return notify(
        _leaders(outcome.responsible_unit_id),
        kind=OVERDUE,
        title=lambda o=outcome: _("Outcome overdue: %(title)s") % {"title": o.title},
        body=lambda o=outcome: (
            _("The outcome “%(title)s” of %(unit)s was due on %(due)s and is not done.")
            % {"title": o.title, "unit": o.responsible_unit, "due": o.due_date.isoformat()}
        ),
        url=_url(outcome),
        dedupe_key=f"followups.overdue.{outcome.pk}.{outcome.due_date.isoformat()}",
    )


def overdue_sweep() -> dict[str, int]:
    """Mark outcomes past their due date overdue and tell the responsible unit's leader
    (once); when an outcome is still overdue ``escalate_after_days()`` working days past
    its due date, tell the FAO reviewers (once). Safe to run twice: each outcome is
    re-checked under its row lock."""
    now = timezone.now()
    today = timezone.localdate(now)
    marked = escalated = 0
    late = Outcome.objects.filter(
        track=Track.OUTCOME, state__in=[State.OPEN, State.IN_PROGRESS], due_date__lt=today
    ).values_list("pk", flat=True)
    for pk in list(late):
        with transaction.atomic():
            outcome = (
                Outcome.objects.select_for_update()
                .filter(
                    pk=pk,
                    track=Track.OUTCOME,
                    state__in=[State.OPEN, State.IN_PROGRESS],
                    due_date__lt=today,
                )
                .select_related("responsible_unit")
                .first()
            )
            if outcome is None or OUTCOME.transition(outcome.state, "overdue") is None:
                continue
            told: list = []

            def mark(row, _transition, told=told) -> None:
                row.overdue_since = today
                row.reminded_at = now
                told.extend(_tell_overdue(row))

            OUTCOME.apply(
                outcome,
                "overdue",
                actor=None,
                actor_name=SWEEP_ACTOR,
                effect=mark,
                fields=["overdue_since", "reminded_at"],
                audit=lambda row, t, told=told: {
                    "before": {"state": t.source},
                    "after": {"state": t.target},
                    "data": {"due_date": row.due_date, "recipients": len(told)},
                },
            )
            marked += 1
    days = escalate_after_days()
    candidates = Outcome.objects.filter(state=State.OVERDUE, escalated_at__isnull=True).values_list(
        "pk", "due_date"
    )
    for pk, due_date in list(candidates):
        if working_days_between(due_date, today) < days:
            continue
        with transaction.atomic():
            outcome = (
                Outcome.objects.select_for_update()
                .filter(pk=pk, state=State.OVERDUE, escalated_at__isnull=True)
                .select_related("responsible_unit")
                .first()
            )
            if outcome is None:
                continue
            outcome.escalated_at = now
            outcome.save(update_fields=["escalated_at"])
            told = notify(
                _fao_reviewers(),
                kind=ESCALATION,
                title=lambda o=outcome: _("Outcome long overdue: %(title)s") % {"title": o.title},
                body=lambda o=outcome: (
                    _(
                        "The outcome “%(title)s” of %(unit)s was due on %(due)s and is still not "
                        "done; the unit's leader was told on %(told)s."
                    )
                    % {
                        "title": o.title,
                        "unit": o.responsible_unit,
                        "due": o.due_date.isoformat(),
                        "told": o.overdue_since.isoformat() if o.overdue_since else "—",
                    }
                ),
                url=_url(outcome),
                dedupe_key=f"followups.escalation.{outcome.pk}.{outcome.due_date.isoformat()}",
            )
            record(
                action="followups.outcome.escalate",
                actor_name=SWEEP_ACTOR,
                obj=outcome,
                data={"due_date": outcome.due_date, "recipients": len(told)},
            )
            escalated += 1
    return {"overdue": marked, "escalated": escalated}
