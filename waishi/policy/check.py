"""``check(trip, policy, on) -> Result``: the one checker behind the form, the API and
``waishi policy-check``. Pure: no database, no request, no clock (``on`` is given)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_noop

from waishi.policy import reference
from waishi.policy.context import Context
from waishi.policy.params import Policy
from waishi.policy.rules import RULES
from waishi.policy.types import RANKS, Finding, Result, Trip

RANK_ORDER = {rank: i for i, rank in enumerate(RANKS)}  # 0 is the highest rank

# zh: %(name)s未标记为经贸科技人员，本团组按一般团组审核
NOT_ECON_TECH = gettext_noop(
    "%(name)s is not marked as economic, trade or technology staff, so the trip is judged "
    "as an ordinary trip."
)
# zh: %(name)s职级高于经贸科技团组允许的级别，本团组按一般团组审核
RANK_TOO_HIGH = gettext_noop(
    "%(name)s ranks above the level allowed on an economic, trade or technology trip, so the "
    "trip is judged as an ordinary trip."
)


def category_mismatch(trip: Trip, p: dict, citation: str) -> list[Finding]:
    """An ``econ_tech`` trip needs every member flagged ``econ_tech`` and ranked
    ``max_rank`` or below (经贸科技人员实施办法; 厅字〔2016〕17号); otherwise it is judged
    as ``general``. Only ``econ_tech`` is checked: nothing in the input can prove or
    disprove ``academic``."""
    if trip.category != "econ_tech":
        return []
    highest = RANK_ORDER[p["max_rank"]]
    found = []
    for i, member in enumerate(trip.members):
        data = {"name": member.name, "declared": "econ_tech", "judged": "general"}
        if not member.econ_tech:
            data["reason"] = "not_econ_tech"
            found.append(Finding("CATEGORY_MISMATCH", "error", NOT_ECON_TECH, citation, data, i))
        if RANK_ORDER[member.rank] < highest:
            data = data | {"reason": "rank", "rank": member.rank, "max_rank": p["max_rank"]}
            found.append(Finding("CATEGORY_MISMATCH", "error", RANK_TOO_HIGH, citation, data, i))
    return found


def counted_stops(trip: Trip) -> tuple:
    """The stops that count (airside transit does not), in itinerary order: by arrival,
    ties kept in the order given."""
    stops = [stop for stop in trip.stops if not stop.transit_airside]
    stops.sort(key=_arrive)
    return tuple(stops)


def _arrive(stop) -> date:
    return stop.arrive


def check(trip: Trip, policy: Policy, on: date) -> Result:
    params, citations = policy.parameters, policy.citations
    findings = category_mismatch(
        trip, params["CATEGORY_MISMATCH"], citations.get("CATEGORY_MISMATCH", "")
    )
    category = "general" if findings else trip.category

    counted = counted_stops(trip)
    countries: list[str] = []
    info = []
    for stop in counted:
        if stop.country not in countries:
            countries.append(stop.country)
            info.append(reference.country(stop.country))
    ctx = Context(
        trip=trip,
        on=on,
        category=category,
        counted=counted,
        countries=tuple(countries),
        country_info=tuple(info),
        days_abroad=(trip.return_date - trip.departure_date).days + 1,
        citations=citations,
        budget=reference.SHIPPED_BUDGET if policy.budget is None else policy.budget,
    )
    for code, rule in RULES:
        p = params[code]
        if category in p["applies_to"]:
            found = rule(trip, p, ctx)
            if found:
                findings.extend(found)
    findings.sort(key=Finding.sort_key)

    severities = {finding.severity for finding in findings}
    verdict = "fail" if "error" in severities else "warn" if "warning" in severities else "pass"
    return Result(
        policy_name=policy.name,
        policy_version=policy.version,
        category=category,
        days_abroad=ctx.days_abroad,
        countries=ctx.countries,
        verdict=verdict,
        findings=tuple(findings),
    )
