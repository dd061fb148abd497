"""With time moved forward: a trip report not submitted brings a reminder to the unit's
clerks before the due date and on it, then the escalation to the unit leader
``escalate_after_days`` after it -- each once. A submitted report is not chased."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.missions.travel import back
from waishi.audit.models import AuditEvent
from waishi.missions import tasks
from waishi.missions.models import TripReport
from waishi.missions.report import services
from waishi.notify.models import Notification

pytestmark = pytest.mark.django_db

REMIND = "missions.report_reminder"
ESCALATE = "missions.report_escalation"


def _on(day: dt.date):
    """Travel to 09:00 Beijing time of ``day`` (the clock stands still)."""
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def _notices(user, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def _actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__in=["missions.report.remind", "missions.report.escalate"])
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def report(cast, people):
    return TripReport.objects.get(mission=back(cast, people))


def test_reminders_then_escalation_each_once(cast, report):
    clerk, leader = cast["unit_clerk"], cast["unit_leader"]
    due = report.due_date
    after = services.escalate_after_days()
    assert after == 7  # the shipped REPORT_DUE

    with _on(due - dt.timedelta(days=services.REMIND_BEFORE_DAYS + 1)):  # not yet
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}

    with _on(due - dt.timedelta(days=services.REMIND_BEFORE_DAYS)):  # a few days before
        assert services.report_sweep()["reminded"] == 1
        assert services.report_sweep()["reminded"] == 0
        assert _notices(clerk, REMIND) == 1
        assert _notices(leader, REMIND) == 0

    with _on(due - dt.timedelta(days=1)):
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}

    with _on(due):  # on the due date: the second reminder, once
        assert services.report_sweep()["reminded"] == 1
        assert services.report_sweep()["reminded"] == 0
        assert _notices(clerk, REMIND) == 2

    with _on(due + dt.timedelta(days=after - 1)):  # overdue, not yet escalated
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}
        assert _notices(leader, ESCALATE) == 0

    with _on(due + dt.timedelta(days=after)):  # the unit leader is told, once
        assert services.report_sweep() == {"reminded": 0, "escalated": 1}
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}
        assert _notices(leader, ESCALATE) == 1
        assert _notices(clerk, ESCALATE) == 0

    with _on(due + dt.timedelta(days=after + 20)):
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}
    assert _notices(clerk, REMIND) == 2 and _notices(leader, ESCALATE) == 1
    assert _actions() == [
        "missions.report.remind",
        "missions.report.remind",
        "missions.report.escalate",
    ]
    row = TripReport.objects.get(pk=report.pk)
    assert row.reminded_on == due and row.escalated_on == due + dt.timedelta(days=after)
    note = Notification.objects.filter(recipient=leader, kind=ESCALATE).get()
    assert note.url == f"/missions/{report.mission_id}/report/"


def test_a_first_run_after_the_due_date_reminds_and_escalates_once(cast, report):
    with _on(report.due_date + dt.timedelta(days=30)):
        assert services.report_sweep() == {"reminded": 1, "escalated": 1}
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}


def test_the_escalation_delay_is_a_policy_parameter(cast, report):
    from waishi.policy import services as policy_services

    policy_services.policy_parameter_change(
        actor=cast["fao_head"],
        rule="REPORT_DUE",
        values={"escalate_after_days": 2},
        effective_from=timezone.localdate(),
        reason="测试：缩短催报期限",
    )
    with _on(report.due_date + dt.timedelta(days=2)):
        assert services.report_sweep()["escalated"] == 1


def test_a_submitted_or_accepted_report_is_not_chased(cast, report):
    from tests.missions.test_report import complete

    complete(cast, report)
    services.report_submit(actor=cast["unit_clerk"], report=TripReport.objects.get(pk=report.pk))
    with _on(report.due_date + dt.timedelta(days=30)):
        assert services.report_sweep() == {"reminded": 0, "escalated": 0}
    assert _notices(cast["unit_clerk"], REMIND) == 0
    assert _notices(cast["unit_leader"], ESCALATE) == 0
    assert _actions() == []


def test_a_returned_report_is_chased_again(cast, report):
    from tests.missions.test_report import complete

    complete(cast, report)
    services.report_submit(actor=cast["unit_clerk"], report=TripReport.objects.get(pk=report.pk))
    services.report_return(
        actor=cast["fao_reviewer"],
        report=TripReport.objects.get(pk=report.pk),
        comment="请补充成果",
    )
    with _on(report.due_date + dt.timedelta(days=10)):
        assert services.report_sweep() == {"reminded": 1, "escalated": 1}


def test_only_the_units_own_people_are_told(cast, report):
    other_trip_clerk = cast["outsider"]
    with _on(report.due_date + dt.timedelta(days=10)):
        services.report_sweep()
    assert _notices(other_trip_clerk, REMIND) == 0
    assert _notices(cast["fao_reviewer"], ESCALATE) == 0


def test_the_periodic_task_runs_the_sweep(cast, report):
    with _on(report.due_date):
        tasks.daily_report_sweep.call_local()  # what the consumer runs each morning
    assert TripReport.objects.get(pk=report.pk).reminded_on == report.due_date
