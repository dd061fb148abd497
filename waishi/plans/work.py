"""The annual plan's cards on the "my work" page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib import roles
from waishi.lib.work import Card, register

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
