"""Notices to users: an inbox row now, an e-mail after the transaction commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from waishi.notify.models import Notification


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
    url: str = "",
    dedupe_key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Tell each recipient, in their own language. ``title`` and ``body`` are callables
    so that they are rendered once per recipient under that recipient's language.
    A failed e-mail never undoes the notice (it is sent after commit, errors logged)."""
    created = []
    for user in recipients:
        with translation.override(getattr(user, "language", None) or "zh-hans"):
            subject, text = str(title()), str(body())
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    title=subject,
                    body=text,
                    url=url,
                    dedupe_key=dedupe_key or None,
                )
        except IntegrityError:
            continue  # already told (dedupe_key)
        created.append(note)
        if email and user.email:
            transaction.on_commit(
                lambda s=subject, t=text, to=user.email: send_mail(
                    s, t, None, [to], fail_silently=True
                )
            )
    return created


def notification_mark_read(*, actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own notices read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
