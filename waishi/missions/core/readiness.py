"""What a trip needs before departure (出发前准备), and two registries other apps plug into.

``SUBMIT_GUARDS``: callables ``guard(unit) -> str | None`` that other apps append to (in
their ``AppConfig.ready()``). ``mission_submit`` calls each with the mission's unit and
refuses -- a ``ValidationError`` with the message, nothing changed -- when one returns a
message (the passports app locks a unit's new submissions while a passport is overdue).

``CLOSE_CHECKS`` (what a trip needs before it closes) and ``RETURN_HOOKS`` (told when the
actual return is confirmed) work the same way.

``DEPARTURE_CHECKS``: callables ``check(mission) -> list[tuple[str, bool]]`` that add
lines (label, done) to the pre-departure checklist (the passports app adds "passports
issued"). A line not done blocks departure.

This app's own lines: the head of delegation named and acknowledged, every member
educated (``EDUCATION``), the temporary Party branch when the policy in force makes it
mandatory (``PARTY_BRANCH``), and the pre-trip publicity run or exempted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.missions.core import checking
from waishi.missions.core.publicity import publicity_refusal
from waishi.missions.models import (
    LeaderAcknowledgment,
    Member,
    PartyBranch,
    ReportState,
    TripReport,
)
from waishi.policy.types import InputError

if TYPE_CHECKING:
    from waishi.missions.models import Member, Mission

SUBMIT_GUARDS: list[Callable[..., str | None]] = []
DEPARTURE_CHECKS: list[Callable[..., list[tuple[str, bool]]]] = []
# ``check(mission) -> list[tuple[str, bool]]``: what must hold before a trip closes, after
# this app's own line (the report accepted). The passports app adds "passports back".
CLOSE_CHECKS: list[Callable[..., list[tuple[str, bool]]]] = []
# ``hook(mission)``: called inside the transaction that confirms the return, after the
# actual date is stored (the passports app moves the due dates of passports still out).
RETURN_HOOKS: list[Callable[..., None]] = []


def submit_refusal(unit) -> str | None:
    """The first message a submit guard returns for ``unit`` (None: nothing refuses)."""
    for guard in list(SUBMIT_GUARDS):
        message = guard(unit)
        if message:
            return str(message)
    return None


# -- the parts --------------------------------------------------------------------------------


def leader_of(mission: Mission) -> Member | None:
    """The member flagged head of the delegation (None when there is none)."""
    return Member.objects.filter(mission=mission, is_leader=True).select_related("person").first()


def leader_acknowledged(mission: Mission) -> bool:
    """True when the current head of the delegation has acknowledged (an acknowledgment
    by someone who is no longer the head does not count)."""
    leader = leader_of(mission)
    return (
        leader is not None
        and LeaderAcknowledgment.objects.filter(mission=mission, member=leader).exists()
    )


def education_complete(mission: Mission) -> bool:
    """True when the trip has members and every one has a pre-departure education record."""
    members = Member.objects.filter(mission=mission)
    return members.exists() and not members.filter(education__isnull=True).exists()


@dataclass(frozen=True)
class BranchRule:
    """What ``PARTY_BRANCH`` says of a trip under the policy in force."""

    applies: bool  # enough Party members: the finding is there
    mandatory: bool  # 应 (must) rather than 可以 (may)
    party_members: int
    message: str = ""

    @property
    def required(self) -> bool:
        return self.applies and self.mandatory


def party_branch_rule(mission: Mission) -> BranchRule:
    """Whether the policy's ``PARTY_BRANCH`` finding applies to the delegation as
    submitted (members frozen at submission), judged under the policy version in force
    today; ``mandatory`` is that version's parameter. Falls back to the check stored at
    submission when the record cannot be judged again."""
    try:
        data = checking.trip_data(mission, frozen=True)
        result = checking.run_check(mission, on=timezone.localdate(), data=data)
    except InputError:
        result = mission.check_result or {"findings": []}
    for finding in result.get("findings", []):
        if finding.get("rule") == "PARTY_BRANCH":
            data = finding.get("data") or {}
            return BranchRule(
                applies=True,
                mandatory=bool(data.get("mandatory")),
                party_members=int(data.get("count") or 0),
                message=finding.get("message", ""),
            )
    return BranchRule(applies=False, mandatory=False, party_members=0)


def party_branch_recorded(mission: Mission) -> bool:
    return PartyBranch.objects.filter(mission=mission).exists()


def publicity_done(mission: Mission) -> bool:
    """The pre-trip publicity has run its period, or the trip was exempted."""
    return publicity_refusal(mission) is None


# -- the checklist ----------------------------------------------------------------------------


def own_lines(mission: Mission, branch: BranchRule | None = None) -> list[tuple[str, bool]]:
    """This app's lines of the checklist (the Party branch only when it is mandatory)."""
    lines = [
        (_("Head of delegation named and acknowledged"), leader_acknowledged(mission)),
        (_("Every member has had pre-departure discipline education"), education_complete(mission)),
    ]
    branch = branch or party_branch_rule(mission)
    if branch.required:
        lines.append((_("Temporary Party branch formed"), party_branch_recorded(mission)))
    lines.append((_("Pre-trip publicity run or exempted"), publicity_done(mission)))
    return lines


def departure_checklist(mission: Mission) -> list[tuple[str, bool]]:
    """The lines of the pre-departure checklist (label, done): this app's own lines,
    then every line of ``DEPARTURE_CHECKS``."""
    lines = own_lines(mission)
    for check in list(DEPARTURE_CHECKS):
        lines.extend((str(label), bool(done)) for label, done in check(mission))
    return lines


def departure_blockers(mission: Mission) -> list[str]:
    """The labels of the checklist lines not done yet: what still blocks departure."""
    return [label for label, done in departure_checklist(mission) if not done]


# -- closing ---------------------------------------------------------------------------------


def report_accepted(mission: Mission) -> bool:
    return TripReport.objects.filter(mission=mission, state=ReportState.ACCEPTED).exists()


def close_checklist(mission: Mission) -> list[tuple[str, bool]]:
    """What a trip needs before it closes (label, done): the report accepted, then every
    line of ``CLOSE_CHECKS``."""
    lines = [(_("Trip report accepted by the FAO"), report_accepted(mission))]
    for check in list(CLOSE_CHECKS):
        lines.extend((str(label), bool(done)) for label, done in check(mission))
    return lines


def close_blockers(mission: Mission) -> list[str]:
    return [label for label, done in close_checklist(mission) if not done]
