"""What the trip report (a followups source, obligations) registers with
other apps; called from ``MissionsConfig.ready()``."""

from __future__ import annotations


def ready() -> None:
    """Nothing registered yet."""
