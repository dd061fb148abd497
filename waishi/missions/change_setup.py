"""What change requests (the approvals subject ``missions.change``) registers with
other apps; called from ``MissionsConfig.ready()``."""

from __future__ import annotations


def ready() -> None:
    """Nothing registered yet."""
