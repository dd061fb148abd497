"""Object permissions of the organisation app (django-rules predicates)."""

from __future__ import annotations

import rules

from waishi.lib import roles


@rules.predicate
def manages_people(user) -> bool:
    return roles.has(user, roles.MANAGES_PEOPLE)


@rules.predicate
def city_wide(user) -> bool:
    return roles.has(user, roles.CITY_ROLES)


@rules.predicate
def same_unit(user, person) -> bool:
    return person is not None and user.unit_id is not None and person.unit_id == user.unit_id


@rules.predicate
def manages_units(user) -> bool:
    return roles.has(user, roles.MANAGES_UNITS)


@rules.predicate
def unmasks_ids(user) -> bool:
    return roles.has(user, roles.UNMASKS_IDS)


rules.add_perm("orgs.add_person", manages_people)
rules.add_perm("orgs.change_person", manages_people & (city_wide | same_unit))
rules.add_perm("orgs.import_people", manages_people)
rules.add_perm("orgs.unmask_person", unmasks_ids)
rules.add_perm("orgs.add_unit", manages_units)
rules.add_perm("orgs.change_unit", manages_units)
rules.add_perm("orgs.view_people", lambda user: roles.has(user, roles.BUSINESS_ROLES))
rules.add_perm("orgs.manage_users", lambda user: roles.has(user, roles.MANAGES_ACCOUNTS))
rules.add_perm("orgs.manage_security", lambda user: roles.has(user, roles.MANAGES_SECURITY))
rules.add_perm("audit.view_log", lambda user: roles.has(user, roles.READS_AUDIT_LOG))
