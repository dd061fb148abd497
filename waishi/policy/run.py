"""Input JSON -> ``Result``: the steps the command line, the API and the live form share,
so that all three give the same findings for the same input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone

from waishi.policy.check import check
from waishi.policy.params import Policy, policy_in_force
from waishi.policy.parse import parse_trip
from waishi.policy.types import Result


def judge(
    data: Any,
    *,
    on: date | None = None,
    overrides: Any = None,
    policy: Policy | None = None,
    lookup: Callable[[date], Policy] = policy_in_force,
) -> Result:
    """Parse ``data`` strictly and check it as of ``on`` (default: ``submitted_on``, else
    today in the office's time zone), under ``policy`` (default: the version in force on
    that date, as answered by ``lookup``: the pure file by default, or
    ``selectors.policy_in_force_db``) with ``overrides`` merged in. Raises ``InputError``."""
    trip = parse_trip(data)
    if on is None:
        on = trip.submitted_on or timezone.localdate()
    base = policy or lookup(on)
    if overrides is not None:
        base = base.with_overrides(overrides)
    return check(trip, base, on)
