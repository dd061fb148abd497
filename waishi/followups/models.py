"""Outcomes of trips and other work followed to done (seed R5, ``OUTCOME_FOLLOWUP``):
each outcome has a responsible person, a responsible unit and a due date; progress
updates (with optional evidence) move it on; the daily sweep marks it overdue and
escalates it.

An outcome's *source* is any record, named by its model label (``source_type``, e.g.
"missions.mission") and primary key (``source_id``), with a snapshot of its title; this
app never imports the apps that produce outcomes (see ``sources``)."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement signed")
    INTENTION = "intention", _("Cooperation intention")
    INVESTMENT = "investment", _("Investment lead")
    EXCHANGE = "exchange", _("Exchange programme")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
    DROPPED = "dropped", _("Dropped")


# States in which an outcome still has to be worked on.
ACTIVE_STATES = frozenset({State.OPEN, State.IN_PROGRESS, State.OVERDUE})


class Outcome(models.Model):
    source_type = models.CharField(_("source type"), max_length=100, blank=True)
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source_title = models.CharField(_("source"), max_length=200, blank=True)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    responsible_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    drop_reason = models.TextField(_("reason for dropping"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Set by the sweep: the day it found the outcome overdue, when it told the unit's
    # leader, and when it escalated to the FAO (each once; cleared when rescheduled).
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("unit leader told"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["responsible_unit", "state", "due_date"]),
            models.Index(fields=["source_type", "source_id"]),
            # The list's order (due date first): a page read from the index, not sorted.
            models.Index(fields=["due_date", "id"], name="outcome_due_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=State.DROPPED) | ~Q(drop_reason=""),
                name="followups_outcome_dropped_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(source_type="", source_id__isnull=True)
                | (~Q(source_type="") & Q(source_id__isnull=False)),
                name="followups_outcome_source_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.state == State.OVERDUE or (
            self.state in ACTIVE_STATES and self.due_date < timezone.localdate()
        )


def evidence_upload_to(instance, filename: str) -> str:
    """A random name: the uploader's file name never reaches the file system."""
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"followups/evidence/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{ext}"


class ProgressUpdate(models.Model):
    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="updates"
    )
    text = models.TextField(_("progress"))
    # Served only through the scoped download view; never a public URL (security.md).
    evidence = models.FileField(
        _("evidence"), upload_to=evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    evidence_type = models.CharField(_("evidence type"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome} · {timezone.localtime(self.recorded_at):%Y-%m-%d}"
