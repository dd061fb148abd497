"""The default approval chain for change requests of approved trips (subject type
``missions.change``, policy-rules.md ``ITINERARY_CHANGE``): unit leader, FAO reviewer, FAO
head always, as for the trip; the committee when a member is of bureau rank or above (the
committee approved such a trip, so it approves its changes). The FAO edits these rules in
the app like the trip's."""

from __future__ import annotations

from django.db import migrations

SUBJECT = "missions.change"
RULES = [
    ("变更申请：单位负责人审核", 1, {"always": True}, "unit_leader", "subject_unit"),
    ("变更申请：外办审核", 2, {"always": True}, "fao_reviewer", "city"),
    ("变更申请：外办主任审批", 3, {"always": True}, "fao_head", "city"),
    ("变更申请：市委审定（厅局级及以上人员）", 4, {"min_rank": "bureau"}, "committee", "city"),
]


def seed(apps, schema_editor):
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    if ApprovalRule.objects.filter(applies_to=SUBJECT).exists():
        return
    for name, sequence, conditions, role, scope in RULES:
        ApprovalRule.objects.create(
            applies_to=SUBJECT,
            name=name,
            sequence=sequence,
            conditions=conditions,
            approver_role=role,
            approver_scope=scope,
            due_working_days=2,
            active=True,
            created_by=None,
        )


def unseed(apps, schema_editor):
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    ApprovalRule.objects.filter(
        applies_to=SUBJECT, created_by__isnull=True, name__in=[r[0] for r in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_seed_default_chain")]

    operations = [migrations.RunPython(seed, unseed)]
