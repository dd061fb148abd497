"""The "my work" cards of passports: what is out and overdue, what awaits a decision; and
the work items: each passport to return, due back on its date."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.roles import CITY_ROLES, CLERKS, UNIT_ROLES, Role, has
from waishi.lib.work import ITEM_LIMIT, Card, Item, register, register_items


@register
def _passports(user) -> list:
    if not has(user, UNIT_ROLES | CITY_ROLES):
        return []
    from waishi.orgs import scoping
    from waishi.passports.models import ApplicationState, PassportApplication
    from waishi.passports.selectors import out_of_custody
    from waishi.passports.services import MANAGES_PASSPORTS, unit_lock_reason

    # Both figures in one query.
    counts = out_of_custody(user).aggregate(
        out=Count("pk"), overdue=Count("pk", filter=Q(due_back__lt=timezone.localdate()))
    )
    url = reverse("passports:list")
    cards = [
        Card(
            _("Official passports overdue for return"),
            counts["overdue"],
            f"{url}?state=issued",
            _("%(count)d out for trips") % {"count": counts["out"]},
        )
    ]
    if has(user, MANAGES_PASSPORTS):
        waiting = (
            scoping.visible(user, PassportApplication)
            .filter(state=ApplicationState.SUBMITTED)
            .count()
        )
        cards.append(
            Card(_("Passport applications to decide"), waiting, reverse("passports:applications"))
        )
    if user.role in (Role.UNIT_CLERK, Role.UNIT_LEADER) and user.unit_id:
        reason = unit_lock_reason(user.unit_id)
        if reason:
            cards.append(Card(_("New trip applications locked"), "!", url, reason))
    return cards


@register_items
def _passport_items(user) -> list[Item]:
    """The unit's passports out for trips, due back first, for its clerk (who hands them
    back); the unit's leader those overdue (escalated to them); the passport managers of
    the FAO, every unit's passport overdue for return."""
    from waishi.passports.selectors import out_of_custody
    from waishi.passports.services import MANAGES_PASSPORTS

    if not has(user, UNIT_ROLES | MANAGES_PASSPORTS):
        return []
    rows = out_of_custody(user)
    if not has(user, CLERKS):  # what is late: in the unit, or in every unit
        rows = rows.filter(due_back__lt=timezone.localdate())
    rows = rows.select_related("passport__holder", "mission").order_by("due_back", "pk")
    return [
        Item(
            f"{row.passport.holder.name}（{row.mission}）",
            reverse("passports:detail", kwargs={"passport_pk": row.passport_id}),
            row.due_back,
            _("Passport to return"),
            _("Out for a trip"),
        )
        for row in rows[:ITEM_LIMIT]
    ]
