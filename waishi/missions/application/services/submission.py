"""Submission and withdrawal: the application must be complete and pass the policy
check (warnings and principle errors justified), then it is frozen, stored with its
check, moved by the workflow and handed to the approval chain -- in one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.approvals import services as approvals
from waishi.approvals.deciding import describe as describe_findings
from waishi.missions.application.services.common import _lock
from waishi.missions.core import checking, readiness
from waishi.missions.core.checking import highest_rank
from waishi.missions.core.common import _clean_justifications, _text
from waishi.missions.core.workflow import MISSION
from waishi.missions.models import Member, Mission, State
from waishi.policy.labels import input_error_words
from waishi.policy.types import InputError


def completeness(mission: Mission) -> dict[str, list[str]]:
    """What must be there before anyone is asked to judge the application."""
    errors: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not mission.title:
        need("title", _("Give the trip a title."))
    if not mission.tasks:
        need("tasks", _("Describe the tasks of the trip."))
    if mission.departure_date is None:
        need("departure_date", _("Give the departure date."))
    if mission.return_date is None:
        need("return_date", _("Give the return date."))
    if not mission.invitation_source:
        need("invitation_source", _("Say where the invitation comes from."))
    elif mission.invitation_source != "none":
        if not mission.inviter:
            need("inviter", _("Name the inviter."))
        if not mission.invitation_letter:
            need("invitation_letter", _("Upload the invitation letter."))
    stops = list(mission.stops.all())
    if not stops:
        need("stops", _("Add at least one stop to the itinerary."))
    for number, stop in enumerate(stops, start=1):
        if not stop.country or stop.arrive is None or stop.depart is None:
            need(
                "stops",
                _("Stop %(number)d needs a country, an arrival and a departure date.")
                % {"number": number},
            )
    for day in mission.days.all():
        if day.date is None:
            need("days", _("Every day of the schedule needs a date."))
            break
    members = list(mission.members.all())
    if not members:
        need("members", _("Add the members of the delegation."))
    elif sum(1 for m in members if m.is_leader) != 1:
        need("members", _("Mark one member as head of the delegation."))
    lines = list(mission.budget_lines.all())
    for number, line in enumerate(lines, start=1):
        if (
            not line.country
            or not line.currency
            or None in (line.lodging_per_day, line.meals_per_day, line.incidentals_per_day)
        ):
            need(
                "budget",
                _(
                    "Budget line %(number)d needs a place, a currency and the lodging, meals "
                    "and incidentals per day."
                )
                % {"number": number},
            )
    if lines and mission.budget_total_cny is None:
        need("budget_total_cny", _("Give the total budget in yuan."))
    if not checking.in_annual_plan(mission) and not mission.out_of_plan_reason:
        need(
            "out_of_plan_reason",
            _("A trip outside the annual plan (计划外) needs a written reason."),
        )
    return errors


def _justification_of(mission: Mission, finding: dict, justifications: dict[str, str]) -> str:
    if finding["rule"] == "NOT_IN_PLAN":
        return mission.out_of_plan_reason or justifications.get("NOT_IN_PLAN", "")
    return justifications.get(checking.finding_key(finding), "")


def chain_facts(mission: Mission, data: dict, result: dict, member_count: int) -> dict:
    """What the approval rules decide on (``approvals.conditions``), from the contract's
    input and output of the check: the judged category, the highest rank, 计划外, the
    countries, the total budget in yuan, and the principle errors justified."""
    justified = [f for f in result["findings"] if checking.needs_justification(f)]
    return {
        "category": result["category"],
        "highest_rank": highest_rank(data["members"]),
        "out_of_plan": not data["in_annual_plan"],
        "countries": list(result["countries"]),
        # In yuan, as the clerk stated it (approval rules compare ``budget_over``).
        "budget_total": float(mission.budget_total_cny or 0),
        "budget_totals": checking.budget_totals(mission, member_count),
        # Principle errors submitted with a justification: an authorised approver must
        # override them (approval rules may route on them).
        "policy_flags": sorted({f["rule"] for f in justified if checking.is_principle(f)}),
        "warnings_justified": sorted(
            {f["rule"] for f in justified if not checking.is_principle(f)}
        ),
        "member_person_ids": list(
            mission.members.order_by("order", "pk").values_list("person_id", flat=True)
        ),
        "created_by_id": mission.created_by_id,
    }


def mission_submit(
    *,
    actor,
    mission: Mission,
    ip: str = "",
    version: int | None = None,
    justifications: dict | None = None,
) -> Mission:
    """Submit (or resubmit after a return): the application must be complete; the policy
    check runs under the version in force today; an error blocks (a *principle* error
    can go forward with a written justification, for an authorised approver to
    override); every warning needs a justification; 计划外 needs its reason. Then the
    members are frozen, the check is stored, the workflow moves and the approval chain
    starts -- all in one transaction, so a refusal changes nothing."""
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        action = "submit" if locked.state == State.DRAFT else "resubmit"
        refusal = MISSION.refusal(locked, action, actor)
        if refusal is not None:
            raise ValidationError(refusal, code="workflow")
        # Other apps may hold a unit's new submissions (``readiness.SUBMIT_GUARDS``: an
        # overdue passport, for one); the refusal rolls back with the transaction.
        locked_out = readiness.submit_refusal(locked.unit)
        if locked_out is not None:
            raise ValidationError(locked_out, code="locked")
        given = dict(locked.justifications or {})
        given.update(_clean_justifications(justifications or {}))
        errors = completeness(locked)
        if errors:
            raise ValidationError(errors)
        today = timezone.localdate()
        data = checking.trip_data(locked, submitted_on=today, frozen=False)
        try:
            result = checking.run_check(locked, on=today, data=data)
        except InputError as exc:
            raise ValidationError(
                _("The application cannot be checked yet: %(problem)s")
                % {"problem": input_error_words(exc)}
            ) from None
        blocking = checking.blocking(result)
        if blocking:
            raise ValidationError(
                [
                    _("The trip breaks a rule and cannot be submitted:"),
                    *describe_findings(blocking),
                ],
                code="policy",
            )
        missing = [
            f
            for f in result["findings"]
            if checking.needs_justification(f) and not _justification_of(locked, f, given)
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
        justified = [f for f in result["findings"] if checking.needs_justification(f)]
        kept = {checking.finding_key(f): _justification_of(locked, f, given) for f in justified}
        now = timezone.now()

        def store(row: Mission, transition) -> None:
            row.policy_version = result["policy"]["version"]
            row.check_input = data
            row.check_result = result
            row.checked_at = now
            row.submitted_at = now
            row.justifications = kept
            row.version += 1

        members = list(Member.objects.filter(mission=locked).order_by("order", "pk"))
        for member, frozen in zip(members, data["members"], strict=True):
            member.snapshot = frozen
        Member.objects.bulk_update(members, ["snapshot"])
        submitted = MISSION.apply(
            locked,
            action,
            actor=actor,
            ip=ip,
            data={
                "policy_version": result["policy"]["version"],
                "verdict": result["verdict"],
                "justified": sorted(kept),
            },
            effect=store,
        )
        facts = chain_facts(submitted, data, result, len(members))
        _start_chain(actor=actor, mission=submitted, facts=facts, ip=ip)
    return submitted


def _start_chain(*, actor, mission: Mission, facts: dict, ip: str) -> None:
    """Hand the application to the approval chain (``waishi.approvals``)."""
    approvals.chain_start(
        actor=actor,
        subject_type="missions.mission",
        subject_id=mission.pk,
        unit=mission.unit,
        facts=facts,
        ip=ip,
    )


def mission_withdraw(*, actor, mission: Mission, ip: str = "", comment: str = "") -> Mission:
    """The clerk withdraws the application (or discards a draft); open approval steps
    are cancelled in the same transaction."""
    with transaction.atomic():
        locked = Mission.objects.select_for_update().get(pk=mission.pk)

        in_chain = locked.state in (State.SUBMITTED, State.IN_REVIEW)

        def bump(row: Mission, transition) -> None:
            row.version += 1

        withdrawn = MISSION.apply(
            locked, "withdraw", actor=actor, ip=ip, comment=_text(comment), effect=bump
        )
        if in_chain:
            approvals.chain_cancel(
                actor=actor, subject_type="missions.mission", subject_id=locked.pk, ip=ip
            )
    return withdrawn
