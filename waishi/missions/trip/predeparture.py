"""Before departure (出发前准备): the head of delegation's acknowledgment, each member's
pre-departure discipline education (policy-rules.md ``EDUCATION``) and the temporary
Party branch (``PARTY_BRANCH``). Recorded by the trip's own unit (its clerk or leader)
for an approved trip only; each write locks the mission and records one audit event on
it, in the same transaction. What still blocks departure is ``missions.core.readiness``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import record
from waishi.lib.roles import UNIT_ROLES
from waishi.missions.core import readiness
from waishi.missions.core.common import _text
from waishi.missions.models import (
    Education,
    EducationMethod,
    LeaderAcknowledgment,
    Member,
    Mission,
    PartyBranch,
    State,
)
from waishi.orgs import permissions

PREPARERS = UNIT_ROLES
# The states in which the unit prepares the departure (the next part adds "abroad" ...).
PREPARABLE_STATES = frozenset({State.APPROVED})


def may_prepare(actor, mission: Mission) -> bool:
    """May ``actor`` record the preparations of ``mission`` now (role, unit, state)?"""
    return permissions.may(actor, PREPARERS, mission) and mission.state in PREPARABLE_STATES


def _lock(actor, mission: Mission) -> Mission:
    """The mission under a row lock, after the permission and state checks. Call inside
    ``transaction.atomic()``."""
    if not permissions.may(actor, PREPARERS, mission):
        raise PermissionDenied(_("Only the trip's own unit records its preparations."))
    locked = Mission.objects.select_for_update().get(pk=mission.pk)
    if not permissions.acts_for(actor, locked):
        raise PermissionDenied(_("Only the trip's own unit records its preparations."))
    if locked.state not in PREPARABLE_STATES:
        raise ValidationError(
            _("Preparations are recorded only for an approved trip (this one is %(state)s).")
            % {"state": locked.get_state_display()},
            code="state",
        )
    return locked


def _member_of(mission: Mission, member: Member | int | None, field: str) -> Member:
    """``member`` re-read as a member of ``mission``; refused when it belongs elsewhere."""
    member_id = member.pk if isinstance(member, Member) else member
    found = (
        Member.objects.select_related("person").filter(mission=mission, pk=member_id).first()
        if member_id is not None
        else None
    )
    if found is None:
        raise ValidationError(
            {field: _("This person is not a member of this delegation.")}, code="member"
        )
    return found


def _past_date(value: Any, field: str, errors: dict, missing: str) -> date | None:
    if value in (None, ""):
        errors[field] = missing
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            errors[field] = _("Enter a valid date.")
            return None
    if value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")
        return None
    return value


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- the head of delegation --------------------------------------------------------------------


def leader_acknowledge(
    *, actor, mission: Mission, acknowledged_on: Any, note: str = "", ip: str = ""
) -> LeaderAcknowledgment:
    """Record that the head of delegation (the member flagged ``is_leader``) acknowledged,
    on ``acknowledged_on``. Recorded again (a corrected date, a new head), it replaces
    the earlier acknowledgment; both are in the history."""
    errors: dict[str, str] = {}
    day = _past_date(
        acknowledged_on, "acknowledged_on", errors, _("Give the day of the acknowledgment.")
    )
    note = _text(note)[:2000]
    with transaction.atomic():
        locked = _lock(actor, mission)
        if errors:
            raise ValidationError(errors)
        leader = readiness.leader_of(locked)
        if leader is None:
            raise ValidationError(
                _("The delegation has no head: the application must name one."), code="leader"
            )
        existing = LeaderAcknowledgment.objects.select_for_update().filter(mission=locked).first()
        before = (
            {
                "member": existing.member_id,
                "acknowledged_on": _iso(existing.acknowledged_on),
                "note": existing.note,
            }
            if existing
            else None
        )
        row = existing or LeaderAcknowledgment(mission=locked)
        row.member = leader
        row.acknowledged_on = day
        row.note = note
        row.recorded_by = actor
        row.recorded_at = timezone.now()
        row.save()
        record(
            action="missions.mission.leader_acknowledge",
            actor=actor,
            obj=locked,
            ip=ip,
            before=before,
            after={"member": leader.pk, "acknowledged_on": _iso(day), "note": note},
            data={"name": leader.person.name},
        )
    return row


# -- pre-departure education -------------------------------------------------------------------


def _education_values(row: Education) -> dict:
    return {
        "given_on": _iso(row.given_on),
        "method": row.method,
        "given_by": row.given_by,
        "note": row.note,
    }


def education_record(
    *,
    actor,
    mission: Mission,
    member: Member | int,
    given_on: Any,
    method: str,
    given_by: str,
    note: str = "",
    ip: str = "",
) -> Education:
    """Record (or correct) one member's pre-departure discipline education: the day, the
    form (集中培训, 个别谈话, 书面学习, 其他) and who gave it. One record per member; a
    correction keeps the first recorder and names who changed it, and the audit event
    holds the values before and after."""
    errors: dict[str, str] = {}
    day = _past_date(given_on, "given_on", errors, _("Give the date of the education."))
    method = _text(method)
    if method not in EducationMethod.values:
        errors["method"] = _("Choose the form of the education.")
    given_by = _text(given_by)[:200]
    if not given_by:
        errors["given_by"] = _("Say who gave the education.")
    note = _text(note)[:2000]
    with transaction.atomic():
        locked = _lock(actor, mission)
        target = _member_of(locked, member, "member")
        if errors:
            raise ValidationError(errors)
        existing = Education.objects.select_for_update().filter(member=target).first()
        now = timezone.now()
        if existing is None:
            row = Education(member=target, recorded_by=actor, recorded_at=now)
            before = None
            action = "missions.mission.education"
        else:
            row = existing
            before = _education_values(existing)
            row.updated_by = actor
            row.updated_at = now
            action = "missions.mission.education_update"
        row.given_on = day
        row.method = method
        row.given_by = given_by
        row.note = note
        after = _education_values(row)
        if before == after:
            return existing  # nothing changed: no write, no event
        row.save()
        record(
            action=action,
            actor=actor,
            obj=locked,
            ip=ip,
            before=before,
            after=after,
            data={"member": target.pk, "name": target.person.name},
        )
    return row


def education_record_many(
    *,
    actor,
    mission: Mission,
    members: list[Member | int] | None,
    given_on: Any,
    method: str,
    given_by: str,
    note: str = "",
    ip: str = "",
) -> list[Education]:
    """One education session recorded for several members at once (``members``; None:
    every member of the delegation): ``education_record`` for each, in one transaction,
    so each member's record and audit event are as if recorded one by one -- and any
    refusal (a person not a member, a bad date) records nobody."""
    if members is not None and not members:
        raise ValidationError(
            {"members": _("Choose at least one member of the delegation.")}, code="members"
        )
    with transaction.atomic():
        locked = _lock(actor, mission)
        if members is None:
            members = list(
                Member.objects.filter(mission=locked)
                .order_by("order", "pk")
                .values_list("pk", flat=True)
            )
            if not members:
                raise ValidationError(
                    {"members": _("The delegation has no members yet.")}, code="members"
                )
        seen: set[int] = set()
        rows = []
        for member in members:
            member_id = member.pk if isinstance(member, Member) else member
            if member_id in seen:
                continue
            seen.add(member_id)
            try:
                row = education_record(
                    actor=actor,
                    mission=locked,
                    member=member_id,
                    given_on=given_on,
                    method=method,
                    given_by=given_by,
                    note=note,
                    ip=ip,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "member" in exc.error_dict:
                    raise ValidationError(
                        {"members": exc.error_dict["member"]}, code="member"
                    ) from None
                raise
            rows.append(row)
    return rows


# -- the temporary Party branch ----------------------------------------------------------------


def _branch_values(row: PartyBranch) -> dict:
    return {
        "secretary": row.secretary_id,
        "members_count": row.members_count,
        "approved_by": row.approved_by,
        "approved_on": _iso(row.approved_on),
    }


def _is_party_member(member: Member) -> bool:
    if member.snapshot and "party_member" in member.snapshot:
        return bool(member.snapshot["party_member"])
    return bool(member.person.is_party_member)


def party_branch_record(
    *,
    actor,
    mission: Mission,
    secretary: Member | int | None,
    members_count: Any,
    approved_by: str,
    approved_on: Any,
    ip: str = "",
) -> PartyBranch:
    """Record (or correct) the temporary Party branch of a delegation to which the
    policy's ``PARTY_BRANCH`` finding applies (mandatory or optional as the policy in
    force says): the secretary (a Party member of the delegation), how many Party members
    it has, who approved it and when."""
    errors: dict[str, str] = {}
    day = _past_date(approved_on, "approved_on", errors, _("Give the day the branch was approved."))
    approved_by = _text(approved_by)[:200]
    if not approved_by:
        errors["approved_by"] = _("Say who approved the branch.")
    try:
        count = int(members_count)
    except (TypeError, ValueError):
        count = 0
    with transaction.atomic():
        locked = _lock(actor, mission)
        if not readiness.party_branch_rule(locked).applies:
            raise ValidationError(
                _("The policy in force does not call for a temporary Party branch on this trip."),
                code="not_applicable",
            )
        target = _member_of(locked, secretary, "secretary")
        size = Member.objects.filter(mission=locked).count()
        if not _is_party_member(target):
            errors["secretary"] = _("The secretary must be a Party member.")
        if not 1 <= count <= size:
            errors["members_count"] = _(
                "Give the number of Party members in the branch (1 to %(size)d)."
            ) % {"size": size}
        if errors:
            raise ValidationError(errors)
        existing = PartyBranch.objects.select_for_update().filter(mission=locked).first()
        before = _branch_values(existing) if existing else None
        row = existing or PartyBranch(mission=locked)
        row.secretary = target
        row.members_count = count
        row.approved_by = approved_by
        row.approved_on = day
        after = _branch_values(row)
        if before == after:
            return existing
        row.recorded_by = actor
        row.recorded_at = timezone.now()
        row.save()
        record(
            action="missions.mission.party_branch",
            actor=actor,
            obj=locked,
            ip=ip,
            before=before,
            after=after,
            data={"name": target.person.name},
        )
    return row
