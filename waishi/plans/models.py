"""The annual plan (年度因公出国计划): a plan year, each unit's entries, the quotas the FAO
sets per unit and category, and the ledger of what approved trips consumed.

"总量控制、计划管理": units plan their trips for the year; the FAO reviews the entries
and sets quotas; the committee approves the consolidated plan, which then binds. Later
amendments go the same way and raise the plan's version; every version of an entry the
committee approved is kept as a ``PlanEntryVersion`` so "what was approved" stays
readable after the entry changes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    # The same labels as the trip application's categories (missions.Category).
    GENERAL = "general", _("Ordinary")
    ECON_TECH = "econ_tech", _("Economic, trade and technology")
    ACADEMIC = "academic", _("Teaching and research")


# Categories that have a quota; academic trips (教学科研) consume none.
QUOTA_CATEGORIES = (Category.GENERAL, Category.ECON_TECH)


class PlanState(models.TextChoices):
    OPEN = "open", _("Open for entries")
    CONSOLIDATED = "consolidated", _("Consolidated, awaiting the committee")
    APPROVED = "approved", _("Approved (binding)")


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted by the FAO")
    APPROVED = "approved", _("Approved by the committee")


class PlanYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    deadline = models.DateField(_("deadline for entries"))
    state = models.CharField(
        _("state"), max_length=20, choices=PlanState.choices, default=PlanState.OPEN
    )
    # 0 until the committee approves the plan; then 1, and +1 for each approved amendment.
    version = models.PositiveIntegerField(_("version"), default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="plan_year_range"
            ),
        ]

    def __str__(self) -> str:
        return _("Annual plan %(year)s") % {"year": self.year}

    @property
    def is_binding(self) -> bool:
        return self.state == PlanState.APPROVED


class PlanEntry(models.Model):
    """One planned delegation of one unit. Its fields are the working copy; what the
    committee approved is in ``versions`` (``bound_version`` points at the latest)."""

    plan = models.ForeignKey(
        PlanYear, verbose_name=_("annual plan"), on_delete=models.PROTECT, related_name="entries"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plan_entries"
    )
    title = models.CharField(pgettext_lazy("plan entry", "delegation"), max_length=100)
    purpose = models.TextField(_("purpose and tasks"))
    countries = models.JSONField(_("countries and regions"), default=list)
    size = models.PositiveSmallIntegerField(
        pgettext_lazy("plan entry", "members"), validators=[MinValueValidator(1)]
    )
    # One rank per member (policy RANKS values), highest first.
    ranks = models.JSONField(_("ranks of the members"), default=list)
    expected_month = models.PositiveSmallIntegerField(
        _("expected month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    budget_estimate = models.DecimalField(
        _("budget estimate (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=EntryState.choices, default=EntryState.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    bound_version = models.ForeignKey(
        "PlanEntryVersion",
        verbose_name=_("approved version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    class Meta:
        ordering = ["unit__code", "expected_month", "pk"]
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")
        indexes = [models.Index(fields=["plan", "unit", "state"], name="planentry_plan_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_month__gte=1) & Q(expected_month__lte=12),
                name="planentry_month_1_12",
            ),
            models.CheckConstraint(condition=Q(size__gte=1), name="planentry_size_positive"),
            models.CheckConstraint(
                condition=Q(budget_estimate__gte=0), name="planentry_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_bound(self) -> bool:
        """Part of the binding plan (through its last approved version)."""
        return self.bound_version_id is not None

    @property
    def is_amendment(self) -> bool:
        """A change to an approved plan: a new entry, or an approved entry being edited."""
        return self.plan.state == PlanState.APPROVED and self.state != EntryState.APPROVED


class PlanEntryVersion(models.Model):
    """What the committee approved of an entry, frozen at a plan version."""

    entry = models.ForeignKey(
        PlanEntry, verbose_name=_("plan entry"), on_delete=models.CASCADE, related_name="versions"
    )
    plan_version = models.PositiveIntegerField(_("plan version"))
    data = models.JSONField(_("approved content"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)

    class Meta:
        ordering = ["entry", "-plan_version"]
        verbose_name = _("approved version of a plan entry")
        verbose_name_plural = _("approved versions of plan entries")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "plan_version"], name="planentryversion_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.plan_version}"


class Quota(models.Model):
    """A unit's quota for one category in one plan year: batches (团组数) and person-trips
    (人次). The used counters move only through the ledger services under a row lock; the
    constraints refuse overspending even if they were bypassed."""

    plan = models.ForeignKey(
        PlanYear, verbose_name=_("annual plan"), on_delete=models.PROTECT, related_name="quotas"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quotas"
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=[(c.value, c.label) for c in QUOTA_CATEGORIES],
    )
    batches = models.PositiveIntegerField(_("batches"), default=0)
    person_trips = models.PositiveIntegerField(_("person-trips"), default=0)
    batches_used = models.PositiveIntegerField(_("batches used"), default=0)
    person_trips_used = models.PositiveIntegerField(_("person-trips used"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["plan", "unit__code", "category"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "category"], name="quota_one_per_unit_category"
            ),
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in QUOTA_CATEGORIES]),
                name="quota_category_has_quota",
            ),
            models.CheckConstraint(
                condition=Q(batches_used__gte=0) & Q(batches_used__lte=F("batches")),
                name="quota_batches_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(person_trips_used__gte=0) & Q(person_trips_used__lte=F("person_trips")),
                name="quota_person_trips_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.plan.year} {self.get_category_display()}"

    @property
    def batches_left(self) -> int:
        return self.batches - self.batches_used

    @property
    def person_trips_left(self) -> int:
        return self.person_trips - self.person_trips_used


class LedgerKind(models.TextChoices):
    CONSUME = "consume", _("Consumed")
    RELEASE = "release", _("Released")


class QuotaLedger(models.Model):
    """Every change of a quota's used counters, with the record that caused it
    (``reference`` such as "missions.mission:42"). One reference consumes at most once
    and is released at most once."""

    quota = models.ForeignKey(
        Quota, verbose_name=_("quota"), on_delete=models.PROTECT, related_name="ledger"
    )
    reference = models.CharField(_("reference"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=LedgerKind.choices)
    # Deltas as signed numbers: positive when consumed, negative when released.
    batches = models.IntegerField(_("batches"))
    person_trips = models.IntegerField(_("person-trips"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("quota ledger row")
        verbose_name_plural = _("quota ledger")
        constraints = [
            models.UniqueConstraint(fields=["reference", "kind"], name="quotaledger_once_per_kind"),
            models.CheckConstraint(
                condition=(
                    Q(kind="consume", batches__gte=0, person_trips__gte=0)
                    | Q(kind="release", batches__lte=0, person_trips__lte=0)
                ),
                name="quotaledger_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"
