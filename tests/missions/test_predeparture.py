"""Before departure (出发前准备): the head's acknowledgment, each member's education, the
temporary Party branch, the checklist with the lines other apps add, and the hook that
lets another app hold a unit's new submissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.missions.decisions import CHAIN, events, exempt, fresh, quota_for, submit
from waishi.audit.models import AuditEvent
from waishi.missions.application import services
from waishi.missions.core import readiness
from waishi.missions.models import (
    Education,
    LeaderAcknowledgment,
    Member,
    Mission,
    PartyBranch,
    State,
)
from waishi.missions.trip import predeparture

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture(autouse=True)
def _own_lines_only(monkeypatch):
    """Other apps' checks and guards (passports ...) are left out: each test that needs
    one registers its own."""
    monkeypatch.setattr(readiness, "DEPARTURE_CHECKS", [])
    monkeypatch.setattr(readiness, "SUBMIT_GUARDS", [])


def approve(cast, mission: Mission) -> Mission:
    quota_for(mission)
    exempt(cast, mission)
    for role in CHAIN:
        services.mission_decide(actor=cast[role], mission=mission, decision="approve")
    mission = fresh(mission)
    assert mission.state == State.APPROVED
    return mission


@pytest.fixture
def approved(clerk, mission, cast):
    return approve(cast, submit(clerk, mission))


@pytest.fixture
def party_people(home_unit):
    return [
        PersonFactory(name=name, unit=home_unit, post="科员", is_party_member=True)
        for name in ("赵党", "钱党", "孙党")
    ]


@pytest.fixture
def branch_trip(clerk, party_people, cast):
    """Three Party members: the policy's PARTY_BRANCH finding applies (mandatory)."""
    return approve(cast, submit(clerk, build_mission(clerk, party_people, title="三名党员团组")))


def educate(actor, mission, member, **changes):
    values = {
        "given_on": YESTERDAY,
        "method": "group",
        "given_by": "市外办纪检组",
    } | changes
    return predeparture.education_record(actor=actor, mission=mission, member=member, **values)


def labels(mission) -> dict[str, bool]:
    with translation.override("en"):
        return dict(readiness.departure_checklist(mission))


def snapshot(mission) -> tuple:
    return (
        Mission.objects.filter(pk=mission.pk).values().get(),
        list(Education.objects.values()),
        list(LeaderAcknowledgment.objects.values()),
        list(PartyBranch.objects.values()),
        AuditEvent.objects.count(),
    )


# -- the head of delegation ----------------------------------------------------------------------


def test_the_head_acknowledges_through_the_unit(approved, cast):
    leader = approved.members.get(is_leader=True)
    ack = predeparture.leader_acknowledge(
        actor=cast["unit_leader"], mission=approved, acknowledged_on=YESTERDAY, note="已签承诺书"
    )
    assert (ack.member, ack.acknowledged_on, ack.recorded_by) == (
        leader,
        YESTERDAY,
        cast["unit_leader"],
    )
    assert readiness.leader_acknowledged(approved)
    event = AuditEvent.objects.get(action="missions.mission.leader_acknowledge")
    assert event.object_id == str(approved.pk) and event.data["name"] == leader.person.name
    assert event.after["acknowledged_on"] == YESTERDAY.isoformat() and event.before is None


def test_an_acknowledgment_by_a_former_head_does_not_count(approved, clerk):
    predeparture.leader_acknowledge(actor=clerk, mission=approved, acknowledged_on=YESTERDAY)
    first, second = approved.members.order_by("order", "pk")
    Member.objects.filter(pk=first.pk).update(is_leader=False)
    Member.objects.filter(pk=second.pk).update(is_leader=True)
    assert not readiness.leader_acknowledged(approved)
    ack = predeparture.leader_acknowledge(actor=clerk, mission=approved, acknowledged_on=YESTERDAY)
    assert ack.member == second and LeaderAcknowledgment.objects.count() == 1
    assert readiness.leader_acknowledged(approved)
    event = AuditEvent.objects.filter(action="missions.mission.leader_acknowledge").last()
    assert event.before["member"] == first.pk and event.after["member"] == second.pk


def test_an_acknowledgment_needs_a_past_date(approved, clerk):
    for day in (None, timezone.localdate() + timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            predeparture.leader_acknowledge(actor=clerk, mission=approved, acknowledged_on=day)
        assert "acknowledged_on" in exc.value.message_dict
    assert not LeaderAcknowledgment.objects.exists()


# -- education -----------------------------------------------------------------------------------


def test_each_member_is_educated_once_and_corrections_are_audited(approved, clerk, cast):
    first, second = approved.members.order_by("order", "pk")
    row = educate(clerk, approved, first, note="学习外事纪律")
    assert (row.member, row.given_on, row.method, row.given_by, row.recorded_by) == (
        first,
        YESTERDAY,
        "group",
        "市外办纪检组",
        clerk,
    )
    assert not readiness.education_complete(approved)
    educate(clerk, approved, second.pk, method="talk")
    assert readiness.education_complete(approved)

    corrected = educate(cast["unit_leader"], approved, first, method="reading")
    assert corrected.pk == row.pk and Education.objects.count() == 2
    assert corrected.recorded_by == clerk and corrected.updated_by == cast["unit_leader"]
    assert corrected.updated_at is not None
    update = AuditEvent.objects.get(action="missions.mission.education_update")
    assert update.before["method"] == "group" and update.after["method"] == "reading"
    assert update.data == {"member": first.pk, "name": first.person.name}
    assert [e for e in events(approved) if "education" in e] == [
        "missions.mission.education",
        "missions.mission.education",
        "missions.mission.education_update",
    ]
    # The same values again: nothing written, nothing recorded.
    count = AuditEvent.objects.count()
    educate(cast["unit_leader"], approved, first, method="reading")
    assert AuditEvent.objects.count() == count


def test_education_needs_date_form_and_teacher(approved, clerk):
    member = approved.members.first()
    with pytest.raises(ValidationError) as exc:
        educate(clerk, approved, member, given_on="", method="dance", given_by=" ")
    assert set(exc.value.message_dict) == {"given_on", "method", "given_by"}
    with pytest.raises(ValidationError) as exc:
        educate(clerk, approved, member, given_on=timezone.localdate() + timedelta(days=2))
    assert "given_on" in exc.value.message_dict
    assert not Education.objects.exists()


def test_a_member_of_another_trip_is_refused(approved, clerk, people, cast):
    other = build_mission(clerk, people, title="另一个团组")
    stranger = other.members.first()
    before = snapshot(approved)
    with pytest.raises(ValidationError) as exc:
        educate(clerk, approved, stranger)
    assert "member" in exc.value.message_dict
    assert snapshot(approved) == before


# -- refusals shared by every record --------------------------------------------------------------


def _attempts(mission, member):
    return [
        lambda actor: predeparture.leader_acknowledge(
            actor=actor, mission=mission, acknowledged_on=YESTERDAY
        ),
        lambda actor: educate(actor, mission, member),
        lambda actor: predeparture.party_branch_record(
            actor=actor,
            mission=mission,
            secretary=member,
            members_count=3,
            approved_by="机关党委",
            approved_on=YESTERDAY,
        ),
    ]


@pytest.mark.parametrize("role", ["outsider", "fao_head", "fao_reviewer", "committee", "auditor"])
def test_only_the_trips_own_unit_records(branch_trip, cast, role):
    member = branch_trip.members.first()
    before = snapshot(branch_trip)
    for attempt in _attempts(branch_trip, member):
        with pytest.raises(PermissionDenied):
            attempt(cast[role])
    assert snapshot(branch_trip) == before


def test_nothing_is_recorded_before_approval(clerk, party_people, cast):
    draft = build_mission(clerk, party_people)
    submitted = submit(clerk, build_mission(clerk, party_people, title="已提交"))
    for mission in (draft, submitted):
        before = snapshot(mission)
        for attempt in _attempts(mission, mission.members.first()):
            with pytest.raises(ValidationError) as exc:
                attempt(clerk)
            assert exc.value.code == "state"
        assert snapshot(mission) == before


# -- the temporary Party branch -------------------------------------------------------------------


def test_the_party_branch_is_recorded_when_the_policy_calls_for_it(branch_trip, clerk):
    rule = readiness.party_branch_rule(branch_trip)
    assert (rule.applies, rule.mandatory, rule.required, rule.party_members) == (
        True,
        True,
        True,
        3,
    )
    secretary = branch_trip.members.get(is_leader=True)
    branch = predeparture.party_branch_record(
        actor=clerk,
        mission=branch_trip,
        secretary=secretary,
        members_count=3,
        approved_by="局机关党委",
        approved_on=YESTERDAY,
    )
    assert (branch.secretary, branch.members_count, branch.approved_by) == (
        secretary,
        3,
        "局机关党委",
    )
    event = AuditEvent.objects.get(action="missions.mission.party_branch")
    assert event.after["members_count"] == 3 and event.data["name"] == secretary.person.name
    # Corrected in place.
    predeparture.party_branch_record(
        actor=clerk,
        mission=branch_trip,
        secretary=secretary.pk,
        members_count=2,
        approved_by="局机关党委",
        approved_on=YESTERDAY,
    )
    assert PartyBranch.objects.get().members_count == 2
    assert (
        AuditEvent.objects.filter(action="missions.mission.party_branch")
        .last()
        .before["members_count"]
        == 3
    )


def test_the_party_branch_refusals(branch_trip, approved, clerk):
    secretary = branch_trip.members.first()
    stranger = approved.members.first()  # of another trip
    before = snapshot(branch_trip)
    cases = [
        ({"secretary": stranger}, "secretary"),
        ({"members_count": 4}, "members_count"),
        ({"members_count": 0}, "members_count"),
        ({"approved_by": ""}, "approved_by"),
        ({"approved_on": timezone.localdate() + timedelta(days=1)}, "approved_on"),
    ]
    for change, field in cases:
        values = {
            "secretary": secretary,
            "members_count": 3,
            "approved_by": "党委",
            "approved_on": YESTERDAY,
        } | change
        with pytest.raises(ValidationError) as exc:
            predeparture.party_branch_record(actor=clerk, mission=branch_trip, **values)
        assert field in exc.value.message_dict, change
    assert snapshot(branch_trip) == before
    # A trip to which the finding does not apply records no branch.
    with pytest.raises(ValidationError) as exc:
        predeparture.party_branch_record(
            actor=clerk,
            mission=approved,
            secretary=stranger,
            members_count=1,
            approved_by="党委",
            approved_on=YESTERDAY,
        )
    assert exc.value.code == "not_applicable"
    assert not PartyBranch.objects.exists()


def test_the_secretary_must_be_a_party_member(clerk, party_people, home_unit, cast):
    outsider = PersonFactory(name="群众甲", unit=home_unit, post="科员")
    trip = approve(cast, submit(clerk, build_mission(clerk, [*party_people, outsider])))
    member = trip.members.get(person=outsider)
    with pytest.raises(ValidationError) as exc:
        predeparture.party_branch_record(
            actor=clerk,
            mission=trip,
            secretary=member,
            members_count=3,
            approved_by="党委",
            approved_on=YESTERDAY,
        )
    assert "secretary" in exc.value.message_dict


def test_an_optional_branch_does_not_block(branch_trip, cast):
    with translation.override("en"):
        assert "Temporary Party branch formed" in labels(branch_trip)
    # The FAO head changes the policy: from today the branch is optional (可以).
    from waishi.policy.services import policy_parameter_change

    policy_parameter_change(
        actor=cast["fao_head"],
        rule="PARTY_BRANCH",
        values={"mandatory": False},
        effective_from=timezone.localdate(),
        reason="按《中国共产党支部工作条例（试行）》执行",
    )
    rule = readiness.party_branch_rule(branch_trip)
    assert rule.applies and not rule.mandatory and not rule.required
    assert "Temporary Party branch formed" not in labels(branch_trip)
    # Still possible to record, and the page says it is optional.
    predeparture.party_branch_record(
        actor=cast["unit_clerk"],
        mission=branch_trip,
        secretary=branch_trip.members.first(),
        members_count=3,
        approved_by="党委",
        approved_on=YESTERDAY,
    )
    assert PartyBranch.objects.filter(mission=branch_trip).exists()


# -- the checklist -------------------------------------------------------------------------------


def test_the_checklist_names_what_blocks_departure(branch_trip, clerk):
    lines = labels(branch_trip)
    assert lines == {
        "Head of delegation named and acknowledged": False,
        "Every member has had pre-departure discipline education": False,
        "Temporary Party branch formed": False,
        "Pre-trip publicity run or exempted": True,
    }
    predeparture.leader_acknowledge(actor=clerk, mission=branch_trip, acknowledged_on=YESTERDAY)
    members = list(branch_trip.members.order_by("order", "pk"))
    for member in members[:-1]:
        educate(clerk, branch_trip, member)
    assert labels(branch_trip)["Every member has had pre-departure discipline education"] is False
    educate(clerk, branch_trip, members[-1])
    predeparture.party_branch_record(
        actor=clerk,
        mission=branch_trip,
        secretary=members[0],
        members_count=3,
        approved_by="党委",
        approved_on=YESTERDAY,
    )
    assert all(labels(branch_trip).values())
    assert readiness.departure_blockers(branch_trip) == []


def test_no_branch_line_when_the_finding_does_not_apply(approved):
    assert "Temporary Party branch formed" not in labels(approved)
    assert not readiness.party_branch_rule(approved).applies


def test_departure_checks_of_other_apps_are_lines_of_the_checklist(approved, monkeypatch, as_user):
    seen = []

    def passports(mission):
        seen.append(mission.pk)
        return [("Passports issued (test)", False), ("Visa ready (test)", True)]

    monkeypatch.setattr(readiness, "DEPARTURE_CHECKS", [passports])
    lines = readiness.departure_checklist(approved)
    assert lines[-2:] == [("Passports issued (test)", False), ("Visa ready (test)", True)]
    assert "Passports issued (test)" in readiness.departure_blockers(approved)
    assert "Visa ready (test)" not in readiness.departure_blockers(approved)
    with translation.override("en"):
        body = as_user("unit_clerk").get(_page(approved)).content.decode()
    assert "Passports issued (test)" in body and "Visa ready (test)" in body
    assert seen


# -- the submit guard ----------------------------------------------------------------------------


def test_a_submit_guard_refuses_and_nothing_changes(clerk, mission, monkeypatch, cast):
    asked = []

    def overdue_passport(unit):
        asked.append(unit)
        return "本单位有逾期未交回的因公护照（测试）" if unit.pk == clerk.unit_id else None

    monkeypatch.setattr(readiness, "SUBMIT_GUARDS", [lambda unit: None, overdue_passport])
    quota_for(mission)
    before = snapshot(mission)
    members = list(Member.objects.filter(mission=mission).values())
    with pytest.raises(ValidationError) as exc:
        submit(clerk, mission)
    assert exc.value.messages == ["本单位有逾期未交回的因公护照（测试）"]
    assert exc.value.code == "locked"
    assert asked == [mission.unit]
    assert snapshot(mission) == before
    assert list(Member.objects.filter(mission=mission).values()) == members
    from waishi.approvals.models import ApprovalStep

    assert not ApprovalStep.objects.filter(subject_id=mission.pk).exists()
    # The guard lifted, the same application goes through.
    monkeypatch.setattr(readiness, "SUBMIT_GUARDS", [])
    assert submit(clerk, mission).state == State.SUBMITTED


def test_a_submit_guard_refusal_is_shown_on_the_page(clerk, mission, monkeypatch, as_user):
    monkeypatch.setattr(readiness, "SUBMIT_GUARDS", [lambda unit: "单位提交已锁定（测试）"])
    client = as_user("unit_clerk")
    response = client.post(
        reverse("missions:submit", kwargs={"mission_pk": mission.pk}),
        {"version": mission.version},
        follow=True,
    )
    assert "单位提交已锁定（测试）" in response.content.decode()
    assert fresh(mission).state == State.DRAFT


# -- pages ---------------------------------------------------------------------------------------


def _page(mission) -> str:
    return reverse("missions:predeparture", kwargs={"mission_pk": mission.pk})


def test_the_detail_page_links_to_the_preparations_once_approved(mission, approved, as_user):
    client = as_user("unit_clerk")
    body = client.get(reverse("missions:detail", kwargs={"mission_pk": approved.pk})).content
    assert _page(approved).encode() in body
    draft = build_mission(approved.created_by, [PersonFactory(unit=approved.unit)], title="草稿")
    body = client.get(reverse("missions:detail", kwargs={"mission_pk": draft.pk})).content
    assert _page(draft).encode() not in body
    assert client.get(_page(draft)).status_code == 302


def test_the_page_records_everything(branch_trip, as_user):
    client = as_user("unit_clerk")
    with translation.override("en"):
        page = client.get(_page(branch_trip))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="blockers"' in body and 'data-testid="acknowledge-form"' in body

    response = client.post(
        reverse("missions:leader-acknowledge", kwargs={"mission_pk": branch_trip.pk}),
        {"acknowledged_on": YESTERDAY.isoformat(), "note": "已签字"},
    )
    assert response.status_code == 302
    assert LeaderAcknowledgment.objects.get(mission=branch_trip).note == "已签字"

    members = list(branch_trip.members.order_by("order", "pk"))
    for member in members:
        url = reverse(
            "missions:education", kwargs={"mission_pk": branch_trip.pk, "member_pk": member.pk}
        )
        assert client.get(url).status_code == 200
        response = client.post(
            url, {"given_on": YESTERDAY.isoformat(), "method": "talk", "given_by": "王书记"}
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert Education.objects.filter(member__mission=branch_trip).count() == 3

    response = client.post(
        reverse("missions:party-branch", kwargs={"mission_pk": branch_trip.pk}),
        {
            "secretary": members[1].pk,
            "members_count": 3,
            "approved_by": "局机关党委",
            "approved_on": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert PartyBranch.objects.get(mission=branch_trip).secretary == members[1]
    with translation.override("en"):
        body = client.get(_page(branch_trip)).content.decode()
    assert 'data-testid="ready"' in body and 'data-done="no"' not in body


def test_the_education_form_shows_errors_and_refuses_a_foreign_member(
    branch_trip, approved, as_user
):
    client = as_user("unit_leader")
    member = branch_trip.members.first()
    url = reverse(
        "missions:education", kwargs={"mission_pk": branch_trip.pk, "member_pk": member.pk}
    )
    response = client.post(url, {"given_on": "", "method": "group", "given_by": ""})
    assert response.status_code == 200 and not Education.objects.exists()
    stranger = approved.members.first()
    wrong = reverse(
        "missions:education", kwargs={"mission_pk": branch_trip.pk, "member_pk": stranger.pk}
    )
    assert client.get(wrong).status_code == 404
    assert client.post(wrong, {"given_on": YESTERDAY.isoformat()}).status_code == 404
    assert not Education.objects.exists()


ACCESS = [
    # role, sees the page, may record
    ("unit_clerk", True, True),
    ("unit_leader", True, True),
    ("fao_reviewer", True, False),
    ("fao_head", True, False),
    ("committee", True, False),
    ("auditor", True, False),
    ("outsider", False, False),
    ("district_officer", False, False),
    ("sys_admin", False, False),
]


@pytest.mark.parametrize(("role", "sees", "records"), ACCESS)
def test_access(branch_trip, as_user, role, sees, records):
    client = as_user(role)
    page = client.get(_page(branch_trip))
    assert (page.status_code == 200) is sees, page.status_code
    if sees:
        assert (b'data-testid="acknowledge-form"' in page.content) is records
    member = branch_trip.members.first()
    posts = [
        (
            reverse("missions:leader-acknowledge", kwargs={"mission_pk": branch_trip.pk}),
            {"acknowledged_on": YESTERDAY.isoformat()},
        ),
        (
            reverse(
                "missions:education",
                kwargs={"mission_pk": branch_trip.pk, "member_pk": member.pk},
            ),
            {"given_on": YESTERDAY.isoformat(), "method": "group", "given_by": "纪检组"},
        ),
        (
            reverse("missions:party-branch", kwargs={"mission_pk": branch_trip.pk}),
            {
                "secretary": member.pk,
                "members_count": 3,
                "approved_by": "党委",
                "approved_on": YESTERDAY.isoformat(),
            },
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in ((302,) if records else (403, 404)), (url, response)
    recorded = (
        LeaderAcknowledgment.objects.exists(),
        Education.objects.exists(),
        PartyBranch.objects.exists(),
    )
    assert recorded == ((True,) * 3 if records else (False,) * 3)
