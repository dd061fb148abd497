"""The header's search and the print button in the browser: a clerk types initials in
the header and finds a colleague, never another unit's; the print button, shown by its
script, opens the browser's print dialog."""

from __future__ import annotations

import pytest

from tests.conftest import FOREIGN_MARKER
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_header_search_finds_a_colleague_and_the_list_prints(
    live_server, page, cast, home_person, foreign_person, screenshot
):
    log_in(page, live_server.url, cast["unit_clerk"])
    page.fill("#header-search-q", "zs")
    page.press("#header-search-q", "Enter")
    page.wait_for_url("**/search/?q=zs")
    people = page.locator("[data-testid=search-group-people]")
    assert "张三" in people.inner_text()
    assert FOREIGN_MARKER not in page.content()
    screenshot("header-search-zs")

    page.goto(f"{live_server.url}/missions/")
    button = page.locator("[data-testid=print]")
    button.wait_for(state="visible")
    # (Ending on a number: an expression that ends on a function is called by evaluate.)
    page.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }; 0")
    button.click()
    assert page.evaluate("window.__printed") == 1
