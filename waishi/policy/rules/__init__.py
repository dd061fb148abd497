"""One small function per rule code, in the order the catalogue lists them.

Every rule has the signature ``(trip, params, ctx) -> list[Finding]`` where ``params`` is
that rule's parameter object from the policy version in force and ``ctx`` the facts
computed once per check. A rule that finds nothing returns an empty tuple. The source of
each rule is in its docstring and, as the policy set's citation, in every finding."""

from __future__ import annotations

from collections.abc import Callable

from waishi.policy.rules import money, shape, substance, timing

Rule = Callable[..., object]

# CATEGORY_MISMATCH is not here: it runs first and decides which category the others judge.
RULES: tuple[tuple[str, Rule], ...] = (
    ("GROUP_SIZE", shape.group_size),
    ("COUNTRY_COUNT", shape.country_count),
    ("STAY_DAYS", shape.stay_days),
    ("ONE_CONTINENT", shape.one_continent),
    ("ITINERARY_INCONSISTENT", shape.itinerary_inconsistent),
    ("ITINERARY_GAP", shape.itinerary_gap),
    ("TASK_PER_MEMBER", substance.task_per_member),
    ("NO_SIGHTSEEING", substance.no_sightseeing),
    ("BUSINESS_RATIO", substance.business_ratio),
    ("NO_FAMILY", substance.no_family),
    ("RETIRED_MEMBER", substance.retired_member),
    ("INVITATION_MISSING", substance.invitation_missing),
    ("INVITATION_SOURCE", substance.invitation_source),
    ("HOT_DESTINATION", substance.hot_destination),
    ("FREQUENCY", timing.frequency),
    ("SAME_UNIT_LEADERS", timing.same_unit_leaders),
    ("NOT_IN_PLAN", timing.not_in_plan),
    ("LEAD_TIME", timing.lead_time),
    ("PARTY_BRANCH", timing.party_branch),
    ("BUDGET_STANDARD", money.budget_standard),
    ("BUDGET_MISSING", money.budget_missing),
)
