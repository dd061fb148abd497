"""With time moved forward: an unreturned passport brings the reminder, then the
escalation, then the lock on the unit's new submissions; returning it lifts the lock.
Expiry: the FAO is warned in time and an expired passport leaves the usable ones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.passports.conftest import register
from waishi.audit.models import AuditEvent
from waishi.lib.work import cards_for
from waishi.missions.application import services as missions
from waishi.missions.models import State
from waishi.notify.models import Notification
from waishi.passports import services
from waishi.passports.models import PassportState


def _on(day: dt.date):
    """Travel to 09:00 Beijing time of ``day`` (the clock stands still)."""
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def _notices(user, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def _actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="passports.custody.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _submit_new_trip(clerk, unit):
    person = PersonFactory(unit=unit, name="王五")
    draft = build_mission(clerk, [person], title="新的出访申请")
    return missions.mission_submit(actor=clerk, mission=draft, version=draft.version)


def test_reminder_then_escalation_then_lock_and_return_lifts_it(cast, fao, trip, passports):
    clerk, leader = cast["unit_clerk"], cast["unit_leader"]
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    due = custody.due_back
    assert due == trip.return_date + dt.timedelta(days=7)

    with _on(due):  # due today: nothing yet
        assert services.sweep()["reminded"] == 0
        assert _notices(clerk, "passports.return_reminder") == 0

    with _on(due + dt.timedelta(days=1)):  # overdue: the clerk is reminded, once
        assert services.sweep()["reminded"] == 1
        assert services.sweep()["reminded"] == 0
        assert _notices(clerk, "passports.return_reminder") == 1
        assert _notices(leader, "passports.return_escalation") == 0
        assert services.unit_lock_reason(trip.unit) is None

    with _on(due + dt.timedelta(days=4)):  # a few days later: the unit leader
        assert services.sweep()["escalated"] == 1
        assert _notices(leader, "passports.return_escalation") == 1
        assert _notices(clerk, "passports.return_reminder") == 1

    with _on(due + dt.timedelta(days=30)):  # 30 days overdue: not yet locked
        assert services.sweep()["locked"] == 0
        assert services.unit_lock_reason(trip.unit) is None

    with _on(due + dt.timedelta(days=31)):  # more than 30: locked
        assert services.sweep()["locked"] == 1
        assert _actions() == [
            "passports.custody.remind",
            "passports.custody.escalate",
            "passports.custody.lock",
        ]
        with override("en"):
            reason = services.unit_lock_reason(trip.unit)
            assert "李雷" in reason and "return them first" in reason
            with pytest.raises(ValidationError, match="overdue for return"):
                _submit_new_trip(clerk, trip.unit)
            assert any(card.title == "New trip applications locked" for card in cards_for(clerk))
        assert _notices(cast["fao_head"], "passports.unit_locked") == 1

        services.passport_return(actor=fao, custody=custody)
        assert services.unit_lock_reason(trip.unit) is None
        event = AuditEvent.objects.filter(action="passports.passport.return").get()
        assert event.data["unit_unlocked"] == [trip.unit_id]
        assert event.data["days_overdue"] == 31
        submitted = _submit_new_trip(clerk, trip.unit)
        assert submitted.state == State.SUBMITTED


def test_the_lock_period_is_a_policy_parameter(cast, fao, trip, passports):
    from waishi.policy import services as policy_services

    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    policy_services.policy_parameter_change(
        actor=cast["fao_head"],
        rule="PASSPORT_RETURN",
        values={"lock_after_days": 10},
        effective_from=timezone.localdate(),
        reason="测试：缩短锁定期限",
    )
    with _on(custody.due_back + dt.timedelta(days=11)):
        assert services.unit_lock_reason(trip.unit) is not None
        assert services.sweep()["locked"] == 1


def test_another_unit_is_not_locked(cast, fao, trip, passports, foreign_unit):
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    with _on(custody.due_back + dt.timedelta(days=40)):
        services.sweep()
        assert services.unit_lock_reason(trip.unit) is not None
        assert services.unit_lock_reason(foreign_unit) is None
        assert _notices(cast["outsider"], "passports.return_reminder") == 0


def test_expiry_warning_and_expiry(cast, fao, people):
    today = timezone.localdate()
    soon = register(fao, people[0], expires_on=today + dt.timedelta(days=100))
    later = register(fao, people[1], expires_on=today + dt.timedelta(days=2000))
    counts = services.sweep()
    assert counts["expiry_warnings"] == 2  # the reviewer and the head, for ``soon`` only
    assert _notices(fao, "passports.expiry") == 1
    services.sweep()
    assert _notices(fao, "passports.expiry") == 1  # once per passport and expiry date
    with _on(soon.expires_on):
        services.sweep()
        soon.refresh_from_db()
        assert soon.state == PassportState.IN_CUSTODY  # valid through its last day
    with _on(soon.expires_on + dt.timedelta(days=1)):
        assert services.sweep()["expired"] == 1
        soon.refresh_from_db()
        later.refresh_from_db()
        assert soon.state == PassportState.EXPIRED
        assert later.state == PassportState.IN_CUSTODY
        assert AuditEvent.objects.filter(
            action="passports.passport.expired", object_id=str(soon.pk)
        ).exists()


def test_a_passport_out_is_on_the_units_obligations_page(cast, fao, trip, passports):
    from waishi.followups import obligations

    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    with _on(custody.due_back):
        [item] = [o for o in obligations.for_unit(trip.unit) if str(o.kind) == "应交回的护照"]
        assert item.due_date == custody.due_back and not item.overdue
    with _on(custody.due_back + dt.timedelta(days=1)):
        [item] = [o for o in obligations.for_unit(trip.unit) if str(o.kind) == "应交回的护照"]
        assert item.overdue
        services.passport_return(actor=fao, custody=custody)
        assert not [o for o in obligations.for_unit(trip.unit) if str(o.kind) == "应交回的护照"]
