"""The demo city (``seed_demo``) for browser tests that look at pages as its accounts see
them: every role with real work on its pages, as a new user finds them after `make demo`.

Tests using ``demo_city`` mark themselves
``@pytest.mark.django_db(transaction=True, serialized_rollback=True)``: the live server
reads the database from another thread, and the reference data the migrations load must
come back for the tests after them.
"""

from __future__ import annotations

import io

import pytest

from tests.e2e.conftest import log_in


@pytest.fixture
def demo_city(transactional_db):
    """Seed the demo city; the demo accounts by username."""
    from django.core.management import call_command

    from waishi.orgs.demo import ACCOUNTS
    from waishi.orgs.models import User

    call_command("seed_demo", force=True, stderr=io.StringIO())
    return {a.username: User.objects.get(username=a.username) for a in ACCOUNTS}


def log_in_demo(page, base: str, user) -> None:
    from waishi.orgs.demo import PASSWORD

    log_in(page, base, user, password=PASSWORD)
