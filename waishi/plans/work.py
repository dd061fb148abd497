"""The annual plan's cards and work items on the "my work" page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib import roles
from waishi.lib.work import ITEM_LIMIT, Card, Item, register, register_items

PLAN_ROLES = roles.ACTORS


@register
def _plan_entries(user) -> list[Card]:
    if not roles.has(user, PLAN_ROLES):
        return []
    from waishi.plans import selectors

    cards = [
        Card(
            _("Plan entries awaiting you"),
            selectors.awaiting_action(user).count(),
            reverse("plans:plan-list"),
            _("annual plan"),
        )
    ]
    waiting = selectors.plans_awaiting_committee(user).count()
    if waiting:
        cards.append(Card(_("Annual plans to approve"), waiting, reverse("plans:plan-list")))
    return cards


@register_items
def _plan_items(user) -> list[Item]:
    """The entries waiting for this user (``selectors.awaiting_action``): the unit's due by
    the plan's deadline for entries; and, for the committee, the plans to approve."""
    if not roles.has(user, PLAN_ROLES):
        return []
    from waishi.plans import selectors

    unit_side = roles.has(user, roles.UNIT_ROLES)
    entries = selectors.awaiting_action(user).select_related("plan").order_by("plan__year", "pk")
    items = [
        Item(
            entry.title,
            reverse("plans:entry-detail", kwargs={"entry_pk": entry.pk}),
            entry.plan.deadline if unit_side else None,
            _("Annual plan entry"),
            entry.get_state_display(),
        )
        for entry in entries[:ITEM_LIMIT]
    ]
    items += [
        Item(
            str(plan),
            reverse("plans:plan-detail", kwargs={"plan_pk": plan.pk}),
            None,
            _("Annual plan"),
            plan.get_state_display(),
        )
        for plan in selectors.plans_awaiting_committee(user)[:ITEM_LIMIT]
    ]
    return items
