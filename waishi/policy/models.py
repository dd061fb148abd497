"""Policy sets as versioned data: each row is one version of a named policy, in force
from ``effective_from`` to ``effective_to`` (inclusive; open-ended when null).

A version is never edited: the FAO head changes a parameter by creating the next
version (``services.policy_parameter_change``), so an old decision can be re-explained
with the parameters it was judged under."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.policy.params import SCHEMA, Policy, validate_parameters
from waishi.policy.types import InputError


class PolicySet(models.Model):
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100, default="default")
    version = models.CharField(_("version"), max_length=32)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"))
    citations = models.JSONField(_("citations"), default=dict, blank=True)
    # Required for every version after the first (checked by the service).
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="policy_set_name_version"),
            # Two versions of one name starting on the same day would overlap; the rest of
            # the no-overlap rule is checked by the service under a row lock (portable
            # range exclusion needs PostgreSQL's btree_gist).
            models.UniqueConstraint(fields=["name", "effective_from"], name="policy_set_name_from"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="policy_set_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def clean(self) -> None:
        super().clean()
        try:
            validate_parameters(self.parameters, "parameters")
        except InputError as exc:
            raise ValidationError({"parameters": str(exc)}) from None

    def covers(self, on) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def to_policy(self) -> Policy:
        citations = self.citations if isinstance(self.citations, dict) else {}
        return Policy(
            name=self.name,
            version=self.version,
            effective_from=self.effective_from,
            parameters=self.parameters,
            citations={code: citations.get(code, "") for code in SCHEMA},
        )
