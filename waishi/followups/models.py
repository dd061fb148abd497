"""Outcomes of trips and other work followed to done (seed R5, ``OUTCOME_FOLLOWUP``):
each outcome has a responsible person, a responsible unit and a due date; progress
updates (with optional evidence) move it on; the daily sweep marks it overdue and
escalates it.

Supervised tasks (督办事项, ``../shared/design/supervision.md``) are rows of the same model
with ``track="task"``: the lead unit is ``responsible_unit``, the responsible person
``responsible_person``, the deadline ``due_date``; they move on the ``TASK`` workflow
(``workflow.py``) through the services of ``supervision.py``. Trip outcomes keep
``track="outcome"`` and the ``OUTCOME`` workflow.

An outcome's *source* is any record, named by its model label (``source_type``, e.g.
"missions.mission") and primary key (``source_id``), with a snapshot of its title; this
app never imports the apps that produce outcomes (see ``sources``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.lib import uploads


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
    # The states of a supervised task (in_progress, done and dropped are shared).
    REGISTERED = "registered", pgettext_lazy("task state", "Registered")
    ASSIGNED = "assigned", _("Awaiting acceptance")
    REDIRECT_ASKED = "redirect_asked", _("Redirect requested")
    FEEDBACK = "feedback", _("Awaiting review")
    RETURNED = "returned", _("Returned for more work")
    ARCHIVED = "archived", _("Archived")


# States in which an outcome still has to be worked on.
ACTIVE_STATES = frozenset({State.OPEN, State.IN_PROGRESS, State.OVERDUE})
# A supervised task not yet closed (done, archived) nor dropped.
OPEN_TASK_STATES = frozenset(
    {
        State.REGISTERED,
        State.ASSIGNED,
        State.REDIRECT_ASKED,
        State.IN_PROGRESS,
        State.FEEDBACK,
        State.RETURNED,
    }
)
# A task given to its lead unit and not closed: the states that carry a colour.
COLOURED_STATES = OPEN_TASK_STATES - {State.REGISTERED}
# The lead unit works on it: progress, support reports, feedback, extensions.
WORKING_STATES = frozenset({State.IN_PROGRESS, State.RETURNED})
CLOSED_TASK_STATES = frozenset({State.DONE, State.ARCHIVED})


class Track(models.TextChoices):
    OUTCOME = "outcome", _("Outcome follow-up")
    TASK = "task", _("Supervised task")


class SourceKind(models.TextChoices):
    MINUTES = "minutes", _("Decision in meeting minutes")
    DOCUMENT = "document", _("Requirement of a document")
    INSTRUCTION = "instruction", _("Leader's written instruction")
    KEY_POINT = "key_point", _("Work key point of the year")
    TRIP = "trip", _("Outcome of a trip abroad")
    VISIT = "visit", _("Outcome of a visit")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ORDINARY = "ordinary", pgettext_lazy("urgency", "Ordinary")
    DIFFICULT = "difficult", _("Complex, needs coordination")


class Colour(models.TextChoices):
    NONE = "", _("No warning")
    BLUE = "blue", _("Blue notice")
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red alert")


# The number a task is given when it is assigned: 督办〔2026〕12号 (the office's own
# document number, the same in every language).
NUMBER_FORMAT = "督办〔{year}〕{seq}号"


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

    # --- supervised tasks (track="task"); outcomes leave these empty ---------------------
    track = models.CharField(
        _("track"), max_length=10, choices=Track.choices, default=Track.OUTCOME, db_index=True
    )
    source_kind = models.CharField(
        _("kind of source"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    instructed_by = models.CharField(_("instructed by"), max_length=100, blank=True)
    major = models.BooleanField(_("major task"), default=False)
    supporting_units = models.ManyToManyField(
        "orgs.Unit",
        verbose_name=_("supporting units"),
        related_name="supported_tasks",
        blank=True,
    )
    original_due_date = models.DateField(_("original deadline"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("sequence number"), null=True, blank=True)
    colour = models.CharField(
        _("warning"), max_length=10, choices=Colour.choices, blank=True, default=Colour.NONE
    )
    red_since = models.DateField(_("red since"), null=True, blank=True)
    # The local day it was closed (办结): the on-time rate compares it with the deadline, in
    # every database alike (MariaDB without its time zone tables cannot take the date of a
    # time in Beijing, and SQLite takes it in Python, row by row).
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    redirect_reason = models.TextField(_("reason for redirecting"), blank=True)

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
            # The office's board and a unit's task page (100,000 tasks, 2,000 units).
            models.Index(fields=["track", "state", "due_date"], name="task_state_due"),
            models.Index(fields=["track", "responsible_unit", "state"], name="task_unit_state"),
            # The task list's order: a page of every task read from the index, not sorted.
            models.Index(fields=["track", "due_date", "id"], name="task_due_order"),
            # The board's counts read from the index alone (each open task's colour, source
            # and lead unit), and a page of the open tasks' ids (a colour's) likewise; the
            # year's on-time table from its own.
            models.Index(
                fields=[
                    "track",
                    "state",
                    "due_date",
                    "colour",
                    "source_kind",
                    "responsible_unit",
                    "id",
                ],
                name="task_board",
            ),
            models.Index(
                fields=["track", "due_date", "state", "responsible_unit", "red_since", "closed_on"],
                name="task_on_time",
            ),
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
            # Two tasks never share a number (given under the year's counter lock).
            models.UniqueConstraint(
                fields=["year", "seq"],
                condition=Q(seq__isnull=False),
                name="followups_task_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_task(self) -> bool:
        return self.track == Track.TASK

    @property
    def is_overdue(self) -> bool:
        return self.state == State.OVERDUE or (
            self.state in ACTIVE_STATES and self.due_date < timezone.localdate()
        )


def evidence_upload_to(instance, filename: str) -> str:
    """A random name: the uploader's file name never reaches the file system."""
    return uploads.random_name("followups/evidence", filename)


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    FEEDBACK = "feedback", _("Feedback on the result")
    SUPPORT = "support", _("Report of a supporting unit")


class ProgressUpdate(models.Model):
    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(
        _("kind of report"),
        max_length=10,
        choices=UpdateKind.choices,
        default=UpdateKind.PROGRESS,
    )
    # The unit that reported (a task's lead unit, or a supporting unit); empty for the
    # outcomes recorded before supervised tasks existed.
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("reporting unit"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
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


class TaskSequence(models.Model):
    """The last number given to a task in a year: locked while the next is given, so that
    two tasks assigned at the same moment never share one."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("task numbering")
        verbose_name_plural = _("task numbering")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class UrgeMethod(models.TextChoices):
    NOTICE = "notice", _("Written notice")
    PHONE = "phone", _("Telephone")
    VISIT = "visit", _("Visit on site")


class Urge(models.Model):
    """A reminder (催办) the office sent about a task: recorded and shown to the unit."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("task"), on_delete=models.CASCADE, related_name="urges"
    )
    method = models.CharField(_("method"), max_length=10, choices=UrgeMethod.choices)
    text = models.TextField(_("text"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome} · {timezone.localtime(self.at):%Y-%m-%d}"


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted: done")
    RETURNED = "returned", _("Returned: not solved")


class Review(models.Model):
    """The office's review (审核) of a task's feedback."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reviews"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    feedback = models.ForeignKey(
        ProgressUpdate,
        verbose_name=_("feedback reviewed"),
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(reason=""),
                name="followups_review_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} · {self.get_decision_display()}"


class ExtensionState(models.TextChoices):
    ASKED = "asked", pgettext_lazy("extension", "Requested")
    GRANTED = "granted", pgettext_lazy("extension", "Granted")
    REFUSED = "refused", pgettext_lazy("extension", "Refused")


class Extension(models.Model):
    """A request to move a task's deadline (延期), asked by the lead unit before the
    deadline and decided by the office; the deadline it would replace stays on it."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("task"), on_delete=models.CASCADE, related_name="extensions"
    )
    reason = models.TextField(_("reason"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_before = models.DateField(_("deadline before"))
    requested_date = models.DateField(_("new deadline requested"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ExtensionState.choices,
        default=ExtensionState.ASKED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            # One request at a time per task.
            models.UniqueConstraint(
                fields=["outcome"],
                condition=Q(state="asked"),
                name="followups_extension_one_open",
            ),
            models.CheckConstraint(
                condition=Q(requested_date__gt=models.F("due_before")),
                name="followups_extension_later_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} → {self.requested_date.isoformat()}"
