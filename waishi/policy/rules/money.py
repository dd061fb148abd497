"""Money (财行〔2013〕516号 and its 附表2): lodging within the country/city standard;
meals and incidentals are flat rates, so a claim above them is an error."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from waishi.policy.context import Context, place
from waishi.policy.types import Trip

NONE = ()

# zh: 第%(position)d项预算（%(place)s）住宿费每人每天%(claimed)s %(currency)s，
#     超过标准%(standard)s
LODGING = gettext_noop(
    "Budget line %(position)d (%(place)s): lodging of %(claimed)s %(currency)s per person and "
    "day is above the standard of %(standard)s."
)
# zh: 第%(position)d项预算（%(place)s）伙食费每人每天%(claimed)s %(currency)s，
#     超过定额标准%(standard)s
MEALS = gettext_noop(
    "Budget line %(position)d (%(place)s): meals of %(claimed)s %(currency)s per person and "
    "day are above the flat rate of %(standard)s."
)
# zh: 第%(position)d项预算（%(place)s）公杂费每人每天%(claimed)s %(currency)s，
#     超过定额标准%(standard)s
INCIDENTALS = gettext_noop(
    "Budget line %(position)d (%(place)s): incidentals of %(claimed)s %(currency)s per person "
    "and day are above the flat rate of %(standard)s."
)


def budget_standard(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Each budget line against the standard for its country and city: same currency,
    lodging <= the standard, meals and incidentals <= the flat rates. A line with no
    standard on file is noted (info), since it could not be checked. The standards are the
    policy version's 附表2 table (``ctx.budget``)."""
    found = NONE
    lookup = ctx.budget.lookup
    for i, line in enumerate(trip.budget):
        standard = lookup(line.country, line.city)
        where = {"line": i, "position": i + 1, "place": place(line.country, line.city)}
        if standard is None:
            # zh: 第%(position)d项预算（%(place)s）无对应开支标准，未予核对
            msg = gettext_noop(
                "Budget line %(position)d (%(place)s): no standard is on file, so it was not "
                "checked."
            )
            found = [*found, ctx.finding("BUDGET_STANDARD", "info", msg, where)]
            continue
        if line.currency != standard.currency:
            # zh: 第%(position)d项预算（%(place)s）币种为%(currency)s，
            #     开支标准以%(standard_currency)s计
            msg = gettext_noop(
                "Budget line %(position)d (%(place)s) is in %(currency)s; its standard is in "
                "%(standard_currency)s."
            )
            data = where | {"currency": line.currency, "standard_currency": standard.currency}
            found = [*found, ctx.finding("BUDGET_STANDARD", "error", msg, data)]
            continue
        for item, claimed, allowed, msg in (
            ("lodging", line.lodging_per_day, standard.lodging, LODGING),
            ("meals", line.meals_per_day, standard.meals, MEALS),
            ("incidentals", line.incidentals_per_day, standard.incidentals, INCIDENTALS),
        ):
            if claimed > allowed:
                data = where | {
                    "item": item,
                    "claimed": claimed,
                    "standard": allowed,
                    "currency": line.currency,
                }
                found = [*found, ctx.finding("BUDGET_STANDARD", "error", msg, data)]
    return found


def budget_missing(trip: Trip, p: dict, ctx: Context) -> tuple | list:
    """Warning when no budget is given."""
    if trip.budget:
        return NONE
    # zh: 未提供出访经费预算
    msg = gettext_noop("No budget is given.")
    return [ctx.finding("BUDGET_MISSING", "warning", msg, {})]
