"""Approval chains as data: rules decide the steps a subject (a trip, later a change
request ...) must pass; steps record each decision; delegations let an approver's
authority be exercised by someone else for a while, on the record.

A *subject* is any record, named by its model label (``subject_type``, e.g.
"missions.mission") and its primary key (``subject_id``); this app never imports the
apps whose records it approves (see ``subjects``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.approvals.conditions import described
from waishi.lib.roles import APPROVERS, LEADERS, Role

# The roles that approve a step; the unit leader's authority covers their own unit.
APPROVER_ROLES = APPROVERS
UNIT_APPROVER_ROLES = LEADERS


class ApproverRole(models.TextChoices):
    UNIT_LEADER = Role.UNIT_LEADER.value, Role.UNIT_LEADER.label
    FAO_REVIEWER = Role.FAO_REVIEWER.value, Role.FAO_REVIEWER.label
    FAO_HEAD = Role.FAO_HEAD.value, Role.FAO_HEAD.label
    COMMITTEE = Role.COMMITTEE.value, Role.COMMITTEE.label


class ApproverScope(models.TextChoices):
    SUBJECT_UNIT = "subject_unit", _("The subject's unit")
    CITY = "city", _("City-wide")


def scope_for_role(role: str) -> str:
    return ApproverScope.SUBJECT_UNIT if role in UNIT_APPROVER_ROLES else ApproverScope.CITY


class ApprovalRule(models.Model):
    """One step a subject must pass when ``conditions`` hold for it (all of them).

    Conditions (a JSON object, see ``conditions.validate``): ``always``, ``min_rank``,
    ``out_of_plan``, ``categories``, ``countries_any``, ``budget_over``,
    ``policy_flags_any``. Several rules may name the same role at the same sequence (one
    per alternative condition); a chain holds each role once."""

    applies_to = models.CharField(_("applies to"), max_length=100, default="missions.mission")
    name = models.CharField(_("name"), max_length=200)
    sequence = models.PositiveIntegerField(_("order"))
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    approver_role = models.CharField(_("approver"), max_length=30, choices=ApproverRole.choices)
    approver_scope = models.CharField(
        _("approver scope"), max_length=20, choices=ApproverScope.choices
    )
    due_working_days = models.PositiveSmallIntegerField(_("working days to decide"), default=3)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["applies_to", "sequence", "pk"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(approver_role=Role.UNIT_LEADER, approver_scope="subject_unit")
                | (~Q(approver_role=Role.UNIT_LEADER) & Q(approver_scope="city")),
                name="approval_rule_scope_fits_role",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def conditions_described(self) -> list[str]:
        """The conditions in words, for pages (``conditions.described``)."""
        return described(self.conditions or {})

    def snapshot(self) -> dict:
        """What a step keeps of its rule, so that later edits leave it alone."""
        return {
            "id": self.pk,
            "name": self.name,
            "sequence": self.sequence,
            "conditions": self.conditions,
            "approver_role": self.approver_role,
            "approver_scope": self.approver_scope,
            "due_working_days": self.due_working_days,
        }


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (StepState.WAITING, StepState.PENDING)
DECIDED_STATES = (StepState.APPROVED, StepState.RETURNED, StepState.REJECTED)


class ApprovalStep(models.Model):
    """One approver's turn on one subject, in one round of its chain."""

    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveIntegerField(_("round"), default=1)
    sequence = models.PositiveIntegerField(_("order"))
    rule = models.ForeignKey(
        ApprovalRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="steps",
    )
    rule_snapshot = models.JSONField(_("rule as given"), default=dict, blank=True)
    approver_role = models.CharField(_("approver"), max_length=30, choices=ApproverRole.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=StepState.choices, default=StepState.WAITING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    field_comments = models.JSONField(_("comments per field"), default=dict, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["subject_type", "subject_id", "round", "sequence"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            # One decision at a time per subject. (MySQL has no partial indexes: there the
            # subject's own row lock, taken by its service, is what serialises.)
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(state="pending"),
                name="approval_step_one_pending",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "round", "sequence"],
                name="approval_step_position",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["waiting", "cancelled"]) | Q(started_at__isnull=False),
                name="approval_step_started",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "returned", "rejected"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="approval_step_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="approval_step_subject_idx"),
            # A queue in its order (due date, then start): the first page of 40,000
            # pending steps is read from the index, not sorted; its count (with the
            # subjects the approver is excluded from) from the index alone.
            models.Index(
                fields=[
                    "state",
                    "approver_role",
                    "due_on",
                    "started_at",
                    "subject_type",
                    "subject_id",
                ],
                name="approval_step_queue_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id} {self.round}.{self.sequence}"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state == StepState.PENDING and self.due_on is not None and self.due_on < today


class Delegation(models.Model):
    """``delegate`` may decide, on behalf of ``delegator``, the steps ``delegator`` could
    decide, from ``starts_on`` to ``ends_on`` (inclusive) unless revoked earlier."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegator"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    # A subject type ("missions.mission"), or "" for everything the delegator approves.
    applies_to = models.CharField(_("applies to"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = pgettext_lazy("approvals", "delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="delegation_range_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=F("delegate")), name="delegation_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on}–{self.ends_on})"
