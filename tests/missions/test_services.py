"""The trip application's services: drafts keep what was typed, submission refuses what
the policy or the form forbids and changes nothing when it does."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tests.factories import PersonFactory
from tests.missions.conftest import PDF, build_mission, letter
from waishi.approvals.models import ApprovalStep
from waishi.audit.models import AuditEvent
from waishi.missions.application import services
from waishi.missions.models import Member, Mission, State

pytestmark = pytest.mark.django_db


def _events(mission) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="missions.mission", object_id=str(mission.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _state(mission) -> tuple:
    m = Mission.objects.get(pk=mission.pk)
    return (
        m.state,
        m.version,
        m.submitted_at,
        m.check_result,
        list(Member.objects.filter(mission=m).values_list("snapshot", flat=True)),
        ApprovalStep.objects.filter(subject_id=m.pk).count(),
        AuditEvent.objects.count(),
    )


def test_a_draft_saves_incomplete_data(clerk):
    m = services.mission_create_draft(actor=clerk)
    assert m.state == State.DRAFT and m.unit_id == clerk.unit_id
    m = services.mission_update_basics(
        actor=clerk, mission=m, version=m.version, title="半成品", departure_date="2026-1"
    )
    m = services.mission_update_itinerary(
        actor=clerk, mission=m, version=m.version, stops=[{"city": "大阪"}], days=[{}]
    )
    m.refresh_from_db()
    assert m.title == "半成品" and m.departure_date is None
    assert m.stops.get().city == "大阪" and m.stops.get().country == ""
    assert m.days.count() == 1
    assert m.step == 3
    assert _events(m) == [
        "missions.mission.create",
        "missions.mission.update",
        "missions.mission.itinerary",
    ]


def test_every_write_is_audited_on_the_mission(mission, clerk):
    assert _events(mission) == [
        "missions.mission.create",
        "missions.mission.invitation",
        "missions.mission.itinerary",
        "missions.mission.member_add",
        "missions.mission.member_add",
        "missions.mission.members",
        "missions.mission.budget",
    ]
    services.mission_update_justifications(
        actor=clerk, mission=mission, version=None, justifications={"LEAD_TIME": "急"}
    )
    member = mission.members.last()
    m = services.mission_member_remove(
        actor=clerk, mission=mission, version=None, member_id=member.pk
    )
    assert _events(m)[-2:] == ["missions.mission.justify", "missions.mission.member_remove"]


def test_nothing_changed_means_no_event_and_no_new_version(mission, clerk):
    count = AuditEvent.objects.count()
    m = services.mission_update_basics(
        actor=clerk, mission=mission, version=mission.version, title=mission.title
    )
    assert m.version == mission.version
    assert AuditEvent.objects.count() == count


def test_a_stale_version_is_refused_with_a_clear_message(mission, clerk):
    old = mission.version
    services.mission_update_basics(actor=clerk, mission=mission, version=old, title="第一个窗口")
    with translation.override("en"), pytest.raises(services.StaleVersion) as exc:
        services.mission_update_basics(actor=clerk, mission=mission, version=old, title="第二个")
    assert "another window" in exc.value.messages[0]
    assert Mission.objects.get(pk=mission.pk).title == "第一个窗口"


def test_only_the_units_clerk_edits(mission, cast):
    for name in ("outsider", "unit_leader", "fao_reviewer"):
        with pytest.raises(PermissionDenied):
            services.mission_update_basics(
                actor=cast[name], mission=mission, version=None, title="改"
            )
    with pytest.raises(PermissionDenied):
        services.mission_create_draft(actor=cast["fao_head"])


def test_members_are_picked_only_from_people_the_clerk_may_see(mission, clerk, foreign_person):
    with pytest.raises(ValidationError):
        services.mission_member_add(
            actor=clerk, mission=mission, version=None, person=foreign_person
        )
    assert not mission.members.filter(person=foreign_person).exists()


def test_rows_of_another_mission_are_refused(mission, clerk, people):
    other = build_mission(clerk, people, title="另一团组")
    foreign_stop = other.stops.get()
    with pytest.raises(ValidationError):
        services.mission_update_itinerary(
            actor=clerk, mission=mission, version=None, stops=[{"id": foreign_stop.pk, "city": "X"}]
        )
    foreign_stop.refresh_from_db()
    assert foreign_stop.city == "东京"


# --- uploads --------------------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.bin", PDF, "application/pdf"),
        ("photo.pdf", b"\xff\xd8\xff\xe0" + b"0" * 100, "image/jpeg"),
        ("x", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png"),
        ("letter.docx", _docx(), None),
    ],
)
def test_letters_are_accepted_by_their_content(clerk, name, content, content_type):
    m = services.mission_create_draft(actor=clerk)
    m = services.mission_update_invitation(
        actor=clerk, mission=m, version=None, letter=letter(name, content)
    )
    assert m.invitation_letter_type.startswith(content_type or "application/vnd.openxml")
    stored = m.invitation_letter.name
    assert name.rsplit(".", 1)[0] not in stored  # a random name on disk
    with m.invitation_letter.open("rb") as fh:
        assert fh.read() == content


@pytest.mark.parametrize(
    "content",
    [
        b"just some text pretending to be a PDF",
        b"",
        b"PK\x03\x04 not really a zip",
        b"<html><script>alert(1)</script></html>",
    ],
)
def test_a_pdf_named_file_that_is_not_one_is_refused(clerk, content):
    m = services.mission_create_draft(actor=clerk)
    with pytest.raises(ValidationError) as exc:
        services.mission_update_invitation(
            actor=clerk, mission=m, version=None, letter=letter("letter.pdf", content)
        )
    assert "invitation_letter" in exc.value.message_dict
    m.refresh_from_db()
    assert not m.invitation_letter


def test_a_letter_above_the_size_limit_is_refused(clerk, settings):
    settings.MISSION_UPLOAD_MAX_BYTES = 1000
    m = services.mission_create_draft(actor=clerk)
    with pytest.raises(ValidationError):
        services.mission_update_invitation(
            actor=clerk, mission=m, version=None, letter=letter("big.pdf", PDF + b"0" * 2000)
        )


# --- submission -----------------------------------------------------------------------------


def test_a_clean_application_is_submitted_checked_frozen_and_sent_to_the_chain(mission, clerk):
    m = services.mission_submit(actor=clerk, mission=mission, version=mission.version)
    assert m.state == State.SUBMITTED and m.submitted_at is not None
    assert m.check_result["verdict"] == "warn"
    assert m.policy_version == m.check_result["policy"]["version"]
    assert m.check_input["submitted_on"] == timezone.localdate().isoformat()
    assert m.justifications == {"NOT_IN_PLAN": "临时邀请，未及列入年度计划"}
    snapshots = list(m.members.order_by("order").values_list("snapshot", flat=True))
    assert snapshots[0]["name"] == "李雷" and snapshots[0]["rank"] == "county_division"
    assert ApprovalStep.objects.filter(subject_type="missions.mission", subject_id=m.pk).exists()
    assert _events(m)[-2:] == ["missions.mission.submit", "approval.chain.start"]
    # Frozen: the person's rank changing later does not change the submitted record.
    person = m.members.order_by("order").first().person
    person.rank = "bureau"
    person.save()
    from waishi.missions.core import checking

    assert checking.trip_data(m)["members"][0]["rank"] == "county_division"


def test_an_error_blocks_submission_and_changes_nothing(clerk, home_unit):
    people = [PersonFactory(unit=home_unit) for _ in range(7)]
    m = build_mission(clerk, people)
    before = _state(m)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.mission_submit(actor=clerk, mission=m, version=m.version)
    # The rule by its title, in the reader's language, never by its code.
    title = "At most this many members in a delegation"
    assert any(title in message and "GROUP_SIZE" not in message for message in exc.value.messages)
    assert _state(m) == before


def test_a_warning_needs_a_justification(clerk, people):
    # 30 days ahead: LEAD_TIME (45 days) warns.
    m = build_mission(clerk, people, days_ahead=30)
    before = _state(m)
    with pytest.raises(ValidationError) as exc:
        services.mission_submit(actor=clerk, mission=m, version=m.version)
    assert "justifications" in exc.value.message_dict
    assert _state(m) == before
    m = services.mission_submit(
        actor=clerk,
        mission=m,
        version=m.version,
        justifications={"LEAD_TIME": "对方临时邀请，会期已定"},
    )
    assert m.state == State.SUBMITTED
    assert m.justifications["LEAD_TIME"] == "对方临时邀请，会期已定"


def test_a_trip_outside_the_plan_needs_its_reason(mission, clerk):
    m = services.mission_update_basics(
        actor=clerk, mission=mission, version=mission.version, out_of_plan_reason=""
    )
    with pytest.raises(ValidationError) as exc:
        services.mission_submit(actor=clerk, mission=m, version=m.version)
    assert "out_of_plan_reason" in exc.value.message_dict
    assert Mission.objects.get(pk=m.pk).state == State.DRAFT


def test_an_incomplete_application_is_refused_naming_the_fields(clerk):
    m = services.mission_create_draft(actor=clerk, title="只有标题")
    with pytest.raises(ValidationError) as exc:
        services.mission_submit(actor=clerk, mission=m)
    assert {"departure_date", "return_date", "stops", "members"} <= set(exc.value.message_dict)


def test_a_principle_error_goes_forward_with_a_justification(clerk, home_unit):
    leaders = [PersonFactory(unit=home_unit, is_unit_leadership=True) for _ in range(2)]
    m = build_mission(clerk, leaders)
    with pytest.raises(ValidationError):
        services.mission_submit(actor=clerk, mission=m, version=m.version)
    m = services.mission_submit(
        actor=clerk,
        mission=m,
        version=m.version,
        justifications={"SAME_UNIT_LEADERS": "两位领导分别负责不同议题"},
    )
    assert m.state == State.SUBMITTED
    event = AuditEvent.objects.filter(action="missions.mission.submit").last()
    assert "SAME_UNIT_LEADERS" in event.data["justified"]


def test_a_submitted_application_is_not_edited_and_can_be_withdrawn(mission, clerk):
    m = services.mission_submit(actor=clerk, mission=mission, version=mission.version)
    with pytest.raises(ValidationError):
        services.mission_update_basics(actor=clerk, mission=m, version=m.version, title="改")
    m = services.mission_withdraw(actor=clerk, mission=m)
    assert m.state == State.WITHDRAWN
    steps = ApprovalStep.objects.filter(subject_type="missions.mission", subject_id=m.pk)
    assert not steps.filter(state__in=["pending", "waiting"]).exists()
    assert "missions.mission.withdraw" in _events(m)[-2:]


def test_a_returned_application_is_edited_and_resubmitted(mission, clerk, cast):
    from waishi.missions.core.workflow import MISSION

    m = services.mission_submit(actor=clerk, mission=mission, version=mission.version)
    m = MISSION.apply(m, "return", actor=cast["unit_leader"], comment="请补充日程")
    m = services.mission_update_itinerary(
        actor=clerk,
        mission=m,
        version=m.version,
        days=[{"date": m.departure_date + timedelta(days=1), "kind": "official"}],
    )
    m = services.mission_submit(actor=clerk, mission=m, version=m.version)
    assert m.state == State.SUBMITTED
    assert "missions.mission.resubmit" in _events(m)[-2:]


# --- the annual plan ------------------------------------------------------------------------


def _bound_entry(unit, year: int):
    from waishi.plans.models import PlanEntry, PlanEntryVersion, PlanState, PlanYear

    plan, _new = PlanYear.objects.get_or_create(
        year=year,
        defaults={"deadline": timezone.localdate(), "state": PlanState.APPROVED, "version": 1},
    )
    entry = PlanEntry.objects.create(
        plan=plan,
        unit=unit,
        title="赴日本经贸交流（计划）",
        purpose="经贸",
        countries=["JP"],
        size=2,
        ranks=["county_division", "section_below"],
        expected_month=6,
        budget_estimate=50000,
        category="general",
        state="approved",
    )
    entry.bound_version = PlanEntryVersion.objects.create(entry=entry, plan_version=1, data={})
    entry.save(update_fields=["bound_version"])
    return entry


def test_a_trip_linked_to_a_binding_plan_entry_is_in_the_plan(mission, clerk, foreign_unit):
    entry = _bound_entry(mission.unit, mission.departure_date.year)
    m = services.mission_update_basics(
        actor=clerk,
        mission=mission,
        version=mission.version,
        plan_entry=entry,
        out_of_plan=False,
        out_of_plan_reason="",
    )
    from waishi.missions.core import checking

    assert checking.trip_data(m)["in_annual_plan"] is True
    assert "NOT_IN_PLAN" not in [f["rule"] for f in checking.run_check(m)["findings"]]
    m = services.mission_submit(actor=clerk, mission=m, version=m.version)
    assert m.state == State.SUBMITTED and m.plan_entry == entry
    other = _bound_entry(foreign_unit, mission.departure_date.year)
    with pytest.raises(ValidationError) as exc:
        services.mission_create_draft(actor=clerk, plan_entry=other)
    assert "plan_entry" in exc.value.message_dict
