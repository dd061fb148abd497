"""When a trip report is due (policy-rules.md ``REPORT_DUE``): the trip sets the due date
when its return is confirmed, the report room reminds and escalates against it."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from waishi.lib.workdays import add_months, add_working_days
from waishi.policy import selectors as policy_selectors


def report_parameters(on: date | None = None) -> dict:
    """``REPORT_DUE`` of the policy in force on ``on`` (today by default)."""
    return policy_selectors.policy_in_force_db(on or timezone.localdate()).parameters["REPORT_DUE"]


def report_due_date(returned: date) -> date:
    """The day the report is due for a trip back on ``returned``, under the policy in
    force that day: ``amount`` months, calendar days or working days later."""
    p = report_parameters(returned)
    amount, unit = int(p["amount"]), p["unit"]
    if unit == "months":
        return add_months(returned, amount)
    if unit == "working_days":
        return add_working_days(returned, amount)
    return returned + timedelta(days=amount)
