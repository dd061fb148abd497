"""Trip shape: size, countries, days, continents, a consistent itinerary.

Source (GROUP_SIZE, COUNTRY_COUNT, STAY_DAYS): the 2013 central rules as implemented by
山东 2013 and 教外厅〔2015〕1号; ONE_CONTINENT: 浙江大学 rules art. 18 (原则上)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from waishi.policy.context import Context, place
from waishi.policy.types import Stop, Trip

NONE = ()


def group_size(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Members <= max, interpreters included."""
    count = len(trip.members)
    if count <= p["max"]:
        return NONE
    # zh: 团组人数不得超过%(max)d人（含翻译），本团组为%(count)d人
    msg = gettext_noop(
        "A delegation may have at most %(max)d members, interpreters included; "
        "this one has %(count)d."
    )
    return [ctx.finding("GROUP_SIZE", "error", msg, {"max": p["max"], "count": count})]


def country_count(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Distinct countries/regions <= max; a transit stop counts unless airside."""
    count = len(ctx.countries)
    if count <= p["max"]:
        return NONE
    # zh: 出访国家和地区不得超过%(max)d个（经停计入，机场内转机除外），本团组为%(count)d个
    msg = gettext_noop(
        "A trip may cover at most %(max)d countries/regions (a transit stop counts unless "
        "it is airside); this one covers %(count)d."
    )
    data = {"max": p["max"], "count": count, "countries": list(ctx.countries)}
    return [ctx.finding("COUNTRY_COUNT", "error", msg, data)]


def stay_limit(p: dict, ctx: Context) -> tuple[int, int]:
    """(limit, extra days) for this trip's counted countries. Index i of ``limits`` is the
    limit for i+1 countries, the last one for more; Africa (002) or Latin America and the
    Caribbean (419) add ``africa_latin_america_extra`` at the same index (航班衔接不便)."""
    limits, extras = p["limits"], p["africa_latin_america_extra"]
    count = max(len(ctx.countries), 1)
    limit = limits[min(count, len(limits)) - 1]
    extra = 0
    for info in ctx.country_info:
        if info.africa or info.latin_america:
            extra = extras[min(count, len(extras)) - 1]
            break
    return limit + extra, extra


def stay_days(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Days abroad (return - departure + 1) <= the limit for the number of countries."""
    limit, extra = stay_limit(p, ctx)
    if ctx.days_abroad <= limit:
        return NONE
    data = {
        "limit": limit,
        "days_abroad": ctx.days_abroad,
        "countries": len(ctx.countries),
        "extra": extra,
    }
    if extra:
        # zh: 出访%(countries)d国（含非洲、拉美）在外停留不得超过%(limit)d天，
        #     本团组为%(days_abroad)d天
        msg = gettext_noop(
            "A trip to %(countries)d countries/regions including Africa or Latin America may "
            "last at most %(limit)d days abroad; this one lasts %(days_abroad)d days."
        )
    else:
        # zh: 出访%(countries)d国在外停留不得超过%(limit)d天，本团组为%(days_abroad)d天
        msg = gettext_noop(
            "A trip to %(countries)d countries/regions may last at most %(limit)d days "
            "abroad; this one lasts %(days_abroad)d days."
        )
    return [ctx.finding("STAY_DAYS", "error", msg, data)]


def one_continent(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Warning when the counted stops span more than one continent (原则上)."""
    continents: list[str] = []
    for info in ctx.country_info:
        if info.continent not in continents:
            continents.append(info.continent)
    if len(continents) <= 1:
        return NONE
    # zh: 行程跨%(count)d个大洲，原则上一次出访只去一个大洲
    msg = gettext_noop(
        "The itinerary spans %(count)d continents; as a rule a trip visits one continent only."
    )
    data = {"count": len(continents), "continents": continents}
    return [ctx.finding("ONE_CONTINENT", "warning", msg, data)]


def itinerary_inconsistent(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Return before departure, a stop (or a scheduled day) outside the trip window, a stop
    that departs before it arrives, two stops overlapping by more than the shared day."""
    found = []
    start, end = trip.departure_date, trip.return_date
    window = {"departure_date": str(start), "return_date": str(end)}
    if end < start:
        # zh: 回国日期%(return_date)s早于出境日期%(departure_date)s
        msg = gettext_noop(
            "The return date %(return_date)s is before the departure date %(departure_date)s."
        )
        found.append(ctx.finding("ITINERARY_INCONSISTENT", "error", msg, window))
    stops = trip.stops
    for i, stop in enumerate(stops):
        if stop.depart < stop.arrive:
            # zh: %(place)s一站的离开日期%(depart)s早于到达日期%(arrive)s
            msg = gettext_noop(
                "The stop in %(place)s departs (%(depart)s) before it arrives (%(arrive)s)."
            )
            found.append(ctx.finding("ITINERARY_INCONSISTENT", "error", msg, _where(i, stop)))
        if stop.arrive < start or stop.depart > end:
            # zh: %(place)s一站（%(arrive)s至%(depart)s）超出出访期间
            #     %(departure_date)s至%(return_date)s
            msg = gettext_noop(
                "The stop in %(place)s (%(arrive)s to %(depart)s) lies outside the trip, "
                "%(departure_date)s to %(return_date)s."
            )
            data = _where(i, stop) | window
            found.append(ctx.finding("ITINERARY_INCONSISTENT", "error", msg, data))
    for i, a in enumerate(stops):
        for j in range(i + 1, len(stops)):
            b = stops[j]
            # Days both stops cover; one shared day is the day of travel between them.
            overlap = (min(a.depart, b.depart) - max(a.arrive, b.arrive)).days + 1
            if overlap > 1 and a.arrive <= a.depart and b.arrive <= b.depart:
                # zh: %(place)s与%(other)s两站重叠%(overlap)d天，只能共用一天路途
                msg = gettext_noop(
                    "The stops in %(place)s and %(other)s overlap by %(overlap)d days; only "
                    "the day of travel between them may be shared."
                )
                data = {
                    "stop": i,
                    "other_stop": j,
                    "place": place(a.country, a.city),
                    "other": place(b.country, b.city),
                    "overlap": overlap,
                }
                found.append(ctx.finding("ITINERARY_INCONSISTENT", "error", msg, data))
    for day in trip.days:
        if day.date < start or day.date > end:
            # zh: 日程中的%(date)s超出出访期间%(departure_date)s至%(return_date)s
            msg = gettext_noop(
                "The scheduled day %(date)s lies outside the trip, "
                "%(departure_date)s to %(return_date)s."
            )
            data = {"date": day.date.isoformat()} | window
            found.append(ctx.finding("ITINERARY_INCONSISTENT", "error", msg, data))
    return found


def itinerary_gap(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """The stops meet the trip's dates: the first stop begins within ``travel_days`` of
    leaving China, the last one ends within ``travel_days`` of entering China again (the
    day of travel). A longer gap means the trip's dates and its stops disagree (basics to
    the 24th, stops ending the 22nd): one of them is wrong. Stops outside the window are
    ``ITINERARY_INCONSISTENT``'s."""
    if not trip.stops or trip.return_date < trip.departure_date:
        return NONE
    found = []
    travel = p["travel_days"]
    start, end = trip.departure_date, trip.return_date
    first = min(stop.arrive for stop in trip.stops)
    last = max(stop.depart for stop in trip.stops)
    window = {
        "departure_date": start.isoformat(),
        "return_date": end.isoformat(),
        "travel_days": travel,
    }
    if (first - start).days > travel:
        # zh: 出境日期为%(departure_date)s，第一站却从%(first_arrive)s才开始，
        #     相差%(gap)d天（出境路途最多%(travel_days)d天）：请核对出访日期或行程各站。
        msg = gettext_noop(
            "The delegation leaves China on %(departure_date)s but the first stop begins only "
            "on %(first_arrive)s, %(gap)d days later (at most %(travel_days)d for the "
            "journey): correct the trip's dates or its stops."
        )
        data = window | {"first_arrive": first.isoformat(), "gap": (first - start).days}
        found.append(ctx.finding("ITINERARY_GAP", "error", msg, data))
    if (end - last).days > travel:
        # zh: 入境日期为%(return_date)s，最后一站却在%(last_depart)s就已结束，
        #     相差%(gap)d天（回程路途最多%(travel_days)d天）：请核对出访日期或行程各站。
        msg = gettext_noop(
            "The delegation enters China on %(return_date)s but the last stop ends on "
            "%(last_depart)s, %(gap)d days earlier (at most %(travel_days)d for the journey "
            "home): correct the trip's dates or its stops."
        )
        data = window | {"last_depart": last.isoformat(), "gap": (end - last).days}
        found.append(ctx.finding("ITINERARY_GAP", "error", msg, data))
    return found


def _where(i: int, stop: Stop) -> dict:
    return {
        "stop": i,
        "place": place(stop.country, stop.city),
        "arrive": stop.arrive.isoformat(),
        "depart": stop.depart.isoformat(),
    }
