"""Object permissions of the organisation app (django-rules predicates)."""

from __future__ import annotations

import rules

from waishi.lib import roles
from waishi.orgs import permissions


@rules.predicate
def manages_people(user) -> bool:
    return roles.has(user, roles.MANAGES_PEOPLE)


@rules.predicate
def changes_person(user, person) -> bool:
    """A unit clerk changes their own unit's people, the FAO everyone's (orgs.permissions)."""
    return permissions.may(user, roles.MANAGES_PEOPLE, person)


@rules.predicate
def manages_units(user) -> bool:
    return roles.has(user, roles.MANAGES_UNITS)


@rules.predicate
def unmasks_ids(user) -> bool:
    return roles.has(user, roles.UNMASKS_IDS)


rules.add_perm("orgs.add_person", manages_people)
rules.add_perm("orgs.change_person", changes_person)
rules.add_perm("orgs.import_people", manages_people)
rules.add_perm("orgs.unmask_person", unmasks_ids)
rules.add_perm("orgs.add_unit", manages_units)
rules.add_perm("orgs.change_unit", manages_units)
rules.add_perm("orgs.view_people", lambda user: roles.has(user, roles.BUSINESS_ROLES))
rules.add_perm("orgs.manage_users", lambda user: roles.has(user, roles.MANAGES_ACCOUNTS))
rules.add_perm("orgs.manage_security", lambda user: roles.has(user, roles.MANAGES_SECURITY))
rules.add_perm("audit.view_log", lambda user: roles.has(user, roles.READS_AUDIT_LOG))
