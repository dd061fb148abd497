"""The work items of change requests: each one returned to the unit's clerk for changes
(the requests waiting for an approver are the approvals' items, from their queue)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib.roles import CLERKS, has
from waishi.lib.work import ITEM_LIMIT, Item, register_items
from waishi.missions.models import ChangeRequest, ChangeState
from waishi.orgs import scoping


@register_items
def _returned_changes(user) -> list[Item]:
    if not has(user, CLERKS):
        return []
    rows = (
        scoping.visible(user, ChangeRequest)
        .filter(state=ChangeState.RETURNED)
        .select_related("mission")
        .order_by("state_changed_at", "pk")[:ITEM_LIMIT]
    )
    return [
        Item(
            str(change),
            reverse(
                "missions:change-detail",
                kwargs={"mission_pk": change.mission_id, "change_pk": change.pk},
            ),
            None,
            _("Change request"),
            change.get_state_display(),
        )
        for change in rows
    ]
