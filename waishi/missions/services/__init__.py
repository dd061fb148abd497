"""Every change to a trip application: check permission, lock, compare the version,
change, bump the version, one audit event -- in one transaction.

Drafting services save whatever was typed, complete or not: nothing a clerk types is
refused for being incomplete (that is ``mission_submit``'s job). They refuse only what
cannot be stored (a row of another application, a file of the wrong type) and a write
based on a stale ``version`` (another tab saved first), with a message that says so.

Every event is recorded on the mission itself (child rows named in ``data``), so the
mission's history tells the whole story. The functions live in ``common`` (lock,
version, converters), ``drafting`` (basics, invitation, justifications), ``rows``
(stops, days, members, budget), ``submission`` (submit, withdraw), ``decisions``
(approve, return, reject, cancel), ``publicity`` (公示), ``predeparture`` (the head's
acknowledgment, education, the temporary Party branch), ``documents`` (the approval
form and notice), ``trip`` (departure, return, close, incidents), ``changes`` (change
requests, itinerary versions) and ``report`` (the trip report); import them from here.
"""

from waishi.missions.core.common import LAST_STEP, StaleVersion
from waishi.missions.core.publicity import (
    PUBLICITY_WORKING_DAYS,
    publicity_period,
    publicity_refusal,
    publicity_working_days,
)
from waishi.missions.services.decisions import (
    COMMENT_FIELDS,
    mission_cancel,
    mission_decide,
    quota_reference,
)
from waishi.missions.services.documents import (
    mission_document,
    mission_document_download,
)
from waishi.missions.services.drafting import (
    BASICS_FIELDS,
    INVITATION_FIELDS,
    mission_create_draft,
    mission_letter_download,
    mission_update_basics,
    mission_update_invitation,
    mission_update_justifications,
)
from waishi.missions.services.predeparture import (
    education_record,
    leader_acknowledge,
    party_branch_record,
)
from waishi.missions.services.publicity import publicity_exempt, publicity_publish
from waishi.missions.services.rows import (
    mission_member_add,
    mission_member_remove,
    mission_update_budget,
    mission_update_itinerary,
    mission_update_members,
)
from waishi.missions.services.submission import (
    chain_facts,
    completeness,
    highest_rank,
    mission_submit,
    mission_withdraw,
)
from waishi.missions.services.trip import (
    incident_record,
    incident_update,
    mission_close,
    mission_close_if_ready,
    mission_come_back,
    mission_depart,
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
    "education_record",
    "highest_rank",
    "incident_record",
    "incident_update",
    "leader_acknowledge",
    "mission_cancel",
    "mission_close",
    "mission_close_if_ready",
    "mission_come_back",
    "mission_create_draft",
    "mission_decide",
    "mission_depart",
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
    "party_branch_record",
    "publicity_exempt",
    "publicity_period",
    "publicity_publish",
    "publicity_refusal",
    "publicity_working_days",
    "quota_reference",
]
