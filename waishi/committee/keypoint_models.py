"""The year's work key points (年度工作要点): one plan a year, a tree of areas (领域), key
points (工作要点) and tasks (具体任务), imported from the office's Word or Excel outline
(``waishi.lib.outline``) or typed. Each leaf with a lead unit becomes a supervised task on
the one tracker (``followups.Outcome``, source "committee.keypoint"); a node's progress is
its leaves' tasks (``keypoint_selectors``).

Imported at the end of ``committee.models`` (one app, one models module for Django)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class KeyPointLevel(models.TextChoices):
    AREA = "area", pgettext_lazy("key points level", "area")
    POINT = "point", pgettext_lazy("key points level", "key point")
    TASK = "task", pgettext_lazy("key points level", "task")


class KeyPointPlan(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    imported_from = models.CharField(
        pgettext_lazy("key points", "imported from"), max_length=200, blank=True
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("key points", "imported by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    imported_at = models.DateTimeField(
        pgettext_lazy("key points", "imported at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("work key points of the year")
        verbose_name_plural = _("work key points of the years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class KeyPoint(models.Model):
    plan = models.ForeignKey(
        KeyPointPlan,
        verbose_name=_("work key points of the year"),
        on_delete=models.CASCADE,
        related_name="points",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("key points", "above"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    order = models.PositiveIntegerField(_("order"))
    level = models.CharField(
        pgettext_lazy("key points", "level"), max_length=10, choices=KeyPointLevel.choices
    )
    title = models.CharField(_("title"), max_length=500)
    detail = models.TextField(pgettext_lazy("key points", "details"), blank=True)
    due_date = models.DateField(pgettext_lazy("key points", "deadline"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=pgettext_lazy("key points", "lead unit"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    supporting_units = models.ManyToManyField(
        "orgs.Unit",
        verbose_name=pgettext_lazy("key points", "supporting units"),
        related_name="+",
        blank=True,
    )
    # The paragraph or row of the outline it was imported from (0: typed).
    line = models.PositiveIntegerField(
        pgettext_lazy("key points", "line in the outline"), default=0
    )
    task = models.ForeignKey(
        "followups.Outcome",
        verbose_name=pgettext_lazy("key points", "supervised task"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("work key point")
        verbose_name_plural = _("work key points")
        ordering = ["plan", "order", "pk"]
        constraints = [
            # ``order`` among the node's siblings.
            models.UniqueConstraint(
                fields=["parent", "order"],
                condition=Q(parent__isnull=False),
                name="committee_keypoint_order",
            ),
            models.UniqueConstraint(
                fields=["plan", "order"],
                condition=Q(parent__isnull=True),
                name="committee_keypoint_root_order",
            ),
            models.UniqueConstraint(
                fields=["task"], condition=Q(task__isnull=False), name="committee_keypoint_task"
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80]
