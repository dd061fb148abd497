"""The cards of the "my work" page: what needs this user's attention, by role.

The registry is ``waishi.lib.work``; these are the cards of the foundation's own apps
(people, accounts, audit)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from waishi.lib import roles
from waishi.lib.work import (  # noqa: F401 (cards_for, items_for: the home page's)
    Card,
    cards_for,
    items_for,
    register,
)


@register
def _people(user) -> list[Card]:
    from waishi.orgs import scoping
    from waishi.orgs.models import Person

    if not roles.has(user, roles.BUSINESS_ROLES):
        return []
    count = scoping.visible(user, Person).filter(is_active=True).count()
    note = _("in your unit") if roles.has(user, roles.UNIT_ROLES) else _("in all units")
    return [Card(_("People on record"), count, reverse("orgs:person-list"), note)]


@register
def _locked_accounts(user) -> list[Card]:
    if not roles.has(user, roles.MANAGES_SECURITY):
        return []
    from axes.models import AccessAttempt
    from django.conf import settings

    count = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).count()
    return [Card(_("Locked accounts"), count, reverse("accounts:security"))]


@register
def _audit(user) -> list[Card]:
    if not roles.has(user, roles.READS_AUDIT_LOG):
        return []
    from waishi.audit.messages import result_label
    from waishi.audit.models import AuditEvent
    from waishi.audit.selectors import chain_length

    last = AuditEvent.objects.filter(action="audit.verified").order_by("-seq").first()
    result = result_label((last.data or {}).get("result", "—")) if last else _("never")
    return [
        Card(_("Audit events"), chain_length(), reverse("audit:log")),
        Card(
            _("Last chain verification"),
            result,
            reverse("audit:log"),
            last.at.strftime("%Y-%m-%d %H:%M") if last else "",
        ),
    ]


@register
def _accounts(user) -> list[Card]:
    if not roles.has(user, roles.MANAGES_ACCOUNTS):
        return []
    from waishi.orgs.models import User

    return [
        Card(
            _("Active accounts"),
            User.objects.filter(is_active=True).count(),
            reverse("accounts:user-list"),
        )
    ]
