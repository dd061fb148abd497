"""The versioned itinerary of an approved trip (policy-rules.md ``ITINERARY_CHANGE``).

A version is plain data, the shape of ``ItineraryVersion`` and of a change request's
``proposed``::

    {"departure_date": "2026-05-10", "return_date": "2026-05-17",
     "stops": [{"country", "city", "arrive", "depart", "transit_airside"}],
     "members": [{"person_id", "name", "unit", "post", "task", "is_leader"}]}

Version 1 is the itinerary as approved: ``record_first`` freezes it from the mission's
rows at the final approval (``application.services.decisions``) and, for trips approved before
versions existed, the first time one is needed. Each approved change request adds the
next number (``changes.services``).

``compare`` says what differs between two versions (dates, days abroad, stops added,
removed or changed, the route, members added, removed or changed) and lines them up
side by side for the compare page; ``kinds_of`` names the kinds of change
(``ChangeKind``) a proposal makes. Nothing here writes except ``record_first``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from waishi.missions.models import ChangeKind, ItineraryVersion, Member, Mission, Stop

STOP_KEYS = ("country", "city", "arrive", "depart", "transit_airside")
MEMBER_KEYS = ("person_id", "name", "unit", "post", "task", "is_leader")


def _iso(value: date | str | None) -> str | None:
    if value in (None, ""):
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def days_abroad(version: dict) -> int | None:
    """return_date - departure_date + 1 (both days count), None when a date is missing."""
    start, end = _day(version.get("departure_date")), _day(version.get("return_date"))
    if start is None or end is None:
        return None
    return (end - start).days + 1


# -- versions from rows ------------------------------------------------------------------------


def stop_dict(stop: Stop) -> dict:
    return {
        "country": stop.country,
        "city": stop.city,
        "arrive": _iso(stop.arrive),
        "depart": _iso(stop.depart),
        "transit_airside": bool(stop.transit_airside),
    }


def member_dict(member: Member) -> dict:
    """A member as a version keeps it: the name, unit and post as frozen at submission
    (``Member.snapshot``) when there is a snapshot, else read from the person now."""
    frozen = member.snapshot or {}
    person = member.person
    return {
        "person_id": member.person_id,
        "name": frozen.get("name") or person.name,
        "unit": frozen.get("unit") or (person.unit.name if person.unit_id else ""),
        "post": frozen.get("title") or person.post or "",
        "task": member.task or "",
        "is_leader": bool(member.is_leader),
    }


def snapshot(mission: Mission) -> dict:
    """The mission's itinerary as it stands in its rows, as a version dict."""
    stops = Stop.objects.filter(mission=mission).order_by("order", "pk")
    members = (
        Member.objects.filter(mission=mission)
        .select_related("person__unit")
        .order_by("order", "pk")
    )
    return {
        "departure_date": _iso(mission.departure_date),
        "return_date": _iso(mission.return_date),
        "stops": [stop_dict(s) for s in stops],
        "members": [member_dict(m) for m in members],
    }


def version_dict(version: ItineraryVersion) -> dict:
    return {
        "departure_date": _iso(version.departure_date),
        "return_date": _iso(version.return_date),
        "stops": [dict(s) for s in version.stops or []],
        "members": [dict(m) for m in version.members or []],
    }


def record_first(mission: Mission, actor=None) -> ItineraryVersion | None:
    """Version 1 of an approved trip, from its rows, created when missing (and
    ``Mission.itinerary_version`` set to 1 if it was 0). None when the trip has no dates
    to freeze. Writes no audit event of its own: it runs inside the final approval (whose
    event it belongs to) or inside the service that needed it (which names it in its
    event). Safe to call twice, and from two transactions at once."""
    if mission.departure_date is None or mission.return_date is None:
        return None
    if mission.return_date < mission.departure_date:
        return None
    with transaction.atomic():
        existing = ItineraryVersion.objects.filter(mission=mission, number=1).first()
        if existing is None:
            data = snapshot(mission)
            existing, _created = ItineraryVersion.objects.get_or_create(
                mission=mission,
                number=1,
                defaults={
                    "departure_date": mission.departure_date,
                    "return_date": mission.return_date,
                    "stops": data["stops"],
                    "members": data["members"],
                    "created_by": actor if getattr(actor, "pk", None) else None,
                },
            )
        Mission.objects.filter(pk=mission.pk, itinerary_version=0).update(itinerary_version=1)
        if not mission.itinerary_version:
            mission.itinerary_version = 1
    return existing


def in_force(mission: Mission) -> ItineraryVersion | None:
    """The recorded version in force (None while none is recorded)."""
    if not mission.itinerary_version:
        return None
    return ItineraryVersion.objects.filter(
        mission=mission, number=mission.itinerary_version
    ).first()


def current(mission: Mission) -> dict:
    """The itinerary in force as a version dict: the recorded version, else the rows."""
    version = in_force(mission)
    return version_dict(version) if version is not None else snapshot(mission)


# -- comparing ---------------------------------------------------------------------------------


def _stop_key(stop: dict) -> tuple[str, str]:
    return (str(stop.get("country") or "").upper(), str(stop.get("city") or "").strip().lower())


def _route(stops: list[dict]) -> list[tuple]:
    return [(*_stop_key(s), bool(s.get("transit_airside"))) for s in stops]


def counted_countries(stops: list[dict]) -> list[str]:
    """Distinct countries of the stops that count (an airside transit does not), in
    itinerary order."""
    seen: list[str] = []
    for stop in stops:
        code = str(stop.get("country") or "").upper()
        if code and not stop.get("transit_airside") and code not in seen:
            seen.append(code)
    return seen


def all_countries(stops: list[dict]) -> list[str]:
    seen: list[str] = []
    for stop in stops:
        code = str(stop.get("country") or "").upper()
        if code and code not in seen:
            seen.append(code)
    return seen


@dataclass
class Row:
    """One line of a side-by-side table: ``left`` (the earlier version), ``right`` (the
    later one), ``status`` same | changed | added | removed, and the keys that differ."""

    left: dict | None
    right: dict | None
    status: str
    fields: list[str] = field(default_factory=list)


@dataclass
class Differences:
    departure: tuple[str | None, str | None] | None = None
    return_: tuple[str | None, str | None] | None = None
    days: tuple[int | None, int | None] = (None, None)
    stops_added: list[dict] = field(default_factory=list)
    stops_removed: list[dict] = field(default_factory=list)
    stops_changed: list[tuple[dict, dict]] = field(default_factory=list)
    route_changed: bool = False
    countries_added: list[str] = field(default_factory=list)
    countries_removed: list[str] = field(default_factory=list)
    members_added: list[dict] = field(default_factory=list)
    members_removed: list[dict] = field(default_factory=list)
    members_changed: list[tuple[dict, dict]] = field(default_factory=list)
    stop_rows: list[Row] = field(default_factory=list)
    member_rows: list[Row] = field(default_factory=list)

    @property
    def days_changed(self) -> bool:
        return self.days[0] != self.days[1]

    @property
    def stops_differ(self) -> bool:
        return bool(
            self.stops_added or self.stops_removed or self.stops_changed or self.route_changed
        )

    @property
    def members_differ(self) -> bool:
        return bool(self.members_added or self.members_removed or self.members_changed)

    @property
    def empty(self) -> bool:
        return not (self.departure or self.return_ or self.stops_differ or self.members_differ)

    def summary(self) -> dict:
        """What differs, as plain data for an audit event."""
        return {
            "departure_date": list(self.departure) if self.departure else None,
            "return_date": list(self.return_) if self.return_ else None,
            "days_abroad": list(self.days) if self.days_changed else None,
            "stops_added": self.stops_added,
            "stops_removed": self.stops_removed,
            "stops_changed": [{"from": a, "to": b} for a, b in self.stops_changed],
            "route_changed": self.route_changed,
            "countries_added": self.countries_added,
            "countries_removed": self.countries_removed,
            "members_added": self.members_added,
            "members_removed": self.members_removed,
            "members_changed": [{"from": a, "to": b} for a, b in self.members_changed],
        }


def _stop_rows(a: list[dict], b: list[dict], diff: Differences) -> None:
    """Match the stops of ``a`` and ``b`` by place (country and city, in order; a place
    visited twice matches in turn) and line them up in the order of ``b``, each removed
    stop after the row of the stop that preceded it in ``a``."""
    pool: dict[tuple, list[int]] = defaultdict(list)
    for i, stop in enumerate(a):
        pool[_stop_key(stop)].append(i)
    matched: dict[int, int] = {}  # index in b -> index in a
    for j, stop in enumerate(b):
        candidates = pool.get(_stop_key(stop))
        if candidates:
            matched[j] = candidates.pop(0)
    rows: list[tuple[int | None, Row]] = []  # (index in a, row)
    for j, stop in enumerate(b):
        if j in matched:
            old = a[matched[j]]
            fields = [k for k in STOP_KEYS if (old.get(k) or None) != (stop.get(k) or None)]
            if fields:
                diff.stops_changed.append((old, stop))
            rows.append((matched[j], Row(old, stop, "changed" if fields else "same", fields)))
        else:
            diff.stops_added.append(stop)
            rows.append((None, Row(None, stop, "added", list(STOP_KEYS))))
    used = set(matched.values())
    for i in range(len(a)):
        if i in used:
            continue
        diff.stops_removed.append(a[i])
        position = 0
        for k, (index, _row) in enumerate(rows):
            if index is not None and index < i:
                position = k + 1
        rows.insert(position, (i, Row(a[i], None, "removed", list(STOP_KEYS))))
    diff.stop_rows = [row for _index, row in rows]
    order = [matched[j] for j in sorted(matched)]
    diff.route_changed = (
        bool(diff.stops_added or diff.stops_removed)
        or order != sorted(order)
        or any("transit_airside" in row.fields for _i, row in rows if row.status == "changed")
    )


def _member_rows(a: list[dict], b: list[dict], diff: Differences) -> None:
    before = {m.get("person_id"): m for m in a}
    after_ids = {m.get("person_id") for m in b}
    rows: list[Row] = []
    for member in b:
        old = before.get(member.get("person_id"))
        if old is None:
            diff.members_added.append(member)
            rows.append(Row(None, member, "added", ["name", "task", "is_leader"]))
            continue
        fields = [
            k for k in ("task", "is_leader") if (old.get(k) or None) != (member.get(k) or None)
        ]
        if fields:
            diff.members_changed.append((old, member))
        rows.append(Row(old, member, "changed" if fields else "same", fields))
    for member in a:
        if member.get("person_id") not in after_ids:
            diff.members_removed.append(member)
            rows.append(Row(member, None, "removed", ["name", "task", "is_leader"]))
    diff.member_rows = rows


def compare(a: dict, b: dict) -> Differences:
    """What differs from version ``a`` (the earlier, e.g. the base or version 1) to
    version ``b`` (the later, e.g. a proposal)."""
    diff = Differences()
    a_dep, b_dep = _iso(a.get("departure_date")), _iso(b.get("departure_date"))
    a_ret, b_ret = _iso(a.get("return_date")), _iso(b.get("return_date"))
    if a_dep != b_dep:
        diff.departure = (a_dep, b_dep)
    if a_ret != b_ret:
        diff.return_ = (a_ret, b_ret)
    diff.days = (days_abroad(a), days_abroad(b))
    a_stops, b_stops = list(a.get("stops") or []), list(b.get("stops") or [])
    _stop_rows(a_stops, b_stops, diff)
    a_countries, b_countries = counted_countries(a_stops), counted_countries(b_stops)
    diff.countries_added = [c for c in b_countries if c not in a_countries]
    diff.countries_removed = [c for c in a_countries if c not in b_countries]
    _member_rows(list(a.get("members") or []), list(b.get("members") or []), diff)
    return diff


def kinds_of(base: dict, proposed: dict) -> list[str]:
    """The kinds of change (``ChangeKind`` values) ``proposed`` makes to ``base``:

    - ``added_country``: a country (not an airside transit) the base does not visit;
    - ``detour``: the route changes (a stop added, removed, moved, or its place changed);
    - ``longer_stay``: a later return or an earlier departure;
    - ``member_change``: members added or removed, a task or the head changed;
    - ``other``: something else differs (a stop's dates within the same route, a
      shorter trip).

    Empty when nothing differs."""
    diff = compare(base, proposed)
    if diff.empty:
        return []
    kinds: list[str] = []
    if diff.countries_added:
        kinds.append(ChangeKind.ADDED_COUNTRY.value)
    if diff.route_changed:
        kinds.append(ChangeKind.DETOUR.value)
    base_dep, base_ret = _day(base.get("departure_date")), _day(base.get("return_date"))
    new_dep, new_ret = _day(proposed.get("departure_date")), _day(proposed.get("return_date"))
    later = base_ret is not None and new_ret is not None and new_ret > base_ret
    earlier = base_dep is not None and new_dep is not None and new_dep < base_dep
    if later or earlier:
        kinds.append(ChangeKind.LONGER_STAY.value)
    if diff.members_differ:
        kinds.append(ChangeKind.MEMBER_CHANGE.value)
    if not kinds:
        kinds.append(ChangeKind.OTHER.value)
    return kinds
