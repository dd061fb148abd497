"""The policy parameters: the shipped defaults (``data/default_policy.json``, also read by
the data migration that seeds the first ``PolicySet`` version), overrides on top of them,
and the schema both are validated against.

Overrides have the shape of ``parameters`` (``{"GROUP_SIZE": {"max": 5}}``) and are merged
deeply: objects merge key by key, anything else (numbers, lists) replaces. Unknown keys
and values of the wrong type are an ``InputError`` naming the key path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from waishi.policy.types import CATEGORIES, INVITATION_SOURCES, RANKS, InputError

if TYPE_CHECKING:
    from waishi.policy.reference import BudgetTable

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "default_policy.json"
REGION_FLAGS = ("africa", "latin_america", "south_america")

Spec = Callable[[Any, str], None] | dict


def _fail(path: str, message: str) -> None:
    raise InputError(path, message)


# How ``REPORT_DUE.amount`` counts: calendar months, calendar days or working days.
REPORT_DUE_UNITS = ("months", "days", "working_days")


def _int(minimum: int) -> Spec:
    def check(value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            _fail(path, gettext("expected a whole number of at least %d") % minimum)

    return check


def _bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        _fail(path, gettext("expected true or false"))


def _one_of(choices: tuple[str, ...]) -> Spec:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, str) or value not in choices:
            _fail(path, gettext("expected one of: %s") % ", ".join(choices))

    return check


def _list_of(item: Spec, min_length: int = 0) -> Spec:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, list) or len(value) < min_length:
            _fail(path, gettext("expected a list of at least %d entries") % min_length)
        for i, entry in enumerate(value):
            _validate(item, entry, f"{path}[{i}]")

    return check


def _country_code(value: Any, path: str) -> None:
    from waishi.policy import reference

    if not isinstance(value, str) or reference.country(value) is None or value != value.upper():
        _fail(path, gettext("expected an ISO 3166-1 alpha-2 code such as DE"))


def _text(value: Any, path: str) -> None:
    if not isinstance(value, str):
        _fail(path, gettext("expected a string"))


def _destination(value: Any, path: str) -> None:
    if not isinstance(value, dict) or "country" not in value:
        _fail(path, gettext('expected {"country": ..., "city": ...} (city optional)'))
    _validate({"country": _country_code, "city": _text}, value, path, partial=True)


_APPLIES = _list_of(_one_of(CATEGORIES))
_WINDOW = {"max": _int(1), "years": _int(1)}

# One entry per rule code: the parameters it reads and what they must look like.
SCHEMA: dict[str, dict[str, Spec]] = {
    "CATEGORY_MISMATCH": {"max_rank": _one_of(RANKS)},
    "GROUP_SIZE": {"applies_to": _APPLIES, "max": _int(1)},
    "COUNTRY_COUNT": {"applies_to": _APPLIES, "max": _int(1)},
    "STAY_DAYS": {
        "applies_to": _APPLIES,
        # Index i is the limit for i+1 countries; the last applies to more.
        "limits": _list_of(_int(1), 1),
        "africa_latin_america_extra": _list_of(_int(0), 1),
    },
    "ONE_CONTINENT": {"applies_to": _APPLIES},
    "ITINERARY_INCONSISTENT": {"applies_to": _APPLIES},
    # The first stop begins, and the last ends, within ``travel_days`` of leaving and of
    # entering China (the day of travel); a longer gap: the dates and stops disagree.
    "ITINERARY_GAP": {"applies_to": _APPLIES, "travel_days": _int(0)},
    "TASK_PER_MEMBER": {"applies_to": _APPLIES},
    "NO_SIGHTSEEING": {"applies_to": _APPLIES},
    "BUSINESS_RATIO": {"applies_to": _APPLIES, "numerator": _int(0), "denominator": _int(1)},
    "NO_FAMILY": {"applies_to": _APPLIES},
    "RETIRED_MEMBER": {"applies_to": _APPLIES},
    "INVITATION_MISSING": {"applies_to": _APPLIES},
    "INVITATION_SOURCE": {
        "applies_to": _APPLIES,
        "forbidden": _list_of(_one_of(INVITATION_SOURCES)),
    },
    "HOT_DESTINATION": {"applies_to": _APPLIES, "destinations": _list_of(_destination)},
    "FREQUENCY": {
        "applies_to": _APPLIES,
        "windows": {rank: _WINDOW for rank in RANKS[:3]},
        "city_leader": _WINDOW,
    },
    "SAME_UNIT_LEADERS": {"applies_to": _APPLIES, "max": _int(1)},
    "NOT_IN_PLAN": {"applies_to": _APPLIES},
    # Judged on the record by ``waishi.missions`` (the plan entry is not in the contract's
    # input): the entry must be of the plan of the trip's year.
    "PLAN_YEAR": {"applies_to": _APPLIES},
    "LEAD_TIME": {
        "applies_to": _APPLIES,
        "days": _int(0),
        "days_schengen": _int(0),
        "days_far": _int(0),
        "far_from_countries": _int(1),
        "far_countries": _list_of(_country_code),
        "far_regions": _list_of(_one_of(REGION_FLAGS)),
    },
    "PARTY_BRANCH": {"applies_to": _APPLIES, "min_members": _int(1), "mandatory": _bool},
    "BUDGET_STANDARD": {"applies_to": _APPLIES},
    "BUDGET_MISSING": {"applies_to": _APPLIES},
    # Read by the workflow (``waishi.passports``), never by ``check``: no ``applies_to``,
    # and not in ``rules.RULES`` (see ``WORKFLOW_PARAMETERS``).
    "PASSPORT_OFFICIAL": {"months_valid_after_return": _int(0)},
    "PASSPORT_RETURN": {"days": _int(0), "lock_after_days": _int(1)},
    # Read by ``waishi.missions`` (trip report): due ``amount`` ``unit`` after the return,
    # escalated to the unit leader ``escalate_after_days`` days after that.
    "REPORT_DUE": {
        "amount": _int(1),
        "unit": _one_of(REPORT_DUE_UNITS),
        "escalate_after_days": _int(0),
    },
    # Read by ``waishi.followups`` (supervised tasks, supervision.md): deadlines by source
    # in working days, the monthly report of a major task, the colour warnings and how
    # often a deadline may be moved without the FAO head.
    "SUPERVISION": {
        "minutes_days": _int(1),
        "document_days": _int(1),
        "instruction_urgent_days": _int(1),
        "instruction_ordinary_days": _int(1),
        "instruction_difficult_days": _int(1),
        "outcome_days": _int(1),
        "accept_days": _int(1),
        "monthly_report_day": _int(1),
        "blue_days": _int(0),
        "extensions_max": _int(0),
    },
}

# Parameters of rules enforced by the workflow after approval (policy-rules.md, "Before,
# during and after"), and of ``PLAN_YEAR``, judged on the record (the plan entry it names
# is not in the contract's input: ``rules.timing.plan_year``); ``check`` iterates
# ``rules.RULES`` and so never reads them.
WORKFLOW_PARAMETERS = frozenset(
    {"PASSPORT_OFFICIAL", "PASSPORT_RETURN", "REPORT_DUE", "PLAN_YEAR", "SUPERVISION"}
)


def _validate(spec: Spec, value: Any, path: str, partial: bool = False) -> None:
    if callable(spec):
        spec(value, path)
        return
    if not isinstance(value, dict):
        _fail(path, gettext("expected an object"))
    for key in value:
        if key not in spec:
            _fail(f"{path}.{key}" if path else key, gettext("unknown parameter"))
    if not partial:
        for key in spec:
            if key not in value:
                _fail(f"{path}.{key}" if path else key, gettext("parameter is missing"))
    for key, item in value.items():
        _validate(spec[key], item, f"{path}.{key}" if path else key)


def validate_parameters(parameters: Any, path: str = "") -> None:
    """A complete parameter set (every rule, every key) -> None or ``InputError``."""
    _validate(SCHEMA, parameters, path)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return copy.deepcopy(override)


@dataclass(frozen=True)
class Policy:
    """A policy version: what ``check`` reads. A ``PolicySet`` row becomes one of these."""

    name: str
    version: str
    effective_from: date
    parameters: dict[str, dict[str, Any]]
    citations: dict[str, str] = field(default_factory=dict)
    # The 附表2 allowance table this version imported; None: the shipped sample rows
    # (``reference.SHIPPED_BUDGET``).
    budget: BudgetTable | None = None

    def with_overrides(self, overrides: Any, path: str = "") -> Policy:
        """This policy with ``overrides`` deep-merged into its parameters (``--policy``)."""
        if not isinstance(overrides, dict):
            _fail(path or "policy", gettext("expected an object"))
        # Unknown keys are refused before merging, so that the error names the key given.
        _check_keys(SCHEMA, overrides, path)
        merged = _merge(self.parameters, overrides)
        validate_parameters(merged, path)
        return Policy(
            self.name, self.version, self.effective_from, merged, self.citations, self.budget
        )


def _check_keys(spec: Spec, value: Any, path: str) -> None:
    if callable(spec) or not isinstance(value, dict):
        return
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key not in spec:
            _fail(where, gettext("unknown parameter"))
        _check_keys(spec[key], item, where)


def policy_from_data(data: Any, path: str = "") -> Policy:
    """The shape of ``default_policy.json`` -> ``Policy`` (validated)."""
    if not isinstance(data, dict):
        _fail(path or "policy", gettext("expected an object"))
    for key in ("name", "version", "effective_from", "parameters"):
        if key not in data:
            _fail(key, gettext("required field is missing"))
    validate_parameters(data["parameters"], "parameters")
    citations = data.get("citations", {})
    return Policy(
        name=data["name"],
        version=data["version"],
        effective_from=date.fromisoformat(data["effective_from"]),
        parameters=data["parameters"],
        citations={code: citations.get(code, "") for code in SCHEMA},
    )


def default_data() -> dict[str, Any]:
    """The shipped file as it stands (a fresh copy): what the data migration seeds from."""
    with DEFAULT_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def default_policy() -> Policy:
    """The shipped defaults, read once per process."""
    return policy_from_data(default_data())


def policy_in_force(on: date) -> Policy:
    """The policy version in force on ``on`` without a database: the shipped default.
    ``waishi.policy.selectors.policy_in_force_db`` asks the ``PolicySet`` table (and falls
    back to this), so that this module stays free of models."""
    return default_policy()
