"""Frequency, plan and timing.

Sources: 山东 2013, 海南 2008 and local notices (FREQUENCY); 教外厅〔2015〕1号
(SAME_UNIT_LEADERS, 原则上; NOT_IN_PLAN, seed R1); 北京 practice (LEAD_TIME, a local
parameter); the provincial rule (应) and the Party branch rules (可以) (PARTY_BRANCH)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_noop

from waishi.policy.context import Context
from waishi.policy.params import Policy
from waishi.policy.reference import is_schengen
from waishi.policy.types import Finding, Trip

NONE = ()


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February in a
    common year (no corresponding day: the last day of that month, as 民法典 art. 202
    counts periods in years)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def frequency(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """A member's earlier ``general`` trips departing in [departure - N years, departure)
    must be fewer than the max. City leaders' window overrides their rank's; ranks without
    a window have no limit. Valid ``econ_tech`` and ``academic`` trips are exempt through
    ``applies_to``."""
    found = NONE
    departure = trip.departure_date
    windows = p["windows"]
    for i, member in enumerate(trip.members):
        if not member.trips:
            continue
        window = p["city_leader"] if member.is_city_leader else windows.get(member.rank)
        if window is None:
            continue
        since = years_before(departure, window["years"])
        count = 0
        for earlier in member.trips:
            if earlier.category == "general" and since <= earlier.departure_date < departure:
                count += 1
        if count < window["max"]:
            continue
        # zh: %(name)s自%(since)s以来已因公出访%(count)d次，每%(years)d年不得超过%(max)d次
        msg = gettext_noop(
            "%(name)s has made %(count)d ordinary trip(s) abroad since %(since)s; at most "
            "%(max)d per %(years)d year(s) are allowed."
        )
        data = {
            "name": member.name,
            "count": count,
            "max": window["max"],
            "years": window["years"],
            "since": since.isoformat(),
            "city_leader": member.is_city_leader,
        }
        found = [*found, ctx.finding("FREQUENCY", "error", msg, data, i)]
    return found


def same_unit_leaders(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Principle (原则上): at most ``max`` members of one unit's leadership team in one
    delegation. An error that an authorised approver may override with a recorded reason,
    hence ``"principle": true`` in the data."""
    by_unit: dict[str, list[int]] = {}
    for i, member in enumerate(trip.members):
        if member.is_unit_leadership:
            by_unit.setdefault(member.unit, []).append(i)
    found = []
    for unit in sorted(by_unit):
        members = by_unit[unit]
        if len(members) <= p["max"]:
            continue
        # zh: %(unit)s领导班子成员%(count)d人同团出访，原则上不得超过%(max)d人
        msg = gettext_noop(
            "%(count)d members of the leadership of %(unit)s are in one delegation; as a rule "
            "at most %(max)d may travel together."
        )
        data = {
            "unit": unit,
            "count": len(members),
            "max": p["max"],
            "members": members,
            "principle": True,
        }
        found.append(ctx.finding("SAME_UNIT_LEADERS", "error", msg, data))
    return found


def not_in_plan(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Warning for a trip outside the approved annual plan (计划外)."""
    if trip.in_annual_plan:
        return NONE
    # zh: 本团组未列入年度出国计划（计划外），须书面说明理由并报上级审批
    msg = gettext_noop(
        "The trip is not in the approved annual plan; it needs a written justification and "
        "a higher approval."
    )
    return [ctx.finding("NOT_IN_PLAN", "warning", msg, {})]


def plan_year(
    policy: Policy, *, category: str, departure: date | None, plan_year: int | None
) -> list[Finding]:
    """``PLAN_YEAR``, judged on the record rather than on the contract's input (which says
    only ``in_annual_plan``): a trip carried out under an annual plan entry must depart
    in that plan's year -- its quota is that plan's. An error: choose an entry of the
    trip's year, or mark the trip 计划外. Nothing to judge without both years."""
    p = policy.parameters.get("PLAN_YEAR") or {}
    if departure is None or plan_year is None or category not in p.get("applies_to", ()):
        return []
    if departure.year == plan_year:
        return []
    # zh: 所选计划条目属于%(plan_year)d年度计划，本团组%(year)d年出境：
    #     请选择%(year)d年度计划中的条目（或按计划外申报）。
    msg = gettext_noop(
        "The chosen plan entry belongs to the %(plan_year)d annual plan, but the trip leaves "
        "in %(year)d: choose an entry of the %(year)d plan (or apply outside the plan)."
    )
    data = {"plan_year": plan_year, "year": departure.year}
    return [Finding("PLAN_YEAR", "error", msg, policy.citations.get("PLAN_YEAR", ""), data)]


def required_lead_days(p: dict, ctx: Context) -> tuple[int, str]:
    """(days, reason): ``days_far`` for 2+ countries or a stop in a far country (the US)
    or region (South America, 005); else ``days_schengen`` for a Schengen stop; else
    ``days``. Judged on the counted stops, like the country count."""
    if len(ctx.countries) >= p["far_from_countries"]:
        return p["days_far"], "countries"
    far_countries, far_regions = p["far_countries"], p["far_regions"]
    for info in ctx.country_info:
        if info.code in far_countries or any(getattr(info, flag) for flag in far_regions):
            return p["days_far"], "far"
    for code in ctx.countries:
        if is_schengen(code):
            return p["days_schengen"], "schengen"
    return p["days"], "default"


def lead_time(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Warning when submitted fewer than N days before departure; without
    ``submitted_on`` the application is judged as if submitted on the check's date."""
    submitted = trip.submitted_on or ctx.on
    lead = (trip.departure_date - submitted).days
    required, reason = required_lead_days(p, ctx)
    if lead >= required:
        return NONE
    if lead < 0:
        # zh: 本团组须在出境前至少%(required)d天提交申请，出境日期%(departure)s已早于申请日期
        msg = gettext_noop(
            "This trip must be applied for at least %(required)d days before departure; the "
            "departure date %(departure)s is already past."
        )
    else:
        # zh: 本团组须在出境前至少%(required)d天提交申请，现距出境仅%(lead_days)d天
        msg = gettext_noop(
            "This trip must be applied for at least %(required)d days before departure; it is "
            "%(lead_days)d days ahead."
        )
    data = {
        "required": required,
        "lead_days": lead,
        "submitted_on": submitted.isoformat(),
        "reason": reason,
    }
    if lead < 0:
        data["departure"] = trip.departure_date.isoformat()
    return [ctx.finding("LEAD_TIME", "warning", msg, data)]


def party_branch(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Info: ``min_members`` or more Party members -> a temporary Party branch (a
    checklist item). ``mandatory`` switches between 应 (provincial rule) and 可以
    (支部工作条例)."""
    count = 0
    for member in trip.members:
        if member.party_member:
            count += 1
    if count < p["min_members"]:
        return NONE
    if p["mandatory"]:
        # zh: 团组有中共党员%(count)d人，须成立临时党支部
        msg = gettext_noop(
            "The delegation has %(count)d Party members: a temporary Party branch must be formed."
        )
    else:
        # zh: 团组有中共党员%(count)d人，可以成立临时党支部
        msg = gettext_noop(
            "The delegation has %(count)d Party members: a temporary Party branch may be formed."
        )
    data = {"count": count, "min_members": p["min_members"], "mandatory": p["mandatory"]}
    return [ctx.finding("PARTY_BRANCH", "info", msg, data)]
