"""Every change to a trip application: check permission, lock, compare the version,
change, bump the version, one audit event -- in one transaction.

Drafting services save whatever was typed, complete or not: nothing a clerk types is
refused for being incomplete (that is ``mission_submit``'s job). They refuse only what
cannot be stored (a row of another application, a file of the wrong type) and a write
based on a stale ``version`` (another tab saved first), with a message that says so.

Every event is recorded on the mission itself (child rows named in ``data``), so the
mission's history tells the whole story. The functions live in ``common`` (who drafts,
the lock), ``drafting`` (basics, invitation, justifications), ``rows`` (stops, days,
members, budget), ``submission`` (submit, withdraw), ``decisions`` (approve, return,
reject, cancel), ``publicity`` (公示) and ``documents`` (the approval form and notice),
on ``missions.core`` (the version check and converters in ``core.common``, the publicity
rules in ``core.publicity``); import them from here. The trip (``missions.trip``), its
changes (``missions.changes``) and its report (``missions.report``) have services of
their own.
"""

from waishi.missions.application.services.common import LAST_STEP
from waishi.missions.application.services.decisions import (
    COMMENT_FIELDS,
    mission_cancel,
    mission_decide,
    quota_reference,
)
from waishi.missions.application.services.documents import (
    mission_document,
    mission_document_download,
)
from waishi.missions.application.services.drafting import (
    BASICS_FIELDS,
    INVITATION_FIELDS,
    mission_create_draft,
    mission_letter_download,
    mission_update_basics,
    mission_update_invitation,
    mission_update_justifications,
)
from waishi.missions.application.services.publicity import publicity_exempt, publicity_publish
from waishi.missions.application.services.rows import (
    mission_member_add,
    mission_member_remove,
    mission_update_budget,
    mission_update_itinerary,
    mission_update_members,
)
from waishi.missions.application.services.submission import (
    chain_facts,
    completeness,
    highest_rank,
    mission_submit,
    mission_withdraw,
)
from waishi.missions.core.common import StaleVersion
from waishi.missions.core.publicity import (
    PUBLICITY_WORKING_DAYS,
    publicity_period,
    publicity_refusal,
    publicity_working_days,
)

__all__ = [
    "BASICS_FIELDS",
    "COMMENT_FIELDS",
    "INVITATION_FIELDS",
    "LAST_STEP",
    "PUBLICITY_WORKING_DAYS",
    "StaleVersion",
    "chain_facts",
    "completeness",
    "highest_rank",
    "mission_cancel",
    "mission_create_draft",
    "mission_decide",
    "mission_document",
    "mission_document_download",
    "mission_letter_download",
    "mission_member_add",
    "mission_member_remove",
    "mission_submit",
    "mission_update_basics",
    "mission_update_budget",
    "mission_update_invitation",
    "mission_update_itinerary",
    "mission_update_justifications",
    "mission_update_members",
    "mission_withdraw",
    "publicity_exempt",
    "publicity_period",
    "publicity_publish",
    "publicity_refusal",
    "publicity_working_days",
    "quota_reference",
]
