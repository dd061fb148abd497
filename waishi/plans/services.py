"""Every change to the annual plan: check permission, validate, change, audit.

The ledger API (``quota_consume``, ``quota_release``) is called by other apps INSIDE
their own transaction (the one that approves or cancels a trip): it locks the quota row,
so two approvals racing for the last batch queue on that lock, and the database's check
constraints refuse an overspend even if this code were bypassed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import diff, record, snapshot
from waishi.lib.roles import APPROVERS, CLERKS, FAO, has
from waishi.orgs import permissions
from waishi.plans import selectors
from waishi.plans.models import (
    QUOTA_CATEGORIES,
    Category,
    EntryState,
    LedgerKind,
    PlanEntry,
    PlanEntryVersion,
    PlanState,
    PlanYear,
    Quota,
    QuotaLedger,
)
from waishi.plans.workflow import ENTRY, PLAN
from waishi.policy import reference
from waishi.policy.types import RANKS

# Who approves or cancels a trip, and so moves a quota (through the trip's services).
CONSUMERS = APPROVERS
RELEASERS = CONSUMERS | CLERKS

ENTRY_FIELDS = (
    "title",
    "purpose",
    "countries",
    "size",
    "ranks",
    "expected_month",
    "budget_estimate",
    "category",
)
PLAN_FIELDS = ("year", "deadline", "state", "version")
QUOTA_FIELDS = ("batches", "person_trips")
RANK_ORDER = {rank: i for i, rank in enumerate(RANKS)}
CENTS = Decimal("0.01")

# What a quota's category is called in a sentence (一般团组, 经贸科技团组).
QUOTA_NAMES = {
    Category.GENERAL: gettext_lazy("ordinary delegations"),
    Category.ECON_TECH: gettext_lazy("economic, trade and technology delegations"),
}


class QuotaExceeded(ValidationError):
    """A trip the unit's quota cannot take; the message says what is left."""


def _require(actor, allowed: frozenset[str]) -> None:
    if not has(actor, allowed):
        raise PermissionDenied(_("You are not allowed to do this."))


def _require_own_unit(actor, unit_id: int) -> None:
    refusal = permissions.refusal(actor, unit_id, _("This plan entry belongs to another unit."))
    if refusal:
        raise PermissionDenied(refusal)


# --- the plan ---------------------------------------------------------------------------------


def plan_open(*, actor, year: int, deadline, ip: str = "") -> PlanYear:
    _require(actor, FAO)
    plan = PlanYear(year=year, deadline=deadline, opened_by=actor)
    plan.full_clean()  # includes the unique year
    with transaction.atomic():
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError as exc:
            raise ValidationError({"year": _("A plan for this year exists.")}) from exc
        record(
            action="plans.plan.open",
            actor=actor,
            obj=plan,
            ip=ip,
            after=snapshot(plan, PLAN_FIELDS),
        )
    return plan


def plan_update(*, actor, plan: PlanYear, deadline, ip: str = "") -> PlanYear:
    """Move the deadline (for late entries, say)."""
    _require(actor, FAO)
    with transaction.atomic():
        plan = PlanYear.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(plan, ("deadline",))
        plan.deadline = deadline
        plan.full_clean()
        old, new = diff(before, snapshot(plan, ("deadline",)))
        if not new:
            return plan
        plan.save(update_fields=["deadline"])
        record(action="plans.plan.update", actor=actor, obj=plan, ip=ip, before=old, after=new)
    return plan


def plan_consolidate(*, actor, plan: PlanYear, ip: str = "") -> PlanYear:
    return PLAN.apply(plan, "consolidate", actor=actor, ip=ip)


def plan_reopen(*, actor, plan: PlanYear, comment: str = "", ip: str = "") -> PlanYear:
    return PLAN.apply(plan, "reopen", actor=actor, ip=ip, comment=comment)


def _freeze(entry: PlanEntry, *, version: int, actor) -> PlanEntryVersion:
    """Keep what the committee approved, and make it the entry's binding version."""
    frozen = PlanEntryVersion.objects.create(
        entry=entry,
        plan_version=version,
        data=snapshot(entry, ENTRY_FIELDS),
        approved_by=actor,
    )
    entry.bound_version = frozen
    return frozen


def plan_approve(*, actor, plan: PlanYear, ip: str = "") -> PlanYear:
    """The committee approves the consolidated plan: it binds, at version 1, with every
    accepted entry approved (each entry's history records it)."""

    def stamp(locked: PlanYear, _t) -> None:
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.version = 1

    with transaction.atomic():
        plan = PLAN.apply(plan, "approve", actor=actor, ip=ip, effect=stamp)
        for entry in plan.entries.filter(state=EntryState.ACCEPTED).order_by("pk"):
            ENTRY.apply(
                entry,
                "approve",
                actor=actor,
                ip=ip,
                data={"plan_version": 1},
                effect=lambda locked, _t: _freeze(locked, version=1, actor=actor),
            )
    return plan


PLAN_ACTIONS = {
    "consolidate": plan_consolidate,
    "reopen": plan_reopen,
    "approve": plan_approve,
}


def plan_act(*, actor, plan: PlanYear, action: str, comment: str = "", ip: str = "") -> PlanYear:
    """One of the plan's transitions by name (the plan page's buttons, the API's)."""
    if action not in PLAN_ACTIONS:
        raise ValidationError(_("Unknown action."))
    kwargs: dict[str, Any] = {"actor": actor, "plan": plan, "ip": ip}
    if action == "reopen":
        kwargs["comment"] = comment
    return PLAN_ACTIONS[action](**kwargs)


# --- entries ----------------------------------------------------------------------------------


def clean_entry_values(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise the countries and ranks of an entry; raise one ValidationError naming
    every bad field."""
    errors: dict[str, list[str]] = {}
    out = dict(values)
    if "countries" in values:
        codes: list[str] = []
        for raw in values["countries"] or []:
            code = str(raw).strip().upper()
            if code == "CN":
                errors.setdefault("countries", []).append(
                    _(
                        "China is not a destination abroad; Hong Kong, Macao and Taiwan"
                        " are HK, MO and TW."
                    )
                )
            elif code not in reference.COUNTRIES:
                errors.setdefault("countries", []).append(
                    _("“%(code)s” is not a country or region code.") % {"code": raw}
                )
            elif code not in codes:
                codes.append(code)
        if not codes and "countries" not in errors:
            errors["countries"] = [_("Name at least one country or region.")]
        out["countries"] = codes
    if "ranks" in values:
        ranks = [str(r) for r in values["ranks"] or []]
        bad = [r for r in ranks if r not in RANK_ORDER]
        if bad:
            errors["ranks"] = [_("Unknown rank: %(rank)s.") % {"rank": ", ".join(bad)}]
        else:
            out["ranks"] = sorted(ranks, key=RANK_ORDER.__getitem__)
    if "budget_estimate" in values:
        try:
            out["budget_estimate"] = Decimal(str(values["budget_estimate"])).quantize(CENTS)
        except InvalidOperation:
            errors["budget_estimate"] = [_("Enter an amount in yuan.")]
    if errors:
        raise ValidationError(errors)
    return out


def _validate_entry(entry: PlanEntry) -> None:
    errors: dict[str, list[str]] = {}
    try:
        entry.full_clean(exclude=["plan", "unit", "bound_version", "created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if entry.size and entry.ranks and len(entry.ranks) != entry.size:
        errors.setdefault("ranks", []).append(
            _("Give one rank per member: %(ranks)d ranks for %(size)d members.")
            % {"ranks": len(entry.ranks), "size": entry.size}
        )
    elif not entry.ranks:
        errors.setdefault("ranks", []).append(_("Give the rank of every member."))
    if errors:
        raise ValidationError(errors)


def _entry_state(entry: PlanEntry) -> dict[str, Any]:
    return snapshot(entry, ENTRY_FIELDS)


def entry_create(*, actor, plan: PlanYear, ip: str = "", **values: Any) -> PlanEntry:
    """The unit clerk drafts an entry for their own unit."""
    _require(actor, CLERKS)
    values = clean_entry_values({k: values[k] for k in ENTRY_FIELDS if k in values})
    with transaction.atomic():
        plan = PlanYear.objects.select_for_update().get(pk=plan.pk)
        if plan.state == PlanState.CONSOLIDATED:
            raise ValidationError(_("The plan is with the committee; entries cannot change now."))
        entry = PlanEntry(plan=plan, unit_id=actor.unit_id, created_by=actor, **values)
        _validate_entry(entry)
        entry.save()
        record(
            action="plans.entry.create", actor=actor, obj=entry, ip=ip, after=_entry_state(entry)
        )
    return entry


EDITABLE = (EntryState.DRAFT, EntryState.RETURNED)


def _lock_editable(actor, entry: PlanEntry) -> PlanEntry:
    _require(actor, CLERKS)
    PlanYear.objects.select_for_update().filter(pk=entry.plan_id).first()  # plan, then entry
    entry = PlanEntry.objects.select_for_update().select_related("plan").get(pk=entry.pk)
    _require_own_unit(actor, entry.unit_id)
    if entry.state not in EDITABLE:
        raise ValidationError(
            _("Only a draft or a returned entry can be changed; this one is %(state)s.")
            % {"state": entry.get_state_display()}
        )
    if entry.plan.state == PlanState.CONSOLIDATED:
        raise ValidationError(_("The plan is with the committee; entries cannot change now."))
    return entry


def entry_update(*, actor, entry: PlanEntry, ip: str = "", **values: Any) -> PlanEntry:
    values = clean_entry_values({k: values[k] for k in ENTRY_FIELDS if k in values})
    with transaction.atomic():
        entry = _lock_editable(actor, entry)
        before = _entry_state(entry)
        for key, value in values.items():
            setattr(entry, key, value)
        _validate_entry(entry)
        old, new = diff(before, _entry_state(entry))
        if not new:
            return entry
        entry.save(update_fields=list(new))
        record(action="plans.entry.update", actor=actor, obj=entry, ip=ip, before=old, after=new)
    return entry


def entry_delete(*, actor, entry: PlanEntry, ip: str = "") -> None:
    """Delete a draft or returned entry that never bound (an amendment of an approved
    entry is discarded instead: ``entry_discard``)."""
    with transaction.atomic():
        entry = _lock_editable(actor, entry)
        if entry.bound_version_id is not None:
            raise ValidationError(
                _("This entry is part of the approved plan; discard the amendment instead.")
            )
        record(
            action="plans.entry.delete", actor=actor, obj=entry, ip=ip, before=_entry_state(entry)
        )
        entry.delete()


def _apply(entry: PlanEntry, action: str, **kwargs: Any) -> PlanEntry:
    """Take a workflow action with the plan row locked first (always plan, then entry):
    a submission racing the FAO head's consolidation waits for it and then sees the plan
    with the committee, so no entry slips in or changes under the committee."""
    with transaction.atomic():
        PlanYear.objects.select_for_update().filter(pk=entry.plan_id).first()
        return ENTRY.apply(entry, action, **kwargs)


def entry_submit(*, actor, entry: PlanEntry, ip: str = "") -> PlanEntry:
    """The unit leader submits the entry to the FAO."""

    def clear(locked: PlanEntry, _t) -> None:
        _validate_entry(locked)
        locked.review_comment = ""

    return _apply(entry, "submit", actor=actor, ip=ip, effect=clear)


def _comment_effect(comment: str):
    def effect(locked: PlanEntry, _t) -> None:
        locked.review_comment = comment

    return effect


def entry_accept(*, actor, entry: PlanEntry, comment: str = "", ip: str = "") -> PlanEntry:
    comment = (comment or "").strip()
    return _apply(
        entry, "accept", actor=actor, ip=ip, comment=comment, effect=_comment_effect(comment)
    )


def entry_return(*, actor, entry: PlanEntry, comment: str, ip: str = "") -> PlanEntry:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the unit should change.")})
    return _apply(
        entry, "return", actor=actor, ip=ip, comment=comment, effect=_comment_effect(comment)
    )


def entry_approve(*, actor, entry: PlanEntry, ip: str = "") -> PlanEntry:
    """The committee approves an amendment to the approved plan: the plan's version goes
    up by one and the entry binds at that version."""
    data: dict[str, Any] = {}

    def bump(locked: PlanEntry, _t) -> None:
        plan = PlanYear.objects.select_for_update().get(pk=locked.plan_id)
        plan.version += 1
        plan.save(update_fields=["version"])
        _freeze(locked, version=plan.version, actor=actor)
        locked.review_comment = ""
        data["plan_version"] = plan.version
        record(
            action="plans.plan.amended",
            actor=actor,
            obj=plan,
            ip=ip,
            before={"version": plan.version - 1},
            after={"version": plan.version},
            data={"version": plan.version, "entry": locked.pk},
        )

    with transaction.atomic():
        return _apply(entry, "approve", actor=actor, ip=ip, data=data, effect=bump)


def entry_amend(*, actor, entry: PlanEntry, ip: str = "") -> PlanEntry:
    """Re-open an approved entry for changes; it binds as approved until the committee
    approves the amendment."""
    return _apply(entry, "amend", actor=actor, ip=ip)


def entry_discard(*, actor, entry: PlanEntry, ip: str = "") -> PlanEntry:
    """Drop an amendment: the entry goes back to what the committee approved."""

    def restore(locked: PlanEntry, _t) -> None:
        data = locked.bound_version.data
        values = clean_entry_values({k: data[k] for k in ENTRY_FIELDS if k in data})
        for key, value in values.items():
            setattr(locked, key, value)
        locked.review_comment = ""

    return _apply(entry, "discard", actor=actor, ip=ip, effect=restore)


ACTIONS = {
    "submit": entry_submit,
    "accept": entry_accept,
    "return": entry_return,
    "approve": entry_approve,
    "amend": entry_amend,
    "discard": entry_discard,
}


def entry_act(*, actor, entry: PlanEntry, action: str, comment: str = "", ip: str = ""):
    """One of the workflow's actions by name (the entry page's buttons)."""
    if action not in ACTIONS:
        raise ValidationError(_("Unknown action."))
    kwargs: dict[str, Any] = {"actor": actor, "entry": entry, "ip": ip}
    if action in ("accept", "return"):
        kwargs["comment"] = comment
    return ACTIONS[action](**kwargs)


# --- last year's plan as this year's draft ---------------------------------------------------


def _last_year(plan: PlanYear) -> PlanYear:
    previous = selectors.last_year(plan)
    if previous is None:
        raise ValidationError(
            _("There is no approved plan for %(year)d to copy.") % {"year": plan.year - 1},
            code="no_source",
        )
    return previous


def entries_copy_last_year(*, actor, plan: PlanYear, ip: str = "") -> list[PlanEntry]:
    """The unit clerk drafts this year's entries of their unit from what the committee
    approved for it last year: each through ``entry_create`` (checked and audited as if
    typed), all in one transaction. Refused when the unit has entries in this year's
    plan already (a copy would duplicate them) or had none approved last year."""
    # A clerk of a unit, for that unit (a clerk without one drafts for none).
    permissions.require(
        actor, CLERKS, getattr(actor, "unit_id", None), _("You are not allowed to do this.")
    )
    with transaction.atomic():
        plan = PlanYear.objects.select_for_update().get(pk=plan.pk)
        previous = _last_year(plan)
        if PlanEntry.objects.filter(plan=plan, unit_id=actor.unit_id).exists():
            raise ValidationError(
                _(
                    "Your unit has entries in the %(year)d plan already: copying last year's "
                    "would duplicate them."
                )
                % {"year": plan.year},
                code="not_empty",
            )
        sources = selectors.last_year_entries(plan, actor.unit_id)
        if not sources:
            raise ValidationError(
                _("Your unit had no approved entry in the %(year)d plan.")
                % {"year": previous.year},
                code="no_source",
            )
        return [entry_create(actor=actor, plan=plan, ip=ip, **values) for values in sources]


def quotas_copy_last_year(*, actor, plan: PlanYear, ip: str = "") -> list[Quota]:
    """The FAO sets this year's quotas to last year's, unit by unit (``quota_set``, each
    audited), in one transaction; refused when this year's plan has quotas already."""
    _require(actor, FAO)
    with transaction.atomic():
        plan = PlanYear.objects.select_for_update().get(pk=plan.pk)
        previous = _last_year(plan)
        if Quota.objects.filter(plan=plan).exists():
            raise ValidationError(
                _("The %(year)d plan has quotas already: copying last year's would overwrite them.")
                % {"year": plan.year},
                code="not_empty",
            )
        sources = [q for q in selectors.last_year_quotas(plan) if q.unit.is_active]
        if not sources:
            raise ValidationError(
                _("The %(year)d plan set no quota.") % {"year": previous.year},
                code="no_source",
            )
        return [
            quota_set(
                actor=actor,
                plan=plan,
                unit=q.unit,
                category=q.category,
                batches=q.batches,
                person_trips=q.person_trips,
                ip=ip,
            )
            for q in sources
        ]


# --- quotas -----------------------------------------------------------------------------------


def quota_set(
    *,
    actor,
    plan: PlanYear,
    unit,
    category: str,
    batches: int,
    person_trips: int,
    ip: str = "",
) -> Quota:
    """Create or change a unit's quota; never below what approved trips already used."""
    _require(actor, FAO)
    if category not in QUOTA_CATEGORIES:
        raise ValidationError(
            {"category": _("Only ordinary and trade/technology trips have a quota.")}
        )
    errors: dict[str, list[str]] = {}
    for field, value in (("batches", batches), ("person_trips", person_trips)):
        if value is None or int(value) < 0:
            errors[field] = [_("Enter a number, 0 or more.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        quota = (
            Quota.objects.select_for_update()
            .filter(plan=plan, unit=unit, category=category)
            .first()
        )
        created = quota is None
        if created:
            quota = Quota(plan=plan, unit=unit, category=category)
        before = {} if created else snapshot(quota, QUOTA_FIELDS)
        if int(batches) < quota.batches_used:
            errors["batches"] = [
                _("Approved trips have used %(used)d batches; the quota cannot be lower.")
                % {"used": quota.batches_used}
            ]
        if int(person_trips) < quota.person_trips_used:
            errors["person_trips"] = [
                _("Approved trips have used %(used)d person-trips; the quota cannot be lower.")
                % {"used": quota.person_trips_used}
            ]
        if errors:
            raise ValidationError(errors)
        quota.batches, quota.person_trips = int(batches), int(person_trips)
        old, new = diff(before, snapshot(quota, QUOTA_FIELDS))
        if not new:
            return quota
        try:
            with transaction.atomic():
                quota.save()
        except IntegrityError as exc:  # a second FAO user created it meanwhile
            raise ValidationError(_("Someone else set this quota just now; try again.")) from exc
        record(
            action="plans.quota.set",
            actor=actor,
            obj=quota,
            ip=ip,
            before=old,
            after=new,
            data={"category": category},
        )
    return quota


def _refuse(message: str, **values: Any) -> QuotaExceeded:
    return QuotaExceeded(message % values, code="quota")


def _names(unit, year: int, category: str) -> dict[str, Any]:
    return {
        "unit": unit.short_name or unit.name,
        "year": year,
        "category": QUOTA_NAMES[Category(category)],
    }


def _no_plan(plan: PlanYear | None, names: dict[str, Any]) -> QuotaExceeded | None:
    if plan is None or plan.state != PlanState.APPROVED:
        return _refuse(
            _("%(unit)s: the %(year)s annual plan is not approved yet, so there is no quota."),
            **names,
        )
    return None


def _short(quota: Quota, person_trips: int, names: dict[str, Any]) -> QuotaExceeded | None:
    """Why ``quota`` cannot take one more batch of ``person_trips``, or None."""
    if quota.batches_left < 1:
        return _refuse(
            _(
                "%(unit)s: the %(year)s quota for %(category)s is used up"
                " (batches %(used)d/%(limit)d)."
            ),
            used=quota.batches_used,
            limit=quota.batches,
            **names,
        )
    if quota.person_trips_left < person_trips:
        return _refuse(
            _(
                "%(unit)s: the %(year)s quota for %(category)s has %(left)d person-trips"
                " left and this trip needs %(need)d (person-trips %(used)d/%(limit)d)."
            ),
            left=quota.person_trips_left,
            need=person_trips,
            used=quota.person_trips_used,
            limit=quota.person_trips,
            **names,
        )
    return None


def quota_refusal(*, unit, year: int, category: str, person_trips: int) -> str | None:
    """Why ``quota_consume`` would refuse this trip now, in words, or None: for the
    decision page, which says so before offering the approval. Reads; locks nothing."""
    if category == Category.ACADEMIC or category not in QUOTA_CATEGORIES:
        return None
    names = _names(unit, year, category)
    plan = PlanYear.objects.filter(year=year).first()
    refusal = _no_plan(plan, names)
    if refusal is None:
        quota = Quota.objects.filter(plan_id=plan.pk, unit_id=unit.pk, category=category).first()
        if quota is None:
            refusal = _refuse(_("%(unit)s has no %(year)s quota for %(category)s."), **names)
        else:
            refusal = _short(quota, int(person_trips), names)
    return None if refusal is None else refusal.messages[0]


def quota_consume(
    *,
    actor,
    unit,
    year: int,
    category: str,
    person_trips: int,
    reference: str,
    ip: str = "",
) -> QuotaLedger | None:
    """Take one batch and ``person_trips`` from the unit's quota of ``year`` for
    ``category``, recorded under ``reference`` (e.g. "missions.mission:42").

    Call it inside the transaction that approves the trip. Academic trips use no quota
    (None). A unit with no quota row for the category has no quota: refused. The same
    reference consumes once: a retry gets the row it already wrote."""
    if category == Category.ACADEMIC:
        return None
    if category not in QUOTA_CATEGORIES:
        raise ValidationError({"category": _("Unknown category.")})
    _require(actor, CONSUMERS)
    _require_own_unit(actor, unit.pk)
    person_trips = int(person_trips)
    if person_trips < 1:
        raise ValidationError({"person_trips": _("A trip has at least one member.")})
    names = _names(unit, year, category)
    with transaction.atomic():
        plan = PlanYear.objects.filter(year=year).first()
        refusal = _no_plan(plan, names)
        if refusal is not None:
            raise refusal
        # Lock only the quota row (no join: FOR UPDATE would lock the joined rows too).
        quota = (
            Quota.objects.select_for_update()
            .filter(plan_id=plan.pk, unit_id=unit.pk, category=category)
            .first()
        )
        if quota is None:
            raise _refuse(_("%(unit)s has no %(year)s quota for %(category)s."), **names)
        done = QuotaLedger.objects.filter(reference=reference, kind=LedgerKind.CONSUME).first()
        if done is not None:
            if (
                done.quota_id == quota.pk
                and not QuotaLedger.objects.filter(
                    reference=reference, kind=LedgerKind.RELEASE
                ).exists()
            ):
                return done
            raise ValidationError(
                _("%(reference)s has already used a quota.") % {"reference": reference}
            )
        refusal = _short(quota, person_trips, names)
        if refusal is not None:
            raise refusal
        Quota.objects.filter(pk=quota.pk).update(
            batches_used=F("batches_used") + 1,
            person_trips_used=F("person_trips_used") + person_trips,
        )
        row = QuotaLedger.objects.create(
            quota=quota,
            reference=reference,
            kind=LedgerKind.CONSUME,
            batches=1,
            person_trips=person_trips,
            actor=actor,
        )
        record(
            action="plans.quota.consume",
            actor=actor,
            obj=quota,
            ip=ip,
            before={
                "batches_used": quota.batches_used,
                "person_trips_used": quota.person_trips_used,
            },
            after={
                "batches_used": quota.batches_used + 1,
                "person_trips_used": quota.person_trips_used + person_trips,
            },
            data={"reference": reference, "person_trips": person_trips},
        )
    return row


def quota_release(*, actor, reference: str, ip: str = "") -> QuotaLedger | None:
    """Give back what ``reference`` consumed (a cancelled trip). Idempotent: nothing
    consumed, or already released, changes nothing and returns the release row or None."""
    _require(actor, RELEASERS)
    with transaction.atomic():
        consumed = QuotaLedger.objects.filter(reference=reference, kind=LedgerKind.CONSUME).first()
        if consumed is None:
            return None
        quota = Quota.objects.select_for_update().get(pk=consumed.quota_id)
        _require_own_unit(actor, quota.unit_id)
        released = QuotaLedger.objects.filter(reference=reference, kind=LedgerKind.RELEASE).first()
        if released is not None:
            return released
        Quota.objects.filter(pk=quota.pk).update(
            batches_used=F("batches_used") - consumed.batches,
            person_trips_used=F("person_trips_used") - consumed.person_trips,
        )
        row = QuotaLedger.objects.create(
            quota=quota,
            reference=reference,
            kind=LedgerKind.RELEASE,
            batches=-consumed.batches,
            person_trips=-consumed.person_trips,
            actor=actor,
        )
        record(
            action="plans.quota.release",
            actor=actor,
            obj=quota,
            ip=ip,
            before={
                "batches_used": quota.batches_used,
                "person_trips_used": quota.person_trips_used,
            },
            after={
                "batches_used": quota.batches_used - consumed.batches,
                "person_trips_used": quota.person_trips_used - consumed.person_trips,
            },
            data={"reference": reference, "person_trips": consumed.person_trips},
        )
    return row


def plan_export_recorded(*, actor, plan: PlanYear, fmt: str, ip: str = "") -> None:
    """Every download of the consolidated plan leaves an audit event."""
    record(action="plans.plan.export", actor=actor, obj=plan, ip=ip, data={"format": fmt})
