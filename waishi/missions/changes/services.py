"""Change requests (变更申请) of an approved trip and its versioned itinerary
(policy-rules.md ``ITINERARY_CHANGE``: an added country, a detour, a longer stay -- and a
change of members -- need an approved change request before they happen).

A clerk of the trip's unit drafts one change at a time while the trip is approved or
abroad (``change_create`` / ``change_update``): the whole itinerary as proposed (dates,
stops, members picked from the unit's people) and the reason, saved as typed, every
write naming the version of the request it was based on. ``change_submit`` re-runs the
policy check on the trip *as it would be* (the mission's own data with the proposal's
dates, stops and members): an error blocks, a warning (or a *principle* error) needs a
written justification, a proposal that changes nothing is refused; the check is stored
on the request and its own approval chain starts (subject type ``missions.change``).

``change_decide`` is the subject's decide function (the decision page, the approvals
queue and bulk approval all go through it), as ``mission_decide`` is for the trip: the
decision template (``approvals.deciding.subject_decide``) with the change's hooks
(``ChangeDecision``): the step decided (who may decide, delegation, no self-approval),
the policy check re-run before an approval, and at the last approval
the change applied in the same transaction: the next ``ItineraryVersion`` (base + 1,
linked to the request), the trip's dates, ``Stop`` and ``Member`` rows as proposed,
``Mission.itinerary_version`` moved on. Applying is refused when another change took
effect since the request's base, when the trip is back or closed, or when a member to
be removed cannot go (the Party branch's secretary, a member named in an incident, the
head with no new head named).

Locks are always taken mission first, then the request. Every state change is one
audit event on the change request (``missions.changerequest.*``), with what is needed
to read it later (the differences, the removed members' education).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.approvals import services as approvals
from waishi.approvals.deciding import Decided, Override, subject_decide
from waishi.approvals.deciding import describe as describe_findings
from waishi.approvals.selectors import can_decide, current_step, steps_for
from waishi.audit.services import diff, record
from waishi.lib.roles import CLERKS
from waishi.missions.changes.workflow import CHANGE, EDITABLE_STATES, IN_CHAIN, OPEN_STATES
from waishi.missions.core import checking, itinerary
from waishi.missions.core.checking import highest_rank
from waishi.missions.core.common import StaleVersion, _clean_justifications, _country, _date, _text
from waishi.missions.models import (
    ChangeRequest,
    ChangeState,
    Education,
    Incident,
    ItineraryVersion,
    LeaderAcknowledgment,
    Member,
    Mission,
    PartyBranch,
    State,
    Stop,
)
from waishi.orgs import permissions, scoping
from waishi.orgs.models import Person, User
from waishi.policy.labels import input_error_words
from waishi.policy.types import InputError

SUBJECT = "missions.change"
REQUESTERS = CLERKS
# A change is requested for an approved trip, before departure or while abroad.
CHANGEABLE_STATES = frozenset({State.APPROVED, State.ABROAD})
DECISIONS = ("approve", "return", "reject")
MAX_STOPS = 30
MAX_MEMBERS = 60


# -- who may do what ---------------------------------------------------------------------------


def _is_own_clerk(actor, mission: Mission) -> bool:
    return permissions.may(actor, REQUESTERS, mission)


def may_request(actor, mission: Mission) -> bool:
    """May ``actor`` draft a change of ``mission`` now (role, unit, state)? An open
    change already in flight is not considered here (the page shows it instead)."""
    return _is_own_clerk(actor, mission) and mission.state in CHANGEABLE_STATES


def may_edit(actor, change: ChangeRequest) -> bool:
    return (
        _is_own_clerk(actor, change.mission)
        and change.state in EDITABLE_STATES
        and change.mission.state in CHANGEABLE_STATES
    )


def _require_clerk(actor, mission: Mission) -> None:
    if not _is_own_clerk(actor, mission):
        raise PermissionDenied(_("Only a clerk of the trip's unit requests changes to it."))


def _state_refusal(mission: Mission) -> str | None:
    if mission.state not in CHANGEABLE_STATES:
        return _(
            "Changes are requested for an approved trip, before or during the travel (this trip "
            "is %(state)s)."
        ) % {"state": mission.get_state_display()}
    return None


def _require_changeable(mission: Mission) -> None:
    refusal = _state_refusal(mission)
    if refusal:
        raise ValidationError(refusal, code="state")


def _lock_mission(actor, mission: Mission) -> Mission:
    """The mission under a row lock, after the permission check (before and after the
    read). Call inside ``transaction.atomic()``."""
    _require_clerk(actor, mission)
    locked = Mission.objects.select_for_update().get(pk=mission.pk)
    _require_clerk(actor, locked)
    return locked


def _lock_change(mission: Mission, change: ChangeRequest, version: Any = None) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if locked.mission_id != mission.pk:
        raise PermissionDenied(_("This change request belongs to another trip."))
    if version not in (None, ""):
        try:
            stale = int(version) != locked.version
        except (TypeError, ValueError):
            stale = True
        if stale:
            raise StaleVersion(
                _(
                    "This change request was changed in another window or by someone else since "
                    "you opened it. Nothing was saved: reload the page to see the current "
                    "version, then make your change again."
                ),
                code="stale",
            )
    return locked


# -- the proposal ------------------------------------------------------------------------------


def _person_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _iso(value) -> str | None:
    day = _date(value)
    return day.isoformat() if day else None


def clean_proposal(actor, mission: Mission, raw: Any) -> dict:
    """The proposed itinerary as it can be stored: dates (ISO), stops as typed (empty rows
    dropped), members -- the trip's own, or people ``actor`` may pick (the unit's active
    people) -- with their name, unit and post filled in here, never taken from the
    input. Refuses only what cannot be stored (a person not to be picked, a member twice,
    two heads); what is missing is named at submission."""
    if not isinstance(raw, dict):
        raise ValidationError(_("The proposed itinerary is not readable."))
    out: dict[str, Any] = {
        "departure_date": _iso(raw.get("departure_date")),
        "return_date": _iso(raw.get("return_date")),
        "stops": [],
        "members": [],
    }
    rows = raw.get("stops") or []
    if not isinstance(rows, list) or len(rows) > MAX_STOPS:
        raise ValidationError({"stops": _("At most %(count)d stops.") % {"count": MAX_STOPS}})
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError({"stops": _("A stop is not readable.")})
        stop = {
            "country": _country(row.get("country")),
            "city": _text(row.get("city"))[:100],
            "arrive": _iso(row.get("arrive")),
            "depart": _iso(row.get("depart")),
            "transit_airside": bool(row.get("transit_airside")),
        }
        if any(stop[k] for k in ("country", "city", "arrive", "depart")):
            out["stops"].append(stop)
    rows = raw.get("members") or []
    if not isinstance(rows, list) or len(rows) > MAX_MEMBERS:
        raise ValidationError({"members": _("At most %(count)d members.") % {"count": MAX_MEMBERS}})
    wanted: list[tuple[int, dict]] = []
    for row in rows:
        pid = _person_id(row.get("person_id")) if isinstance(row, dict) else None
        if pid is None:
            raise ValidationError({"members": _("Choose a person from the list.")})
        if any(pid == seen for seen, _row in wanted):
            raise ValidationError({"members": _("This person is already a member.")})
        wanted.append((pid, row))
    current = {
        m.person_id: m
        for m in Member.objects.filter(mission=mission).select_related("person__unit")
    }
    new_ids = [pid for pid, _row in wanted if pid not in current]
    people = {
        p.pk: p
        for p in scoping.visible(actor, Person)
        .filter(pk__in=new_ids, is_active=True)
        .select_related("unit")
    }
    if set(new_ids) - set(people):
        raise ValidationError({"members": _("Choose a person from the list.")})
    for pid, row in wanted:
        if pid in current:
            member = itinerary.member_dict(current[pid])
        else:
            person = people[pid]
            member = {
                "person_id": pid,
                "name": person.name,
                "unit": person.unit.name if person.unit_id else "",
                "post": person.post or "",
            }
        member["task"] = _text(row.get("task"))[:2000]
        member["is_leader"] = bool(row.get("is_leader"))
        out["members"].append(member)
    if sum(1 for m in out["members"] if m["is_leader"]) > 1:
        raise ValidationError({"members": _("Only one member can head the delegation.")})
    return out


def base_of(change: ChangeRequest) -> dict:
    """The itinerary version the change was based on, as a version dict."""
    version = ItineraryVersion.objects.filter(
        mission_id=change.mission_id, number=change.base_number
    ).first()
    if version is not None:
        return itinerary.version_dict(version)
    return itinerary.current(change.mission)


def completeness(mission: Mission, change: ChangeRequest) -> dict[str, list[str]]:
    """What a change must have before anyone is asked to judge it."""
    errors: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    proposed = change.proposed or {}
    if not proposed.get("departure_date"):
        need("departure_date", _("Give the departure date."))
    if not proposed.get("return_date"):
        need("return_date", _("Give the return date."))
    stops = proposed.get("stops") or []
    if not stops:
        need("stops", _("Add at least one stop to the itinerary."))
    for number, stop in enumerate(stops, start=1):
        if not stop.get("country") or not stop.get("arrive") or not stop.get("depart"):
            need(
                "stops",
                _("Stop %(number)d needs a country, an arrival and a departure date.")
                % {"number": number},
            )
    members = proposed.get("members") or []
    if not members:
        need("members", _("Add the members of the delegation."))
    elif sum(1 for m in members if m.get("is_leader")) != 1:
        need("members", _("Mark one member as head of the delegation."))
    if not (change.reason or "").strip():
        need("reason", _("Give the reason for the change."))
    if mission.state == State.ABROAD:
        base = base_of(change)
        if proposed.get("departure_date") != base.get("departure_date"):
            need(
                "departure_date",
                _("The delegation has left: its departure date can no longer change."),
            )
    return errors


def removal_refusals(mission: Mission, proposed: dict) -> list[str]:
    """Why members the proposal leaves out cannot be removed (empty: they can)."""
    keep = {m.get("person_id") for m in proposed.get("members") or []}
    has_head = any(m.get("is_leader") for m in proposed.get("members") or [])
    refusals: list[str] = []
    removed = (
        Member.objects.filter(mission=mission)
        .exclude(person_id__in=[pid for pid in keep if pid])
        .select_related("person")
        .order_by("order", "pk")
    )
    for member in removed:
        name = member.person.name
        if member.is_leader and not has_head:
            refusals.append(
                _("%(name)s heads the delegation: name another head before removing them.")
                % {"name": name}
            )
        if PartyBranch.objects.filter(mission=mission, secretary=member).exists():
            refusals.append(
                _(
                    "%(name)s is the secretary of the temporary Party branch: record another "
                    "secretary before removing them."
                )
                % {"name": name}
            )
        if Incident.objects.filter(member=member).exists():
            refusals.append(
                _(
                    "%(name)s is named in an incident of this trip and stays on the record of "
                    "the delegation."
                )
                % {"name": name}
            )
    return refusals


def apply_refusal(mission: Mission, change: ChangeRequest) -> str | None:
    """Why ``change`` cannot take effect now (None: it can): the trip is no longer
    approved or abroad, or the itinerary in force is no longer the change's base."""
    refusal = _state_refusal(mission)
    if refusal:
        return refusal
    if mission.itinerary_version != change.base_number:
        return _(
            "The itinerary in force is now version %(now)s, not version %(base)s on which this "
            "change was based: withdraw it and request the change again."
        ) % {"now": mission.itinerary_version, "base": change.base_number}
    return None


# -- the policy check of the trip as it would be -----------------------------------------------


def proposal_input(mission: Mission, proposed: dict) -> dict:
    """The contract's input for ``mission`` as ``proposed`` would make it: the trip's own
    data (category, plan, invitation, schedule, budget; the day of submission of the trip
    for lead time), with the proposal's dates, stops and members -- each member read from
    the person today, with their earlier trips."""
    data = checking.trip_data(mission, frozen=True)
    for key in ("departure_date", "return_date"):
        if proposed.get(key):
            data[key] = proposed[key]
        else:
            data.pop(key, None)
    data["stops"] = []
    for stop in proposed.get("stops") or []:
        row = {k: stop[k] for k in ("country", "city", "arrive", "depart") if stop.get(k)}
        row["transit_airside"] = bool(stop.get("transit_airside"))
        data["stops"].append(row)
    ids = [m["person_id"] for m in proposed.get("members") or []]
    rows = {
        m.person_id: m
        for m in Member.objects.filter(mission=mission).select_related("person__unit")
    }
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("unit")}
    trips = checking.earlier_trips(ids, exclude_mission_id=mission.pk)
    data["members"] = []
    for proposed_member in proposed.get("members") or []:
        pid = proposed_member["person_id"]
        member = rows.get(pid)
        if member is None:
            if pid not in people:
                continue
            member = Member(mission=mission, person=people[pid])
        member.task = proposed_member.get("task") or ""
        data["members"].append(checking.member_data(member, trips.get(pid, [])))
    return data


def _judge(mission: Mission, data: dict) -> dict:
    try:
        return checking.run_check(mission, on=timezone.localdate(), data=data)
    except InputError as exc:
        raise ValidationError(
            _("The change cannot be checked yet: %(problem)s")
            % {"problem": input_error_words(exc)},
            code="policy",
        ) from None


def recheck(change: ChangeRequest) -> dict:
    """The policy check of the trip as the change would make it, today."""
    mission = change.mission
    return _judge(mission, proposal_input(mission, change.proposed or {}))


def _justification(mission: Mission, given: dict[str, str], finding: dict) -> str:
    """The change's own justification of a finding; else the trip's, for a finding not
    about one member (member indexes move when members change); for 计划外 also the
    trip's written reason."""
    key = checking.finding_key(finding)
    if given.get(key):
        return given[key]
    if finding["rule"] == "NOT_IN_PLAN" and mission.out_of_plan_reason:
        return mission.out_of_plan_reason
    if "#" not in key:
        return (mission.justifications or {}).get(key, "")
    return ""


def _describe(findings: list[dict]) -> list[str]:
    return describe_findings(findings)


def _facts(mission: Mission, change: ChangeRequest, data: dict, result: dict, diff) -> dict:
    """What the approval rules decide on: as for the trip (``chain_facts``), with the
    kinds of change and the countries it adds."""
    justified = [f for f in result["findings"] if checking.needs_justification(f)]
    return {
        "category": result["category"],
        "highest_rank": highest_rank(data["members"]),
        "out_of_plan": not data["in_annual_plan"],
        "countries": list(result["countries"]),
        "budget_total": float(mission.budget_total_cny or 0),
        "policy_flags": sorted({f["rule"] for f in justified if checking.is_principle(f)}),
        "warnings_justified": sorted(
            {f["rule"] for f in justified if not checking.is_principle(f)}
        ),
        "change_kinds": list(change.kinds or []),
        "countries_added": list(diff.countries_added),
        "member_person_ids": [m["person_id"] for m in (change.proposed or {}).get("members", [])],
        "created_by_id": change.created_by_id,
        "mission": mission.pk,
    }


# -- drafting ----------------------------------------------------------------------------------


def change_create(
    *,
    actor,
    mission: Mission,
    proposed: dict | None = None,
    reason: str = "",
    justifications: dict | None = None,
    ip: str = "",
) -> ChangeRequest:
    """Draft a change of an approved (or abroad) trip: ``proposed`` is the whole
    itinerary as it should be (default: the itinerary in force, to be edited). One
    change in flight per trip. Records version 1 first if the trip has none yet."""
    with transaction.atomic():
        locked = _lock_mission(actor, mission)
        _require_changeable(locked)
        if ChangeRequest.objects.filter(mission=locked, state__in=OPEN_STATES).exists():
            raise ValidationError(
                _(
                    "This trip already has a change request in progress: finish or withdraw it "
                    "first."
                ),
                code="open",
            )
        had_version = bool(locked.itinerary_version)
        if itinerary.record_first(locked, actor) is None:
            raise ValidationError(_("The trip has no approved dates to change."), code="dates")
        base = itinerary.current(locked)
        value = copy.deepcopy(base) if proposed is None else clean_proposal(actor, locked, proposed)
        last = ChangeRequest.objects.filter(mission=locked).aggregate(n=Max("number"))["n"] or 0
        change = ChangeRequest.objects.create(
            mission=locked,
            number=last + 1,
            base_number=locked.itinerary_version,
            kinds=itinerary.kinds_of(base, value),
            reason=_text(reason)[:4000],
            proposed=value,
            justifications=_clean_justifications(justifications or {}),
            created_by=actor,
        )
        record(
            action="missions.changerequest.create",
            actor=actor,
            obj=change,
            ip=ip,
            after={"reason": change.reason, "kinds": change.kinds},
            data={
                "mission": locked.pk,
                "number": change.number,
                "base_number": change.base_number,
                "first_version_recorded": not had_version,
                "proposed": value,
            },
        )
    return change


def change_update(
    *,
    actor,
    change: ChangeRequest,
    version: Any = None,
    proposed: dict | None = None,
    reason: str | None = None,
    justifications: dict | None = None,
    ip: str = "",
) -> ChangeRequest:
    """Save the draft (or a returned change) as typed: the whole proposed itinerary, the
    reason, justifications (an empty text removes one). Refused when ``version`` is not
    the request's current version (another tab saved first)."""
    with transaction.atomic():
        mission = _lock_mission(actor, change.mission)
        locked = _lock_change(mission, change, version)
        if locked.state not in EDITABLE_STATES:
            raise ValidationError(
                _("The change request is %(state)s and can no longer be edited.")
                % {"state": locked.get_state_display()},
                code="state",
            )
        _require_changeable(mission)
        fields = ("reason", "proposed", "justifications")
        before = {name: copy.deepcopy(getattr(locked, name)) for name in fields}
        if proposed is not None:
            locked.proposed = clean_proposal(actor, mission, proposed)
        if reason is not None:
            locked.reason = _text(reason)[:4000]
        if justifications is not None:
            merged = dict(locked.justifications or {})
            for key, text in justifications.items():
                text = _text(text)[:4000]
                if text:
                    merged[str(key)[:100]] = text
                else:
                    merged.pop(str(key), None)
            locked.justifications = merged
        old, new = diff(before, {name: getattr(locked, name) for name in fields})
        if not new:
            return locked
        kinds_before = list(locked.kinds or [])
        locked.kinds = itinerary.kinds_of(base_of(locked), locked.proposed)
        locked.version += 1
        locked.save(update_fields=[*new, "kinds", "version"])
        # The history shows the readable fields; the itinerary itself, before and after,
        # is kept in the event's data (the compare page shows it side by side).
        shown = ("reason", "justifications")
        record(
            action="missions.changerequest.update",
            actor=actor,
            obj=locked,
            ip=ip,
            before={**{k: v for k, v in old.items() if k in shown}, "kinds": kinds_before},
            after={**{k: v for k, v in new.items() if k in shown}, "kinds": locked.kinds},
            data={
                "mission": mission.pk,
                "number": locked.number,
                "proposed_before": old.get("proposed"),
                "proposed": new.get("proposed"),
            },
        )
    return locked


def change_submit(
    *,
    actor,
    change: ChangeRequest,
    version: Any = None,
    justifications: dict | None = None,
    ip: str = "",
) -> ChangeRequest:
    """Submit (or resubmit after a return): complete, something changes, the trip as it
    would be passes the policy check (errors block; warnings and *principle* errors need
    a justification); then the check is stored, the workflow moves and the change's own
    approval chain starts -- in one transaction, so a refusal changes nothing."""
    with transaction.atomic():
        mission = _lock_mission(actor, change.mission)
        locked = _lock_change(mission, change, version)
        action = "submit" if locked.state == ChangeState.DRAFT else "resubmit"
        refusal = CHANGE.refusal(locked, action, actor)
        if refusal is not None:
            raise ValidationError(refusal, code="workflow")
        refusal = apply_refusal(mission, locked)
        if refusal is not None:
            raise ValidationError(refusal, code="stale")
        given = dict(locked.justifications or {})
        given.update(_clean_justifications(justifications or {}))
        errors = completeness(mission, locked)
        if errors:
            raise ValidationError(errors)
        refusals = removal_refusals(mission, locked.proposed)
        if refusals:
            raise ValidationError({"members": refusals}, code="removal")
        base = base_of(locked)
        differences = itinerary.compare(base, locked.proposed)
        kinds = itinerary.kinds_of(base, locked.proposed)
        if not kinds:
            raise ValidationError(
                _("Nothing changes: the proposal is the itinerary in force."), code="empty"
            )
        data = proposal_input(mission, locked.proposed)
        result = _judge(mission, data)
        blocking = checking.blocking(result)
        if blocking:
            raise ValidationError(
                [
                    _("The trip as changed breaks a rule and the change cannot be submitted:"),
                    *_describe(blocking),
                ],
                code="policy",
            )
        missing = [
            f
            for f in result["findings"]
            if checking.needs_justification(f) and not _justification(mission, given, f)
        ]
        if missing:
            raise ValidationError(
                {
                    "justifications": [
                        _("Write a justification for: %(message)s") % {"message": f["message"]}
                        for f in missing
                    ]
                },
                code="justification",
            )
        kept = {
            checking.finding_key(f): _justification(mission, given, f)
            for f in result["findings"]
            if checking.needs_justification(f)
        }
        now = timezone.now()

        def store(row: ChangeRequest, transition) -> None:
            row.kinds = kinds
            row.policy_version = result["policy"]["version"]
            row.check_input = data
            row.check_result = result
            row.justifications = kept
            row.submitted_at = now
            row.version += 1

        submitted = CHANGE.apply(
            locked,
            action,
            actor=actor,
            ip=ip,
            effect=store,
            data={
                "mission": mission.pk,
                "number": locked.number,
                "base_number": locked.base_number,
                "kinds": kinds,
                "policy_version": result["policy"]["version"],
                "verdict": result["verdict"],
                "justified": sorted(kept),
                "differences": differences.summary(),
            },
        )
        submitted.kinds = kinds
        approvals.chain_start(
            actor=actor,
            subject_type=SUBJECT,
            subject_id=submitted.pk,
            unit=mission.unit,
            facts=_facts(mission, submitted, data, result, differences),
            ip=ip,
        )
    return submitted


def change_withdraw(
    *, actor, change: ChangeRequest, comment: str = "", ip: str = ""
) -> ChangeRequest:
    """The clerk withdraws the change (or discards a draft); open approval steps are
    cancelled in the same transaction."""
    with transaction.atomic():
        mission = _lock_mission(actor, change.mission)
        locked = _lock_change(mission, change)
        in_chain = locked.state in IN_CHAIN

        def bump(row: ChangeRequest, transition) -> None:
            row.version += 1

        withdrawn = CHANGE.apply(
            locked,
            "withdraw",
            actor=actor,
            ip=ip,
            comment=_text(comment)[:2000],
            effect=bump,
            data={"mission": mission.pk, "number": locked.number},
        )
        if in_chain:
            approvals.chain_cancel(actor=actor, subject_type=SUBJECT, subject_id=locked.pk, ip=ip)
    return withdrawn


# -- deciding ----------------------------------------------------------------------------------


def excluded_user_ids(pk: int) -> set[int]:
    """Who may not decide the change: its drafter, the trip's drafter, and the accounts of
    the members (those of the trip now and those the change would add)."""
    change = ChangeRequest.objects.filter(pk=pk).select_related("mission").first()
    if change is None:
        return set()
    people = set(
        Member.objects.filter(mission_id=change.mission_id).values_list("person_id", flat=True)
    )
    people |= {
        m.get("person_id") for m in (change.proposed or {}).get("members", []) if m.get("person_id")
    }
    users = set(User.objects.filter(person_id__in=people).values_list("pk", flat=True))
    users.add(change.created_by_id)
    if change.mission.created_by_id:
        users.add(change.mission.created_by_id)
    return users


def decision_state(user, change: ChangeRequest):
    """(the pending step or None, may ``user`` decide it, on whose behalf, why not)."""
    if change.state not in IN_CHAIN:
        return None, False, None, None
    step = current_step(SUBJECT, change.pk)
    if step is None:
        return None, False, None, None
    ok, behalf, reason = can_decide(user, step, excluded_user_ids=excluded_user_ids(change.pk))
    return step, ok, behalf, reason


def actions_for(actor, change: ChangeRequest) -> dict[str, bool]:
    """What ``actor`` may do with ``change`` now: the change's page shows these buttons (its
    edit form submits) and the API answers them as ``actions``."""
    editable = may_edit(actor, change)
    submit = "submit" if change.state == ChangeState.DRAFT else "resubmit"
    return {
        "edit": editable,
        "submit": editable and CHANGE.refusal(change, submit, actor) is None,
        "withdraw": CHANGE.refusal(change, "withdraw", actor) is None,
        "decide": bool(decision_state(actor, change)[1]),
    }


@dataclass(frozen=True)
class _Locked:
    """A change request and its trip, locked (trip first) for a decision."""

    mission: Mission
    change: ChangeRequest


class ChangeDecision:
    """The change request's hooks in the decision template
    (``approvals.deciding.subject_decide``): the policy check of the trip as changed
    before an approval, and at the last approval the change applied."""

    subject_type = SUBJECT
    comment_fields = None  # an approver comments on the change as a whole

    def lock(self, subject_id: int) -> _Locked:
        mission_id = (
            ChangeRequest.objects.filter(pk=subject_id).values_list("mission_id", flat=True).first()
        )
        if mission_id is None:
            raise ValidationError(_("Not found."))
        mission = Mission.objects.select_for_update().get(pk=mission_id)
        locked = ChangeRequest.objects.select_for_update().get(pk=subject_id)
        if locked.state not in IN_CHAIN:
            raise ValidationError(
                _("The change request is %(state)s: there is nothing to decide.")
                % {"state": locked.get_state_display()},
                code="state",
            )
        return _Locked(mission, locked)

    def excluded_user_ids(self, subject: _Locked) -> set[int]:
        return excluded_user_ids(subject.change.pk)

    def check(self, subject: _Locked, decision: str) -> list[dict]:
        mission, locked = subject.mission, subject.change
        refusal = apply_refusal(mission, locked)
        if refusal:
            raise ValidationError(refusal, code="stale")
        refusals = removal_refusals(mission, locked.proposed or {})
        if refusals:
            raise ValidationError(refusals, code="removal")
        result = _judge(mission, proposal_input(mission, locked.proposed or {}))
        errors = [f for f in result["findings"] if f["severity"] == "error"]
        hard = [f for f in errors if not checking.is_principle(f)]
        if hard:
            raise ValidationError(
                [
                    _("The trip as changed breaks a rule and the change cannot be approved:"),
                    *_describe(hard),
                ],
                code="policy",
            )
        return [f for f in errors if checking.is_principle(f)]

    def overridden(self, subject: _Locked, rules: list[str]) -> bool:
        return False  # a change's override is given at its final approval

    def keep_override(self, subject: _Locked, override: Override, decided: Decided) -> None:
        """Kept in the approval's audit event (``transition``)."""

    def transition(self, subject: _Locked, decided: Decided) -> None:
        mission, locked, outcome = subject.mission, subject.change, decided.outcome
        data: dict[str, Any] = {
            "step": decided.step.pk,
            "outcome": outcome,
            "mission": mission.pk,
            "number": locked.number,
        }
        if outcome == "approved" and decided.override is not None:
            data["override_rules"] = decided.override.rules
            data["override_reason"] = decided.override.reason
        now = timezone.now()

        def stamp(row: ChangeRequest, transition) -> None:
            row.decided_at = now
            row.version += 1

        def bump(row: ChangeRequest, transition) -> None:
            row.version += 1

        common = {
            "actor": decided.actor,
            "ip": decided.ip,
            "comment": decided.comment,
            "on_behalf_of": decided.on_behalf_of,
        }
        if outcome == "next":
            if locked.state == ChangeState.SUBMITTED:
                CHANGE.apply(locked, "review", data=data, **common)
        elif outcome == "returned":
            CHANGE.apply(locked, "return", data=data, effect=bump, **common)
        elif outcome == "rejected":
            CHANGE.apply(locked, "reject", data=data, effect=stamp, **common)
        else:  # "approved": the last step -- the change takes effect
            applied = _apply(actor=decided.actor, mission=mission, change=locked)
            CHANGE.apply(locked, "approve", data={**data, **applied}, effect=stamp, **common)


DECISION = ChangeDecision()


def change_decide(
    *,
    actor,
    change: ChangeRequest,
    decision: str,
    comment: str = "",
    override_reason: str = "",
    ip: str = "",
) -> str:
    """Decide the change's pending approval step as ``actor`` ("approve", "return",
    "reject") and move the change; at the last approval apply it -- through the decision
    template with the change's hooks. Returns the approvals outcome ("next", "approved",
    "returned", "rejected"). Raises PermissionDenied or ValidationError and then changes
    nothing."""
    return subject_decide(
        DECISION,
        actor=actor,
        subject_id=change.pk,
        decision=decision,
        comment=comment,
        override_reason=override_reason,
        ip=ip,
    )


def _stop_key(stop) -> tuple[str, str]:
    if isinstance(stop, dict):
        return (str(stop.get("country") or "").upper(), str(stop.get("city") or "").strip().lower())
    return ((stop.country or "").upper(), (stop.city or "").strip().lower())


def _apply(*, actor, mission: Mission, change: ChangeRequest) -> dict:
    """Make the proposal the itinerary in force (inside ``change_decide``'s transaction,
    the mission locked): the trip's dates, its stops (a stop kept where its place stays,
    so budget lines keep their stop), its members (kept, added, removed -- a removed
    member's education goes with the row, the event keeps it), and the next version.
    Returns what the audit event keeps."""
    proposed = change.proposed or {}
    base = base_of(change)
    departure = _date(proposed.get("departure_date"))
    back = _date(proposed.get("return_date"))
    if departure is None or back is None or back < departure:
        raise ValidationError(_("The proposed dates are not in order."), code="dates")

    refusals = removal_refusals(mission, proposed)
    if refusals:
        raise ValidationError(refusals, code="removal")

    # Stops.
    pool: dict[tuple, list[Stop]] = defaultdict(list)
    for stop in Stop.objects.filter(mission=mission).order_by("order", "pk"):
        pool[_stop_key(stop)].append(stop)
    kept: list[int] = []
    for order, row in enumerate(proposed.get("stops") or [], start=1):
        candidates = pool.get(_stop_key(row))
        stop = candidates.pop(0) if candidates else Stop(mission=mission)
        stop.order = order
        stop.country = row.get("country") or ""
        stop.city = row.get("city") or ""
        stop.arrive = _date(row.get("arrive"))
        stop.depart = _date(row.get("depart"))
        stop.transit_airside = bool(row.get("transit_airside"))
        stop.save()
        kept.append(stop.pk)
    Stop.objects.filter(mission=mission).exclude(pk__in=kept).delete()

    # Members.
    wanted = [m["person_id"] for m in proposed.get("members") or []]
    current = {
        m.person_id: m
        for m in Member.objects.filter(mission=mission).select_related("person").order_by("order")
    }
    removed: list[dict] = []
    gone = [m for pid, m in current.items() if pid not in wanted]
    for member in gone:
        education = Education.objects.filter(member=member).first()
        acknowledgment = LeaderAcknowledgment.objects.filter(mission=mission, member=member).first()
        removed.append(
            {
                "member": member.pk,
                "person": member.person_id,
                "name": member.person.name,
                "task": member.task,
                "was_head": member.is_leader,
                "education": {
                    "given_on": education.given_on.isoformat(),
                    "method": education.method,
                    "given_by": education.given_by,
                    "note": education.note,
                }
                if education
                else None,
                "acknowledged_on": acknowledgment.acknowledged_on.isoformat()
                if acknowledgment
                else None,
            }
        )
        if acknowledgment is not None:
            acknowledgment.delete()  # given by a member who is no longer on the trip
    # One head per delegation is a database constraint: clear it before setting it.
    Member.objects.filter(mission=mission, is_leader=True).update(is_leader=False)
    Member.objects.filter(pk__in=[m.pk for m in gone]).delete()  # education goes with it
    members = proposed.get("members") or []
    checked = (change.check_input or {}).get("members") or []
    frozen = checked if len(checked) == len(members) else [None] * len(members)
    for order, (row, snapshot) in enumerate(zip(members, frozen, strict=True), start=1):
        member = current.get(row["person_id"])
        if member is None or member in gone:
            Member.objects.create(
                mission=mission,
                person_id=row["person_id"],
                order=order,
                task=row.get("task") or "",
                is_leader=bool(row.get("is_leader")),
                snapshot=snapshot,
            )
            continue
        member.order = order
        member.task = row.get("task") or ""
        member.is_leader = bool(row.get("is_leader"))
        fields = ["order", "task", "is_leader"]
        if snapshot is not None:
            member.snapshot = snapshot
            fields.append("snapshot")
        member.save(update_fields=fields)

    number = change.base_number + 1
    mission.departure_date = departure
    mission.return_date = back
    mission.itinerary_version = number
    mission.version += 1
    mission.save(
        update_fields=[
            "departure_date",
            "return_date",
            "itinerary_version",
            "version",
            "updated_at",
        ]
    )
    now_in_force = itinerary.snapshot(mission)
    ItineraryVersion.objects.create(
        mission=mission,
        number=number,
        departure_date=departure,
        return_date=back,
        stops=now_in_force["stops"],
        members=now_in_force["members"],
        change_request=change,
        created_by=actor,
    )
    return {
        "new_version": number,
        "base_number": change.base_number,
        "kinds": list(change.kinds or []),
        "differences": itinerary.compare(base, now_in_force).summary(),
        "removed_members": removed,
    }


# -- reads for the pages -----------------------------------------------------------------------


def chain_of(change: ChangeRequest) -> list:
    """Every step of every round of the change's chain, with ``spent`` (as the trip's)."""
    now = timezone.now()
    steps = list(steps_for(SUBJECT, change.pk))
    for step in steps:
        if step.started_at and step.decided_at:
            step.spent = step.decided_at - step.started_at
        elif step.started_at and step.state == "pending":
            step.spent = now - step.started_at
        else:
            step.spent = None
    return steps
