"""The periodic jobs: nightly chain verification and password-expiry notices."""

from __future__ import annotations

import datetime as dt
import logging

import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from waishi.audit.models import AuditEvent
from waishi.audit.services import record, record_state
from waishi.notify import tasks
from waishi.notify.models import Notification


def _break_chain() -> int:
    record(action="audit.exported", actor_name="tester")
    event = record(action="audit.exported", actor_name="tester")
    table = connection.ops.quote_name("audit_auditevent")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_event_append_only")
        cursor.execute(f"UPDATE {table} SET ip = %s WHERE seq = %s", ["10.6.6.6", event.seq])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_event_append_only")
    return event.seq


def test_intact_chain_notifies_nobody(cast, caplog):
    # The cast is made by factories, not by the application: record its state as the
    # demo and seed-scale do.
    record_state(actor_name="tester")
    with caplog.at_level(logging.INFO, logger="waishi.notify.tasks"):
        assert tasks.verify_audit_chain() is True
    assert not Notification.objects.exists()
    assert AuditEvent.objects.latest("seq").data["result"] == "OK"
    # The head goes to the system log too: a copy of the chain's tip outside the database.
    assert any("audit chain intact" in r.getMessage() for r in caplog.records)


def test_broken_chain_notifies_the_audit_admin(cast, django_capture_on_commit_callbacks):
    seq = _break_chain()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.verify_audit_chain() is False
    notes = Notification.objects.filter(kind="audit.chain_broken")
    assert [n.recipient for n in notes] == [cast["audit_admin"]]
    assert str(seq) in notes[0].title
    assert notes[0].url == "/audit/"
    assert [m.to for m in mail.outbox] == [[cast["audit_admin"].email]]
    result = AuditEvent.objects.latest("seq")
    assert result.data == {"result": "FAILED", "seq": seq, "kind": "edited"}
    # The next night finds the same break and does not tell again.
    assert tasks.verify_audit_chain() is False
    assert Notification.objects.filter(kind="audit.chain_broken").count() == 1


def test_broken_chain_notice_in_the_admins_language(cast):
    admin = cast["audit_admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    seq = _break_chain()
    tasks.verify_audit_chain()
    note = Notification.objects.get(kind="audit.chain_broken")
    assert note.title == f"Audit chain broken at row {seq}"


def test_password_expiry_notice_once(cast):
    user = cast["unit_clerk"]
    max_age = dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    changed = user.password_changed_at
    # A week before expiry nobody is told yet ...
    with time_machine.travel(changed + max_age - dt.timedelta(days=8)):
        assert tasks.password_expiry_notices() == 0
    # ... within the week, once ...
    with time_machine.travel(changed + max_age - dt.timedelta(days=6)):
        sent = tasks.password_expiry_notices()
        assert sent == len(cast)  # the whole cast got its password at the same time
        assert tasks.password_expiry_notices() == 0
    with time_machine.travel(changed + max_age - dt.timedelta(days=2)):
        assert tasks.password_expiry_notices() == 0
    notes = Notification.objects.filter(recipient=user, kind="accounts.password_expiry")
    assert notes.count() == 1
    expires = timezone.localdate(changed + max_age)
    assert expires.isoformat() in notes[0].title
    assert notes[0].url == "/accounts/password/"


def test_password_expiry_skips_disabled_and_expired(cast):
    disabled = cast["unit_leader"]
    disabled.is_active = False
    disabled.save(update_fields=["is_active"])
    gone = cast["auditor"]
    gone.expires_at = timezone.now()
    gone.save(update_fields=["expires_at"])
    max_age = dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    with time_machine.travel(disabled.password_changed_at + max_age - dt.timedelta(days=3)):
        tasks.password_expiry_notices()
    assert not Notification.objects.filter(recipient__in=[disabled, gone]).exists()
    assert Notification.objects.filter(recipient=cast["unit_clerk"]).exists()


def test_no_notices_when_passwords_never_expire(cast, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    assert tasks.password_expiry_notices() == 0


def test_expired_sessions_are_swept(as_user):
    from django.contrib.sessions.models import Session

    as_user("unit_clerk")
    assert Session.objects.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        tasks.clear_expired_sessions.call_local()
    assert Session.objects.count() == 0
