"""A mission -> the policy checker's input (shared/contracts/policy-check.md), and back.

``trip_data`` builds exactly the contract's input object from the rows, so the form, the
API and the command line judge the same thing; ``run_check`` judges it under the policy
version in force (from the database). Nothing here writes: ``services.mission_submit``
stores the check it took.

While drafting, missing values are left out rather than invented (an absent departure
date stays absent), so the checker names the field it still needs; an empty invitation
source is sent as ``none`` (no invitation yet), which is what it means.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils import timezone

from waishi.missions.models import TRAVELLED_STATES, Member, Mission
from waishi.policy import reference
from waishi.policy.live import LiveCheck, counted, evaluate
from waishi.policy.output import result_json, with_findings
from waishi.policy.rules.timing import plan_year
from waishi.policy.run import judge
from waishi.policy.selectors import policy_in_force_db
from waishi.policy.types import RANKS


def _amount(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _put(out: dict, key: str, value: Any) -> None:
    """Leave out what is not there yet, so that the checker names it."""
    if value is None or value == "":
        return
    out[key] = value.isoformat() if isinstance(value, date) else value


def earlier_trips(person_ids, *, exclude_mission_id: int | None = None) -> dict[int, list[dict]]:
    """person id -> that person's other trips in an approved (or later) state, from the
    record, as the contract's ``trips`` entries. One query for all the people."""
    rows = (
        Member.objects.filter(person_id__in=list(person_ids), mission__state__in=TRAVELLED_STATES)
        .exclude(mission_id=exclude_mission_id)
        .exclude(mission__departure_date__isnull=True)
        .order_by("mission__departure_date", "mission_id")
        .values_list(
            "person_id", "mission__departure_date", "mission__return_date", "mission__category"
        )
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for person_id, departure, back, category in rows:
        trip = {"departure_date": departure.isoformat(), "category": category}
        if back is not None:
            trip["return_date"] = back.isoformat()
        out[person_id].append(trip)
    return out


def member_data(member: Member, trips: list[dict]) -> dict[str, Any]:
    """One member as the contract's member object, read from the person now."""
    person = member.person
    return {
        "name": person.name,
        "unit": person.unit.name,
        "title": person.post,
        "rank": person.rank,
        "is_unit_leadership": person.is_unit_leadership,
        "is_city_leader": person.is_city_leader,
        "task": member.task,
        "party_member": person.is_party_member,
        "retired": person.is_retired,
        "relation": member.relation or None,
        "econ_tech": person.is_econ_tech,
        "trips": trips,
    }


class TripRows:
    """A trip's rows, each read on first use and then kept: a page that shows them and
    runs the live check on them (the record) reads each once; a caller that needs only
    the members reads only those."""

    def __init__(self, mission: Mission):
        self.mission = mission

    @cached_property
    def stops(self) -> list:
        return list(self.mission.stops.order_by("order", "pk"))

    @cached_property
    def days(self) -> list:
        return list(self.mission.days.order_by("date", "pk"))

    @cached_property
    def members(self) -> list[Member]:
        return list(self.mission.members.select_related("person__unit").order_by("order", "pk"))

    @cached_property
    def trips(self) -> dict[int, list[dict]]:
        """person id -> that person's earlier trips (``earlier_trips``)."""
        ids = [m.person_id for m in self.members]
        return earlier_trips(ids, exclude_mission_id=self.mission.pk)

    @cached_property
    def budget_lines(self) -> list:
        return list(self.mission.budget_lines.order_by("pk"))


def members_data(
    mission: Mission, *, frozen: bool | None = None, rows: TripRows | None = None
) -> list[dict[str, Any]]:
    """The members in order; ``frozen`` (default: when the application is no longer
    editable) reads each member's submission snapshot instead of the person today."""
    if frozen is None:
        frozen = not mission.is_editable
    rows = rows or TripRows(mission)
    if frozen and all(m.snapshot for m in rows.members):
        return [dict(m.snapshot) for m in rows.members]
    return [member_data(m, rows.trips.get(m.person_id, [])) for m in rows.members]


def trip_data(
    mission: Mission,
    *,
    submitted_on: date | None = None,
    frozen: bool | None = None,
    rows: TripRows | None = None,
) -> dict[str, Any]:
    """The contract's input object for ``mission``. ``submitted_on`` defaults to the day
    of submission when there was one (a draft is judged as if submitted today).
    ``rows``: the trip's rows when the caller reads them too (``TripRows``)."""
    data: dict[str, Any] = {"category": mission.category}
    if submitted_on is None and mission.submitted_at is not None:
        submitted_on = timezone.localdate(mission.submitted_at)
    _put(data, "submitted_on", submitted_on)
    _put(data, "departure_date", mission.departure_date)
    _put(data, "return_date", mission.return_date)
    data["in_annual_plan"] = in_annual_plan(mission)
    invitation = {"source": mission.invitation_source or "none"}
    _put(invitation, "inviter", mission.inviter)
    data["invitation"] = invitation
    data["stops"] = []
    rows = rows or TripRows(mission)
    for stop in rows.stops:
        row: dict[str, Any] = {}
        _put(row, "country", stop.country)
        _put(row, "city", stop.city)
        _put(row, "arrive", stop.arrive)
        _put(row, "depart", stop.depart)
        row["transit_airside"] = stop.transit_airside
        data["stops"].append(row)
    data["days"] = []
    for day in rows.days:
        row = {}
        _put(row, "date", day.date)
        row["kind"] = day.kind
        _put(row, "activities", day.activities)
        data["days"].append(row)
    data["members"] = members_data(mission, frozen=frozen, rows=rows)
    data["budget"] = []
    for line in rows.budget_lines:
        row = {}
        _put(row, "country", line.country)
        _put(row, "city", line.city)
        _put(row, "currency", line.currency)
        _put(row, "lodging_per_day", _amount(line.lodging_per_day))
        _put(row, "meals_per_day", _amount(line.meals_per_day))
        _put(row, "incidentals_per_day", _amount(line.incidentals_per_day))
        data["budget"].append(row)
    return data


def in_annual_plan(mission: Mission) -> bool:
    """In the plan when linked to a plan entry and not marked 计划外."""
    if mission.out_of_plan:
        return False
    return mission.plan_entry_id is not None


def run_check(mission: Mission, *, on: date | None = None, data: dict | None = None) -> dict:
    """Judge the mission under the policy version in force (database) as of ``on``;
    the contract's output (``result_json``) with the findings judged on the record
    (``record_findings``). Raises ``policy.types.InputError`` when the application is not
    complete enough to be judged."""
    data = trip_data(mission) if data is None else data
    result = judge(data, on=on, lookup=policy_in_force_db)
    return with_record_findings(mission, result_json(result), on=on or result_on(data))


def result_on(data: dict) -> date:
    """The day a check of ``data`` is judged on when none is given (as ``judge``)."""
    raw = data.get("submitted_on")
    return date.fromisoformat(raw) if isinstance(raw, str) else timezone.localdate()


def record_findings(mission: Mission, *, on: date | None = None) -> list:
    """The findings of the rules judged on the record, not on the contract's input, under
    the policy version in force on ``on``: ``PLAN_YEAR`` (the plan entry is of the trip's
    year)."""
    if not in_annual_plan(mission):
        return []
    policy = policy_in_force_db(on or timezone.localdate())
    return plan_year(
        policy,
        category=mission.category,
        departure=mission.departure_date,
        plan_year=mission.plan_entry.plan.year,
    )


def with_record_findings(mission: Mission, payload: dict, *, on: date | None = None) -> dict:
    """A check's output with ``record_findings`` added (order and verdict as the contract's)."""
    return with_findings(payload, record_findings(mission, on=on))


def live_check(mission: Mission, data: dict) -> LiveCheck:
    """The live check of a draft as the form shows it: the contract's findings of ``data``
    and those judged on the record."""
    check = evaluate(data)
    if not check.ok:
        return check
    return counted(with_record_findings(mission, check.result))


def quota_year(mission: Mission) -> int | None:
    """The plan year whose quota the trip uses: its plan entry's plan (the entry is of
    the trip's year: ``PLAN_YEAR``), else the year of departure (计划外)."""
    if in_annual_plan(mission):
        return mission.plan_entry.plan.year
    return mission.departure_date.year if mission.departure_date else None


def budget_standards(places, *, on: date | None = None) -> list:
    """The 附表2 standard for each (country, city) of ``places`` under the policy version
    in force on ``on`` (default today): its imported table, else the shipped rows. None
    where no standard is on file."""
    policy = policy_in_force_db(on or timezone.localdate())
    table = getattr(policy, "budget", None) or getattr(reference, "SHIPPED_BUDGET", None)
    if table is None:  # an older policy module: the shipped lookup
        return [reference.budget_standard(country, city) for country, city in places]
    return [table.lookup(country, city) for country, city in places]


# -- findings ----------------------------------------------------------------------------


def finding_key(finding: dict) -> str:
    """A stable name for one finding, to which a written justification is attached:
    the rule code, plus the member's index (``FREQUENCY#2``) or the place
    (``HOT_DESTINATION@JP 东京``) when the rule can fire more than once."""
    key = finding["rule"]
    if finding.get("member") is not None:
        key += f"#{finding['member']}"
    place = (finding.get("data") or {}).get("place")
    if place:
        key += f"@{place}"
    return key


def is_principle(finding: dict) -> bool:
    """An error that an authorised approver may override (原则上, e.g. SAME_UNIT_LEADERS)."""
    return finding["severity"] == "error" and bool((finding.get("data") or {}).get("principle"))


def needs_justification(finding: dict) -> bool:
    return finding["severity"] == "warning" or is_principle(finding)


def justified_findings(
    findings: list[dict], justifications: dict[str, str], *, out_of_plan_reason: str = ""
) -> list[dict]:
    """Each finding that needed a justification beside the one written for it
    ({"finding", "text"}), in the check's order; a justification whose finding is no
    longer in the check follows with ``finding`` None. 计划外 is justified by the reason
    given for it."""
    out, used = [], set()
    for finding in findings:
        if not needs_justification(finding):
            continue
        key = finding_key(finding)
        text = justifications.get(key, "")
        if finding["rule"] == "NOT_IN_PLAN":
            text = out_of_plan_reason or text
        used.add(key)
        out.append({"finding": finding, "text": text})
    for key, text in justifications.items():
        if key not in used and text:
            out.append({"finding": None, "text": text})
    return out


def blocking(result: dict) -> list[dict]:
    """Errors that no justification can pass (principle errors excepted)."""
    return [f for f in result["findings"] if f["severity"] == "error" and not is_principle(f)]


def budget_totals(
    mission: Mission, member_count: int | None = None, lines=None
) -> dict[str, float]:
    """currency -> the whole budget: per-day costs x days x members, plus fares and
    other costs. Lines without a currency are left out. ``lines``: the trip's lines when
    the page has read them already."""
    if member_count is None:
        member_count = mission.members.count()
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in mission.budget_lines.all() if lines is None else lines:
        if not line.currency:
            continue
        totals[line.currency] += line_total(line, member_count)
    return {currency: float(total) for currency, total in sorted(totals.items())}


def line_total(line, member_count: int) -> Decimal:
    """One budget line in its currency: per-day costs x days x members, plus fares and
    other costs."""
    per_day = sum(
        (v or Decimal(0))
        for v in (line.lodging_per_day, line.meals_per_day, line.incidentals_per_day)
    )
    return (
        per_day * (line.days or 0) * member_count
        + (line.international_fares or 0)
        + (line.other_costs or 0)
    )


def highest_rank(members: list[dict]) -> str:
    """The highest administrative rank among the members ("none" when nobody has one)."""
    order = {rank: i for i, rank in enumerate(RANKS)}
    ranks = [m["rank"] for m in members if m.get("rank") in order]
    return min(ranks, key=order.__getitem__) if ranks else "none"
