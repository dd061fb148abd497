"""The daily sweep: overdue once (the unit's leader told), escalated once, later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import UserFactory
from waishi.audit.models import AuditEvent
from waishi.followups import services, tasks
from waishi.followups.models import Outcome, State
from waishi.lib.roles import Role
from waishi.lib.workflow import transitioned
from waishi.notify.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 45, tzinfo=SHANGHAI)


def _notes(kind):
    return list(Notification.objects.filter(kind=kind).order_by("recipient_id"))


def test_overdue_then_escalated_once_each(cast, make_outcome, foreign_unit):
    UserFactory(role=Role.UNIT_LEADER, unit=foreign_unit)  # another unit's leader: not told
    with time_machine.travel(_at(2), tick=False):  # Monday
        outcome = make_outcome(due_date=dt.date(2026, 11, 5))  # Thursday
        done = make_outcome(due_date=dt.date(2026, 11, 5), title="已完成事项")
        services.outcome_complete(actor=cast["unit_leader"], outcome=done)

    with time_machine.travel(_at(5), tick=False):  # due today: not late yet
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 0}

    with time_machine.travel(_at(6), tick=False):  # Friday: overdue
        assert services.overdue_sweep() == {"overdue": 1, "escalated": 0}
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 0}
    outcome.refresh_from_db()
    assert outcome.state == State.OVERDUE and outcome.overdue_since == dt.date(2026, 11, 6)
    reminders = _notes("followups.overdue")
    assert [n.recipient for n in reminders] == [cast["unit_leader"]]
    assert outcome.title in reminders[0].title
    assert reminders[0].url == f"/followups/{outcome.pk}/"
    assert Outcome.objects.get(pk=done.pk).state == State.DONE

    # Five working days after the due date (Thu 5 -> Thu 12) it goes to the FAO reviewers.
    with time_machine.travel(_at(11), tick=False):
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 0}
    with time_machine.travel(_at(12), tick=False):
        assert tasks.followup_sweep.call_local() == {"overdue": 0, "escalated": 1}
    with time_machine.travel(_at(13), tick=False):
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 0}
    escalations = _notes("followups.escalation")
    assert [n.recipient for n in escalations] == [cast["fao_reviewer"]]
    outcome.refresh_from_db()
    assert outcome.escalated_at == _at(12)
    assert len(_notes("followups.overdue")) == 1
    actions = list(
        AuditEvent.objects.filter(object_type="followups.outcome", object_id=str(outcome.pk))
        .order_by("seq")
        .values_list("action", "actor_name")
    )
    assert actions[-2:] == [
        ("followups.outcome.overdue", services.SWEEP_ACTOR),
        ("followups.outcome.escalate", services.SWEEP_ACTOR),
    ]


def test_escalation_days_are_working_days_and_a_setting(cast, make_outcome, settings):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 2
    with time_machine.travel(_at(2), tick=False):
        make_outcome(due_date=dt.date(2026, 11, 6))  # Friday
    with time_machine.travel(_at(9), tick=False):  # Monday: 1 working day late
        assert services.overdue_sweep() == {"overdue": 1, "escalated": 0}
    with time_machine.travel(_at(10), tick=False):  # Tuesday: 2
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 1}


def test_late_sweep_marks_and_escalates_in_one_run(cast, make_outcome):
    with time_machine.travel(_at(2), tick=False):
        make_outcome(due_date=dt.date(2026, 11, 3))
    with time_machine.travel(_at(20), tick=False):
        assert services.overdue_sweep() == {"overdue": 1, "escalated": 1}
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 0}


def test_progress_keeps_an_overdue_outcome_overdue_and_reschedule_starts_over(cast, make_outcome):
    with time_machine.travel(_at(2), tick=False):
        outcome = make_outcome(due_date=dt.date(2026, 11, 5))
    with time_machine.travel(_at(6), tick=False):
        services.overdue_sweep()
        services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text="仍在推进")
        outcome.refresh_from_db()
        assert outcome.state == State.OVERDUE
        services.outcome_update(
            actor=cast["fao_head"], outcome=outcome, due_date=dt.date(2026, 11, 20)
        )
    outcome.refresh_from_db()
    assert outcome.state == State.IN_PROGRESS and outcome.reminded_at is None
    with time_machine.travel(_at(23), tick=False):  # late again: told again, for the new date
        assert services.overdue_sweep() == {"overdue": 1, "escalated": 0}
    assert len(_notes("followups.overdue")) == 2


def test_done_or_dropped_never_go_overdue(cast, make_outcome):
    with time_machine.travel(_at(2), tick=False):
        a = make_outcome(due_date=dt.date(2026, 11, 5))
        b = make_outcome(due_date=dt.date(2026, 11, 5))
        services.outcome_complete(actor=cast["fao_reviewer"], outcome=a)
        services.outcome_drop(actor=cast["fao_head"], outcome=b, reason="对方撤回")
    with time_machine.travel(_at(30), tick=False):
        assert services.overdue_sweep() == {"overdue": 0, "escalated": 0}
    # Only the notice of the outcome given to the unit: nothing overdue, nothing escalated.
    assert not Notification.objects.exclude(kind="followups.assigned").exists()


def test_the_sweep_marks_overdue_through_the_engine(
    cast, make_outcome, django_capture_on_commit_callbacks
):
    """The sweep's transition is the table's: the engine's ``transitioned`` notice says it
    (the system as actor), once, and the audit event reads as before."""
    heard: list[dict] = []

    def listen(sender, **kwargs):
        heard.append({"sender": sender, **kwargs})

    with time_machine.travel(_at(2), tick=False):
        outcome = make_outcome(due_date=dt.date(2026, 11, 5))
    transitioned.connect(listen, dispatch_uid="test_sweep_transitioned")
    try:
        with (
            time_machine.travel(_at(6), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.overdue_sweep()
    finally:
        transitioned.disconnect(dispatch_uid="test_sweep_transitioned")
    assert [
        (n["sender"], n["subject"].pk, n["action"], n["from_state"], n["to_state"], n["actor"])
        for n in heard
    ] == [(Outcome, outcome.pk, "overdue", "open", "overdue", None)]
    event = AuditEvent.objects.filter(action="followups.outcome.overdue").get()
    assert (event.actor_id, event.actor_name) == (None, services.SWEEP_ACTOR)
    assert (event.before, event.after) == ({"state": "open"}, {"state": "overdue"})
    assert event.data["recipients"] == 1
