"""Every change to passports, custody and passport applications: check permission,
validate, lock, change, audit -- in one transaction. A passport's or an application's
state changes only by a transition of ``waishi.passports.workflow``, applied by the engine.

The FAO (reviewer, head) registers passports and hands them out and takes them back; a
unit clerk applies for a new or renewed one. ``passport_issue`` hands a passport out for
an approved trip only (the holder a member, every member's education recorded, the
passport valid ``PASSPORT_OFFICIAL`` months past the return date, and in custody), under
the passport's row lock; the partial unique index on open custody rows backs it up.
``sweep`` is the daily job: expiry, reminders, escalation, the unit lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import diff, record, snapshot
from waishi.lib.roles import CLERKS, Role, has
from waishi.lib.workdays import add_months
from waishi.lib.workflow import WorkflowError
from waishi.notify.services import notify
from waishi.orgs import permissions, scoping
from waishi.orgs.models import Person, User
from waishi.orgs.selectors import users_holding
from waishi.passports.models import (
    USABLE_STATES,
    ApplicationType,
    Kind,
    Passport,
    PassportApplication,
    PassportCustody,
    PassportState,
)
from waishi.passports.workflow import APPLICATION, MANAGES_PASSPORTS, MARKS, PASSPORT

APPLIES = CLERKS
# Days after the due date when an unreturned passport goes to the unit leader.
ESCALATE_AFTER_DAYS = 3
# Warn the FAO this many days before a passport can no longer be issued for a trip
# (less than ``PASSPORT_OFFICIAL`` months left), so that the renewal is under way.
EXPIRY_NOTICE_DAYS = 60

PASSPORT_FIELDS = ("holder", "kind", "issued_on", "expires_on", "state", "state_reason")


def _require(actor, allowed: frozenset[str]) -> None:
    if not has(actor, allowed):
        raise PermissionDenied(_("You are not allowed to do this."))


def parameters(on: dt.date | None = None) -> tuple[dict, dict]:
    """(``PASSPORT_OFFICIAL``, ``PASSPORT_RETURN``) of the policy in force on ``on``."""
    from waishi.policy.selectors import policy_in_force_db

    p = policy_in_force_db(on or timezone.localdate()).parameters
    return p["PASSPORT_OFFICIAL"], p["PASSPORT_RETURN"]


def _state(passport: Passport) -> dict[str, Any]:
    state = snapshot(passport, PASSPORT_FIELDS)
    state["number"] = passport.number_masked
    return state


def _number_clash(kind: str, number: str, exclude_pk: int | None = None) -> bool:
    rows = Passport.objects.filter(kind=kind, number_index=Passport.index_number(number))
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.exists()


def _clean(passport: Passport, number: str | None, *, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if number:
        try:
            passport.set_number(number)
        except ValidationError as exc:
            errors["number"] = exc.messages
        else:
            if _number_clash(passport.kind, number, exclude_pk):
                errors["number"] = [_("A passport of this kind with this number exists.")]
    elif not passport.number_enc:
        errors["number"] = [_("Give the passport number.")]
    if passport.issued_on and passport.expires_on and passport.expires_on <= passport.issued_on:
        errors.setdefault("expires_on", []).append(
            _("The date of expiry must come after the date of issue.")
        )
    try:
        passport.full_clean(exclude=["number_enc", "number_index"], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if passport.holder_id and passport.state in USABLE_STATES:
        other = Passport.objects.filter(
            holder_id=passport.holder_id, kind=passport.kind, state__in=USABLE_STATES
        )
        if exclude_pk:
            other = other.exclude(pk=exclude_pk)
        if other.exists():
            errors.setdefault("kind", []).append(
                _(
                    "This person already holds a valid passport of this kind: cancel it or "
                    "mark it lost first."
                )
            )
    if errors:
        raise ValidationError(errors)


# --- the register ---------------------------------------------------------------------------


def passport_register(
    *,
    actor,
    holder: Person,
    kind: str,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date,
    ip: str = "",
) -> Passport:
    """A passport handed to the FAO: registered in custody."""
    _require(actor, MANAGES_PASSPORTS)
    passport = Passport(holder=holder, kind=kind, issued_on=issued_on, expires_on=expires_on)
    with transaction.atomic():
        # The holder's row lock serialises two registrations for one person.
        Person.objects.select_for_update().get(pk=holder.pk)
        if expires_on and expires_on < timezone.localdate():
            passport.state = PassportState.EXPIRED  # registered for the record only
        _clean(passport, number)
        passport.save()
        record(
            action="passports.passport.create",
            actor=actor,
            obj=passport,
            ip=ip,
            after=_state(passport),
        )
    return passport


def passport_update(
    *, actor, passport: Passport, number: str = "", ip: str = "", **values: Any
) -> Passport:
    """Correct the register: kind, dates, number (empty: keep it)."""
    _require(actor, MANAGES_PASSPORTS)
    with transaction.atomic():
        locked = Passport.objects.select_for_update().get(pk=passport.pk)
        before = _state(locked)
        for key in ("kind", "issued_on", "expires_on"):
            if key in values:
                setattr(locked, key, values[key])
        _clean(locked, number or None, exclude_pk=locked.pk)
        old, new = diff(before, _state(locked))
        if not new:
            return locked
        locked.save()
        record(
            action="passports.passport.update",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
        )
    return locked


def passport_reveal_number(*, actor, passport: Passport, ip: str = "") -> str:
    """The full number, for the FAO; every call is audited. The view has demanded a
    fresh second factor (security.md S2)."""
    _require(actor, MANAGES_PASSPORTS)
    if not scoping.can_see(actor, passport):
        raise PermissionDenied(_("You are not allowed to do this."))
    number = passport.reveal_number()
    record(
        action="passports.passport.unmask",
        actor=actor,
        obj=passport,
        ip=ip,
        data={"field": "number"},
    )
    return number


def passport_mark(
    *, actor, passport: Passport, state: str, reason: str = "", ip: str = ""
) -> Passport:
    """Report a passport lost (also while out on a trip: its custody closes as lost) or
    cancel it (in custody, lost or expired: not while out on a trip)."""
    _require(actor, MANAGES_PASSPORTS)
    reason = (reason or "").strip()
    if state not in MARKS:
        raise ValidationError({"state": _("Choose lost or cancelled.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    before: dict[str, Any] = {}
    closed: list[PassportCustody] = []

    def mark(locked: Passport, transition) -> None:
        before.update(_state(locked))
        if locked.state == PassportState.ISSUED:
            custody = (
                PassportCustody.objects.select_for_update()
                .filter(passport=locked, returned_at__isnull=True)
                .first()
            )
            if custody is not None:
                custody.returned_at = timezone.now()
                custody.received_by = actor
                custody.lost = True
                custody.save(update_fields=["returned_at", "received_by", "lost"])
                closed.append(custody)
        locked.state_reason = reason

    def event(locked: Passport, transition) -> dict:
        old, new = diff(before, _state(locked))
        return {
            "before": old,
            "after": new,
            "data": {"reason": reason, "custody": closed[0].pk if closed else None},
        }

    return PASSPORT.apply(
        passport,
        state,
        actor=actor,
        ip=ip,
        effect=mark,
        fields=["state_reason", "updated_at"],
        audit=event,
    )


# --- hand-out and return --------------------------------------------------------------------


def issue_refusal(passport: Passport, mission, today: dt.date | None = None) -> str | None:
    """Why ``passport`` cannot be issued for ``mission`` now, or None."""
    from waishi.missions.core.readiness import education_complete
    from waishi.missions.models import Member, State

    today = today or timezone.localdate()
    if mission.state != State.APPROVED:
        return _("Passports are issued for approved trips only.")
    if not Member.objects.filter(mission=mission, person_id=passport.holder_id).exists():
        return _("%(name)s is not a member of this trip.") % {"name": passport.holder.name}
    if passport.state != PassportState.IN_CUSTODY:
        return _("The passport is %(state)s, not in custody.") % {
            "state": passport.get_state_display()
        }
    if not education_complete(mission):
        return _(
            "The pre-departure education of every member must be recorded before passports "
            "are issued."
        )
    if mission.return_date is None:
        return _("The trip has no return date.")
    official, _unused = parameters(today)
    months = official["months_valid_after_return"]
    needed = add_months(mission.return_date, months)
    if passport.expires_on < needed:
        return _(
            "The passport expires on %(expires)s: it must be valid until at least %(needed)s "
            "(%(months)d months after the return date)."
        ) % {"expires": passport.expires_on, "needed": needed, "months": months}
    return None


def passport_issue(*, actor, passport: Passport, mission, ip: str = "") -> PassportCustody:
    """Hand a passport out for an approved trip (see ``issue_refusal``), under its row
    lock. The caller (a view) has demanded a fresh second factor (security.md S2)."""
    _require(actor, MANAGES_PASSPORTS)
    from waishi.missions.models import Mission

    today = timezone.localdate()
    trip: list = []
    custody: list[PassportCustody] = []
    before: dict[str, Any] = {}

    def may_issue(locked: Passport) -> None:
        trip.append(Mission.objects.get(pk=mission.pk))
        refusal = issue_refusal(locked, trip[0], today)
        if refusal:
            raise ValidationError(refusal, code="issue")

    def hand_out(locked: Passport, transition) -> None:
        _unused, back = parameters(today)
        custody.append(
            PassportCustody.objects.create(
                passport=locked,
                mission=trip[0],
                issued_by=actor,
                due_back=trip[0].return_date + dt.timedelta(days=back["days"]),
            )
        )
        before.update(_state(locked))

    def event(locked: Passport, transition) -> dict:
        old, new = diff(before, _state(locked))
        return {
            "before": old,
            "after": new,
            "data": {
                "mission": trip[0].pk,
                "trip": str(trip[0]),
                "custody": custody[0].pk,
                "due_back": custody[0].due_back,
            },
        }

    try:
        PASSPORT.apply(
            passport,
            "issue",
            actor=actor,
            ip=ip,
            check=may_issue,
            effect=hand_out,
            fields=["updated_at"],
            audit=event,
        )
    except IntegrityError:
        # Another hand-out of the same passport committed first (the partial unique index).
        raise ValidationError(
            _("The passport has just been issued for a trip by someone else."), code="issue"
        ) from None
    return custody[0]


def passports_issue(*, actor, mission, passports: list[Passport], ip: str = "") -> list:
    """Issue several passports for one trip: all of them or none."""
    _require(actor, MANAGES_PASSPORTS)
    if not passports:
        raise ValidationError({"passports": _("Choose at least one passport.")})
    with transaction.atomic():
        # In a fixed order, so that two hand-outs never wait on each other's locks.
        return [
            passport_issue(actor=actor, passport=p, mission=mission, ip=ip)
            for p in sorted(passports, key=lambda p: p.pk)
        ]


def passport_return(
    *, actor, custody: PassportCustody, ip: str = "", note: str = ""
) -> PassportCustody:
    """The passport is back in custody; the unit's lock, if this was what held it, lifts."""
    _require(actor, MANAGES_PASSPORTS)
    today = timezone.localdate()
    closed: list[PassportCustody] = []
    was_locked: set[int] = set()
    before: dict[str, Any] = {}

    def still_out(passport: Passport) -> None:
        locked = PassportCustody.objects.select_for_update().get(pk=custody.pk)
        if locked.returned_at is not None:
            raise ValidationError(_("This passport has been returned already."), code="state")
        closed.append(locked)

    def take_back(passport: Passport, transition=None) -> None:
        locked = closed[0]
        was_locked.update(u for u in _units_of(locked) if unit_lock_reason(u) is not None)
        locked.returned_at = timezone.now()
        locked.received_by = actor
        locked.save(update_fields=["returned_at", "received_by"])
        before.update(_state(passport))

    def event(passport: Passport, transition=None) -> dict:
        locked = closed[0]
        old, new = diff(before, _state(passport))
        unlocked = sorted(u for u in was_locked if unit_lock_reason(u) is None)
        return {
            "action": "passports.passport.return",
            "before": old,
            "after": new,
            "data": {
                "custody": locked.pk,
                "mission": locked.mission_id,
                "days_overdue": _overdue(locked, today),
                "unit_unlocked": unlocked,
                "note": (note or "").strip()[:500],
            },
        }

    with transaction.atomic():
        passport = Passport.objects.select_for_update().get(pk=custody.passport_id)
        if passport.state == PassportState.ISSUED:
            # Back in custody, or expired if its date passed while it was out.
            passport = PASSPORT.apply(
                passport,
                "return_expired" if passport.expires_on < today else "return",
                actor=actor,
                ip=ip,
                check=still_out,
                effect=take_back,
                fields=["updated_at"],
                audit=event,
            )
        else:  # not out (nothing changes its state): the custody closes all the same
            still_out(passport)
            take_back(passport)
            record(actor=actor, obj=passport, ip=ip, **event(passport))
        locked = closed[0]
        if locked.mission_id is not None:
            # The last passport back may be what the trip waited for to close.
            from waishi.missions.trip.services import mission_close_if_ready

            mission_close_if_ready(actor=actor, mission=locked.mission, ip=ip)
    return locked


def passports_return(
    *, actor, custodies: list[PassportCustody], ip: str = "", note: str = ""
) -> list[PassportCustody]:
    """Several passports back in custody in one action: ``passport_return`` for each (its
    checks, its audit event per passport), in one transaction -- all of them or none; a
    refusal names the holder whose passport could not be taken back."""
    _require(actor, MANAGES_PASSPORTS)
    if not custodies:
        raise ValidationError({"passports": _("Choose at least one passport.")})
    unique = {c.pk: c for c in custodies}
    rows = (
        PassportCustody.objects.filter(pk__in=list(unique))
        .select_related("passport__holder")
        .order_by("pk")  # a fixed order, so that two bulk returns never wait on each other
    )
    done = []
    with transaction.atomic():
        for custody in rows:
            try:
                done.append(passport_return(actor=actor, custody=custody, ip=ip, note=note))
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
                raise ValidationError(
                    {
                        "passports": _(
                            "The passport of %(name)s could not be taken back: %(reason)s "
                            "Nothing was recorded."
                        )
                        % {"name": custody.passport.holder.name, "reason": reason}
                    },
                    code="return",
                ) from None
    return done


def on_mission_return(mission) -> None:
    """``missions.core.readiness.RETURN_HOOKS``: the passports still out for ``mission`` are due
    back ``PASSPORT_RETURN.days`` after the *actual* return (set at issue from the planned
    one). Called inside the transaction that confirms the return."""
    if mission.actual_return is None:
        return
    _, back = parameters(mission.actual_return)
    PassportCustody.objects.filter(mission=mission, returned_at__isnull=True).update(
        due_back=mission.actual_return + dt.timedelta(days=back["days"])
    )


def _overdue(custody: PassportCustody, today: dt.date) -> int:
    return max(0, (today - custody.due_back).days)


# --- the unit lock --------------------------------------------------------------------------


def _open_custody_of_unit(unit_id: int):
    return PassportCustody.objects.filter(returned_at__isnull=True).filter(
        Q(passport__holder__unit_id=unit_id) | Q(mission__unit_id=unit_id)
    )


def overdue_for_lock(unit, today: dt.date | None = None):
    """The unit's open custody rows more than ``lock_after_days`` past their due date."""
    today = today or timezone.localdate()
    _unused, back = parameters(today)
    limit = today - dt.timedelta(days=back["lock_after_days"])
    unit_id = getattr(unit, "pk", unit)
    return (
        _open_custody_of_unit(unit_id)
        .filter(due_back__lt=limit)
        .select_related("passport__holder")
        .order_by("due_back", "pk")
    )


def unit_lock_reason(unit) -> str | None:
    """A ``missions.core.readiness.SUBMIT_GUARDS`` guard: the unit may not submit new trips
    while one of its passports is more than ``lock_after_days`` overdue."""
    if unit is None:
        return None
    today = timezone.localdate()
    rows = list(overdue_for_lock(unit, today)[:5])
    if not rows:
        return None
    names = "、".join(
        _("%(name)s, due %(date)s") % {"name": c.passport.holder.name, "date": c.due_back}
        for c in rows
    )
    return _(
        "Your unit has official passports overdue for return (%(list)s); return them first."
    ) % {"list": names}


# --- the daily sweep ------------------------------------------------------------------------


def _unit_users(unit_ids: set[int], role: str):
    return User.objects.filter(unit_id__in=unit_ids, role=role, is_active=True).order_by("pk")


def _units_of(custody: PassportCustody) -> set[int]:
    """The holder's unit and the trip's unit (usually one and the same)."""
    return {custody.passport.holder.unit_id, custody.mission.unit_id}


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """The daily job; safe to run twice (each step is stamped once, notices deduplicated).

    - passports past their expiry in custody become expired; the FAO is told
      ``EXPIRY_NOTICE_DAYS`` before a passport falls below the validity a trip needs;
    - an open custody past ``due_back``: a reminder to the clerks of its units; after
      ``ESCALATE_AFTER_DAYS`` more, to the unit leaders; more than ``lock_after_days``
      overdue: the unit's new submissions are refused (``unit_lock_reason``), recorded
      once here with notices to the clerks, the leaders and the FAO."""
    today = today or timezone.localdate()
    official, back = parameters(today)
    counts = {"expired": 0, "expiry_warnings": 0, "reminded": 0, "escalated": 0, "locked": 0}

    for passport in Passport.objects.filter(
        state=PassportState.IN_CUSTODY, expires_on__lt=today
    ).order_by("pk"):
        try:
            PASSPORT.apply(
                passport,
                "expired",
                actor=None,
                actor_name="daily passport sweep",
                # Under the lock: still in custody (the table) and still past its date.
                check=lambda locked: None if locked.expires_on < today else "renewed meanwhile",
                fields=["updated_at"],
                audit=lambda locked, t: {
                    "before": {"state": t.source},
                    "after": {"state": t.target},
                },
            )
        except WorkflowError:
            continue
        counts["expired"] += 1

    horizon = add_months(today, official["months_valid_after_return"]) + dt.timedelta(
        days=EXPIRY_NOTICE_DAYS
    )
    for passport in (
        Passport.objects.filter(state__in=USABLE_STATES, expires_on__lte=horizon)
        .select_related("holder")
        .order_by("expires_on", "pk")
    ):
        url = reverse("passports:detail", kwargs={"passport_pk": passport.pk})
        counts["expiry_warnings"] += len(
            notify(
                users_holding(MANAGES_PASSPORTS),
                kind="passports.expiry",
                title=lambda p=passport: (
                    _("The official passport of %(name)s expires on %(date)s")
                    % {"name": p.holder.name, "date": p.expires_on}
                ),
                body=lambda: _(
                    "A passport must be valid for the required months after a trip's return; "
                    "start the renewal in time."
                ),
                url=url,
                dedupe_key=f"passport-expiry-{passport.pk}-{passport.expires_on.isoformat()}",
            )
        )

    escalate_before = today - dt.timedelta(days=ESCALATE_AFTER_DAYS)
    lock_before = today - dt.timedelta(days=back["lock_after_days"])
    overdue = (
        PassportCustody.objects.filter(returned_at__isnull=True, due_back__lt=today)
        .select_related("passport__holder", "mission")
        .order_by("due_back", "pk")
    )
    for custody in overdue:
        _sweep_custody(custody, today, escalate_before, lock_before, counts)
    return counts


def _sweep_custody(
    custody: PassportCustody,
    today: dt.date,
    escalate_before: dt.date,
    lock_before: dt.date,
    counts: dict[str, int],
) -> None:
    """One overdue hand-out: remind, escalate, lock -- each once, under its row lock."""
    with transaction.atomic():
        row = PassportCustody.objects.select_for_update().get(pk=custody.pk)
        if row.returned_at is not None:
            return
        units = _units_of(custody)
        url = reverse("passports:detail", kwargs={"passport_pk": row.passport_id})
        name = custody.passport.holder.name
        trip = str(custody.mission)
        now = timezone.now()
        if row.reminded_at is None:
            notify(
                _unit_users(units, Role.UNIT_CLERK),
                kind="passports.return_reminder",
                title=lambda: _("Return the official passport of %(name)s") % {"name": name},
                body=lambda: (
                    _("The passport was due back on %(date)s after the trip “%(trip)s”.")
                    % {"date": row.due_back, "trip": trip}
                ),
                url=url,
                dedupe_key=f"passport-remind-{row.pk}",
            )
            row.reminded_at = now
            row.save(update_fields=["reminded_at"])
            _sweep_event("passports.custody.remind", row, today)
            counts["reminded"] += 1
        if row.escalated_at is None and row.due_back < escalate_before:
            notify(
                _unit_users(units, Role.UNIT_LEADER),
                kind="passports.return_escalation",
                title=lambda: _("Official passport of %(name)s overdue") % {"name": name},
                body=lambda: (
                    _(
                        "The passport was due back on %(date)s after the trip “%(trip)s” and "
                        "is still out. Past the lock period the unit cannot submit new trips."
                    )
                    % {"date": row.due_back, "trip": trip}
                ),
                url=url,
                dedupe_key=f"passport-escalate-{row.pk}",
            )
            row.escalated_at = now
            row.save(update_fields=["escalated_at"])
            _sweep_event("passports.custody.escalate", row, today)
            counts["escalated"] += 1
        if row.locked_at is None and row.due_back < lock_before:
            recipients = list(_unit_users(units, Role.UNIT_CLERK)) + list(
                _unit_users(units, Role.UNIT_LEADER)
            )
            notify(
                recipients + list(users_holding(MANAGES_PASSPORTS)),
                kind="passports.unit_locked",
                title=lambda: (
                    _("New trip applications locked: passport of %(name)s overdue") % {"name": name}
                ),
                body=lambda: _(
                    "The unit cannot submit new trip applications until the passport is returned."
                ),
                url=url,
                dedupe_key=f"passport-lock-{row.pk}",
            )
            row.locked_at = now
            row.save(update_fields=["locked_at"])
            _sweep_event("passports.custody.lock", row, today)
            counts["locked"] += 1


def _sweep_event(action: str, custody: PassportCustody, today: dt.date) -> None:
    record(
        action=action,
        actor_name="daily passport sweep",
        obj=custody.passport,
        data={
            "custody": custody.pk,
            "mission": custody.mission_id,
            "due_back": custody.due_back,
            "days_overdue": _overdue(custody, today),
        },
    )


# --- applications for new or renewed passports ----------------------------------------------


def application_create(
    *,
    actor,
    person: Person,
    kind: str,
    application_type: str,
    reason: str,
    replaces: Passport | None = None,
    ip: str = "",
) -> PassportApplication:
    """A unit clerk asks for a passport for a person of the unit."""
    _require(actor, APPLIES)
    errors: dict[str, list[str]] = {}
    if not permissions.acts_for(actor, person):
        errors["person"] = [_("You can only apply for people of your own unit.")]
    if kind not in Kind.values:
        errors["kind"] = [_("Choose the kind of passport.")]
    if application_type not in ApplicationType.values:
        errors["application_type"] = [_("Choose new or renewal.")]
    if application_type == ApplicationType.RENEWAL:
        if replaces is None:
            errors["replaces"] = [_("Choose the passport to be renewed.")]
        elif replaces.holder_id != person.pk:
            errors["replaces"] = [_("The passport renewed must be this person's.")]
    elif replaces is not None:
        replaces = None
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = PassportApplication.objects.create(
            person=person,
            kind=kind,
            application_type=application_type,
            replaces=replaces,
            reason=reason,
            created_by=actor,
        )
        record(
            action="passports.application.create",
            actor=actor,
            obj=application,
            ip=ip,
            after=snapshot(
                application, ("person", "kind", "application_type", "replaces", "reason")
            ),
        )
    notify(
        users_holding(MANAGES_PASSPORTS),
        kind="passports.application",
        title=lambda: _("Passport application for %(name)s") % {"name": person.name},
        url=reverse("passports:application-detail", kwargs={"application_pk": application.pk}),
    )
    return application


def application_decide(
    *,
    actor,
    application: PassportApplication,
    decision: str,
    note: str = "",
    ip: str = "",
) -> PassportApplication:
    """The FAO approves or rejects (a rejection needs a comment); once."""
    _require(actor, MANAGES_PASSPORTS)
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": _("Choose approve or reject.")})
    note = (note or "").strip()
    if decision == "reject" and not note:
        raise ValidationError({"note": _("Say why the application is rejected.")})

    def decide(locked: PassportApplication, transition) -> None:
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note

    locked = APPLICATION.apply(
        application,
        decision,
        actor=actor,
        ip=ip,
        effect=decide,
        fields=["decided_by", "decided_at", "decision_note"],
        audit=lambda locked, t: {
            "before": {"state": t.source},
            "after": {"state": locked.state},
            "data": {"note": note},
        },
    )
    # Its applicant is told by the row's notice (``notices``).
    return locked
