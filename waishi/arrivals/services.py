"""Every change to an arrival: register (from a declaration or one row of a list), hand
over between districts, confirm a step, escalate what is late. Each checks who acts,
locks the arrival's row, changes, and leaves one audit event, in one transaction. Every
change of state (a step, the arrival, a hand-over) is a transition of the tables in
``waishi.arrivals.workflow``, applied by the engine.

Who does what (``waishi.lib.roles``):
- the district officer of the arrival's district confirms its steps and asks another
  district to take it over; the officer of that district accepts or refuses;
- the city command sees every arrival, imports lists, and may move an arrival to any
  district directly (``arrival_reassign``) -- it is where escalations go.

Nobody leaves an arrival without a district: the column is NOT NULL, a hand-over moves
it from one district to another in one update, and nothing here sets it to nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals import plans
from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    ArrivalSource,
    ArrivalState,
    Handover,
    SourceKind,
    Step,
    StepKind,
    TestOutcome,
    TestResult,
)
from waishi.arrivals.notices import OFFERED, REASSIGN, district_officers
from waishi.arrivals.workflow import ARRIVAL, HANDOVER, STEP, district_refusal
from waishi.audit.services import record
from waishi.lib.roles import COMMAND, Role, has
from waishi.lib.workflow import recorded_by_caller
from waishi.notify import handoffs
from waishi.notify.services import notify
from waishi.orgs.models import District, User

# The fields of an arrival a source may give (the passport number apart).
ARRIVAL_FIELDS = (
    "category",
    "name",
    "nationality",
    "birth_date",
    "phone",
    "email",
    "origin_country",
    "origin_city",
    "route",
    "departs_on",
    "arrival_date",
    "arrival_time",
    "port",
    "address",
    "purpose",
)


def _require(actor, allowed: frozenset[str]) -> None:
    if not has(actor, allowed):
        raise PermissionDenied(_("You are not allowed to do this."))


def _own_district(actor, arrival: Arrival) -> None:
    """A district officer acts on the arrivals of their own district only."""
    reason = district_refusal(actor, arrival.district_id)
    if reason:
        raise PermissionDenied(reason)


def _lock(arrival: Arrival) -> Arrival:
    return Arrival.objects.select_for_update().get(pk=arrival.pk)


def late_declaration(departs_on: dt.date | None, declared_at: dt.datetime, lead_hours: int) -> bool:
    """True when the declaration came less than ``lead_hours`` before the departure
    (the start of the departure day, local time, when no time is known)."""
    if departs_on is None:
        return False
    tz = timezone.get_current_timezone()
    departure = dt.datetime.combine(departs_on, dt.time(0, 0), tzinfo=tz)
    return departure - declared_at < dt.timedelta(hours=lead_hours)


def source_details(data: dict, district: District | None, masked: str) -> dict:
    """What a source said, as JSON: the arrival's fields, the district, the masked number."""
    details: dict = {"passport": masked}
    for name in ARRIVAL_FIELDS:
        value = data.get(name)
        if value in (None, ""):
            continue
        details[name] = value.isoformat() if hasattr(value, "isoformat") else value
    if district is not None:
        details["district"] = district.code
    return details


@dataclass
class Registered:
    arrival: Arrival
    source: ArrivalSource
    created: bool


def arrival_register(
    *,
    data: dict,
    passport: str,
    district: District,
    kind: str,
    actor=None,
    batch=None,
    row: int | None = None,
    code_index: str | None = None,
    now: dt.datetime | None = None,
) -> Registered:
    """One report of one person arriving on one date: the arrival is created (with its
    district, its plan and its steps) the first time, and every later report is kept as
    another source of the same arrival. ``data`` holds ``ARRIVAL_FIELDS`` (validated by
    the caller: the public form or the list import); ``passport`` the clear number.

    The first report decides the district and the plan. A later report fills fields the
    arrival does not have yet, and never moves it: a district moves it by hand-over."""
    now = now or timezone.now()
    probe = Arrival(**{k: v for k, v in data.items() if k in ARRIVAL_FIELDS})
    probe.set_passport(passport)
    settings = ArrivalSettings.current()
    declared = kind == SourceKind.DECLARATION
    with transaction.atomic():
        existing = (
            Arrival.objects.select_for_update()
            .filter(passport_index=probe.passport_index, arrival_date=probe.arrival_date)
            .first()
        )
        created = existing is None
        if created:
            arrival = probe
            arrival.district = district
            arrival.plan = plans.choose_plan(arrival, settings=settings)
            if declared:
                arrival.declared_at = now
                arrival.late_declaration = late_declaration(
                    arrival.departs_on, now, settings.declare_lead_hours
                )
            try:
                with transaction.atomic():
                    arrival.save()
            except IntegrityError:
                # Another report of the same person and date won the race: join it.
                return arrival_register(
                    data=data,
                    passport=passport,
                    district=district,
                    kind=kind,
                    actor=actor,
                    batch=batch,
                    row=row,
                    code_index=code_index,
                    now=now,
                )
            Step.objects.bulk_create(plans.build_steps(arrival))
        else:
            arrival = existing
            changed = []
            for name in ARRIVAL_FIELDS:
                value = getattr(probe, name)
                if value not in (None, "") and getattr(arrival, name) in (None, ""):
                    setattr(arrival, name, value)
                    changed.append(name)
            if declared and arrival.declared_at is None:
                arrival.declared_at = now
                arrival.late_declaration = late_declaration(
                    arrival.departs_on, now, settings.declare_lead_hours
                )
                changed += ["declared_at", "late_declaration"]
            if changed:
                arrival.save(update_fields=[*changed, "updated_at"])
        source = ArrivalSource.objects.create(
            arrival=arrival,
            kind=kind,
            batch=batch,
            row=row,
            reported_at=now,
            details=source_details(data, district, probe.passport_masked),
            code_index=code_index,
        )
        record(
            action="arrivals.arrival.create" if created else "arrivals.arrival.report",
            actor=actor,
            actor_name="" if actor else _("traveller (public form)"),
            obj=arrival,
            data={
                "source": kind,
                "district": arrival.district.name,
                "plan": str(arrival.plan),
                "late": arrival.late_declaration,
            },
        )
    return Registered(arrival, source, created)


# -- hand-over -------------------------------------------------------------------


def _handover_state(handover: Handover) -> dict:
    return {
        "from": handover.from_district.name,
        "to": handover.to_district.name,
        "state": handover.state,
    }


def handover_request(*, actor, arrival: Arrival, to_district: District, reason: str) -> Handover:
    """The owning district asks ``to_district`` to take the arrival over."""
    reason = (reason or "").strip()
    with transaction.atomic():
        arrival = _lock(arrival)
        _own_district(actor, arrival)
        if not reason:
            raise ValidationError({"reason": _("Say why the other district should take it over.")})
        if arrival.state == ArrivalState.CLOSED:
            raise ValidationError(_("A closed arrival is not handed over."))
        if to_district.pk == arrival.district_id:
            raise ValidationError({"to_district": _("The arrival is already in this district.")})
        if Handover.objects.filter(arrival=arrival, state=Handover.State.PENDING).exists():
            raise ValidationError(
                _("A hand-over of this arrival is already waiting for an answer.")
            )
        handover = Handover.objects.create(
            arrival=arrival,
            from_district_id=arrival.district_id,
            to_district=to_district,
            reason=reason,
            requested_by=actor,
        )
        record(
            action="arrivals.handover.request",
            actor=actor,
            obj=arrival,
            after=_handover_state(handover),
            data={"reason": reason, "handover": handover.pk},
        )
        handoffs.tell(OFFERED, handover, actor=actor)
    return handover


def _decide(*, actor, handover: Handover, accept: bool, reason: str) -> Handover:
    reason = (reason or "").strip()

    def reason_given(handover: Handover) -> None:
        if not accept and not reason:
            raise ValidationError({"reason": _("Say why your district does not take it over.")})

    def decide(handover: Handover, transition) -> None:
        handover.decided_by = actor
        handover.decided_at = timezone.now()
        handover.decision_reason = reason
        if accept:
            # One update moves the arrival: it is never without a district.
            Arrival.objects.filter(pk=arrival.pk).update(
                district=handover.to_district,
                version=arrival.version + 1,
                updated_at=timezone.now(),
            )

    def event(handover: Handover, transition) -> dict:
        return {
            "obj": arrival,
            "before": {**_handover_state(handover), "state": transition.source},
            "after": _handover_state(handover),
            "data": {"reason": reason, "handover": handover.pk},
        }

    with transaction.atomic():
        arrival = _lock(handover.arrival)
        handover = HANDOVER.apply(
            handover,
            "accept" if accept else "refuse",
            actor=actor,
            check=reason_given,
            effect=decide,
            fields=["decided_by", "decided_at", "decision_reason"],
            audit=event,
        )
    # The district that asked is told by the row's notice (``notices``).
    return handover


def handover_accept(*, actor, handover: Handover, reason: str = "") -> Handover:
    return _decide(actor=actor, handover=handover, accept=True, reason=reason)


def handover_refuse(*, actor, handover: Handover, reason: str) -> Handover:
    return _decide(actor=actor, handover=handover, accept=False, reason=reason)


def _stamp_decision(actor) -> Callable[[Handover, object], None]:
    def stamp(handover: Handover, transition) -> None:
        handover.decided_by = actor
        handover.decided_at = timezone.now()

    return stamp


def handover_withdraw(*, actor, handover: Handover) -> Handover:
    with transaction.atomic():
        arrival = _lock(handover.arrival)
        handover = HANDOVER.apply(
            handover,
            "withdraw",
            actor=actor,
            effect=_stamp_decision(actor),
            fields=["decided_by", "decided_at"],
            audit=lambda handover, t: {
                "obj": arrival,
                "data": {"handover": handover.pk, "to": handover.to_district.name},
            },
        )
    # The district asked is told by the row's notice (``notices``).
    return handover


def arrival_reassign(*, actor, arrival: Arrival, district: District, reason: str) -> Arrival:
    """The city command moves an arrival to another district directly (an owner that is
    wrong and a district that does not answer must not leave a person unmanaged)."""
    _require(actor, COMMAND)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the arrival moves.")})
    with transaction.atomic():
        arrival = _lock(arrival)
        if arrival.district_id == district.pk:
            raise ValidationError({"district": _("The arrival is already in this district.")})
        before = arrival.district.name
        withdrawn = []
        for pending in Handover.objects.filter(
            arrival=arrival, state=Handover.State.PENDING
        ).order_by("pk"):
            HANDOVER.apply(
                pending,
                "void",
                actor=actor,
                effect=_stamp_decision(actor),
                fields=["decided_by", "decided_at"],
                audit=recorded_by_caller,  # the reassignment's event names it
            )
            withdrawn.append((pending.pk, pending.to_district_id))
        Arrival.objects.filter(pk=arrival.pk).update(
            district=district, version=arrival.version + 1, updated_at=timezone.now()
        )
        record(
            action="arrivals.arrival.reassign",
            actor=actor,
            obj=arrival,
            before={"district": before},
            after={"district": district.name},
            data={"reason": reason, "handovers_withdrawn": [pk for pk, _to in withdrawn]},
        )
    arrival.refresh_from_db()

    def title():
        return _("The city command moved the arrival %(arrival)s to %(district)s") % {
            "arrival": arrival,
            "district": district.name,
        }

    notify(
        district_officers(district.pk),
        kind=REASSIGN,
        title=title,
        body=lambda: reason,
        url=reverse("arrivals:arrival-detail", args=[arrival.pk]),
    )
    # The districts whose request was withdrawn no longer see the arrival: they get the
    # hand-over page.
    for pk, to in withdrawn:
        if to != district.pk:
            notify(
                district_officers(to),
                kind=REASSIGN,
                title=title,
                body=lambda: reason,
                url=reverse("arrivals:handover-detail", args=[pk]),
            )
    return arrival


# -- health data ------------------------------------------------------------------


def health_record_viewed(*, actor, arrival: Arrival, ip: str = "") -> None:
    """Every view of a person's health record leaves an audit event, with no health
    detail in it (security.md P2): the page's and the API's."""
    record(action="arrivals.health.view", actor=actor, obj=arrival, ip=ip)


# -- steps ------------------------------------------------------------------------


def step_confirm(
    *,
    actor,
    step: Step,
    done_at: dt.datetime | None = None,
    note: str = "",
    outcome: str = "",
    sampled_on: dt.date | None = None,
) -> Step:
    """The owning district confirms a step: when and by whom (and a test's result). Steps
    are confirmed in order; the first moves the arrival under management, the last
    closes it."""
    now = timezone.now()
    done_at = done_at or now
    if done_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"done_at": _("A step cannot be confirmed for a time to come.")})
    note = (note or "").strip()
    with transaction.atomic():
        # The arrival first, then its step: every change of an arrival locks in this order.
        arrival = _lock(step.arrival)
        state_before = arrival.state
        moved = [arrival]

        def confirm(step: Step, transition) -> None:
            previous = (
                Step.objects.filter(arrival=arrival, sequence__lt=step.sequence)
                .order_by("-sequence")
                .values_list("done_at", flat=True)
                .first()
            )
            if previous is not None and done_at < previous:
                raise ValidationError(
                    {"done_at": _("A step cannot be done before the step before it.")}
                )
            if step.kind == StepKind.TEST:
                # The step is confirmed when the result is in: nothing records a result later.
                if outcome not in (TestOutcome.NEGATIVE, TestOutcome.POSITIVE):
                    raise ValidationError({"outcome": _("Give the result of the test.")})
                if sampled_on and sampled_on > timezone.localdate(done_at):
                    raise ValidationError(
                        {"sampled_on": _("The sample cannot be taken after the confirmation.")}
                    )
            step.done_at = done_at
            step.done_by = actor
            step.note = note
            if step.kind == StepKind.TEST:
                TestResult.objects.create(
                    arrival=arrival,
                    step=step,
                    sampled_on=sampled_on or timezone.localdate(done_at),
                    outcome=outcome,
                    recorded_by=actor,
                )
            moved[0] = _move(arrival, step, actor, done_at)

        def event(step: Step, transition) -> dict:
            # The test's result is health data: the audit row says a result was recorded,
            # not what it was (security.md P2).
            return {
                "obj": moved[0],
                "before": {"state": state_before},
                "after": {"state": moved[0].state},
                "data": {
                    "step": step.label,
                    "sequence": step.sequence,
                    "done_at": timezone.localtime(done_at).isoformat(timespec="minutes"),
                    "late": done_at > step.due_at,
                },
            }

        step = STEP.apply(
            step,
            "confirm",
            actor=actor,
            effect=confirm,
            fields=["done_at", "done_by", "note"],
            audit=event,
        )
    return step


def _move(arrival: Arrival, step: Step, actor, done_at: dt.datetime) -> Arrival:
    """What a confirmed step does to its arrival: the first puts it under management,
    the last closes it; each changes its version (the board's cached counts key on it)."""
    if not Step.objects.filter(arrival=arrival, sequence__gt=step.sequence).exists():
        return ARRIVAL.apply(
            arrival,
            "close",
            actor=actor,
            effect=lambda locked, t: _stamp(locked, closed_at=done_at),
            fields=["closed_at", "version", "updated_at"],
            audit=recorded_by_caller,
        )
    if arrival.state == ArrivalState.EXPECTED:
        return ARRIVAL.apply(
            arrival,
            "manage",
            actor=actor,
            effect=lambda locked, t: _stamp(locked),
            fields=["version", "updated_at"],
            audit=recorded_by_caller,
        )
    _stamp(arrival)
    arrival.save(update_fields=["version", "updated_at"])
    return arrival


def _stamp(arrival: Arrival, closed_at: dt.datetime | None = None) -> None:
    """A confirmed step changes its arrival (its version, and its closing time)."""
    arrival.version += 1
    if closed_at is not None:
        arrival.closed_at = closed_at


def sweep(now: dt.datetime | None = None) -> int:
    """Escalate every step past its due time and not confirmed, once, to the city
    command (in-app and e-mail). Returns how many steps escalated."""
    now = now or timezone.now()
    late = list(
        Step.objects.filter(done_at__isnull=True, escalated_at__isnull=True, due_at__lt=now)
        .select_related("arrival__district")
        .order_by("due_at")[:5000]
    )
    if not late:
        return 0
    command = list(User.objects.filter(role=Role.CITY_COMMAND, is_active=True))
    escalated = 0
    for step in late:
        with transaction.atomic():
            updated = Step.objects.filter(pk=step.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not updated:
                continue  # another worker escalated it
            escalated += 1
            arrival = step.arrival
            hours = int((now - step.due_at).total_seconds() // 3600)
            record(
                action="arrivals.step.escalate",
                obj=arrival,
                actor_name=_("system"),
                data={"step": step.label, "district": arrival.district.name, "hours_late": hours},
            )
            notify(
                command,
                kind="arrivals.escalation",
                title=lambda s=step, a=arrival: (
                    _("Not confirmed in time: %(step)s of %(arrival)s (%(district)s)")
                    % {"step": s.label, "arrival": a, "district": a.district.name}
                ),
                url=reverse("arrivals:arrival-detail", args=[arrival.pk]),
                dedupe_key=f"arrivals.step.escalate.{step.pk}",
            )
    return escalated
