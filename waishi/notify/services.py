"""Notices to users: an inbox row now, an e-mail after the transaction commits (or in the
daily digest, or none: each user's choice per kind, ``NotificationPreference``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from waishi.notify import handoffs
from waishi.notify.models import EMAIL_CHOICES, Notification, NotificationPreference


def email_choices(user, kinds: Iterable[str]) -> dict[str, str]:
    """{kind: "email" | "digest" | "inbox"} for ``user`` (no setting: "email")."""
    kinds = list(kinds)
    chosen = {
        p.kind: p.choice for p in NotificationPreference.objects.filter(user=user, kind__in=kinds)
    }
    return {k: chosen.get(k, "email") for k in kinds}


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
    url: str = "",
    dedupe_key: str = "",
    email: bool = True,
    due_on: dt.date | None = None,
) -> list[Notification]:
    """Tell each recipient, in their own language. ``title`` and ``body`` are callables
    so that they are rendered once per recipient under that recipient's language.
    ``due_on``: the day the work it hands over is due. The e-mail goes as the recipient
    chose for ``kind`` (at once, in the daily digest, or none; ``email=False``: none).
    A failed e-mail never undoes the notice (it is sent after commit, errors logged)."""
    created = []
    for user in recipients:
        with translation.override(getattr(user, "language", None) or "zh-hans"):
            subject, text = str(title()), str(body())
            if due_on is not None:
                text = "\n".join(
                    part for part in (text, _("Due by %(date)s.") % {"date": due_on}) if part
                )
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    title=subject,
                    body=text,
                    url=url,
                    due_on=due_on,
                    dedupe_key=dedupe_key or None,
                )
        except IntegrityError:
            continue  # already told (dedupe_key)
        created.append(note)
        if email and user.email and email_choices(user, [kind])[kind] == "email":
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


def preferences_save(*, actor, choices: dict[str, str]) -> int:
    """Save ``actor``'s e-mail choice per kind ({kind: "email" | "digest" | "inbox"});
    returns how many changed. An unknown choice is refused and nothing changes."""
    allowed = {value for value, _label in EMAIL_CHOICES}
    known = {k.code for k in handoffs.kinds()}
    wrong = sorted(k for k, v in choices.items() if v not in allowed or k not in known)
    if wrong:
        raise ValidationError(_("Choose how you want to be told for every kind of notice."))
    changed = 0
    with transaction.atomic():
        current = email_choices(actor, choices)
        for kind, choice in choices.items():
            if current[kind] == choice:
                continue
            NotificationPreference.objects.update_or_create(
                user=actor,
                kind=kind,
                defaults={"email": choice != "inbox", "digest": choice == "digest"},
            )
            changed += 1
    return changed


def digest_send(now: dt.datetime | None = None) -> int:
    """E-mail each user who chose the digest for some kind one message listing the day's
    notices of those kinds (the 24 hours before ``now``) still unread and not yet sent in a
    digest; returns how many e-mails. Safe to run twice: a listed notice is stamped and
    never listed again."""
    now = now or timezone.now()
    sent = 0
    by_user: dict[int, set[str]] = {}
    for user_id, kind in NotificationPreference.objects.filter(
        email=True, digest=True, user__is_active=True
    ).values_list("user_id", "kind"):
        by_user.setdefault(user_id, set()).add(kind)
    for user_id, kinds in sorted(by_user.items()):
        with transaction.atomic():
            notes = list(
                Notification.objects.select_for_update()
                .filter(
                    recipient_id=user_id,
                    kind__in=kinds,
                    read_at__isnull=True,
                    digested_at__isnull=True,
                    created_at__lte=now,
                    created_at__gt=now - dt.timedelta(days=1),
                )
                .select_related("recipient")
                .order_by("created_at", "pk")
            )
            if not notes:
                continue
            user = notes[0].recipient
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digested_at=now)
            if not user.email:
                continue
            with translation.override(getattr(user, "language", None) or "zh-hans"):
                subject = _("Your notices of the day: %(n)d unread") % {"n": len(notes)}
                lines = []
                for note in notes:
                    lines.append(f"- {note.title}")
                    if note.body:
                        lines.extend(f"  {line}" for line in note.body.splitlines())
                text = "\n".join(lines)
            transaction.on_commit(
                lambda s=subject, t=text, to=user.email: send_mail(
                    s, t, None, [to], fail_silently=True
                )
            )
            sent += 1
    return sent
