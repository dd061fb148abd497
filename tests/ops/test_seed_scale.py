"""``waishi seed-scale`` at a tiny scale: proportions, states, the chain, the scoping."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from tests.gb11643 import is_valid_id_number
from waishi.approvals.models import ApprovalStep
from waishi.arrivals.models import Arrival
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify, verify_chain
from waishi.lib import crypto
from waishi.lib.roles import Role
from waishi.missions.models import Member, Mission, State, Stop
from waishi.ops.scale import FULL, sizes
from waishi.orgs.models import District, Person, Unit, User
from waishi.orgs.scoping import visible

SCALE = 0.001


def seed(scale=SCALE, *args):
    err = io.StringIO()
    call_command("seed-scale", "--scale", str(scale), *args, stderr=err)
    return err.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def test_counts_follow_the_scale(seeded):
    n = sizes(SCALE)
    assert n == {k: round(v * SCALE) for k, v in FULL.items()} | {"districts": 1}
    assert District.objects.count() == n["districts"]
    assert Unit.objects.count() == n["units"] + 1  # and the FAO
    assert Person.objects.count() == n["people"]
    assert Mission.objects.count() == n["missions"]
    assert _seeded_events() == n["audit"]
    assert Arrival.objects.count() == n["arrivals"]
    # Every trip has members (one leader) and stops; every submitted one its steps.
    assert Member.objects.values("mission").distinct().count() == n["missions"]
    assert Member.objects.filter(is_leader=True).count() == n["missions"]
    assert Stop.objects.values("mission").distinct().count() == n["missions"]
    submitted = Mission.objects.exclude(state=State.DRAFT).count()
    assert ApprovalStep.objects.count() == 2 * submitted
    # Progress per table on stderr.
    assert "missions_mission: 1,000 rows" in seeded
    assert "rows/s" in seeded


def test_every_state_is_present(seeded):
    assert set(Mission.objects.values_list("state", flat=True)) == set(State.values)
    # An open step is pending only for trips waiting on a decision.
    pending = ApprovalStep.objects.filter(state="pending").values_list("subject_id", flat=True)
    states = set(Mission.objects.filter(pk__in=pending).values_list("state", flat=True))
    assert states == {State.SUBMITTED, State.IN_REVIEW}


def _seeded_events() -> int:
    """The events seed-scale writes, without those recording the watched state."""
    return AuditEvent.objects.exclude(action="audit.state_recorded").count()


def test_the_audit_chain_verifies(seeded):
    assert verify_chain() is None
    # The accounts, trips, quotas and passports made have their state on the chain.
    result = verify()
    assert result.ok, (result.problem, result.differences[:5])
    # ... and continues after seeding a second time.
    seed(SCALE, "--force")
    assert verify().ok
    assert _seeded_events() == 2 * sizes(SCALE)["audit"]


def test_ciphertexts_decrypt_and_indexes_match(seeded):
    person = Person.objects.order_by("pk").first()
    number = person.reveal_id_number()
    assert Person.objects.with_id_number(number).get() == person
    arrival = Arrival.objects.order_by("pk").first()
    assert arrival.reveal_passport().startswith("E")
    assert crypto.key_id_of(arrival.passport_enc) == crypto.current_key_id()


def test_id_numbers_are_valid(seeded):
    numbers = [p.reveal_id_number() for p in Person.objects.all()]
    assert numbers and all(is_valid_id_number(n) for n in numbers), numbers
    # Invented: region codes starting with 9 are not assigned by GB/T 2260.
    assert {n[0] for n in numbers} == {"9"}


def test_a_unit_clerk_sees_only_their_units_missions(seeded):
    clerk = User.objects.filter(role=Role.UNIT_CLERK).order_by("pk").first()
    seen = visible(clerk, Mission)
    assert seen.exists()
    assert set(seen.values_list("unit_id", flat=True)) == {clerk.unit_id}
    assert seen.count() < Mission.objects.count()
    fao = User.objects.get(role=Role.FAO_REVIEWER)
    # The FAO sees every unit's trips but no draft never submitted (a draft is the unit's).
    drafts = Mission.objects.filter(state="draft", submitted_at__isnull=True)
    assert drafts.exists()
    assert visible(fao, Mission).count() == Mission.objects.count() - drafts.count()
    assert not visible(fao, Mission).filter(pk__in=drafts.values("pk")).exists()


def test_refuses_a_database_with_business_data(db):
    Unit.objects.create(code="X1", name="已有单位", kind="bureau")
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not Mission.objects.exists()


def test_never_in_production(db, settings):
    settings.MODE = "production"
    with pytest.raises(CommandError, match="production"):
        seed()


def test_passports_follow_ups_plan_and_arrival_steps(seeded):
    from django.utils import timezone

    from waishi.arrivals.models import Step
    from waishi.followups.models import Outcome
    from waishi.followups.models import State as OutcomeState
    from waishi.ops.scale import OUTCOME_EVERY, PASSPORT_EVERY, PLAN_ENTRIES
    from waishi.passports.models import Passport, PassportCustody
    from waishi.plans.models import PlanEntry, PlanYear, Quota

    n = sizes(SCALE)
    # A passport for every fifth person; numbers decrypt and match their index.
    assert Passport.objects.count() == n["people"] // PASSPORT_EVERY
    passport = Passport.objects.order_by("pk").first()
    assert Passport.index_number(passport.reveal_number()) == passport.number_index
    # One hand-out for the latest approved trip of a holder; the open ones are "issued".
    custody = PassportCustody.objects.select_related("passport", "mission")
    assert custody.exists()
    for row in custody:
        assert row.mission.state in {"approved", "abroad", "back", "closed"}
        assert row.mission.members.filter(person_id=row.passport.holder_id).exists()
        assert (row.returned_at is None) == (row.passport.state == "issued")
    # A follow-up for every tenth closed trip, owned by its unit and a member.
    outcomes = Outcome.objects.filter(track="outcome")
    assert outcomes.exists()
    closed = set(Mission.objects.filter(state=State.CLOSED).values_list("pk", flat=True))
    for outcome in outcomes:
        assert outcome.source_id in closed
        assert (outcome.source_id - Mission.objects.order_by("pk")[0].pk) % OUTCOME_EVERY == 0
        mission = Mission.objects.get(pk=outcome.source_id)
        assert outcome.responsible_unit_id == mission.unit_id
        assert mission.members.filter(person=outcome.responsible_person_id).exists()
        assert (outcome.state == OutcomeState.DROPPED) == bool(outcome.drop_reason)
    # This year's plan: entries and both quotas of every unit.
    plan = PlanYear.objects.get(year=timezone.now().year)
    assert PlanEntry.objects.filter(plan=plan).count() == PLAN_ENTRIES * n["units"]
    assert Quota.objects.filter(plan=plan).count() == 2 * n["units"]
    # The arrivals of the last 90 days have their plan's steps; done ones have a doer.
    steps = Step.objects.all()
    assert steps.exists()
    assert not steps.filter(done_at__isnull=False, done_by__isnull=True).exists()
    per_arrival = set(steps.values("arrival").annotate(n=Count("pk")).values_list("n", flat=True))
    assert len(per_arrival) == 1  # every one the whole plan
    assert Arrival.objects.filter(state__in=["expected", "managed"]).exists()


def test_rows_are_written_in_chunks_without_losing_the_last_one(db, monkeypatch):
    """Chunks of 7 rows (5,000 at full scale): full chunks as they fill, the rest at the
    end; no row lost or written twice at a chunk's edge, and the chain still verifies."""
    from waishi.ops import scale

    monkeypatch.setattr(scale, "CHUNK", 7)
    seed()
    n = sizes(SCALE)
    assert Person.objects.count() == n["people"]
    assert _seeded_events() == n["audit"]
    assert Mission.objects.count() == n["missions"]
    assert verify_chain() is None


def test_tasks_alone_over_every_unit_numbered_once_per_year(db):
    """``--only tasks``: the organisation and the supervised tasks, nothing else; each
    number of a year given once; the closed ones have their date, the dropped ones their
    reason; the year's counter is where the numbers stopped, so that a task assigned next
    gets a fresh number; a second seeding goes on from there."""
    from waishi.followups.models import CLOSED_TASK_STATES, Outcome, TaskSequence, Track
    from waishi.followups.models import State as TaskState

    out = seed(0.01, "--only", "tasks")
    assert "followups_task: 1,000 rows" in out
    assert not Mission.objects.exists() and not Arrival.objects.exists()
    tasks = Outcome.objects.filter(track=Track.TASK)
    assert tasks.count() == 1000
    assert tasks.values("responsible_unit").distinct().count() == Unit.objects.count() - 1
    numbered = tasks.exclude(seq=None)
    pairs = list(numbered.values_list("year", "seq"))
    assert len(pairs) == len(set(pairs))
    for year, last in TaskSequence.objects.values_list("year", "last"):
        assert last == max(seq for y, seq in pairs if y == year)
    for task in tasks.filter(state__in=CLOSED_TASK_STATES):
        assert task.done_at is not None
    assert all(t.drop_reason for t in tasks.filter(state=TaskState.DROPPED))
    assert {t.state for t in tasks} >= {"assigned", "in_progress", "feedback", "archived"}
    seed(0.01, "--only", "tasks", "--force")
    pairs = list(Outcome.objects.exclude(seq=None).values_list("year", "seq"))
    assert len(pairs) == len(set(pairs))


def test_an_unknown_stage_is_refused(db):
    with pytest.raises(CommandError, match="unknown stage"):
        seed(0.01, "--only", "tasks,ships")
