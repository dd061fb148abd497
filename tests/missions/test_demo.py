"""The demo's trip steps: a complete draft, submitted with the justifications it needs,
its notice published, decided step by step by the demo approvers up to approval."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waishi.missions import demo as missions_demo
from waishi.missions.models import Mission, State
from waishi.orgs import demo
from waishi.orgs.models import Person, User

pytestmark = pytest.mark.django_db


def test_demo_steps_take_a_trip_to_its_final_approval():
    from waishi.plans.demo import seed_plans
    from waishi.plans.models import QuotaLedger

    demo.load()
    seed_plans(io.StringIO())
    clerk = User.objects.get(username="clerk")
    people = list(
        Person.objects.filter(unit=clerk.unit, is_unit_leadership=False, is_retired=False)
        .exclude(pk=clerk.person_id)
        .order_by("pk")[:2]
    )
    today = timezone.localdate()
    start = min(today + timedelta(days=60), today.replace(month=12, day=27))
    mission = missions_demo.draft(
        clerk,
        people,
        title="赴日本大阪经贸推介",
        start=start,
        end=start + timedelta(days=4),
        country="JP",
        city="大阪",
    )
    assert mission.state == State.DRAFT and mission.members.count() == 2
    mission = missions_demo.submit(clerk, mission)
    assert mission.state == State.SUBMITTED and mission.publicity.is_published
    assert missions_demo.pending_role(mission) == "unit_leader"
    # The publicity has not run: the final approval is refused, the others go through.
    outcomes = []
    with pytest.raises(ValidationError) as refused:
        while True:
            outcomes.append(missions_demo.decide(Mission.objects.get(pk=mission.pk)))
    assert any("公示" in message for message in refused.value.messages), refused.value
    assert outcomes and set(outcomes) == {"next"}
    mission.refresh_from_db()
    assert mission.state == State.IN_REVIEW
    assert not QuotaLedger.objects.filter(reference=f"missions.mission:{mission.pk}").exists()
