"""Change requests of an approved trip and its versioned itinerary (services/changes.py,
itinerary.py; policy-rules.md ``ITINERARY_CHANGE``): who may request, one change at a
time, the policy check of the trip as it would be, the approval chain of its own, and
the change applied at the last approval as the next itinerary version -- or refused,
leaving the trip as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import PersonFactory
from tests.missions.decisions import approve_until_last, exempt, quota_for, submit
from tests.missions.travel import abroad, approved, back, ready
from waishi.approvals import subjects
from waishi.approvals.models import ApprovalStep
from waishi.approvals.selectors import current_step
from waishi.audit.messages import MESSAGES
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.missions.application import services
from waishi.missions.changes import services as changes
from waishi.missions.core import itinerary
from waishi.missions.core.common import StaleVersion
from waishi.missions.models import (
    ChangeKind,
    ChangeRequest,
    ChangeState,
    Education,
    ItineraryVersion,
    Member,
    Mission,
    State,
    Stop,
)
from waishi.missions.trip import services as trip_services
from waishi.policy import labels

pytestmark = pytest.mark.django_db

SUBJECT = "missions.change"
CHAIN = ("unit_leader", "fao_reviewer", "fao_head")


def filed(mission: Mission) -> Mission:
    """As if the application had been submitted well ahead (LEAD_TIME judges the day of
    the trip's own submission; the builders give approved trips without one)."""
    Mission.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=200)
    )
    return Mission.objects.get(pk=mission.pk)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def events(change: ChangeRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="missions.changerequest", object_id=str(change.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def proposal(mission: Mission, **overrides) -> dict:
    """The itinerary in force, as a proposal to edit."""
    value = itinerary.current(mission)
    value.update(overrides)
    return value


def plus(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def with_seoul(mission: Mission) -> dict:
    """A detour to Seoul on the way back: one more country, same dates."""
    value = proposal(mission)
    last = value["stops"][-1]
    last["depart"] = plus(last["arrive"], 1)
    value["stops"].append(
        {
            "country": "KR",
            "city": "首尔",
            "arrive": last["depart"],
            "depart": value["return_date"],
            "transit_airside": False,
        }
    )
    return value


def draft(
    cast, mission: Mission, value: dict | None = None, reason="对方临时邀请顺访"
) -> ChangeRequest:
    return changes.change_create(
        actor=cast["unit_clerk"], mission=mission, proposed=value, reason=reason
    )


def submitted(cast, mission: Mission, value: dict, **justifications) -> ChangeRequest:
    change = draft(cast, mission, value)
    return changes.change_submit(
        actor=cast["unit_clerk"], change=change, justifications=justifications
    )


def decide_all(cast, change: ChangeRequest, roles=CHAIN) -> list[str]:
    return [
        changes.change_decide(actor=cast[role], change=change, decision="approve", comment="同意")
        for role in roles
    ]


# -- itinerary.py ------------------------------------------------------------------------------


def _version(stops, members=(), dep="2026-05-10", ret="2026-05-15"):
    return {
        "departure_date": dep,
        "return_date": ret,
        "stops": list(stops),
        "members": list(members),
    }


def _stop(country, city, arrive, depart, airside=False):
    return {
        "country": country,
        "city": city,
        "arrive": arrive,
        "depart": depart,
        "transit_airside": airside,
    }


TOKYO = _stop("JP", "东京", "2026-05-10", "2026-05-15")
LI = {
    "person_id": 1,
    "name": "李雷",
    "unit": "u",
    "post": "处长",
    "task": "洽谈",
    "is_leader": True,
}
HAN = {
    "person_id": 2,
    "name": "韩梅梅",
    "unit": "u",
    "post": "",
    "task": "翻译",
    "is_leader": False,
}


def test_kinds_of_names_each_kind_of_change():
    base = _version([TOKYO], [LI, HAN])
    assert itinerary.kinds_of(base, _version([TOKYO], [LI, HAN])) == []
    seoul = _stop("KR", "首尔", "2026-05-14", "2026-05-15")
    added = _version([{**TOKYO, "depart": "2026-05-14"}, seoul], [LI, HAN])
    assert itinerary.kinds_of(base, added) == [ChangeKind.ADDED_COUNTRY, ChangeKind.DETOUR]
    osaka = _version(
        [{**TOKYO, "depart": "2026-05-13"}, _stop("JP", "大阪", "2026-05-13", "2026-05-15")]
    )
    assert itinerary.kinds_of(_version([TOKYO]), osaka) == [ChangeKind.DETOUR]
    longer = _version([{**TOKYO, "depart": "2026-05-17"}], [LI, HAN], ret="2026-05-17")
    assert itinerary.kinds_of(base, longer) == [ChangeKind.LONGER_STAY]
    earlier = _version([{**TOKYO, "arrive": "2026-05-09"}], [LI, HAN], dep="2026-05-09")
    assert itinerary.kinds_of(base, earlier) == [ChangeKind.LONGER_STAY]
    fewer = _version([TOKYO], [LI])
    assert itinerary.kinds_of(base, fewer) == [ChangeKind.MEMBER_CHANGE]
    shorter = _version([{**TOKYO, "depart": "2026-05-14"}], [LI, HAN], ret="2026-05-14")
    assert itinerary.kinds_of(base, shorter) == [ChangeKind.OTHER]
    # An airside transit in a new country is a detour, not an added country.
    transit = _version([_stop("AE", "迪拜", "2026-05-10", "2026-05-10", airside=True), TOKYO])
    assert itinerary.kinds_of(_version([TOKYO]), transit) == [ChangeKind.DETOUR]


def test_compare_lines_up_stops_and_members():
    seoul = _stop("KR", "首尔", "2026-05-14", "2026-05-15")
    base = _version([TOKYO], [LI, HAN])
    later = _version([{**TOKYO, "depart": "2026-05-14"}, seoul], [{**LI, "task": "带队"}])
    diff = itinerary.compare(base, later)
    assert [r.status for r in diff.stop_rows] == ["changed", "added"]
    assert diff.stop_rows[0].fields == ["depart"]
    assert diff.countries_added == ["KR"] and diff.route_changed
    assert [r.status for r in diff.member_rows] == ["changed", "removed"]
    assert diff.members_removed == [HAN] and diff.members_changed[0][1]["task"] == "带队"
    assert diff.days == (6, 6) and not diff.days_changed and not diff.empty
    removed = itinerary.compare(later, base)
    assert [r.status for r in removed.stop_rows] == ["changed", "removed"]
    assert itinerary.compare(base, base).empty


# -- drafting ----------------------------------------------------------------------------------


def test_a_first_change_records_version_1_and_starts_from_the_itinerary_in_force(cast, people):
    mission = filed(approved(cast, people))  # approved before versions existed
    assert mission.itinerary_version == 0 and not mission.itineraries.exists()
    change = draft(cast, mission)
    mission.refresh_from_db()
    first = ItineraryVersion.objects.get(mission=mission)
    assert (first.number, mission.itinerary_version, change.base_number) == (1, 1, 1)
    assert first.departure_date == mission.departure_date
    assert [m["name"] for m in first.members] == ["李雷", "韩梅梅"]
    assert first.stops[0]["country"] == "JP"
    assert change.state == ChangeState.DRAFT and change.number == 1
    assert change.proposed == itinerary.version_dict(first) and change.kinds == []
    assert events(change) == ["missions.changerequest.create"]
    assert AuditEvent.objects.get(action="missions.changerequest.create").data[
        "first_version_recorded"
    ]


def test_final_approval_of_the_trip_records_version_1(mission, clerk, cast):
    m = submit(clerk, mission)
    quota_for(m)
    exempt(cast, m)
    approve_until_last(cast, m)
    step = current_step("missions.mission", m.pk)
    services.mission_decide(actor=cast[step.approver_role], mission=m, decision="approve")
    m = fresh(m)
    assert m.state == State.APPROVED and m.itinerary_version == 1
    version = ItineraryVersion.objects.get(mission=m)
    assert version.number == 1 and version.change_request is None
    assert version.return_date == m.return_date and len(version.members) == 2


@pytest.mark.parametrize("who", ["outsider", "unit_leader", "fao_reviewer", "fao_head"])
def test_only_a_clerk_of_the_trips_unit_requests_a_change(cast, people, who):
    mission = filed(approved(cast, people))
    with pytest.raises(PermissionDenied):
        changes.change_create(actor=cast[who], mission=mission, reason="x")
    assert not ChangeRequest.objects.exists()


def test_a_change_needs_an_approved_or_abroad_trip(cast, people, mission):
    with pytest.raises(ValidationError) as refused:
        draft(cast, mission)  # a draft application
    assert refused.value.code == "state"
    home = back(cast, people)
    with pytest.raises(ValidationError):
        draft(cast, home)
    assert not ChangeRequest.objects.exists()
    assert draft(cast, abroad(cast, [PersonFactory(unit=people[0].unit)])).state == "draft"


def test_one_open_change_at_a_time(cast, people):
    mission = filed(approved(cast, people))
    first = draft(cast, mission)
    with pytest.raises(ValidationError) as refused:
        draft(cast, mission)
    assert refused.value.code == "open"
    # The database says so too, where it has partial unique indexes (MariaDB has none:
    # Django skips the constraint there, and the mission's row lock in the service holds).
    from django.db import connection

    if connection.vendor != "mysql":
        with pytest.raises(IntegrityError), transaction.atomic():
            ChangeRequest.objects.create(
                mission=mission,
                number=9,
                base_number=1,
                proposed={},
                created_by=cast["unit_clerk"],
            )
    changes.change_withdraw(actor=cast["unit_clerk"], change=first)
    assert fresh(first).state == ChangeState.WITHDRAWN
    assert draft(cast, mission).number == 2


def test_an_edit_based_on_a_stale_version_is_refused(cast, people):
    mission = filed(approved(cast, people))
    change = draft(cast, mission)
    saved = changes.change_update(
        actor=cast["unit_clerk"], change=change, version=change.version, reason="第一次"
    )
    assert saved.version == change.version + 1
    with pytest.raises(StaleVersion):
        changes.change_update(
            actor=cast["unit_clerk"], change=change, version=change.version, reason="旧窗口"
        )
    assert fresh(change).reason == "第一次"
    assert events(change) == ["missions.changerequest.create", "missions.changerequest.update"]


def test_a_person_of_another_unit_cannot_be_added(cast, people, foreign_person):
    mission = filed(approved(cast, people))
    change = draft(cast, mission)
    value = proposal(mission)
    value["members"].append({"person_id": foreign_person.pk, "task": "x", "is_leader": False})
    with pytest.raises(ValidationError) as refused:
        changes.change_update(actor=cast["unit_clerk"], change=change, proposed=value)
    assert "members" in refused.value.message_dict
    assert fresh(change).proposed == change.proposed


def test_a_change_that_changes_nothing_is_refused(cast, people):
    mission = filed(approved(cast, people))
    change = draft(cast, mission)
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert refused.value.code == "empty"
    assert fresh(change).state == ChangeState.DRAFT


def test_a_change_needs_a_reason(cast, people):
    mission = filed(approved(cast, people))
    change = draft(cast, mission, with_seoul(mission), reason="")
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert "reason" in refused.value.message_dict


# -- submitting: the policy check of the trip as it would be ------------------------------------


def test_an_added_country_is_detected_and_the_chain_starts(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    assert change.state == ChangeState.SUBMITTED
    assert set(change.kinds) == {ChangeKind.ADDED_COUNTRY, ChangeKind.DETOUR}
    assert change.check_input["stops"][-1]["country"] == "KR"
    assert change.check_result["countries"] == ["JP", "KR"]
    assert change.policy_version
    steps = ApprovalStep.objects.filter(subject_type=SUBJECT, subject_id=change.pk)
    assert [s.approver_role for s in steps.order_by("sequence")] == list(CHAIN)
    event = AuditEvent.objects.get(action="missions.changerequest.submit")
    assert event.data["differences"]["countries_added"] == ["KR"]
    # The trip itself is untouched until the change is approved.
    assert list(mission.stops.values_list("country", flat=True)) == ["JP"]


def test_a_policy_error_of_the_trip_as_changed_blocks(cast, people):
    mission = filed(approved(cast, people))
    value = proposal(mission)
    value["return_date"] = plus(value["return_date"], 4)  # 8 days in one country: over 5
    value["stops"][0]["depart"] = value["return_date"]
    change = draft(cast, mission, value)
    assert change.kinds == [ChangeKind.LONGER_STAY]
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    title = str(labels.rule_title("STAY_DAYS"))  # the rule by its title, never its code
    assert any(title in m and "STAY_DAYS" not in m for m in refused.value.messages)
    change = fresh(change)
    assert change.state == ChangeState.DRAFT and change.check_result is None
    assert not ApprovalStep.objects.filter(subject_type=SUBJECT).exists()


def test_a_warning_needs_a_justification(cast, people):
    mission = filed(approved(cast, people))
    value = with_seoul(mission)
    value["stops"][-1].update(country="DE", city="慕尼黑")  # Europe: a second continent
    change = draft(cast, mission, value)
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert "justifications" in refused.value.message_dict
    done = changes.change_submit(
        actor=cast["unit_clerk"],
        change=change,
        justifications={"ONE_CONTINENT": "对方会议改在慕尼黑举行"},
    )
    assert done.state == ChangeState.SUBMITTED
    assert done.justifications["ONE_CONTINENT"] == "对方会议改在慕尼黑举行"


def test_the_departure_of_a_delegation_abroad_cannot_move(cast, people):
    mission = filed(abroad(cast, people))
    value = proposal(mission, departure_date=plus(proposal(mission)["departure_date"], -1))
    value["stops"][0]["arrive"] = value["departure_date"]
    change = draft(cast, mission, value)
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert "departure_date" in refused.value.message_dict


# -- deciding ----------------------------------------------------------------------------------


def test_approval_applies_the_change_as_version_2(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    assert decide_all(cast, change) == ["next", "next", "approved"]
    change, mission = fresh(change), fresh(mission)
    assert change.state == ChangeState.APPROVED and change.decided_at is not None
    assert mission.itinerary_version == 2
    version = ItineraryVersion.objects.get(mission=mission, number=2)
    assert version.change_request == change
    assert [s["country"] for s in version.stops] == ["JP", "KR"]
    stops = list(Stop.objects.filter(mission=mission).order_by("order"))
    assert [(s.order, s.country, s.city) for s in stops] == [(1, "JP", "东京"), (2, "KR", "首尔")]
    assert stops[0].depart == stops[1].arrive
    assert events(change) == [
        "missions.changerequest.create",
        "missions.changerequest.submit",
        "missions.changerequest.review",
        "missions.changerequest.approve",
    ]
    event = AuditEvent.objects.get(action="missions.changerequest.approve")
    assert event.data["new_version"] == 2
    assert event.data["differences"]["countries_added"] == ["KR"]
    assert verify_chain() is None
    # Version 1 stays for the record.
    assert [s["country"] for s in mission.itineraries.get(number=1).stops] == ["JP"]


def test_a_longer_stay_moves_the_trips_dates(cast, people):
    mission = filed(approved(cast, people, days=3))
    value = proposal(mission)
    value["return_date"] = plus(value["return_date"], 1)
    value["stops"][0]["depart"] = value["return_date"]
    change = submitted(cast, mission, value)
    decide_all(cast, change)
    mission = fresh(mission)
    assert mission.return_date.isoformat() == value["return_date"]
    assert mission.days_abroad == 4


def test_reject_leaves_the_trip_untouched(cast, people):
    mission = filed(approved(cast, people))
    before = itinerary.snapshot(mission)
    change = submitted(cast, mission, with_seoul(mission))
    with pytest.raises(ValidationError):  # a rejection needs a comment
        changes.change_decide(actor=cast["unit_leader"], change=change, decision="reject")
    outcome = changes.change_decide(
        actor=cast["unit_leader"], change=change, decision="reject", comment="无必要"
    )
    assert outcome == "rejected"
    assert fresh(change).state == ChangeState.REJECTED
    mission = fresh(mission)
    assert itinerary.snapshot(mission) == before and mission.itinerary_version == 1
    assert ItineraryVersion.objects.filter(mission=mission).count() == 1
    # The trip may ask again.
    assert draft(cast, mission).number == 2


def test_return_and_resubmit_start_a_new_round(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    changes.change_decide(actor=cast["unit_leader"], change=change, decision="approve")
    changes.change_decide(
        actor=cast["fao_reviewer"], change=change, decision="return", comment="请补充邀请函"
    )
    change = fresh(change)
    assert change.state == ChangeState.RETURNED
    change = changes.change_update(
        actor=cast["unit_clerk"], change=change, version=change.version, reason="已补充邀请函"
    )
    change = changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert change.state == ChangeState.SUBMITTED
    rounds = set(
        ApprovalStep.objects.filter(subject_type=SUBJECT, subject_id=change.pk).values_list(
            "round", flat=True
        )
    )
    assert rounds == {1, 2}
    assert "missions.changerequest.resubmit" in events(change)


def test_a_stale_base_is_refused_and_nothing_changes(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    changes.change_decide(actor=cast["unit_leader"], change=change, decision="approve")
    changes.change_decide(actor=cast["fao_reviewer"], change=change, decision="approve")
    # Another version took effect meanwhile (as if another change had been applied).
    mission = fresh(mission)
    ItineraryVersion.objects.create(
        mission=mission,
        number=2,
        departure_date=mission.departure_date,
        return_date=mission.return_date,
        stops=[],
        members=[],
    )
    Mission.objects.filter(pk=mission.pk).update(itinerary_version=2)
    with pytest.raises(ValidationError) as refused:
        changes.change_decide(actor=cast["fao_head"], change=change, decision="approve")
    assert refused.value.code == "stale"
    assert fresh(change).state == ChangeState.IN_REVIEW
    assert current_step(SUBJECT, change.pk).approver_role == "fao_head"
    assert list(Stop.objects.filter(mission=mission).values_list("country", flat=True)) == ["JP"]
    assert not ItineraryVersion.objects.filter(change_request=change).exists()


def test_a_trip_back_home_takes_no_change(cast, people):
    mission = filed(abroad(cast, people, departs_in=-2, days=3))
    change = submitted(cast, mission, with_seoul(mission))
    changes.change_decide(actor=cast["unit_leader"], change=change, decision="approve")
    changes.change_decide(actor=cast["fao_reviewer"], change=change, decision="approve")
    trip_services.mission_come_back(
        actor=cast["unit_clerk"], mission=mission, on=mission.return_date
    )
    with pytest.raises(ValidationError) as refused:
        changes.change_decide(actor=cast["fao_head"], change=change, decision="approve")
    assert refused.value.code == "stale"
    # It can still be rejected (or withdrawn) to close it.
    changes.change_decide(
        actor=cast["fao_head"], change=change, decision="reject", comment="已回国"
    )
    assert fresh(change).state == ChangeState.REJECTED


def test_nobody_approves_a_change_of_a_trip_they_travel_on(cast, people):
    leader = cast["unit_leader"]
    leader.person = people[1]
    leader.save(update_fields=["person"])
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    with pytest.raises(PermissionDenied):
        changes.change_decide(actor=leader, change=change, decision="approve")
    assert fresh(change).state == ChangeState.SUBMITTED
    # Nor someone the change would add.
    assert leader.pk in changes.excluded_user_ids(change.pk)


def test_a_clerk_cannot_decide(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    with pytest.raises(PermissionDenied):
        changes.change_decide(actor=cast["unit_clerk"], change=change, decision="approve")


def test_the_approvals_queue_decides_through_the_same_service(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    subject = subjects.get(SUBJECT)
    assert subject is not None
    assert subjects.titles(SUBJECT, [change.pk])[change.pk] == str(change)
    assert subject.url(change.pk).endswith(f"/changes/{change.pk}/")
    for role in CHAIN:
        subject.decide(actor=cast[role], subject_id=change.pk, decision="approve", comment="同意")
    assert fresh(mission).itinerary_version == 2


def test_withdrawing_cancels_the_open_steps(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    with pytest.raises(PermissionDenied):
        changes.change_withdraw(actor=cast["outsider"], change=change)
    changes.change_withdraw(actor=cast["unit_clerk"], change=change, comment="行程取消")
    assert fresh(change).state == ChangeState.WITHDRAWN
    assert not ApprovalStep.objects.filter(
        subject_type=SUBJECT, subject_id=change.pk, state__in=["pending", "waiting"]
    ).exists()


# -- member changes ----------------------------------------------------------------------------


def test_a_member_change_replaces_rows_and_keeps_the_removed_education_in_the_event(cast, people):
    mission = filed(ready(cast, people))  # every member educated, the head acknowledged
    newcomer = PersonFactory(name="王芳", unit=people[0].unit, post="科员")
    value = proposal(mission)
    value["members"] = [
        value["members"][0],
        {"person_id": newcomer.pk, "task": "接替韩梅梅担任翻译", "is_leader": False},
    ]
    change = submitted(cast, mission, value)
    assert change.kinds == [ChangeKind.MEMBER_CHANGE]
    removed_member = Member.objects.get(mission=mission, person=people[1])
    decide_all(cast, change)
    names = list(
        Member.objects.filter(mission=mission)
        .order_by("order")
        .values_list("person__name", flat=True)
    )
    assert names == ["李雷", "王芳"]
    assert not Education.objects.filter(member_id=removed_member.pk).exists()
    added = Member.objects.get(mission=mission, person=newcomer)
    assert added.task == "接替韩梅梅担任翻译" and added.snapshot["name"] == "王芳"
    event = AuditEvent.objects.get(action="missions.changerequest.approve")
    [gone] = event.data["removed_members"]
    assert gone["name"] == "韩梅梅" and gone["education"]["given_by"] == "市外办"
    # The newcomer has no education yet: departure waits for it.
    from waishi.missions.core import readiness

    assert not readiness.education_complete(fresh(mission))


def test_removing_the_head_needs_another_head(cast, people):
    mission = filed(approved(cast, people))
    value = proposal(mission)
    value["members"] = [value["members"][1]]  # the head left out, nobody named
    change = draft(cast, mission, value)
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert "members" in refused.value.message_dict
    value["members"][0]["is_leader"] = True
    change = changes.change_update(actor=cast["unit_clerk"], change=change, proposed=value)
    change = changes.change_submit(actor=cast["unit_clerk"], change=change)
    decide_all(cast, change)
    [member] = Member.objects.filter(mission=mission)
    assert member.person == people[1] and member.is_leader


def test_the_party_branch_secretary_cannot_be_removed(cast, people):
    from waishi.missions.models import PartyBranch

    mission = filed(approved(cast, people))
    secretary = Member.objects.get(mission=mission, person=people[1])
    PartyBranch.objects.create(
        mission=mission,
        secretary=secretary,
        members_count=1,
        approved_by="机关党委",
        approved_on=dt.date.today(),
        recorded_by=cast["unit_clerk"],
    )
    value = proposal(mission)
    value["members"] = [value["members"][0]]
    change = draft(cast, mission, value)
    with pytest.raises(ValidationError) as refused:
        changes.change_submit(actor=cast["unit_clerk"], change=change)
    assert "members" in refused.value.message_dict
    assert Member.objects.filter(pk=secretary.pk).exists()


def test_every_change_action_has_a_sentence(cast, people):
    mission = filed(approved(cast, people))
    change = submitted(cast, mission, with_seoul(mission))
    changes.change_decide(actor=cast["unit_leader"], change=change, decision="approve")
    changes.change_decide(
        actor=cast["fao_reviewer"], change=change, decision="return", comment="补充"
    )
    change = changes.change_update(actor=cast["unit_clerk"], change=fresh(change), reason="补充了")
    changes.change_submit(actor=cast["unit_clerk"], change=change)
    changes.change_withdraw(actor=cast["unit_clerk"], change=change)
    for action in AuditEvent.objects.values_list("action", flat=True).distinct():
        assert action in MESSAGES, action


def test_the_workflow_diagram_in_the_docstring_is_the_table():
    from waishi.missions.changes import workflow as change_workflow

    assert change_workflow.CHANGE.mermaid() in change_workflow.__doc__


def test_record_first_is_idempotent(cast, people):
    mission = filed(approved(cast, people))
    first = itinerary.record_first(mission, cast["unit_clerk"])
    again = itinerary.record_first(fresh(mission), cast["unit_clerk"])
    assert first.pk == again.pk and ItineraryVersion.objects.filter(mission=mission).count() == 1
    assert fresh(mission).itinerary_version == 1
