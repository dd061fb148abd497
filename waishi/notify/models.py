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
