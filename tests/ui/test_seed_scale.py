"""``waishi seed-scale`` at a tiny scale: proportions, states, the chain, the scoping."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from waishi.approvals.models import ApprovalStep
from waishi.arrivals.models import Arrival
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.lib import crypto
from waishi.lib.roles import Role
from waishi.missions.models import Member, Mission, State, Stop
from waishi.orgs.models import District, Person, Unit, User
from waishi.orgs.scoping import visible
from waishi.ui.scale import FULL, sizes

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
    assert AuditEvent.objects.count() == n["audit"]
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


def test_the_audit_chain_verifies(seeded):
    assert verify_chain() is None
    # ... and continues after seeding a second time.
    seed(SCALE, "--force")
    assert verify_chain() is None
    assert AuditEvent.objects.count() == 2 * sizes(SCALE)["audit"]


def test_ciphertexts_decrypt_and_indexes_match(seeded):
    person = Person.objects.order_by("pk").first()
    number = person.reveal_id_number()
    assert Person.objects.with_id_number(number).get() == person
    arrival = Arrival.objects.order_by("pk").first()
    assert arrival.reveal_passport().startswith("E")
    assert crypto.key_id_of(arrival.passport_enc) == crypto.current_key_id()


def test_a_unit_clerk_sees_only_their_units_missions(seeded):
    clerk = User.objects.filter(role=Role.UNIT_CLERK).order_by("pk").first()
    seen = visible(clerk, Mission)
    assert seen.exists()
    assert set(seen.values_list("unit_id", flat=True)) == {clerk.unit_id}
    assert seen.count() < Mission.objects.count()
    fao = User.objects.get(role=Role.FAO_REVIEWER)
    assert visible(fao, Mission).count() == Mission.objects.count()


def test_refuses_a_database_with_business_data(db):
    Unit.objects.create(code="X1", name="已有单位", kind="bureau")
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not Mission.objects.exists()


def test_never_in_production(db, settings):
    settings.MODE = "production"
    with pytest.raises(CommandError, match="production"):
        seed()
