"""Management plans as data: checking a plan's steps, choosing the plan for an arrival,
and turning the plan into the arrival's steps with their due times.

A plan's ``steps`` are ``{"kind", "day", "within_hours", "label"}``; day 0 is the arrival
date. A step with ``within_hours`` is due that many hours after the arrival's moment
(the arrival date at the given time, or at noon when no time is known); any other step
is due by the end of its day, local time (Asia/Shanghai). The last step must be the
release: an arrival closes only when its last step is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    ManagementPlan,
    PlanRule,
    Step,
    StepKind,
)

MAX_STEPS = 60
MAX_DAY = 90
NOON = dt.time(12, 0)
END_OF_DAY = dt.time(23, 59, 59)


def clean_steps(raw: Any) -> list[dict]:
    """The plan's steps in their stored form, or a ValidationError naming each bad item."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError(_("A plan has at least one step."), code="steps")
    if len(raw) > MAX_STEPS:
        raise ValidationError(_("A plan has at most %(n)d steps.") % {"n": MAX_STEPS}, code="steps")
    errors: list[str] = []
    steps: list[dict] = []
    kinds = set(StepKind.values)
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.append(_("Step %(n)d is not a step.") % {"n": n})
            continue
        kind = item.get("kind")
        day = item.get("day", 0)
        hours = item.get("within_hours")
        label = str(item.get("label") or "").strip()
        if kind not in kinds:
            errors.append(_("Step %(n)d: unknown kind of step.") % {"n": n})
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_DAY:
            errors.append(
                _("Step %(n)d: the day is a whole number from 0 to %(max)d.")
                % {"n": n, "max": MAX_DAY}
            )
        if hours is not None and (
            isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 30
        ):
            errors.append(_("Step %(n)d: the hours are a whole number from 1 to 720.") % {"n": n})
        if len(label) > 100:
            errors.append(_("Step %(n)d: the name is longer than 100 characters.") % {"n": n})
        steps.append({"kind": kind, "day": day, "within_hours": hours, "label": label})
    if errors:
        raise ValidationError(errors, code="steps")
    if steps[-1]["kind"] != StepKind.RELEASE:
        raise ValidationError(_("The last step of a plan is the release."), code="steps")
    if any(s["kind"] == StepKind.RELEASE for s in steps[:-1]):
        raise ValidationError(_("A plan has one release, at the end."), code="steps")
    days = [s["day"] for s in steps]
    if days != sorted(days):
        raise ValidationError(_("The steps are in the order of their days."), code="steps")
    return steps


def rule_matches(rule: PlanRule, arrival: Arrival) -> bool:
    if rule.category and rule.category != arrival.category:
        return False
    if rule.origin_countries and arrival.origin_country not in rule.origin_countries:
        return False
    if rule.arrives_from and arrival.arrival_date < rule.arrives_from:
        return False
    if rule.arrives_until and arrival.arrival_date > rule.arrives_until:
        return False
    return True


def choose_plan(
    arrival: Arrival,
    *,
    rules: Iterable[PlanRule] | None = None,
    plans: dict[str, ManagementPlan] | None = None,
    settings: ArrivalSettings | None = None,
) -> ManagementPlan:
    """The current version of the plan the first matching rule names, else the default
    plan of the settings. ``rules``, ``plans`` and ``settings`` may be passed in by bulk
    callers (an import of 100,000 rows reads them once)."""
    if rules is None:
        rules = PlanRule.objects.filter(active=True).order_by("sequence", "pk")
    settings = settings or ArrivalSettings.current()
    code = next((r.plan_code for r in rules if rule_matches(r, arrival)), None)
    code = code or settings.default_plan_code
    plan = plans.get(code) if plans is not None else ManagementPlan.current(code)
    if plan is None or plan.retired:
        raise ValidationError(
            _("There is no plan %(code)s in force: the city command must set one up.")
            % {"code": code},
            code="no_plan",
        )
    return plan


def current_plans() -> dict[str, ManagementPlan]:
    """{code: the latest version} of every plan, for bulk callers."""
    found: dict[str, ManagementPlan] = {}
    for plan in ManagementPlan.objects.order_by("code", "-version"):
        found.setdefault(plan.code, plan)
    return found


def arrival_moment(arrival: Arrival) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(arrival.arrival_date, arrival.arrival_time or NOON, tzinfo=tz)


def due_at(arrival: Arrival, spec: dict) -> dt.datetime:
    if spec.get("within_hours"):
        return arrival_moment(arrival) + dt.timedelta(hours=spec["within_hours"])
    tz = timezone.get_current_timezone()
    day = arrival.arrival_date + dt.timedelta(days=spec.get("day") or 0)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=tz)


def build_steps(arrival: Arrival, plan: ManagementPlan | None = None) -> list[Step]:
    """The arrival's steps (unsaved) from its plan: the caller saves them in bulk."""
    plan = plan or arrival.plan
    return [
        Step(
            arrival=arrival,
            sequence=n,
            kind=spec["kind"],
            label=spec.get("label") or str(StepKind(spec["kind"]).label),
            day=spec.get("day") or 0,
            due_at=due_at(arrival, spec),
        )
        for n, spec in enumerate(plan.steps, start=1)
    ]


# The plans and the rule the migration seeds, and ``waishi seed_demo`` relies on.
SEVEN_PLUS_THREE = [
    {"kind": "landing_check", "day": 0, "within_hours": 6, "label": "落地查人"},
    {"kind": "transfer", "day": 0, "within_hours": 12, "label": "闭环转运至隔离点"},
    {"kind": "disinfection", "day": 0, "within_hours": 12, "label": "行李及车辆消杀"},
    {"kind": "quarantine", "day": 0, "within_hours": 12, "label": "入住集中隔离点"},
    {"kind": "test", "day": 1, "within_hours": None, "label": "第1天核酸检测"},
    {"kind": "daily_needs", "day": 1, "within_hours": None, "label": "生活保障落实"},
    {"kind": "test", "day": 2, "within_hours": None, "label": "第2天核酸检测"},
    {"kind": "test", "day": 3, "within_hours": None, "label": "第3天核酸检测"},
    {"kind": "test", "day": 5, "within_hours": None, "label": "第5天核酸检测"},
    {"kind": "test", "day": 7, "within_hours": None, "label": "第7天核酸检测"},
    {"kind": "home_monitoring", "day": 7, "within_hours": None, "label": "转居家健康监测"},
    {"kind": "test", "day": 10, "within_hours": None, "label": "居家第3天核酸检测"},
    {"kind": "release", "day": 10, "within_hours": None, "label": "解除管控"},
]
NONE_PLAN = [
    {
        "kind": "landing_check",
        "day": 0,
        "within_hours": 24,
        "label": "落地查人（核验登机前48小时检测证明）",
    },
    {"kind": "release", "day": 0, "within_hours": None, "label": "解除管控"},
]
