"""The committee's transition tables, applied by ``waishi.lib.workflow``, and who does what.

- ``MEETING``: a scheduled meeting is marked held by the office once it has taken place;
  the opinions on its items are recorded after that.
- ``MINUTES`` (会议纪要): drafted by the office from the meeting, sent for review, returned
  to draft with a reason, or issued by the FAO head or a committee leader -- the 发文字号
  is given on issue (``services.minutes_issue``).

"The office" is the committee office, the FAO's roles (``lib.roles.FAO``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.committee.models import MeetingState, MinutesState
from waishi.lib.roles import (
    CITY_ROLES,
    COMMITTEE,
    FAO,
    FAO_HEAD,
    READ_ONLY_ROLES,
    UNIT_ROLES,
    has,
)
from waishi.lib.workflow import Transition, Workflow
from waishi.orgs import permissions

# The committee office keeps the members, the meetings, the items and the minutes.
OFFICE = FAO
# Who sees meetings, minutes and every item: committee members, the office, the auditor.
READERS = CITY_ROLES
# Who sees the items pages: the readers, and a unit its own items.
ITEM_READERS = CITY_ROLES | UNIT_ROLES
# Who uploads a document's versions: the office, or the submitting unit's clerk and leader.
UPLOADERS = FAO | UNIT_ROLES
# Who signs off the approved version: the office, or the committee's chair.
APPROVERS = FAO | COMMITTEE
# Who issues (or returns) minutes under review: the FAO head or a committee leader.
ISSUERS = FAO_HEAD | COMMITTEE
# Who reads an internal (内部) document besides the readers named on it.
INTERNAL_READERS = FAO | READ_ONLY_ROLES


MEETING = Workflow(
    name="committee.meeting",
    states=dict(MeetingState.choices),
    transitions=[
        Transition(
            "scheduled", "hold", "held", OFFICE, None, gettext_lazy("Mark the meeting held")
        ),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)

MINUTES = Workflow(
    name="committee.minutes",
    states=dict(MinutesState.choices),
    transitions=[
        Transition("draft", "submit", "review", OFFICE, None, gettext_lazy("Send for review")),
        Transition("review", "return", "draft", ISSUERS, None, gettext_lazy("Return to draft")),
        Transition("review", "issue", "issued", ISSUERS, None, gettext_lazy("Issue")),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)


def is_chair(actor) -> bool:
    """Whether ``actor`` is the committee's active chair (through the person of the account)."""
    from waishi.committee.models import CommitteeMember, Position

    person_id = getattr(actor, "person_id", None)
    return (
        bool(person_id)
        and CommitteeMember.objects.filter(
            person_id=person_id, position=Position.CHAIR, active=True
        ).exists()
    )


def may_approve(actor) -> bool:
    return has(actor, FAO) or (has(actor, COMMITTEE) and is_chair(actor))


def may_upload(actor, item) -> bool:
    """The office, or the clerk and leader of the unit that submitted ``item``."""
    return permissions.may(actor, UPLOADERS, item)


def meeting_actions(actor, meeting) -> dict[str, bool]:
    minutes = getattr(meeting, "minutes", None) if hasattr(meeting, "minutes") else None
    open_ = minutes is None or minutes.state != MinutesState.ISSUED
    return {
        "edit": has(actor, OFFICE) and open_,
        "hold": MEETING.refusal(meeting, "hold", actor) is None,
        "add_item": has(actor, OFFICE) and open_,
        "attendance": has(actor, OFFICE) and open_,
        "opinion": has(actor, OFFICE) and meeting.state == MeetingState.HELD and open_,
        "draft_minutes": has(actor, OFFICE)
        and meeting.state == MeetingState.HELD
        and minutes is None,
    }


def minutes_actions(actor, minutes) -> dict[str, bool]:
    draft = minutes.state == MinutesState.DRAFT
    return {
        "edit": draft and has(actor, OFFICE),
        "submit": MINUTES.refusal(minutes, "submit", actor) is None,
        "return": MINUTES.refusal(minutes, "return", actor) is None,
        "issue": MINUTES.refusal(minutes, "issue", actor) is None,
        "to_task": minutes.state == MinutesState.ISSUED and has(actor, OFFICE),
    }
