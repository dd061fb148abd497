"""The navigation by role: each entry names the roles that see it.

Later apps append their entries here; the base template shows what the user's role
allows, so nobody is shown a link that would answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from waishi.lib import roles
from waishi.lib.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ALL = frozenset(Role)

NAV: list[NavItem] = [
    NavItem(_("My work"), "ui:home", "house", ALL),
    NavItem(_("Notifications"), "notify:inbox", "bell", ALL),
    NavItem(
        _("Trips abroad"),
        "missions:list",
        "airplane",
        roles.UNIT_ROLES | roles.CITY_ROLES,
    ),
    NavItem(
        _("Trip reports"),
        "missions:report-list",
        "file-earmark-text",
        roles.UNIT_ROLES | roles.CITY_ROLES,
    ),
    NavItem(
        _("Approvals"),
        "approvals:queue",
        "check2-square",
        roles.APPROVERS,
    ),
    NavItem(
        _("Official passports"),
        "passports:list",
        "passport",
        roles.UNIT_ROLES | roles.CITY_ROLES,
    ),
    NavItem(_("Follow-ups"), "followups:list", "list-check", roles.UNIT_ROLES | roles.CITY_ROLES),
    NavItem(_("Committee meetings"), "committee:meeting-list", "people-fill", roles.CITY_ROLES),
    NavItem(_("Work key points of the year"), "committee:keypoints", "diagram-3", roles.CITY_ROLES),
    NavItem(_("Committee items"), "committee:item-list", "file-earmark-check", roles.UNIT_ROLES),
    NavItem(_("Supervised tasks"), "followups:task-list", "flag", roles.VIEWERS),
    NavItem(_("Supervision board"), "followups:board", "grid-3x3-gap", roles.CITY_ROLES),
    NavItem(_("Annual plan"), "plans:plan-list", "calendar3", roles.UNIT_ROLES | roles.CITY_ROLES),
    NavItem(
        _("Arrivals from abroad"),
        "arrivals:board",
        "person-walking",
        roles.ARRIVALS_ROLES | {Role.AUDITOR},
    ),
    NavItem(
        _("Hand-overs"),
        "arrivals:handover-list",
        "arrow-left-right",
        roles.ARRIVALS_ROLES | {Role.AUDITOR},
    ),
    NavItem(
        _("Arrival lists"),
        "arrivals:import-list",
        "file-earmark-arrow-up",
        roles.COMMAND_READERS,
    ),
    NavItem(
        _("Declaration links"),
        "arrivals:campaign-list",
        "qr-code",
        roles.COMMAND_READERS,
    ),
    NavItem(
        _("Foreign residents"),
        "arrivals:resident-list",
        "person-vcard",
        roles.ARRIVALS_ROLES | {Role.AUDITOR, Role.FAO_REVIEWER, Role.FAO_HEAD},
    ),
    NavItem(
        _("Management plans"),
        "arrivals:plan-list",
        "clipboard2-pulse",
        roles.ARRIVALS_ROLES | {Role.AUDITOR},
    ),
    NavItem(_("People"), "orgs:person-list", "people", roles.BUSINESS_ROLES),
    NavItem(_("Units"), "orgs:unit-list", "building", roles.BUSINESS_ROLES | {Role.SYS_ADMIN}),
    NavItem(
        _("Districts"),
        "orgs:district-list",
        "map",
        roles.BUSINESS_ROLES | roles.ARRIVALS_ROLES | {Role.SYS_ADMIN},
    ),
    NavItem(_("Accounts"), "accounts:user-list", "person-gear", roles.MANAGES_ACCOUNTS),
    NavItem(_("Account security"), "accounts:security", "shield-lock", roles.MANAGES_SECURITY),
    NavItem(_("Audit log"), "audit:log", "journal-check", roles.READS_AUDIT_LOG),
    NavItem(_("Policy"), "policy:index", "journal-text", roles.CITY_ROLES),
    NavItem(_("API tokens"), "api:token-list", "key", ALL),
]


def for_user(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV if user.role in item.roles]
