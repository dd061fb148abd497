"""Periodic jobs: nightly audit-chain verification, password-expiry notices, session sweep,
the daily digest e-mail.

Each job re-checks its condition when it runs and is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from waishi.audit import checkpoints
from waishi.audit.selectors import chain_length, verify
from waishi.audit.services import record
from waishi.lib.roles import Role
from waishi.notify.models import PeriodicRun
from waishi.notify.notices import AUDIT_CHAIN_BROKEN, PASSWORD_EXPIRY
from waishi.notify.periodic import once_per
from waishi.notify.services import digest_send, notify
from waishi.orgs.models import User

log = logging.getLogger(__name__)

PASSWORD_NOTICE_DAYS = 7


def verify_audit_chain() -> bool:
    """Check the whole chain and the watched state; when intact, publish a checkpoint
    outside the database; when not, tell the audit administrators."""
    result = verify()
    problem, differences = result.problem, result.differences
    total = chain_length()
    if result.ok:
        event = record(
            action="audit.verified",
            actor_name="nightly check",
            data={"result": "OK", "rows": total},
        )
        log.info("audit chain intact: %d rows, head %s", event.seq, event.hash)
        # A copy of the head outside the database (a log line and the checkpoint file):
        # someone who cuts the chain's end and winds the head back cannot also rewrite
        # what was published (waishi.audit.checkpoints).
        checkpoints.publish("nightly check")
        return True
    data: dict = {"result": "FAILED"}
    if differences:
        data["differences"] = len(differences)
    if problem is not None:
        data.update(seq=problem.seq, kind=problem.kind)
        log.error("audit chain broken at row %s (%s)", problem.seq, problem.kind)
        title, body, dedupe = _chain_notice(problem)
    else:
        for difference in differences:
            log.error("audit: %s", difference.detail)
        title, body, dedupe = _state_notice(differences)
    record(action="audit.verified", actor_name="nightly check", data=data)
    admins = User.objects.filter(role=Role.AUDIT_ADMIN, is_active=True)
    notify(
        admins,
        kind=AUDIT_CHAIN_BROKEN,
        title=title,
        body=body,
        url=reverse("audit:log"),
        dedupe_key=dedupe[:100],
    )
    return False


def _chain_notice(problem):
    def title() -> str:
        return _("Audit chain broken at row %(seq)d") % {"seq": problem.seq}

    def body() -> str:
        return _(
            "The nightly verification found that row %(seq)d of the audit "
            "log does not match the chain (%(detail)s). Check the database "
            "and its backups."
        ) % {"seq": problem.seq, "detail": problem.message}

    return title, body, f"audit-broken-{problem.seq}"


def _state_notice(differences):
    shown = differences[:10]

    def title() -> str:
        return _("Records changed outside the application")

    def body() -> str:
        return _(
            "The nightly verification found %(n)d record(s) whose security-relevant "
            "values differ from what the audit chain last recorded: %(list)s. Check "
            "the database and its backups."
        ) % {"n": len(differences), "list": _("; ").join(d.message for d in shown)}

    return title, body, "audit-state-" + ",".join(f"{d.label}:{d.pk}" for d in shown)


def password_expiry_notices(today: dt.date | None = None) -> int:
    """Tell each user whose password expires within a week, once per expiry date."""
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return 0
    now = timezone.now()
    start = now - dt.timedelta(days=max_age)
    end = start + dt.timedelta(days=PASSWORD_NOTICE_DAYS)
    users = User.objects.filter(
        is_active=True, password_changed_at__gt=start, password_changed_at__lte=end
    ).exclude(expires_at__lte=now)
    sent = 0
    for user in users:
        expires = user.password_changed_at + dt.timedelta(days=max_age)
        day = timezone.localdate(expires)
        sent += len(
            notify(
                [user],
                kind=PASSWORD_EXPIRY,
                title=lambda d=day: _("Your password expires on %(date)s") % {"date": d},
                body=lambda: _(
                    "Change it before then under “Change password”; after that date "
                    "you must change it before you can continue."
                ),
                url=reverse("accounts:password-change"),
                dedupe_key=f"password-expiry-{day.isoformat()}",
            )
        )
    return sent


@db_periodic_task(crontab(hour="2", minute="17"))
@once_per(days=1)
def nightly_audit_verification():
    verify_audit_chain()


@db_periodic_task(crontab(hour="8", minute="5"))
@once_per(days=1)
def daily_password_expiry_notices():
    password_expiry_notices()


@db_periodic_task(crontab(hour="17", minute="30"))
@once_per(days=1)
def daily_digest():
    # The end of the working day: each user who chose the digest for some kind gets one
    # e-mail with those notices still unread (``waishi notify_digest`` by hand).
    digest_send()


@db_periodic_task(crontab(hour="3", minute="41"))
@once_per(days=1)
def clear_expired_sessions():
    # What `clearsessions` does: the database engine deletes expired rows; sessions in
    # Redis (WAISHI_REDIS_URL) carry their own expiry and need no sweep.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    # The ledger of periodic runs is needed for the current period only; a quarter of a
    # year is kept to show what ran.
    PeriodicRun.objects.filter(period_start__lt=timezone.now() - dt.timedelta(days=90)).delete()
