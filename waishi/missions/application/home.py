"""The "my work" cards of trip applications: a clerk's drafts, the unit's returned ones."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib.roles import Role, has
from waishi.lib.work import Card, register
from waishi.missions.models import Mission, State
from waishi.orgs import scoping


@register
def _missions(user) -> list:
    if not has(user, frozenset({Role.UNIT_CLERK})):
        return []

    mine = scoping.visible(user, Mission)
    drafts = mine.filter(state=State.DRAFT, created_by=user).count()
    returned = mine.filter(state=State.RETURNED).count()
    url = reverse("missions:list")
    return [
        Card(_("My draft trip applications"), drafts, f"{url}?state=draft&mine=1"),
        Card(
            _("Trip applications returned for changes"),
            returned,
            f"{url}?state=returned",
            _("in your unit"),
        ),
    ]
