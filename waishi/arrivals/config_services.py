"""The city command's configuration of the arrivals module: the numbers in force
(``ArrivalSettings``), the management plans and the rules that choose them. Each is
data the command changes as policy changes, never code (issue 6).

- A settings change is a new ``ArrivalSettings`` row; the latest is in force.
- A plan change is a new ``ManagementPlan`` row (version + 1): the arrivals already
  registered keep the version, and the steps, they were given; only new arrivals get the
  new version (``plans.choose_plan`` takes the latest).
- Rules are edited in place: they only choose the plan of arrivals registered later.

Every function here is the city command's alone, checks its input, and leaves one
audit event in the transaction of its change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from waishi.arrivals import plans
from waishi.arrivals.models import ArrivalSettings, Category, ManagementPlan, PlanRule
from waishi.audit.services import record, snapshot
from waishi.lib.roles import COMMAND, has
from waishi.policy.reference import COUNTRIES

EDITS_CONFIG = COMMAND

PLAN_CODE_RE = re.compile(r"^[A-Za-z0-9+._\-]{1,30}$")
SETTINGS_FIELDS = (
    "declare_lead_hours",
    "retention_days",
    "resident_interval_days",
    "default_plan_code",
)
# Upper bounds that catch a slip of the keyboard (a year's lead time, a century kept).
SETTINGS_LIMITS = {
    "declare_lead_hours": 24 * 30,
    "retention_days": 3650,
    "resident_interval_days": 365,
}
RULE_FIELDS = (
    "sequence",
    "name",
    "category",
    "origin_countries",
    "arrives_from",
    "arrives_until",
    "plan_code",
    "active",
)


def _require(actor) -> None:
    if not has(actor, EDITS_CONFIG):
        raise PermissionDenied(_("Only the city command changes the arrivals settings."))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the change.")})
    return reason


def _plan_in_force(code: str) -> ManagementPlan | None:
    plan = ManagementPlan.current(code)
    return None if plan is None or plan.retired else plan


# -- settings ---------------------------------------------------------------------


def settings_change(
    *,
    actor,
    declare_lead_hours: int,
    retention_days: int,
    resident_interval_days: int,
    default_plan_code: str,
    reason: str,
    ip: str = "",
) -> ArrivalSettings:
    """A new settings row in force from now on, with who and why."""
    _require(actor)
    reason = _reason(reason)
    values = {
        "declare_lead_hours": declare_lead_hours,
        "retention_days": retention_days,
        "resident_interval_days": resident_interval_days,
        "default_plan_code": (default_plan_code or "").strip(),
    }
    errors: dict[str, str] = {}
    for name, limit in SETTINGS_LIMITS.items():
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            errors[name] = _("A whole number from 1 to %(max)d.") % {"max": limit}
    if _plan_in_force(values["default_plan_code"]) is None:
        errors["default_plan_code"] = _("Choose a plan in force.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the row in force, so that two changes at once are one after the other.
        latest = ArrivalSettings.objects.select_for_update().order_by("-pk").first()
        before = snapshot(latest or ArrivalSettings(), SETTINGS_FIELDS)
        if before == values:
            raise ValidationError(_("Nothing was changed."))
        row = ArrivalSettings.objects.create(**values, created_by=actor, reason=reason)
        record(
            action="arrivals.settings.change",
            actor=actor,
            obj=row,
            before={k: v for k, v in before.items() if v != values[k]},
            after={k: v for k, v in values.items() if v != before[k]},
            data={"reason": reason},
            ip=ip,
        )
    return row


# -- plans ------------------------------------------------------------------------


def _plan_fields(name: str, description: str, steps: Any) -> dict:
    errors: dict[str, Any] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the plan a name.")
    elif len(name) > 100:
        errors["name"] = _("The name is longer than 100 characters.")
    try:
        steps = plans.clean_steps(steps)
    except ValidationError as exc:
        errors["steps"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": (description or "").strip(), "steps": steps}


def plan_create(
    *,
    actor,
    code: str,
    name: str,
    steps: Any,
    reason: str,
    description: str = "",
    ip: str = "",
) -> ManagementPlan:
    """A new plan, version 1. Rules and the settings may then name its code."""
    _require(actor)
    reason = _reason(reason)
    code = (code or "").strip()
    if not PLAN_CODE_RE.match(code):
        raise ValidationError(
            {"code": _("A code is 1 to 30 letters, digits and the signs + - _ .")}
        )
    fields = _plan_fields(name, description, steps)
    with transaction.atomic():
        if ManagementPlan.objects.filter(code=code).exists():
            raise ValidationError({"code": _("A plan with this code exists already.")})
        try:
            with transaction.atomic():
                plan = ManagementPlan.objects.create(
                    code=code, version=1, created_by=actor, reason=reason, **fields
                )
        except IntegrityError:
            raise ValidationError({"code": _("A plan with this code exists already.")}) from None
        record(
            action="arrivals.plan.create",
            actor=actor,
            obj=plan,
            after={"code": code, "version": 1, "steps": len(fields["steps"])},
            data={"reason": reason},
            ip=ip,
        )
    return plan


def plan_save_version(
    *,
    actor,
    plan: ManagementPlan,
    name: str,
    steps: Any,
    reason: str,
    description: str = "",
    expected_version: int | None = None,
    ip: str = "",
) -> ManagementPlan:
    """Save the plan ``plan.code`` again as a new version (the latest + 1). ``plan`` may be
    an older version (to go back to it); ``expected_version`` is the latest version the
    editor saw, and a save over a version saved meanwhile is refused. Arrivals already
    registered keep their version and their steps."""
    _require(actor)
    reason = _reason(reason)
    fields = _plan_fields(name, description, steps)
    with transaction.atomic():
        versions = list(
            ManagementPlan.objects.select_for_update().filter(code=plan.code).order_by("-version")
        )
        current = versions[0]
        if expected_version is not None and current.version != expected_version:
            raise ValidationError(
                _(
                    "Version %(version)d of this plan was saved meanwhile: "
                    "open the plan again and make your change on it."
                )
                % {"version": current.version}
            )
        if current.retired:
            raise ValidationError(_("This plan is retired: put it back in force first."))
        if all(getattr(current, k) == v for k, v in fields.items()):
            raise ValidationError(_("Nothing was changed."))
        try:
            with transaction.atomic():
                new = ManagementPlan.objects.create(
                    code=current.code,
                    version=current.version + 1,
                    created_by=actor,
                    reason=reason,
                    **fields,
                )
        except IntegrityError:
            raise ValidationError(
                _("Another version of this plan was saved meanwhile: open it again.")
            ) from None
        record(
            action="arrivals.plan.version",
            actor=actor,
            obj=new,
            before={"version": current.version, "steps": len(current.steps)},
            after={"version": new.version, "steps": len(new.steps)},
            data={"reason": reason, "code": new.code, "from_version": plan.version},
            ip=ip,
        )
    return new


def plan_retire(
    *, actor, plan: ManagementPlan, reason: str, retired: bool = True, ip: str = ""
) -> ManagementPlan:
    """Retire a plan (no new arrival gets it), or put it back in force with
    ``retired=False``. Arrivals that have it keep it. A plan the settings or an active
    rule still name is not retired: change those first."""
    _require(actor)
    reason = _reason(reason)
    with transaction.atomic():
        versions = list(
            ManagementPlan.objects.select_for_update().filter(code=plan.code).order_by("-version")
        )
        current = versions[0]
        if current.retired == retired:
            raise ValidationError(
                _("This plan is retired already.") if retired else _("This plan is in force.")
            )
        if retired:
            if ArrivalSettings.current().default_plan_code == plan.code:
                raise ValidationError(
                    _("The settings name this plan for arrivals no rule applies to.")
                )
            naming = PlanRule.objects.filter(plan_code=plan.code, active=True).first()
            if naming is not None:
                raise ValidationError(
                    _("The active rule “%(rule)s” still gives this plan.") % {"rule": naming}
                )
        ManagementPlan.objects.filter(code=plan.code).update(retired=retired)
        current.retired = retired
        record(
            action="arrivals.plan.retire" if retired else "arrivals.plan.restore",
            actor=actor,
            obj=current,
            before={"retired": not retired},
            after={"retired": retired},
            data={"reason": reason, "code": plan.code},
            ip=ip,
        )
    return current


# -- rules ------------------------------------------------------------------------


def _clean_rule(
    *,
    sequence: int,
    name: str,
    category: str,
    origin_countries: Any,
    arrives_from: dt.date | None,
    arrives_until: dt.date | None,
    plan_code: str,
    active: bool,
) -> dict:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the rule a name.")
    elif len(name) > 100:
        errors["name"] = _("The name is longer than 100 characters.")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 <= sequence <= 9999:
        errors["sequence"] = _("A whole number from 0 to 9999.")
    category = category or ""
    if category and category not in Category.values:
        errors["category"] = _("Choose a category.")
    if isinstance(origin_countries, str):
        origin_countries = [c for c in re.split(r"[\s,，、;；]+", origin_countries) if c]
    codes = sorted({str(c).strip().upper() for c in origin_countries or []})
    unknown = [c for c in codes if c not in COUNTRIES]
    if unknown:
        errors["origin_countries"] = _("Unknown country codes: %(codes)s") % {
            "codes": ", ".join(unknown)
        }
    if arrives_from and arrives_until and arrives_from > arrives_until:
        errors["arrives_until"] = _("The end date comes before the start date.")
    plan_code = (plan_code or "").strip()
    if not ManagementPlan.objects.filter(code=plan_code).exists():
        errors["plan_code"] = _("Choose an existing plan.")
    elif active and _plan_in_force(plan_code) is None:
        errors["plan_code"] = _("This plan is retired: an active rule cannot give it.")
    if errors:
        raise ValidationError(errors)
    return {
        "sequence": sequence,
        "name": name,
        "category": category,
        "origin_countries": codes,
        "arrives_from": arrives_from,
        "arrives_until": arrives_until,
        "plan_code": plan_code,
        "active": bool(active),
    }


def rule_create(*, actor, ip: str = "", **fields) -> PlanRule:
    """A new rule; it chooses the plan of arrivals registered from now on."""
    _require(actor)
    values = _clean_rule(**fields)
    with transaction.atomic():
        rule = PlanRule.objects.create(**values)
        record(
            action="arrivals.rule.create",
            actor=actor,
            obj=rule,
            after=snapshot(rule, RULE_FIELDS),
            ip=ip,
        )
    return rule


def rule_update(*, actor, rule: PlanRule, ip: str = "", **fields) -> PlanRule:
    _require(actor)
    values = _clean_rule(**fields)
    with transaction.atomic():
        rule = PlanRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(rule, RULE_FIELDS)
        for name, value in values.items():
            setattr(rule, name, value)
        after = snapshot(rule, RULE_FIELDS)
        if before == after:
            raise ValidationError(_("Nothing was changed."))
        rule.save()
        record(
            action="arrivals.rule.update",
            actor=actor,
            obj=rule,
            before={k: v for k, v in before.items() if v != after[k]},
            after={k: v for k, v in after.items() if v != before[k]},
            ip=ip,
        )
    return rule


def rule_delete(*, actor, rule: PlanRule, ip: str = "") -> None:
    _require(actor)
    with transaction.atomic():
        rule = PlanRule.objects.select_for_update().filter(pk=rule.pk).first()
        if rule is None:
            raise ValidationError(_("This rule has been deleted already."))
        before = snapshot(rule, RULE_FIELDS)
        record(
            action="arrivals.rule.delete",
            actor=actor,
            obj=rule,
            before=before,
            ip=ip,
        )
        rule.delete()
