"""When an approval rule applies: its conditions, checked against a subject's facts.

Conditions are a JSON object; every condition given must hold (an empty object never
holds: a rule for everything says ``{"always": true}``):

- ``always``: true — holds for every subject (false: never);
- ``min_rank``: a policy rank — the highest member rank is that rank or higher;
- ``out_of_plan``: true — the subject is not in the annual plan (计划外);
- ``categories``: [category, ...] — the subject's category is one of them;
- ``countries_any``: [ISO code, ...] — the itinerary touches one of them;
- ``budget_over``: number — the budget total is above it (yuan);
- ``policy_flags_any``: [rule code, ...] — the policy check flagged one of them.

Facts (what the subject's app passes): ``category``, ``highest_rank``, ``out_of_plan``,
``countries``, ``budget_total``, ``policy_flags``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from waishi.policy import labels, reference
from waishi.policy.params import SCHEMA
from waishi.policy.types import CATEGORIES, RANKS

KEYS = (
    "always",
    "min_rank",
    "out_of_plan",
    "categories",
    "countries_any",
    "budget_over",
    "policy_flags_any",
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def validate(conditions: Any) -> dict:
    """The conditions, normalised (country codes upper case); ValidationError naming
    ``conditions`` and saying what is wrong."""
    if not isinstance(conditions, dict):
        raise ValidationError({"conditions": _('Expected an object such as {"always": true}.')})
    problems: list[str] = []
    unknown = sorted(set(conditions) - set(KEYS))
    if unknown:
        problems.append(
            _("Unknown conditions: %(keys)s. Known: %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(KEYS)}
        )
    if not conditions:
        problems.append(_('Give at least one condition (“{"always": true}” for every case).'))
    out = dict(conditions)
    if "always" in conditions and not isinstance(conditions["always"], bool):
        problems.append(_("“always” must be true or false."))
    if "min_rank" in conditions and conditions["min_rank"] not in RANKS:
        problems.append(_("“min_rank” must be one of: %(ranks)s.") % {"ranks": ", ".join(RANKS)})
    if "out_of_plan" in conditions and conditions["out_of_plan"] is not True:
        problems.append(_("“out_of_plan” can only be true."))
    if "categories" in conditions:
        value = conditions["categories"]
        if not _strings(value) or set(value) - set(CATEGORIES):
            problems.append(
                _("“categories” must be a list of: %(values)s.") % {"values": ", ".join(CATEGORIES)}
            )
    if "countries_any" in conditions:
        value = conditions["countries_any"]
        codes = [v.strip().upper() for v in value] if _strings(value) else []
        if not codes or not all(_COUNTRY.match(c) for c in codes):
            problems.append(
                _("“countries_any” must be a list of two-letter ISO country codes, e.g. DE.")
            )
        else:
            out["countries_any"] = codes
    if "budget_over" in conditions:
        value = conditions["budget_over"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(_("“budget_over” must be a number of yuan, zero or more."))
    if "policy_flags_any" in conditions:
        value = conditions["policy_flags_any"]
        if not _strings(value) or set(value) - set(SCHEMA):
            problems.append(_("“policy_flags_any” must be a list of policy rule codes."))
    if problems:
        raise ValidationError({"conditions": problems})
    return out


def _rank_index(rank: Any) -> int | None:
    return RANKS.index(rank) if rank in RANKS else None


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def holds(conditions: dict, facts: dict) -> bool:
    """True when every condition given holds for ``facts`` (unknown facts: it does not)."""
    if not conditions:
        return False
    for key, wanted in conditions.items():
        if key == "always":
            ok = bool(wanted)
        elif key == "min_rank":
            have, need = _rank_index(facts.get("highest_rank")), _rank_index(wanted)
            ok = have is not None and need is not None and have <= need  # highest first
        elif key == "out_of_plan":
            ok = bool(facts.get("out_of_plan"))
        elif key == "categories":
            ok = facts.get("category") in wanted
        elif key == "countries_any":
            have = {str(c).upper() for c in facts.get("countries") or ()}
            ok = bool(have & {str(c).upper() for c in wanted})
        elif key == "budget_over":
            total, limit = _decimal(facts.get("budget_total")), _decimal(wanted)
            ok = total is not None and limit is not None and total > limit
        elif key == "policy_flags_any":
            ok = bool(set(facts.get("policy_flags") or ()) & set(wanted))
        else:
            ok = False  # a condition this code does not know never holds (fail closed)
        if not ok:
            return False
    return True


def described(conditions: dict) -> list[str]:
    """Each condition in words ("计划外", "最高职级：厅局级或以上"), for a person."""
    words = []
    for key, value in conditions.items():
        if key == "always":
            words.append(_("Every record") if value else _("Never"))
        elif key == "min_rank":
            rank = labels.RANK_LABELS.get(value, value)
            words.append(_("A member ranked %(rank)s or higher") % {"rank": rank})
        elif key == "out_of_plan":
            words.append(_("Not in the annual plan"))
        elif key == "categories":
            names = "、".join(str(labels.CATEGORY_LABELS.get(v, v)) for v in value)
            words.append(_("Trip category: %(names)s") % {"names": names})
        elif key == "countries_any":
            words.append(_("Itinerary touches: %(names)s") % {"names": _countries(value)})
        elif key == "budget_over":
            words.append(_("Budget over %(amount)s yuan") % {"amount": value})
        elif key == "policy_flags_any":
            titles = "；".join(labels.rule_title(code) for code in value)
            words.append(_("The policy check flagged: %(rules)s") % {"rules": titles})
        else:
            words.append(_("A condition this version does not know (never holds)"))
    return words


def _countries(codes) -> str:
    names = []
    for code in codes:
        found = reference.country(code)
        names.append(found.name_zh if found else str(code))
    return "、".join(names)
