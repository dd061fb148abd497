"""Database lookups for policy versions, kept out of the pure modules (``params``,
``check``, ``rules``) so that those run without Django models or a database."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet

from waishi.policy.params import Policy, default_policy


def versions(name: str | None = None) -> QuerySet:
    """Every version of the policy ``name`` (default: the shipped one), newest first."""
    from waishi.policy.models import PolicySet

    return PolicySet.objects.filter(name=name or default_policy().name).order_by("-effective_from")


def version_in_force(on: date, name: str | None = None):
    """The ``PolicySet`` row whose range covers ``on``, or None."""
    return (
        versions(name)
        .filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .first()
    )


def policy_in_force_db(on: date, name: str | None = None) -> Policy:
    """The version in force on ``on`` as a ``Policy``; the shipped file when no version
    covers ``on``. A database error is not papered over: judging a trip by another policy
    than the one in force would be worse than failing (the command line asks
    ``database_ready()`` first instead)."""
    row = version_in_force(on, name)
    return default_policy() if row is None else row.to_policy()


def database_ready() -> bool:
    """True when the database answers and the policy table exists; never raises. Used by
    the command line, which must also work on a fresh checkout with no database. The
    SQLite file is not created by asking: a missing file means no database."""
    from pathlib import Path

    from waishi.policy.models import PolicySet

    try:
        if connection.vendor == "sqlite":
            name = str(connection.settings_dict.get("NAME") or "")
            if (
                name not in {"", ":memory:"}
                and "mode=memory" not in name
                and not Path(name).exists()
            ):
                return False
        return PolicySet._meta.db_table in connection.introspection.table_names()
    except Exception:  # any failure to connect means "no database"
        return False
