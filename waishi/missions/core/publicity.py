"""The rules of the pre-trip publicity (公示, policy-rules.md ``PUBLICITY_BEFORE``) that
several rooms read: its period under the policy in force, and whether final approval
(and so departure) may go ahead as far as publicity goes. Publishing and exempting are
the application's services (``application.services.publicity``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.workdays import add_working_days, is_workday
from waishi.missions.models import Mission, Publicity
from waishi.policy import selectors as policy_selectors

# The default period when the policy version in force has no ``PUBLICITY_BEFORE``
# parameter (the shipped policy does not carry one yet): 5 working days (厦门外办 2013,
# policy-rules.md).
PUBLICITY_WORKING_DAYS = 5


def publicity_working_days(on: date | None = None) -> int:
    """N of ``PUBLICITY_BEFORE`` under the policy version in force on ``on`` (today):
    its ``working_days`` parameter when the version has one, else the default."""

    policy = policy_selectors.policy_in_force_db(on or timezone.localdate())
    value = (policy.parameters.get("PUBLICITY_BEFORE") or {}).get("working_days")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return PUBLICITY_WORKING_DAYS


def publicity_period(starts_on: date, working_days: int) -> tuple[date, date]:
    """(first day, last day) of a publicity of ``working_days`` working days published on
    ``starts_on``: it counts from that day when it is a working day, else from the next
    working day; the last day is the N-th working day."""
    first = starts_on if is_workday(starts_on) else add_working_days(starts_on, 1)
    return first, add_working_days(first, working_days - 1)


def publicity_refusal(mission: Mission, today: date | None = None) -> str | None:
    """None when final approval may go ahead as far as publicity goes, else why not."""
    today = today or timezone.localdate()
    publicity = Publicity.objects.filter(mission_id=mission.pk).first()
    if publicity is None or not (publicity.is_published or publicity.is_exempt):
        return _(
            "The trip has not been published (公示) and no exemption is recorded: "
            "final approval waits for the publicity period."
        )
    if not publicity.has_run(today):
        return _(
            "The publicity period runs until %(ends_on)s: final approval is possible from "
            "the next day."
        ) % {"ends_on": publicity.ends_on.isoformat()}
    return None


def earliest_final_approval(mission_id: int, today: date | None = None) -> date | None:
    """The first day the trip's final approval is allowed as far as publicity goes: the
    day after the period published; when nothing is published yet, the day after a
    period published today (the soonest it can end); None when the trip is exempted."""
    today = today or timezone.localdate()
    publicity = Publicity.objects.filter(mission_id=mission_id).first()
    if publicity is not None and publicity.is_exempt:
        return None
    if publicity is not None and publicity.is_published and publicity.ends_on is not None:
        return publicity.ends_on + timedelta(days=1)
    _first, last = publicity_period(today, publicity_working_days(today))
    return last + timedelta(days=1)
