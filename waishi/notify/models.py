from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in one user's inbox. Text is rendered in the recipient's language when
    it is created, like the e-mail that may accompany it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The day the work it hands over is due, when it has one (a step's due date).
    due_on = models.DateField(_("due"), null=True, blank=True)
    # When it went out in a daily digest e-mail (the recipient chose the digest).
    digested_at = models.DateTimeField(_("sent in a digest"), null=True, blank=True)
    # Periodic jobs send one notice per (recipient, key): a re-run is harmless. NULL for
    # ordinary notices: NULLs never clash, so a plain unique constraint works everywhere
    # (MariaDB has no partial indexes).
    dedupe_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (see above)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                name="notify_dedupe_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one user wants one kind of notice: in the inbox always; by e-mail at once
    (the default, without a row), in the daily digest e-mail, or not by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    email = models.BooleanField(_("by e-mail"), default=True)
    digest = models.BooleanField(_("in the daily digest"), default=False)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"

    @property
    def choice(self) -> str:
        """One of ``EMAIL_CHOICES``: what the settings page shows."""
        if not self.email:
            return "inbox"
        return "digest" if self.digest else "email"


# What a user chooses per kind (the inbox always has the notice).
EMAIL_CHOICES = (
    ("email", _("In the inbox and by e-mail at once")),
    ("digest", _("In the inbox and in the daily digest e-mail")),
    ("inbox", _("In the inbox only")),
)


class PeriodicRun(models.Model):
    """One run of a periodic job in one period. Every huey consumer schedules the periodic
    jobs; the unique (task, period) row is what lets only one of them run it
    (``waishi.notify.periodic.once_per``)."""

    task = models.CharField(_("job"), max_length=100)
    period_start = models.DateTimeField(_("period"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    class Meta:
        ordering = ["-period_start", "task"]
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        constraints = [
            models.UniqueConstraint(fields=["task", "period_start"], name="periodic_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.period_start:%Y-%m-%d %H:%M}"
