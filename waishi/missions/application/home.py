"""The "my work" cards of trip applications: a clerk's drafts, the unit's returned ones;
and the work items: each application returned to the unit's clerk for changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib.roles import CLERKS, has
from waishi.lib.work import ITEM_LIMIT, Card, Item, register, register_items
from waishi.missions.models import Mission, State
from waishi.orgs import scoping


@register
def _missions(user) -> list:
    if not has(user, CLERKS):
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


@register_items
def _returned_items(user) -> list[Item]:
    """The unit's applications returned for changes, oldest return first. A returned
    application has no due date of its own: the approved departure is not yet one."""
    if not has(user, CLERKS):
        return []
    rows = (
        scoping.visible(user, Mission)
        .filter(state=State.RETURNED)
        .only("pk", "title", "state")
        .order_by("state_changed_at", "pk")[:ITEM_LIMIT]
    )
    return [
        Item(
            m.title,
            reverse("missions:detail", kwargs={"mission_pk": m.pk}),
            None,
            _("Trip application"),
            m.get_state_display(),
        )
        for m in rows
    ]
