"""The default approval chain for trip applications: unit leader, FAO reviewer, FAO head
always; the committee when a member is of bureau rank or above, the trip is outside the
annual plan (计划外), or the policy check flagged a finding that needs it. One committee
rule per alternative (the conditions of one rule must all hold); the chain names each
role once."""

from __future__ import annotations

from django.db import migrations

SUBJECT = "missions.mission"
# The policy rules (policy-rules.md) whose findings, when the mission app flags them as
# needing higher approval, send the trip to the committee.
POLICY_FLAGS = [
    "CATEGORY_MISMATCH",
    "GROUP_SIZE",
    "COUNTRY_COUNT",
    "STAY_DAYS",
    "ONE_CONTINENT",
    "ITINERARY_INCONSISTENT",
    "TASK_PER_MEMBER",
    "NO_SIGHTSEEING",
    "BUSINESS_RATIO",
    "NO_FAMILY",
    "RETIRED_MEMBER",
    "INVITATION_MISSING",
    "INVITATION_SOURCE",
    "HOT_DESTINATION",
    "FREQUENCY",
    "SAME_UNIT_LEADERS",
    "NOT_IN_PLAN",
    "LEAD_TIME",
    "PARTY_BRANCH",
    "BUDGET_STANDARD",
    "BUDGET_MISSING",
]
RULES = [
    ("单位负责人审核", 1, {"always": True}, "unit_leader", "subject_unit"),
    ("外办审核", 2, {"always": True}, "fao_reviewer", "city"),
    ("外办主任审批", 3, {"always": True}, "fao_head", "city"),
    ("市委审定（厅局级及以上人员）", 4, {"min_rank": "bureau"}, "committee", "city"),
    ("市委审定（计划外团组）", 4, {"out_of_plan": True}, "committee", "city"),
    ("市委审定（政策审查提示）", 4, {"policy_flags_any": POLICY_FLAGS}, "committee", "city"),
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
            due_working_days=3,
            active=True,
            created_by=None,
        )


def unseed(apps, schema_editor):
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    ApprovalRule.objects.filter(
        applies_to=SUBJECT, created_by__isnull=True, name__in=[r[0] for r in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
