from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "waishi.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from waishi.approvals import (
            audit_messages,  # noqa: F401
            notices,  # noqa: F401  (who is told of each transition)
        )
        from waishi.approvals.models import ApprovalRule, ApprovalStep, Delegation
        from waishi.approvals.services import MANAGES_ALL_DELEGATIONS, READS_RULES
        from waishi.lib import work
        from waishi.lib.roles import CITY_ROLES
        from waishi.orgs.scoping import Scope, register

        # Steps belong to their subject's unit (unit roles see their unit's, city roles all).
        register(ApprovalStep, Scope(unit="unit_id", url_kwarg="step_pk"))
        # Rules are the FAO's reference data (the pages: FAO reviewer and head).
        register(ApprovalRule, Scope(only=CITY_ROLES | READS_RULES, url_kwarg="rule_pk"))
        # A delegation: its delegator (and, in the list, its delegate); the FAO head all.
        register(
            Delegation,
            Scope(only=MANAGES_ALL_DELEGATIONS, owner="delegator_id", url_kwarg="delegation_pk"),
        )
        work.register(_pending_card)
        work.register_items(_pending_items)


def _pending_card(user):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from waishi.approvals.models import APPROVER_ROLES
    from waishi.approvals.selectors import queue_for
    from waishi.lib.roles import has
    from waishi.lib.work import Card

    if not has(user, APPROVER_ROLES):
        return []
    count, overdue = queue_for(user).counts(_today())
    note = _("%(n)d overdue") % {"n": overdue} if overdue else ""
    return [Card(_("Awaiting my approval"), count, reverse("approvals:queue"), note)]


def _pending_items(user):
    """Each step waiting for ``user``'s decision (by their own authority or as a
    delegate), due on its step's date: the queue's first ``ITEM_LIMIT``."""
    from django.utils.translation import gettext as _

    from waishi.approvals.models import APPROVER_ROLES
    from waishi.approvals.selectors import queue_for, queue_rows
    from waishi.lib.roles import has
    from waishi.lib.work import ITEM_LIMIT, Item

    if not has(user, APPROVER_ROLES):
        return []
    queue = queue_for(user)
    steps = list(queue.steps[:ITEM_LIMIT])
    items = []
    for row in queue_rows(steps, queue.on_behalf_for(steps)):
        if row.on_behalf_of is not None:
            name = row.on_behalf_of.full_name or row.on_behalf_of.username
            state = _("Awaiting your decision on behalf of %(name)s") % {"name": name}
        else:
            state = _("Awaiting your decision")
        items.append(Item(row.title, row.url, row.step.due_on, row.label, state))
    return items


def _today():
    from django.utils import timezone

    return timezone.localdate()
