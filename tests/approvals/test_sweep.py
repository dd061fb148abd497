"""The daily sweep: a reminder once a step is overdue, escalation once, later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from tests.approvals.conftest import TYPE
from tests.factories import UserFactory
from waishi.approvals import selectors, services, tasks
from waishi.approvals.models import ApprovalStep
from waishi.audit.models import AuditEvent
from waishi.lib.roles import Role
from waishi.notify.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 35, tzinfo=SHANGHAI)


def _notes(kind):
    return list(Notification.objects.filter(kind=kind).order_by("recipient_id"))


def test_reminds_once_then_escalates_once(cast, subject, applicant):
    drafter = UserFactory(role=Role.UNIT_LEADER, unit=applicant.unit)  # may not decide
    subject.excluded[applicant.pk] = {drafter.pk}
    with time_machine.travel(_at(2), tick=False):  # Monday
        (step, *_rest) = subject.start(cast["unit_clerk"], applicant)
    assert step.due_on == dt.date(2026, 11, 5)  # Thursday

    with time_machine.travel(_at(5), tick=False):  # due today: not late yet
        assert services.overdue_sweep() == {"reminded": 0, "escalated": 0}

    with time_machine.travel(_at(6), tick=False):  # Friday: overdue
        assert services.overdue_sweep() == {"reminded": 1, "escalated": 0}
        assert services.overdue_sweep() == {"reminded": 0, "escalated": 0}
    reminders = _notes("approvals.reminder")
    assert [n.recipient for n in reminders] == [cast["unit_leader"]]  # not the drafter
    assert "李四" in reminders[0].title
    assert reminders[0].url == f"/orgs/people/{applicant.pk}/"
    step.refresh_from_db()
    assert step.reminded_at == _at(6)

    # Two working days after the reminder (Friday -> Tuesday) it goes to the superior.
    with time_machine.travel(_at(9), tick=False):
        assert services.overdue_sweep() == {"reminded": 0, "escalated": 0}
    with time_machine.travel(_at(10), tick=False):
        assert services.overdue_sweep() == {"reminded": 0, "escalated": 1}
    with time_machine.travel(_at(11), tick=False):
        assert services.overdue_sweep() == {"reminded": 0, "escalated": 0}
    escalations = _notes("approvals.escalation")
    assert [n.recipient for n in escalations] == [cast["fao_reviewer"]]
    step.refresh_from_db()
    assert step.escalated_at == _at(10)
    assert len(_notes("approvals.reminder")) == 1
    remind, escalate = (
        AuditEvent.objects.filter(action=a)
        for a in ("approval.step.remind", "approval.step.escalate")
    )
    assert remind.count() == 1 and escalate.count() == 1
    assert escalate.get().data["superior"] == "fao_reviewer"
    assert remind.get().actor_name == "approval sweep"


def test_escalation_goes_up_one_level(cast, subject, applicant):
    with time_machine.travel(_at(2), tick=False):
        subject.start(cast["unit_clerk"], applicant)
        subject.step(actor=cast["unit_leader"], person=applicant)
        subject.step(actor=cast["fao_reviewer"], person=applicant)
    for day in (6, 10):
        with time_machine.travel(_at(day), tick=False):
            services.overdue_sweep()
    assert [n.recipient for n in _notes("approvals.reminder")] == [cast["fao_head"]]
    assert [n.recipient for n in _notes("approvals.escalation")] == [cast["committee"]]


def test_decided_steps_are_left_alone(cast, subject, applicant):
    with time_machine.travel(_at(2), tick=False):
        subject.start(cast["unit_clerk"], applicant)
    with time_machine.travel(_at(6), tick=False):
        subject.step(actor=cast["unit_leader"], person=applicant)  # decided on time-ish
        assert services.overdue_sweep() == {"reminded": 0, "escalated": 0}
    step = selectors.current_step(TYPE, applicant.pk)
    assert step.approver_role == "fao_reviewer" and step.reminded_at is None


def test_the_periodic_task_runs_the_sweep(cast, subject, applicant, settings):
    with time_machine.travel(_at(2), tick=False):
        subject.start(cast["unit_clerk"], applicant)
    with time_machine.travel(_at(6), tick=False):
        tasks.approval_sweep.call_local()  # what the consumer runs each morning
    assert ApprovalStep.objects.filter(reminded_at__isnull=False).count() == 1
