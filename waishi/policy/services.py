"""Changing the policy: a new version, never an edit (so old decisions stay explainable)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import record
from waishi.lib.roles import Role, has
from waishi.policy.models import PolicySet
from waishi.policy.params import SCHEMA, default_policy
from waishi.policy.types import InputError

CHANGES_POLICY = frozenset({Role.FAO_HEAD})


def next_version(version: str, taken: set[str]) -> str:
    """ "2026.1" -> "2026.2"; a version without a trailing number gets ".1"."""
    head, _dot, tail = version.rpartition(".")
    candidate = f"{head}.{int(tail) + 1}" if head and tail.isdigit() else f"{version}.1"
    while candidate in taken:
        candidate = next_version(candidate, set())
    return candidate


def _flat(rule: str, values: dict[str, Any], keys) -> dict[str, Any]:
    return {f"{rule}.{key}": values.get(key) for key in keys}


def policy_parameter_change(
    *,
    actor,
    rule: str,
    values: dict,
    effective_from: date,
    reason: str,
    ip: str = "",
    name: str | None = None,
) -> PolicySet:
    """The FAO head changes ``rule``'s parameters (``values``, merged into the rule's
    current ones) from ``effective_from`` on: a new version, the previous one closed the
    day before. Raises PermissionDenied or ValidationError (naming the field)."""
    if not has(actor, CHANGES_POLICY):
        raise PermissionDenied
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason for the change.")
    if rule not in SCHEMA:
        errors["rule"] = _("Unknown rule.")
    elif not isinstance(values, dict) or not values:
        errors["values"] = _("Give the new parameter values as an object.")
    if not isinstance(effective_from, date):
        errors["effective_from"] = _("Give the date the change takes effect.")
    elif effective_from < timezone.localdate():
        # A change never reaches back: decisions already taken keep their version.
        errors["effective_from"] = _("A change cannot take effect in the past.")
    if errors:
        raise ValidationError(errors)
    name = name or default_policy().name
    with transaction.atomic():
        # Lock every version of this policy: two changes at once queue here, so the
        # ranges cannot come to overlap.
        rows = list(
            PolicySet.objects.select_for_update().filter(name=name).order_by("effective_from")
        )
        current = next((row for row in rows if row.covers(effective_from)), None)
        if current is None:
            raise ValidationError(
                {"effective_from": _("No policy version is in force on that date.")}
            )
        if effective_from <= current.effective_from:
            raise ValidationError(
                {
                    "effective_from": _(
                        "The change must take effect after %(start)s,"
                        " when the version in force began."
                    )
                    % {"start": current.effective_from.isoformat()}
                }
            )
        later = [row for row in rows if row.effective_from > current.effective_from]
        if later:
            raise ValidationError(
                {
                    "effective_from": _(
                        "Version %(version)s already starts on %(start)s; change that one."
                    )
                    % {"version": later[0].version, "start": later[0].effective_from.isoformat()}
                }
            )
        try:
            changed = current.to_policy().with_overrides({rule: values}, "values")
        except InputError as exc:
            raise ValidationError({"values": str(exc)}) from None
        old, new = current.parameters[rule], changed.parameters[rule]
        keys = [key for key in new if old.get(key) != new.get(key)]
        if not keys:
            raise ValidationError({"values": _("These values are the ones in force already.")})
        version = PolicySet(
            name=current.name,
            jurisdiction=current.jurisdiction,
            version=next_version(current.version, {row.version for row in rows}),
            effective_from=effective_from,
            effective_to=current.effective_to,
            parameters=changed.parameters,
            citations=current.citations,
            reason=reason,
            created_by=actor,
        )
        version.full_clean()
        current.effective_to = effective_from - timedelta(days=1)
        current.save(update_fields=["effective_to"])
        version.save()
        record(
            action="policy.version.create",
            actor=actor,
            obj=version,
            ip=ip,
            before=_flat(rule, old, keys),
            after=_flat(rule, new, keys),
            data={
                "rule": rule,
                "version": version.version,
                "previous_version": current.version,
                "effective_from": effective_from.isoformat(),
                "reason": reason,
            },
        )
    return version
