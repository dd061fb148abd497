"""The trip report (出访报告, policy-rules.md ``REPORT_DUE``): due a time after the return,
written by the unit, accepted or returned by the FAO, published inside the unit.

The report row is opened by ``services.trip.mission_come_back`` with ``report_due_date``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from waishi.lib.workdays import add_months, add_working_days


def report_parameters(on: date | None = None) -> dict:
    """``REPORT_DUE`` of the policy in force on ``on`` (today by default)."""
    from waishi.policy.selectors import policy_in_force_db

    return policy_in_force_db(on or timezone.localdate()).parameters["REPORT_DUE"]


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
