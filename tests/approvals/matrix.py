"""Foreign objects of the approvals app for the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.factories import UserFactory
from waishi.lib.roles import Role


def _step(world):
    from waishi.approvals.models import ApprovalStep

    return ApprovalStep.objects.create(
        subject_type="approvals.matrix",
        subject_id=world.foreign_person.pk,
        unit=world.foreign_unit,
        sequence=1,
        approver_role=Role.UNIT_LEADER,
        state="pending",
        started_at=timezone.now(),
        due_on=timezone.localdate(),
    )


def _rule(world):
    from waishi.approvals.models import ApprovalRule

    return ApprovalRule.objects.order_by("pk").first()  # reference data: a seeded one


def _delegation(world):
    """A delegation between two leaders of the foreign unit: only they and the FAO head
    may see it."""
    from waishi.approvals.models import Delegation

    leader = UserFactory(username="foreign_leader", role=Role.UNIT_LEADER, unit=world.foreign_unit)
    deputy = UserFactory(username="foreign_deputy", role=Role.UNIT_LEADER, unit=world.foreign_unit)
    today = timezone.localdate()
    return Delegation.objects.create(
        delegator=leader,
        delegate=deputy,
        starts_on=today,
        ends_on=today + dt.timedelta(days=5),
        reason="外单位委托",
        created_by=leader,
    )


BUILDERS = {
    "approvals.approvalstep": _step,
    "approvals.approvalrule": _rule,
    "approvals.delegation": _delegation,
}
