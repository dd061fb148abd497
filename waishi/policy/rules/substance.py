"""Substance: 因事定人、人事相符; no favour trips, no empty trips.

Sources: 财行〔2013〕516号 art. 5(2) (TASK_PER_MEMBER); 团组须知 and the 2012 notices
(NO_SIGHTSEEING, BUSINESS_RATIO); 教外厅〔2015〕1号 and 山东 2013 (NO_FAMILY,
RETIRED_MEMBER, INVITATION_MISSING, INVITATION_SOURCE); 严格控制赴"热门"国家 (HOT_DESTINATION)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from waishi.policy.context import Context, place
from waishi.policy.reference import canonical_city
from waishi.policy.types import Trip

NONE = ()

# zh: 邀请来自华人华侨团体，不予接受 / 邀请来自外国驻华机构，不予接受 /
#     邀请来自中介机构，不予接受 / 邀请来自中资驻外企业，不予接受
SOURCE_MESSAGES = {
    "foreign_counterpart": gettext_noop(
        "The invitation comes from a foreign counterpart; such invitations are not accepted."
    ),
    "overseas_chinese": gettext_noop(
        "The invitation comes from an overseas Chinese organisation; such invitations are "
        "not accepted."
    ),
    "foreign_mission_in_china": gettext_noop(
        "The invitation comes from a foreign mission in China; such invitations are not accepted."
    ),
    "agency": gettext_noop(
        "The invitation comes from an intermediary agency; such invitations are not accepted."
    ),
    "chinese_enterprise_abroad": gettext_noop(
        "The invitation comes from a Chinese enterprise abroad; such invitations are not accepted."
    ),
}
# zh: %(name)s为随行配偶，不得随团出访 / %(name)s为随行子女，不得随团出访
RELATION_MESSAGES = {
    "spouse": gettext_noop(
        "%(name)s is listed as a spouse; family members may not join an official delegation."
    ),
    "child": gettext_noop(
        "%(name)s is listed as a child; family members may not join an official delegation."
    ),
}


def task_per_member(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Every member has a non-empty task in this trip (因事定人、人事相符)."""
    found = NONE
    for i, member in enumerate(trip.members):
        if not member.task.strip():
            # zh: %(name)s未填写在本次出访中的具体任务
            msg = gettext_noop("%(name)s has no task in this trip.")
            found = [*found, ctx.finding("TASK_PER_MEMBER", "error", msg, {"name": member.name}, i)]
    return found


def no_sightseeing(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """No day of kind ``sightseeing``."""
    dates = [day.date.isoformat() for day in trip.days if day.kind == "sightseeing"]
    if not dates:
        return NONE
    # zh: 日程含%(count)d天观光游览（%(date_list)s），不得安排
    msg = gettext_noop(
        "The schedule has %(count)d sightseeing day(s) (%(date_list)s); sightseeing is not allowed."
    )
    data = {"count": len(dates), "dates": dates, "date_list": ", ".join(dates)}
    return [ctx.finding("NO_SIGHTSEEING", "error", msg, data)]


def business_ratio(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """When a schedule is given: official days >= 2/3 of the days that are not travel
    days, compared as 3 * official >= 2 * non_travel (whole numbers, no rounding)."""
    if not trip.days:
        return NONE
    official = non_travel = 0
    for day in trip.days:
        if day.kind != "travel":
            non_travel += 1
            if day.kind == "official":
                official += 1
    numerator, denominator = p["numerator"], p["denominator"]
    if denominator * official >= numerator * non_travel:
        return NONE
    # zh: 公务活动天数应不少于非路途天数的%(numerator)d/%(denominator)d，
    #     本团组%(non_travel)d天中仅%(official)d天
    msg = gettext_noop(
        "Official business must fill at least %(numerator)d/%(denominator)d of the days not "
        "spent travelling; here it fills %(official)d of %(non_travel)d."
    )
    data = {
        "official": official,
        "non_travel": non_travel,
        "numerator": numerator,
        "denominator": denominator,
    }
    return [ctx.finding("BUSINESS_RATIO", "error", msg, data)]


def no_family(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """No member with relation ``spouse`` or ``child``."""
    found = NONE
    for i, member in enumerate(trip.members):
        if member.relation is not None:
            data = {"name": member.name, "relation": member.relation}
            msg = RELATION_MESSAGES[member.relation]
            found = [*found, ctx.finding("NO_FAMILY", "error", msg, data, i)]
    return found


def retired_member(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """No retired member."""
    found = NONE
    for i, member in enumerate(trip.members):
        if member.retired:
            # zh: %(name)s已退休，不得参加因公出访团组
            msg = gettext_noop("%(name)s is retired; retired staff may not join a delegation.")
            found = [*found, ctx.finding("RETIRED_MEMBER", "error", msg, {"name": member.name}, i)]
    return found


def invitation_missing(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """An invitation must exist (``invitation.source`` is not ``none``)."""
    if trip.invitation.source != "none":
        return NONE
    # zh: 因公出访须有邀请，本团组未提供邀请
    msg = gettext_noop("An official trip needs an invitation; this one has none.")
    return [ctx.finding("INVITATION_MISSING", "error", msg, {})]


def invitation_source(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """No invitation from overseas Chinese organisations, foreign missions in China,
    intermediary agencies or Chinese enterprises abroad."""
    source = trip.invitation.source
    if source not in p["forbidden"] or source == "none":
        return NONE
    data = {"source": source, "inviter": trip.invitation.inviter}
    return [ctx.finding("INVITATION_SOURCE", "error", SOURCE_MESSAGES[source], data)]


def hot_destination(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Warning when a counted stop is on the FAO's hot/tourist list (country, or country
    and city; city names compared in their canonical form, so 东京 matches Tokyo)."""
    destinations = p["destinations"]
    if not destinations:
        return NONE
    found = []
    seen: set[tuple[str, str]] = set()
    for stop in ctx.counted:
        city = canonical_city(stop.city) if stop.city else ""
        for entry in destinations:
            if entry["country"] != stop.country:
                continue
            listed = entry.get("city", "")
            if listed and canonical_city(listed) != city:
                continue
            key = (stop.country, canonical_city(listed) if listed else "")
            if key in seen:
                break
            seen.add(key)
            # zh: %(place)s属于热门出访地，严格控制前往
            msg = gettext_noop(
                "%(place)s is on the list of hot destinations; trips there are strictly controlled."
            )
            data = {"country": stop.country, "city": listed, "place": place(*key)}
            found.append(ctx.finding("HOT_DESTINATION", "warning", msg, data))
            break
    return found
