"""Every approval action reads as a sentence in the audit log."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.utils import translation

from tests.approvals.conftest import TYPE
from waishi.approvals import services
from waishi.audit.messages import MESSAGES, describe
from waishi.audit.models import AuditEvent


def test_every_approval_action_has_a_sentence(cast, subject, applicant, home_person, test_rules):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False):
        subject.start(cast["unit_clerk"], applicant)
        subject.step(actor=cast["unit_leader"], person=applicant)
        subject.step(actor=cast["fao_reviewer"], person=applicant, decision="return", comment="改")
        subject.start(cast["unit_clerk"], applicant)
        subject.step(actor=cast["unit_leader"], person=applicant, decision="reject", comment="否")
        subject.start(cast["unit_clerk"], home_person)
        services.rule_update(actor=cast["fao_head"], rule=test_rules[0], due_working_days=2)
        services.rule_create(
            actor=cast["fao_head"],
            applies_to=TYPE,
            name="新规则",
            sequence=5,
            conditions={"always": True},
            approver_role="committee",
        )
        delegation = services.delegation_create(
            actor=cast["fao_head"],
            delegator=cast["fao_head"],
            delegate=cast["fao_reviewer"],
            starts_on=start.date(),
            ends_on=start.date(),
            reason="出差",
        )
        services.delegation_revoke(actor=cast["fao_head"], delegation=delegation)
    for day in (9, 13):
        with time_machine.travel(start.replace(day=day), tick=False):
            services.overdue_sweep()
    services.chain_cancel(actor=cast["unit_clerk"], subject_type=TYPE, subject_id=home_person.pk)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {a for a in MESSAGES if a.startswith("approval.")} <= actions
    for event in AuditEvent.objects.filter(action__startswith="approval."):
        with translation.override("en"):
            text = describe(event)
        assert "—" not in text and "{" not in text, (event.action, text)
