"""The rows of a trip application: stops, days, members and budget lines. A row list is
saved as typed (upsert by id; rows of another application are refused)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from waishi.audit.services import diff, record, snapshot
from waishi.missions.application.services.common import _bump, _bump_step_only, _lock
from waishi.missions.core.common import _choice, _country, _date, _decimal, _int, _text
from waishi.missions.models import (
    BudgetLine,
    DayKind,
    Member,
    Mission,
    Relation,
    ScheduleDay,
    Stop,
)
from waishi.orgs import scoping
from waishi.orgs.models import Person

STOP_FIELDS = ("order", "country", "city", "arrive", "depart", "transit_airside")
DAY_FIELDS = ("date", "kind", "activities")
MEMBER_FIELDS = ("task", "is_leader", "role", "relation")
BUDGET_FIELDS = (
    "stop",
    "country",
    "city",
    "currency",
    "lodging_per_day",
    "meals_per_day",
    "incidentals_per_day",
    "days",
    "international_fares",
    "other_costs",
    "note",
)


# -- rows (stops, days, members, budget) -----------------------------------------------------


def _rows_of(locked: Mission, model: type[models.Model]) -> dict[int, models.Model]:
    return {row.pk: row for row in model.objects.filter(mission=locked)}


def _row_id(row: dict[str, Any]) -> int | None:
    raw = row.get("id")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1  # names no row of this application: refused below


def _save_rows(
    locked: Mission,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    fields: tuple[str, ...],
    clean,
    label: str,
) -> dict[str, int]:
    """Upsert ``rows`` of ``model`` for ``locked``: a row with an ``id`` updates that row
    (which must be this application's), one without creates a row, ``DELETE`` deletes.
    ``clean(values) -> values`` turns typed text into field values. Returns counts."""
    existing = _rows_of(locked, model)
    counts = {"created": 0, "changed": 0, "deleted": 0}
    for row in rows:
        pk = _row_id(row)
        if pk is not None and pk not in existing:
            raise ValidationError(
                _("A row of the %(what)s does not belong to this application.") % {"what": label}
            )
        if row.get("DELETE"):
            if pk is not None:
                existing.pop(pk).delete()
                counts["deleted"] += 1
            continue
        values = clean(locked, row)
        if pk is None:
            model.objects.create(mission=locked, **values)
            counts["created"] += 1
            continue
        obj = existing[pk]
        before = snapshot(obj, fields)
        for key, value in values.items():
            setattr(obj, key, value)
        _old, new = diff(before, snapshot(obj, fields))
        if new:
            obj.save(update_fields=[f for f in fields if f in values])
            counts["changed"] += 1
    return counts


def _clean_stop(locked: Mission, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    if "order" in row:
        out["order"] = _int(row.get("order")) or 0
    if "country" in row:
        out["country"] = _country(row.get("country"))
    if "city" in row:
        out["city"] = _text(row.get("city"))[:100]
    for key in ("arrive", "depart"):
        if key in row:
            out[key] = _date(row.get(key))
    if "transit_airside" in row:
        out["transit_airside"] = bool(row.get("transit_airside"))
    return out


def _clean_day(locked: Mission, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    if "date" in row:
        out["date"] = _date(row.get("date"))
    if "kind" in row:
        out["kind"] = _choice(row.get("kind"), DayKind.values, DayKind.OFFICIAL)
    if "activities" in row:
        out["activities"] = _text(row.get("activities"))
    return out


def _changed(counts: dict[str, int]) -> bool:
    return any(counts.values())


def mission_update_itinerary(
    *,
    actor,
    mission: Mission,
    version: int | None,
    ip: str = "",
    stops: list[dict[str, Any]] | None = None,
    days: list[dict[str, Any]] | None = None,
) -> Mission:
    """Step 3: the stops and the day-by-day schedule, saved as typed (rows may be
    incomplete). A new row without any value is still created: "add a stop"."""
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        result = {}
        if stops is not None:
            result["stops"] = _save_rows(
                locked, Stop, stops, STOP_FIELDS, _clean_stop, str(_("itinerary"))
            )
            _renumber_stops(locked)
        if days is not None:
            result["days"] = _save_rows(
                locked, ScheduleDay, days, DAY_FIELDS, _clean_day, str(_("schedule"))
            )
        if not any(_changed(c) for c in result.values()):
            _bump_step_only(locked, 3)
            return locked
        _bump(locked, step=3)
        record(
            action="missions.mission.itinerary",
            actor=actor,
            obj=locked,
            ip=ip,
            data={"step": 3, **result},
        )
    return locked


def _renumber_stops(locked: Mission) -> None:
    """Stops in itinerary order: by the order typed, then by arrival, then by entry."""
    stops = list(Stop.objects.filter(mission=locked))
    stops.sort(key=lambda s: (s.order or 10**4, s.arrive or date.max, s.pk))
    changed = []
    for number, stop in enumerate(stops, start=1):
        if stop.order != number:
            stop.order = number
            changed.append(stop)
    if changed:
        Stop.objects.bulk_update(changed, ["order"])


# -- members ---------------------------------------------------------------------------------


def mission_member_add(
    *, actor, mission: Mission, version: int | None, person: Person | int, ip: str = ""
) -> Member:
    """Add a person the actor may see (``scoping.visible``) to the delegation."""
    person_id = person.pk if isinstance(person, Person) else person
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        found = scoping.visible(actor, Person).filter(pk=person_id, is_active=True).first()
        if found is None:
            raise ValidationError({"person": _("Choose a person from the list.")})
        if Member.objects.filter(mission=locked, person=found).exists():
            raise ValidationError({"person": _("This person is already a member.")})
        last = Member.objects.filter(mission=locked).aggregate(models.Max("order"))
        member = Member.objects.create(
            mission=locked, person=found, order=(last["order__max"] or 0) + 1
        )
        _bump(locked, step=4)
        record(
            action="missions.mission.member_add",
            actor=actor,
            obj=locked,
            ip=ip,
            data={"step": 4, "member": member.pk, "person": found.pk, "name": found.name},
        )
    return member


def mission_member_remove(
    *, actor, mission: Mission, version: int | None, member_id: int, ip: str = ""
) -> Mission:
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        member = (
            Member.objects.select_related("person").filter(mission=locked, pk=member_id).first()
        )
        if member is None:
            raise ValidationError(_("This member is not in the delegation."))
        name, person_id = member.person.name, member.person_id
        member.delete()
        _bump(locked, step=4)
        record(
            action="missions.mission.member_remove",
            actor=actor,
            obj=locked,
            ip=ip,
            data={"step": 4, "member": member_id, "person": person_id, "name": name},
        )
    return locked


def _clean_member(locked: Mission, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    if "task" in row:
        out["task"] = _text(row.get("task"))
    if "is_leader" in row:
        out["is_leader"] = bool(row.get("is_leader"))
    if "role" in row:
        out["role"] = _text(row.get("role"))[:100]
    if "relation" in row:
        out["relation"] = _choice(row.get("relation"), Relation.values)
    return out


def mission_update_members(
    *, actor, mission: Mission, version: int | None, rows: list[dict[str, Any]], ip: str = ""
) -> Mission:
    """Step 4: each member's task, role, 团长 flag and family relation. Rows cannot add
    people (that is ``mission_member_add``, which checks who the actor may pick)."""
    if any(_row_id(r) is None for r in rows):
        raise ValidationError(_("Add members by picking a person."))
    leaders = [r for r in rows if r.get("is_leader") and not r.get("DELETE")]
    if len(leaders) > 1:
        raise ValidationError({"is_leader": _("Only one member can head the delegation.")})
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        if leaders:
            # Clear the old head first: one head per delegation is a database constraint.
            Member.objects.filter(mission=locked, is_leader=True).exclude(
                pk=_row_id(leaders[0])
            ).update(is_leader=False)
        counts = _save_rows(
            locked, Member, rows, MEMBER_FIELDS, _clean_member, str(_("delegation"))
        )
        if not _changed(counts):
            _bump_step_only(locked, 4)
            return locked
        _bump(locked, step=4)
        record(
            action="missions.mission.members",
            actor=actor,
            obj=locked,
            ip=ip,
            data={"step": 4, **counts},
        )
    return locked


# -- budget ----------------------------------------------------------------------------------


def _own_stop(locked: Mission, value: Any) -> Stop | None:
    """The stop a budget line names: none, or one of this application's stops. Another
    trip's stop (or an id of nothing) is refused, never saved as "no stop"."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    stop = None
    if text.isascii() and text.isdigit() and 1 <= int(text) < 2**63:
        stop = Stop.objects.filter(mission=locked, pk=int(text)).first()
    if stop is None:
        raise ValidationError({"stop": _("This stop is not in this trip's itinerary.")})
    return stop


def _clean_budget(locked: Mission, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "stop" in row:
        out["stop"] = stop = _own_stop(locked, row.get("stop"))
        if stop is not None:
            # The line's place is its stop's place.
            out["country"], out["city"] = stop.country, stop.city
    if "country" in row and out.get("stop") is None:
        out["country"] = _country(row.get("country"))
    if "city" in row and out.get("stop") is None:
        out["city"] = _text(row.get("city"))[:100]
    if "currency" in row:
        currency = _text(row.get("currency")).upper()
        out["currency"] = currency if len(currency) == 3 and currency.isalpha() else ""
    for key in (
        "lodging_per_day",
        "meals_per_day",
        "incidentals_per_day",
        "international_fares",
        "other_costs",
    ):
        if key in row:
            out[key] = _decimal(row.get(key))
    if "days" in row:
        out["days"] = _int(row.get("days"))
    if "note" in row:
        out["note"] = _text(row.get("note"))[:200]
    return out


_UNSET: Any = object()


def mission_update_budget(
    *,
    actor,
    mission: Mission,
    version: int | None,
    rows: list[dict[str, Any]],
    budget_total_cny: Any = _UNSET,
    ip: str = "",
) -> Mission:
    """Step 5: the budget lines, per stop (or country and city), as typed, and the
    total in yuan."""
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        counts = _save_rows(
            locked, BudgetLine, rows, BUDGET_FIELDS, _clean_budget, str(_("budget"))
        )
        old: dict = {}
        new: dict = {}
        if budget_total_cny is not _UNSET:
            before = snapshot(locked, ["budget_total_cny"])
            locked.budget_total_cny = _decimal(budget_total_cny)
            old, new = diff(before, snapshot(locked, ["budget_total_cny"]))
        if not _changed(counts) and not new:
            _bump_step_only(locked, 5)
            return locked
        _bump(locked, new, step=5)
        record(
            action="missions.mission.budget",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old or None,
            after=new or None,
            data={"step": 5, **counts},
        )
    return locked
