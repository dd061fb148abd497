"""Changing the policy: a new version, never an edit (so old decisions stay explainable).

Two ways make one: a parameter change, and the import of the 附表2 allowance table. Both
lock every version of the policy, check that the new one starts after the version in force
and before any later one, close the version in force the day before, and record one audit
event, through the same steps (``_predecessor``, ``_successor``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import record
from waishi.lib.roles import FAO_HEAD, has
from waishi.policy import allowances
from waishi.policy.allowances import AllowanceReport
from waishi.policy.models import PolicySet
from waishi.policy.params import SCHEMA, default_policy
from waishi.policy.reference import SHIPPED_BUDGET
from waishi.policy.types import InputError

CHANGES_POLICY = FAO_HEAD
_SAME = object()  # "keep the predecessor's value"


def next_version(version: str, taken: set[str]) -> str:
    """ "2026.1" -> "2026.2"; a version without a trailing number gets ".1"."""
    head, _dot, tail = version.rpartition(".")
    candidate = f"{head}.{int(tail) + 1}" if head and tail.isdigit() else f"{version}.1"
    while candidate in taken:
        candidate = next_version(candidate, set())
    return candidate


def _flat(rule: str, values: dict[str, Any], keys) -> dict[str, Any]:
    return {f"{rule}.{key}": values.get(key) for key in keys}


def _check_change_fields(effective_from: Any, reason: str, errors: dict[str, str]) -> str:
    """The reason and start date every new version needs; problems go into ``errors``.
    Returns the reason stripped."""
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the change.")
    if not isinstance(effective_from, date):
        errors["effective_from"] = _("Give the date the change takes effect.")
    elif effective_from < timezone.localdate():
        # A change never reaches back: decisions already taken keep their version.
        errors["effective_from"] = _("A change cannot take effect in the past.")
    return reason


def _predecessor(
    name: str, effective_from: date, *, lock: bool = True
) -> tuple[PolicySet, list[PolicySet]]:
    """The version a new one starting on ``effective_from`` follows, and every version of
    ``name``: locked (inside the caller's transaction) so that two changes at once queue
    here and the ranges cannot come to overlap. ValidationError when no version covers
    that day, when it does not start after the one in force, or when a later version
    exists already."""
    rows = PolicySet.objects.filter(name=name).order_by("effective_from")
    if lock:
        rows = rows.select_for_update()
    rows = list(rows)
    current = next((row for row in rows if row.covers(effective_from)), None)
    if current is None:
        raise ValidationError({"effective_from": _("No policy version is in force on that date.")})
    if effective_from <= current.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "The change must take effect after %(start)s, when the version in force began."
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
    return current, rows


def _successor(
    *,
    actor,
    current: PolicySet,
    rows: list[PolicySet],
    effective_from: date,
    reason: str,
    parameters: dict | None = None,
    budget_rows: Any = _SAME,
) -> PolicySet:
    """Save the version after ``current`` (which must come from ``_predecessor``, locked):
    ``current``'s parameters, citations and allowance table unless given, from
    ``effective_from`` to where ``current`` ended; ``current`` closes the day before."""
    version = PolicySet(
        name=current.name,
        jurisdiction=current.jurisdiction,
        version=next_version(current.version, {row.version for row in rows}),
        effective_from=effective_from,
        effective_to=current.effective_to,
        parameters=current.parameters if parameters is None else parameters,
        citations=current.citations,
        budget_rows=current.budget_rows if budget_rows is _SAME else budget_rows,
        reason=reason,
        created_by=actor,
    )
    version.full_clean()
    current.effective_to = effective_from - timedelta(days=1)
    current.save(update_fields=["effective_to"])
    version.save()
    return version


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
    errors: dict[str, str] = {}
    reason = _check_change_fields(effective_from, reason, errors)
    if rule not in SCHEMA:
        errors["rule"] = _("Unknown rule.")
    elif not isinstance(values, dict) or not values:
        errors["values"] = _("Give the new parameter values as an object.")
    if errors:
        raise ValidationError(errors)
    name = name or default_policy().name
    with transaction.atomic():
        current, rows = _predecessor(name, effective_from)
        try:
            changed = current.to_policy().with_overrides({rule: values}, "values")
        except InputError as exc:
            raise ValidationError({"values": str(exc)}) from None
        old, new = current.parameters[rule], changed.parameters[rule]
        keys = [key for key in new if old.get(key) != new.get(key)]
        if not keys:
            raise ValidationError({"values": _("These values are the ones in force already.")})
        version = _successor(
            actor=actor,
            current=current,
            rows=rows,
            effective_from=effective_from,
            reason=reason,
            parameters=changed.parameters,
        )
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


def allowance_table_import(
    *,
    actor,
    upload: Any,
    filename: str,
    effective_from: date,
    reason: str,
    ip: str = "",
    name: str | None = None,
    check_only: bool = False,
) -> AllowanceReport:
    """The FAO head imports the full 附表2 allowance table from an .xlsx (``upload``: an
    UploadedFile, a binary file or bytes) from ``effective_from`` on: a new policy version
    with the parameters in force and the file's rows, the previous version closed the day
    before, under the same rules as ``policy_parameter_change``. Every row is checked
    first; if any is wrong, nothing is written and the report lists every problem.

    Returns the report (``report.version`` is the new version when one was created).
    ``check_only``: check the file, the date and the reason, write nothing. Raises
    PermissionDenied, or ValidationError for the date and the reason."""
    if not has(actor, CHANGES_POLICY):
        raise PermissionDenied
    errors: dict[str, str] = {}
    reason = _check_change_fields(effective_from, reason, errors)
    if errors:
        raise ValidationError(errors)
    name = name or default_policy().name
    # A date that cannot work is said before the file is read (again under the lock below).
    current, _rows = _predecessor(name, effective_from, lock=False)
    report = allowances.check_upload(upload=upload, filename=filename)
    if not report.ok:
        return report
    if check_only:
        _compare(report, current)
        return report
    with transaction.atomic():
        current, rows = _predecessor(name, effective_from)
        _compare(report, current)
        if not report.ok:
            return report
        version = _successor(
            actor=actor,
            current=current,
            rows=rows,
            effective_from=effective_from,
            reason=reason,
            budget_rows=report.rows,
        )
        record(
            action="policy.allowance.import",
            actor=actor,
            obj=version,
            ip=ip,
            data={
                "rows": len(report.rows),
                "filename": report.filename,
                "sm3": report.sm3,
                "version": version.version,
                "previous_version": current.version,
                "effective_from": effective_from.isoformat(),
                "reason": reason,
                "added": report.changes["added"],
                "changed": report.changes["changed"],
                "removed": report.changes["removed"],
            },
        )
    report.version = version
    return report


def _compare(report: AllowanceReport, current: PolicySet) -> None:
    """What the file changes against the table of ``current``; a file that changes
    nothing is refused, like a parameter change that changes nothing."""
    in_force = current.budget_table()
    if in_force is None:
        in_force = SHIPPED_BUDGET
    report.previous_version = current.version
    report.changes = allowances.compare(in_force.rows, report.rows)
    if not any(report.changes.values()):
        report.file_errors.append(_("This table is the one in force already."))
