"""The demo trips: a draft, a submitted one and an approved one; seeding twice adds none."""

from __future__ import annotations

import io

import pytest

from waishi.missions.demo import seed_missions
from waishi.missions.models import Mission
from waishi.orgs import demo

pytestmark = pytest.mark.django_db


def test_seed_missions_is_idempotent(settings):
    from waishi.approvals.models import ApprovalStep
    from waishi.plans.demo import seed_plans
    from waishi.plans.models import QuotaLedger

    demo.load()
    seed_plans(io.StringIO())
    out = io.StringIO()
    assert seed_missions(out) == 3, out.getvalue()
    states = sorted(Mission.objects.values_list("state", flat=True))
    assert states == ["approved", "draft", "submitted"], out.getvalue()
    approved = Mission.objects.get(state="approved")
    # A complete chain, decided through the decision service, and the quota consumed.
    steps = ApprovalStep.objects.filter(subject_type="missions.mission", subject_id=approved.pk)
    assert steps.count() >= 3 and set(steps.values_list("state", flat=True)) == {"approved"}
    assert approved.approved_at is not None and approved.publicity.is_exempt
    assert QuotaLedger.objects.filter(reference=f"missions.mission:{approved.pk}").count() == 1
    submitted = Mission.objects.get(state="submitted")
    assert submitted.publicity.is_published
    assert seed_missions() == 0
    assert Mission.objects.count() == 3
