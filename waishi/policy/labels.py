"""What a person reads for the policy: each rule's title, each parameter's label, help and
unit, and the codes the parameters hold (categories, ranks, invitation sources, regions),
declared beside the parameters' schema (``params.SCHEMA``) so that no page shows a code.

``tests/policy/test_labels.py`` holds that every rule and every parameter of the schema
has its words here, and that the categories and invitation sources read as the trip's own
choices do (``waishi.missions.models``, a floor above, keeps the same words)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from waishi.orgs.models import Rank

# What each rule checks (policy-rules.md): its title wherever a rule is named.
RULE_TITLES = {
    "CATEGORY_MISMATCH": _("The trip category fits the members' ranks"),
    "GROUP_SIZE": _("At most this many members in a delegation"),
    "COUNTRY_COUNT": _("At most this many countries or regions per trip"),
    "STAY_DAYS": _("Days abroad within the limit for the number of countries"),
    "ONE_CONTINENT": _("The stops lie on one continent"),
    "ITINERARY_INCONSISTENT": _("Dates and stops of the itinerary agree"),
    "ITINERARY_GAP": _(
        "The first and last stops meet the trip's dates, allowing this many days for the journey"
    ),
    "TASK_PER_MEMBER": _("Every member has a task on this trip"),
    "NO_SIGHTSEEING": _("No sightseeing days"),
    "BUSINESS_RATIO": _("Official business fills enough of the schedule"),
    "NO_FAMILY": _("No spouses or children in the delegation"),
    "RETIRED_MEMBER": _("No retired members"),
    "INVITATION_MISSING": _("An invitation exists"),
    "INVITATION_SOURCE": _("The invitation does not come from a forbidden source"),
    "HOT_DESTINATION": _("Stops on the hot or tourist destination list"),
    "FREQUENCY": _("Members have not travelled too often within the window"),
    "SAME_UNIT_LEADERS": _("Leaders of the same unit do not travel together"),
    "NOT_IN_PLAN": _("The trip is in the approved annual plan"),
    "PLAN_YEAR": _("The plan entry belongs to the annual plan of the trip's year"),
    "LEAD_TIME": _("Submitted early enough before departure"),
    "PARTY_BRANCH": _("A temporary Party branch for enough Party members"),
    "BUDGET_STANDARD": _("Budget within the lodging, meal and incidental standards"),
    "BUDGET_MISSING": _("A budget is given"),
    "PASSPORT_OFFICIAL": _(
        "An official passport valid for at least this many months after the return date"
    ),
    "PASSPORT_RETURN": _(
        "Passports back in custody within this many days of the return; a unit with one "
        "overdue longer than the lock period cannot submit new applications"
    ),
    "REPORT_DUE": _(
        "The trip report is due this long after the return (months, days or working days), "
        "and escalates to the unit leader this many days after it is due"
    ),
    "SUPERVISION": _(
        "Supervised tasks: deadlines by source in working days, monthly reports of major "
        "tasks, colour warnings and extensions"
    ),
    # Not a rule of the check: the change request's own finding (missions.changes).
    "ITINERARY_CHANGE": _("A change of the approved itinerary"),
}

# The codes the parameters hold. Categories and invitation sources are the trip's own
# choices (missions.models.Category, InvitationSource), in the same words.
CATEGORY_LABELS = {
    "general": _("Ordinary"),
    "econ_tech": _("Economic, trade and technology"),
    "academic": _("Teaching and research"),
}
INVITATION_SOURCE_LABELS = {
    "foreign_counterpart": _("Foreign counterpart"),
    "overseas_chinese": _("Overseas Chinese organisation"),
    "foreign_mission_in_china": _("Foreign mission in China"),
    "agency": _("Agency or intermediary"),
    "chinese_enterprise_abroad": _("Chinese enterprise abroad"),
    "none": _("No invitation"),
}
RANK_LABELS = dict(Rank.choices)
REGION_LABELS = {
    "africa": _("Africa"),
    "latin_america": _("Latin America and the Caribbean"),
    "south_america": _("South America"),
}
REPORT_DUE_UNIT_LABELS = {
    "months": _("months"),
    "days": _("days"),
    "working_days": _("working days"),
}


@dataclass(frozen=True)
class Param:
    """A parameter as a person reads it. ``choices``: the labels of the codes it holds;
    ``parts``: the words of a structured value's keys (a window's "max" and "years")."""

    label: str
    help: str = ""
    unit: str = ""
    choices: dict = field(default_factory=dict)
    parts: dict[str, Param] = field(default_factory=dict)


_APPLIES = Param(
    _("Applies to trip categories"),
    _("The rule judges only trips of the categories ticked."),
    choices=CATEGORY_LABELS,
)
_WINDOW_PARTS = {
    "max": Param(_("at most"), unit=pgettext_lazy("unit", "trips")),
    "years": Param(_("within"), unit=pgettext_lazy("unit", "years")),
}

PARAMETERS: dict[str, dict[str, Param]] = {
    "CATEGORY_MISMATCH": {
        "max_rank": Param(
            _("Highest rank of an ordinary delegation"),
            _("A member ranked above this makes the trip a leaders' trip, not an ordinary one."),
            choices=RANK_LABELS,
        )
    },
    "GROUP_SIZE": {
        "applies_to": _APPLIES,
        "max": Param(_("Most members"), unit=pgettext_lazy("unit", "people")),
    },
    "COUNTRY_COUNT": {
        "applies_to": _APPLIES,
        "max": Param(
            _("Most countries or regions"), unit=pgettext_lazy("unit", "countries or regions")
        ),
    },
    "STAY_DAYS": {
        "applies_to": _APPLIES,
        "limits": Param(
            _("Most days abroad, by number of countries"),
            _(
                "The first number is for one country, the second for two, and so on; the last "
                "also applies to more countries."
            ),
            unit=pgettext_lazy("unit", "days"),
        ),
        "africa_latin_america_extra": Param(
            _("Extra days for Africa and Latin America"),
            _("Added to the limit at the same place in the list (poor flight connections)."),
            unit=pgettext_lazy("unit", "days"),
        ),
    },
    "ONE_CONTINENT": {"applies_to": _APPLIES},
    "ITINERARY_INCONSISTENT": {"applies_to": _APPLIES},
    "ITINERARY_GAP": {
        "applies_to": _APPLIES,
        "travel_days": Param(
            _("Days allowed for the journey"),
            _(
                "The first stop may begin, and the last may end, this many days after leaving "
                "and before coming back."
            ),
            unit=pgettext_lazy("unit", "days"),
        ),
    },
    "TASK_PER_MEMBER": {"applies_to": _APPLIES},
    "NO_SIGHTSEEING": {"applies_to": _APPLIES},
    "BUSINESS_RATIO": {
        "applies_to": _APPLIES,
        "numerator": Param(
            _("Share of official business: numerator"),
            _("Official days must fill at least numerator / denominator of the days abroad."),
        ),
        "denominator": Param(_("Share of official business: denominator")),
    },
    "NO_FAMILY": {"applies_to": _APPLIES},
    "RETIRED_MEMBER": {"applies_to": _APPLIES},
    "INVITATION_MISSING": {"applies_to": _APPLIES},
    "INVITATION_SOURCE": {
        "applies_to": _APPLIES,
        "forbidden": Param(_("Invitation sources not accepted"), choices=INVITATION_SOURCE_LABELS),
    },
    "HOT_DESTINATION": {
        "applies_to": _APPLIES,
        "destinations": Param(
            _("Hot or tourist destinations"),
            _("Changed on the page of hot destinations."),
        ),
    },
    "FREQUENCY": {
        "applies_to": _APPLIES,
        "windows": Param(
            _("Trips allowed per period, by rank"), choices=RANK_LABELS, parts=_WINDOW_PARTS
        ),
        "city_leader": Param(_("Trips allowed per period, city leaders"), parts=_WINDOW_PARTS),
    },
    "SAME_UNIT_LEADERS": {
        "applies_to": _APPLIES,
        "max": Param(
            _("Most leaders of one unit on one trip"), unit=pgettext_lazy("unit", "people")
        ),
    },
    "NOT_IN_PLAN": {"applies_to": _APPLIES},
    "PLAN_YEAR": {"applies_to": _APPLIES},
    "LEAD_TIME": {
        "applies_to": _APPLIES,
        "days": Param(
            _("Days before departure"),
            _("The usual lead time."),
            unit=pgettext_lazy("unit", "days"),
        ),
        "days_schengen": Param(
            _("Days before departure, Schengen area"),
            _("When a stop lies in the Schengen area."),
            unit=pgettext_lazy("unit", "days"),
        ),
        "days_far": Param(
            _("Days before departure, far or many countries"),
            _("With this many countries or more, or a stop in a far country or region."),
            unit=pgettext_lazy("unit", "days"),
        ),
        "far_from_countries": Param(
            _("Many countries from"),
            _("From this number of countries on, the far lead time applies."),
            unit=pgettext_lazy("unit", "countries or regions"),
        ),
        "far_countries": Param(
            _("Far countries"),
            _("Country codes separated by commas, such as US."),
        ),
        "far_regions": Param(_("Far regions"), choices=REGION_LABELS),
    },
    "PARTY_BRANCH": {
        "applies_to": _APPLIES,
        "min_members": Param(
            _("Party members for a temporary branch"),
            _("A delegation with this many Party members or more sets up a temporary branch."),
            unit=pgettext_lazy("unit", "people"),
        ),
        "mandatory": Param(_("The temporary branch is required")),
    },
    "BUDGET_STANDARD": {"applies_to": _APPLIES},
    "BUDGET_MISSING": {"applies_to": _APPLIES},
    "PASSPORT_OFFICIAL": {
        "months_valid_after_return": Param(
            _("Valid after the return for at least"), unit=pgettext_lazy("unit", "months")
        )
    },
    "PASSPORT_RETURN": {
        "days": Param(
            _("Passports back within"), unit=pgettext_lazy("unit", "days after the return")
        ),
        "lock_after_days": Param(
            _("New applications locked after"),
            _("A unit with a passport overdue this long cannot submit new applications."),
            unit=pgettext_lazy("unit", "days overdue"),
        ),
    },
    "REPORT_DUE": {
        "amount": Param(_("Report due after the return"), _("Counted in the unit below.")),
        "unit": Param(_("Counted in"), choices=REPORT_DUE_UNIT_LABELS),
        "escalate_after_days": Param(
            _("Escalated to the unit leader after"), unit=pgettext_lazy("unit", "days past due")
        ),
    },
    "SUPERVISION": {
        "minutes_days": Param(
            _("Decision in meeting minutes: due within"),
            _("Counted from the day the minutes are issued."),
            unit=pgettext_lazy("unit", "working days"),
        ),
        "document_days": Param(
            _("Requirement of a document: due within"), unit=pgettext_lazy("unit", "working days")
        ),
        "instruction_urgent_days": Param(
            _("Urgent leader's instruction: due within at most"),
            _("The office may set a shorter deadline."),
            unit=pgettext_lazy("unit", "working days"),
        ),
        "instruction_ordinary_days": Param(
            _("Ordinary leader's instruction: due within"),
            unit=pgettext_lazy("unit", "working days"),
        ),
        "instruction_difficult_days": Param(
            _("Complex leader's instruction needing coordination: due within"),
            unit=pgettext_lazy("unit", "working days"),
        ),
        "outcome_days": Param(
            _("Outcome of a trip or visit, or other task: due within"),
            _("When the office gives no deadline of its own."),
            unit=pgettext_lazy("unit", "working days"),
        ),
        "accept_days": Param(
            _("The lead unit accepts a task within"), unit=pgettext_lazy("unit", "working days")
        ),
        "monthly_report_day": Param(
            _("Major tasks report progress each month by day"),
            _("A major task without a progress report by this day of the month turns yellow."),
        ),
        "blue_days": Param(
            _("Blue notice when the deadline is within"),
            unit=pgettext_lazy("unit", "working days"),
        ),
        "extensions_max": Param(
            _("Extensions the office may grant"),
            _("Beyond this number only the head of the office grants an extension."),
            unit=pgettext_lazy("unit", "times"),
        ),
    },
}


def rule_title(code: str) -> str:
    """A rule's title; a code nobody declared reads as a rule of the policy, not as code."""
    title = RULE_TITLES.get(code)
    return str(title) if title is not None else gettext("A rule of the policy")


def parameter(rule: str, key: str) -> Param:
    return PARAMETERS[rule][key]


def _code(param: Param, value) -> str:
    if param.choices and value in param.choices:
        return str(param.choices[value])
    return str(value)


def _countries(codes: list) -> str:
    from waishi.policy import reference

    names = []
    for code in codes:
        found = reference.country(code)
        names.append(found.name_zh if found else str(code))
    return "、".join(names)


def _place(entry: dict) -> str:
    from waishi.policy import reference

    found = reference.country(entry.get("country", ""))
    name = found.name_zh if found else str(entry.get("country", ""))
    return f"{name} {entry['city']}" if entry.get("city") else name


def _window(value: dict) -> str:
    return gettext("at most %(trips)s trips within %(years)s years") % {
        "trips": value.get("max"),
        "years": value.get("years"),
    }


def value_text(rule: str, key: str, value) -> str:
    """A parameter's value in words: labels for codes, 是/否, the unit after a number."""
    param = parameter(rule, key)
    unit = f" {param.unit}" if param.unit else ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):
        return f"{value}{unit}"
    if key == "far_countries":
        return _countries(value) or "—"
    if key == "destinations":
        return "、".join(_place(entry) for entry in value) or gettext("none")
    if isinstance(value, list):
        if not value:
            return gettext("none")
        return "、".join(_code(param, item) for item in value) + unit
    if isinstance(value, dict) and "max" in value:
        return _window(value)
    if isinstance(value, dict):
        return "；".join(
            f"{_code(param, name)}：{_window(window)}" for name, window in value.items()
        )
    return _code(param, value) + unit


def described(rule: str, values: dict) -> list[tuple[str, str]]:
    """(label, value in words) for each parameter of ``rule`` in ``values``."""
    return [
        (str(parameter(rule, key).label), value_text(rule, key, value))
        for key, value in values.items()
    ]


# The places in a trip's input (``parse``) as a person names them, for the messages of an
# input that cannot be judged yet: "第1站 国家：缺少必填字段", not "stops[0].country: …".
LIST_WORDS = {
    "stops": _("Stop %(n)d"),
    "days": _("Day %(n)d of the schedule"),
    "members": _("Member %(n)d"),
    "budget": _("Budget line %(n)d"),
    "trips": _("Earlier trip %(n)d"),
}
KEY_WORDS = {
    "invitation": _("Invitation"),
    "source": _("source"),
    "inviter": _("inviter"),
    "country": _("country or region"),
    "city": _("city"),
    "arrive": pgettext_lazy("trip stop", "arrival date"),
    "depart": pgettext_lazy("trip stop", "departure date"),
    "transit_airside": _("transit without entry"),
    "date": _("date"),
    "kind": _("kind of day"),
    "activities": _("activities"),
    "departure_date": _("Departure date"),
    "return_date": _("Return date"),
    "category": _("Trip category"),
    "submitted_on": _("Date of submission"),
    "in_annual_plan": _("In the annual plan"),
    "name": _("name"),
    "unit": _("unit"),
    "title": _("post"),
    "rank": _("rank"),
    "is_unit_leadership": _("unit leader"),
    "is_city_leader": _("city leader"),
    "task": _("task"),
    "party_member": _("Party member"),
    "retired": _("retired"),
    "relation": _("family relation"),
    "econ_tech": _("trade or technology staff"),
    "currency": _("currency"),
    "lodging_per_day": _("lodging per day"),
    "meals_per_day": _("meals per day"),
    "incidentals_per_day": _("incidentals per day"),
    "stops": _("Itinerary"),
    "days": _("Schedule"),
    "members": _("Members"),
    "budget": _("Budget"),
    "trips": _("Earlier trips"),
}
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def place_words(path: str) -> str:
    """``stops[0].country`` as "第1站 国家（地区）"; a part nobody named reads "an entry"."""
    words = []
    for part in path.split("."):
        found = _STEP.fullmatch(part)
        if found is None:
            words.append(gettext("an entry"))
            continue
        key, index = found.groups()
        if index is not None and key in LIST_WORDS:
            words.append(str(LIST_WORDS[key]) % {"n": int(index) + 1})
        else:
            words.append(str(KEY_WORDS.get(key, gettext("an entry"))))
    return " ".join(words)


def input_error_words(exc) -> str:
    """An ``InputError`` as a person reads it: the place in words, then the message."""
    if not exc.field or exc.field == "input":
        return exc.message
    return gettext("%(place)s: %(message)s") % {
        "place": place_words(exc.field),
        "message": exc.message,
    }
