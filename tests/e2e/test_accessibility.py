"""Every demo role, in the browser, walks the pages it reaches from its home page and the
navigation; on each page every check of ``CHECKS`` runs. The axe check asks axe-core
(vendored, tests/e2e/axe.py) for WCAG 2.2 A/AA violations and fails on any serious or
critical one, naming the rule and the elements.

The walk is capped (pages per role, pages per URL shape: tests/e2e/crawl.py) so that all
the roles take a few minutes at most.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.e2e.axe import describe, violations
from tests.e2e.crawl import Check, crawl
from tests.e2e.demo import demo_city, log_in_demo  # noqa: F401 - a fixture
from tests.test_no_internal_names import UNJUDGED_PAGES, demo_data_words, page_leaks
from waishi.orgs.demo import ACCOUNTS

pytestmark = pytest.mark.e2e

# The walk's caps: pages a role opens, and pages of one URL shape opened by all the roles
# together (the home page is every role's own). With the demo of this writing the walk opens
# about 80 pages in a minute; at most 12 roles × 15 pages, some two minutes.
PAGES_PER_ROLE = 15
PAGES_PER_SHAPE = 2


def axe_check(page) -> list[str]:
    found = violations(page, impacts=("serious", "critical"))
    return [describe(found)] if found else []


# The Latin words people typed into the demo (names, cities): data, not leaks. Read from
# the database once the demo is there (the test fills it).
DATA_WORDS: dict[str, frozenset[str]] = {}


def leak_check(page) -> list[str]:
    """No internal name in what the page shows once its scripts ran (tests/leaks.py; the
    same check as the crawl without a browser, tests/test_no_internal_names.py)."""
    path = urlsplit(page.url)
    where = path.path + (f"?{path.query}" if path.query else "")
    if any(re.match(pattern, where) for pattern in UNJUDGED_PAGES):
        return []  # a machine format on purpose (the reasons: UNJUDGED_PAGES)
    return page_leaks(page.content(), DATA_WORDS.get("demo", frozenset()))


# A check takes the page and returns its problems as lines; add one here to run it on
# every page of every role's walk.
CHECKS: list[Check] = [axe_check, leak_check]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_each_demo_role_reaches_passes_the_checks(
    live_server,
    browser,
    demo_city,  # noqa: F811
):
    shapes: Counter = Counter()
    reports, opened = [], 0
    DATA_WORDS["demo"] = demo_data_words()
    for account in ACCOUNTS:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        try:
            log_in_demo(page, live_server.url, demo_city[account.username])
            result = crawl(
                page,
                live_server.url,
                CHECKS,
                max_pages=PAGES_PER_ROLE,
                per_shape=PAGES_PER_SHAPE,
                seen_shapes=shapes,
            )
        finally:
            context.close()
        assert result.visits, f"{account.username}: the walk opened no page"
        opened += len(result.visits)
        if result.failures:
            reports.append(f"== {account.username} ({account.role.label})\n{result.report()}")
    assert not reports, f"{len(reports)} roles see failing pages ({opened} pages opened):\n" + (
        "\n".join(reports)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pages_for_people_without_an_account_pass_the_checks(
    live_server,
    browser,
    demo_city,  # noqa: F811
):
    """Signed out: the login page, and the public declaration pages travellers open on their
    phones (the lookup, and each campaign's form)."""
    from waishi.arrivals.models import Campaign

    paths = ["/accounts/login/", "/declare/check/"]
    paths += [f"/declare/{token}/" for token in Campaign.objects.values_list("token", flat=True)]
    assert len(paths) > 2, "the demo has no declaration campaign"
    problems = []
    for viewport in ({"width": 1366, "height": 768}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        try:
            for path in paths:
                response = page.goto(live_server.url + path)
                assert response.status == 200, f"{path} answered {response.status}"
                problems += [
                    f"{path} at {viewport['width']} px: {p}"
                    for check in CHECKS
                    for p in check(page)
                ]
        finally:
            context.close()
    assert not problems, "\n".join(problems)
