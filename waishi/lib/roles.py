"""The roles of waishi and what each may do, in one table every app reads.

One role per account: the 三权分立 of 等保 (system, security and audit administrators
apart, and none of them a business user) is then a property of the data, not a
convention. A person who needs two roles has two accounts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    UNIT_CLERK = "unit_clerk", _("Unit clerk")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    FAO_REVIEWER = "fao_reviewer", _("FAO reviewer")
    FAO_HEAD = "fao_head", _("FAO head")
    COMMITTEE = "committee", _("Committee approver")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    CITY_COMMAND = "city_command", _("City command officer")
    AUDITOR = "auditor", _("Auditor (discipline inspection)")
    SYS_ADMIN = "sys_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


R = Role

# Roles that work inside one unit and see only that unit's records.
UNIT_ROLES = frozenset({R.UNIT_CLERK, R.UNIT_LEADER})
# Roles that see every unit's business records (the auditor read-only).
CITY_ROLES = frozenset({R.FAO_REVIEWER, R.FAO_HEAD, R.COMMITTEE, R.AUDITOR})
DISTRICT_ROLES = frozenset({R.DISTRICT_OFFICER})
# The epidemic-prevention commands (涉外疫情防控): the city command sees every arrival, a
# district officer its own district's. Health data are theirs alone (security.md P2).
ARRIVALS_ROLES = frozenset({R.CITY_COMMAND, R.DISTRICT_OFFICER})
# Roles of the outbound and organisation work; the city command is apart (arrivals only).
BUSINESS_ROLES = UNIT_ROLES | CITY_ROLES | DISTRICT_ROLES
# 三权分立: the three administrators read no business record.
ADMIN_ROLES = frozenset({R.SYS_ADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN})
READ_ONLY_ROLES = frozenset({R.AUDITOR})

# Every role that approves or reads sensitive data logs in with a second factor
# (security.md A4). The unit clerk drafts, sees masked numbers only, and approves nothing.
OTP_REQUIRED = frozenset(set(Role) - {R.UNIT_CLERK})

# The role sets the apps' pages, services, workflow tables and API share (each declared
# here once, never again "as the pages do").
CLERKS = frozenset({R.UNIT_CLERK})
LEADERS = frozenset({R.UNIT_LEADER})
FAO = frozenset({R.FAO_REVIEWER, R.FAO_HEAD})
FAO_HEAD = frozenset({R.FAO_HEAD})
COMMITTEE = frozenset({R.COMMITTEE})
COMMAND = frozenset({R.CITY_COMMAND})
DISTRICT_OFFICERS = DISTRICT_ROLES
# The approvers of the outbound chains (a unit leader for its own unit, the rest city-wide).
APPROVERS = frozenset({R.UNIT_LEADER, R.FAO_REVIEWER, R.FAO_HEAD, R.COMMITTEE})
# Who may override a *principle* error of the policy check at the final approval.
OVERRIDERS = frozenset({R.FAO_HEAD, R.COMMITTEE})
# An approved trip is called off by the FAO head, or by its unit's leader before departure.
CANCELLERS = frozenset({R.UNIT_LEADER, R.FAO_HEAD})
# Who reads the outbound business records (trips, plans, passports, follow-ups): the units
# their own, the city roles every unit's.
VIEWERS = UNIT_ROLES | CITY_ROLES
# Who acts on them: the viewers less the read-only auditor.
ACTORS = VIEWERS - READ_ONLY_ROLES
# The policy (and its allowance tables): the city roles only.
POLICY_READERS = CITY_ROLES
# The arrivals' pages: the command and the districts work them, the auditor reads them; the
# health data stay theirs alone (ARRIVALS_ROLES).
ARRIVALS_READERS = ARRIVALS_ROLES | {R.AUDITOR}
# What only the command manages (imports, campaigns, settings), the auditor reads.
COMMAND_READERS = COMMAND | {R.AUDITOR}
# The foreign residents' pages: the FAO follows them too.
RESIDENTS_READERS = FAO | ARRIVALS_READERS

MANAGES_UNITS = frozenset({R.FAO_REVIEWER, R.FAO_HEAD})
MANAGES_PEOPLE = frozenset({R.UNIT_CLERK, R.FAO_REVIEWER, R.FAO_HEAD})
# Roles that may see a full resident ID number (after a fresh second factor, audited).
UNMASKS_IDS = frozenset({R.FAO_REVIEWER, R.FAO_HEAD})
MANAGES_ACCOUNTS = frozenset({R.SYS_ADMIN})
MANAGES_SECURITY = frozenset({R.SECURITY_ADMIN})
READS_AUDIT_LOG = frozenset({R.AUDIT_ADMIN, R.AUDITOR})


def has(user, roles: frozenset[str]) -> bool:
    """True when an authenticated, active user holds one of ``roles``."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and getattr(user, "role", None) in roles
    )
