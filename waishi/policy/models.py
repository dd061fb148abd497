"""Policy sets as versioned data: each row is one version of a named policy, in force
from ``effective_from`` to ``effective_to`` (inclusive; open-ended when null).

A version is never edited: the FAO head changes a parameter by creating the next
version (``services.policy_parameter_change``), so an old decision can be re-explained
with the parameters it was judged under, and with the 附表2 allowance table
(``budget_rows``, which the FAO head imports: ``services.allowance_table_import``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.policy.params import SCHEMA, Policy, validate_parameters
from waishi.policy.reference import BudgetTable
from waishi.policy.types import InputError

# Built allowance tables by version pk: a table has hundreds of rows and a check must not
# rebuild it. Versions are never edited; saving or deleting one still drops its entry
# (and created_at is kept with it), so that a primary key used again, as a rolled-back
# test database does, never finds the table of another row.
_TABLES: dict[int, tuple[Any, BudgetTable | None]] = {}
_TABLES_MAX = 64


class PolicySet(models.Model):
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100, default="default")
    version = models.CharField(_("version"), max_length=32)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"))
    citations = models.JSONField(_("citations"), default=dict, blank=True)
    # The 附表2 allowance table (rows in the shape of data/budget_standards.json);
    # null: the shipped sample rows.
    budget_rows = models.JSONField(_("allowance table"), null=True, blank=True)
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

    def save(self, *args, **kwargs) -> None:
        _TABLES.pop(self.pk, None)  # see _TABLES
        super().save(*args, **kwargs)
        _TABLES.pop(self.pk, None)

    def delete(self, *args, **kwargs):
        _TABLES.pop(self.pk, None)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            validate_parameters(self.parameters, "parameters")
        except InputError as exc:
            raise ValidationError({"parameters": str(exc)}) from None
        if self.budget_rows is not None:
            try:
                BudgetTable(self.budget_rows)
            except (TypeError, ValueError) as exc:
                raise ValidationError({"budget_rows": str(exc)}) from None

    @property
    def jurisdiction_label(self) -> str:
        """Where the version applies, in words: the shipped "default" is the national one."""
        if self.jurisdiction == "default":
            return str(_("National rules (default)"))
        return self.jurisdiction

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
            budget=self.budget_table(),
        )

    def budget_table(self) -> BudgetTable | None:
        """This version's allowance table (None: the shipped one), built once per process.
        The rows are read only when the table is not built yet, so a query may leave
        them out (``defer("budget_rows")``)."""
        if self.pk is None:
            return None if self.budget_rows is None else BudgetTable(self.budget_rows)
        cached = _TABLES.get(self.pk)
        if cached is not None and cached[0] == self.created_at:
            return cached[1]
        rows = self.budget_rows
        table = None if rows is None else BudgetTable(rows)
        if len(_TABLES) >= _TABLES_MAX:
            _TABLES.clear()
        _TABLES[self.pk] = (self.created_at, table)
        return table
