"""People pages in the browser: live pinyin search, masked IDs, audited unmasking."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FOREIGN_MARKER
from tests.e2e.conftest import log_in
from waishi.audit.models import AuditEvent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_clerk_finds_a_colleague_by_initials_as_they_type(
    live_server, page, cast, home_person, foreign_person, screenshot
):
    log_in(page, live_server.url, cast["unit_clerk"])
    page.goto(f"{live_server.url}/orgs/people/")
    assert FOREIGN_MARKER not in page.content()
    # htmx searches while typing; no button is pressed.
    page.fill("#id_q", "zs")
    page.wait_for_url(re.compile(r".*q=zs.*"))
    rows = page.locator("#person-rows tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "张三" in rows.first.inner_text()
    masked = rows.first.locator("td.masked").inner_text().strip()
    assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", masked)
    screenshot("people-search-zs")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reviewer_reveals_an_id_number_and_it_is_recorded(
    live_server, page, cast, home_person, screenshot
):
    log_in(page, live_server.url, cast["fao_reviewer"])
    page.goto(f"{live_server.url}/orgs/people/{home_person.pk}/")
    assert "*" in page.locator("[data-testid=id-masked]").inner_text()
    page.locator("#id-number button").click()
    full = page.locator("[data-testid=id-full]")
    full.wait_for()
    assert full.inner_text().strip() == home_person.reveal_id_number()
    assert (
        AuditEvent.objects.filter(
            action="orgs.person.unmask", object_id=str(home_person.pk)
        ).count()
        == 1
    )
    screenshot("person-unmasked")
