"""The trip's record in the browser: the summary first, the parts as tabs (mouse,
keyboard, the address, printing, and without script all of them in order); the review
step's summary of the whole application and its 修改 links."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission

PARTS = ("details", "itinerary", "members", "budget", "approvals", "documents", "history")


def _visible(page) -> list[str]:
    return [part for part in PARTS if page.locator(f"#record-{part}").is_visible()]


@pytest.fixture
def mission(cast, home_unit):
    people = [
        PersonFactory(unit=home_unit, name="郭靖"),
        PersonFactory(unit=home_unit, name="黄蓉"),
    ]
    return build_mission(cast["unit_clerk"], people)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_record_reads_as_a_summary_and_tabs(live_server, browser, cast, mission):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{mission.pk}/")

    summary = page.locator('[data-testid="record-summary"]')
    assert "日本" in summary.inner_text() and "郭靖" in summary.inner_text()
    tabs = page.get_by_role("tablist").get_by_role("tab")
    assert tabs.count() == len(PARTS)
    assert tabs.first.get_attribute("aria-selected") == "true"
    assert _visible(page) == ["details"]

    page.get_by_role("tab", name="团组成员").click()
    assert _visible(page) == ["members"]
    assert "黄蓉" in page.get_by_role("tabpanel").inner_text()
    assert page.url.endswith("#record-members")
    # The keyboard: arrows move between the tabs and show each one's part.
    page.keyboard.press("ArrowRight")
    assert _visible(page) == ["budget"]
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#record-budget"
    page.keyboard.press("End")
    assert _visible(page) == ["history"]
    page.keyboard.press("Home")
    assert _visible(page) == ["details"]

    # An address with a part opens that part; printing shows every part.
    page.goto(f"{base}/missions/{mission.pk}/#record-history")
    assert _visible(page) == ["history"]
    assert page.locator('[data-testid="history-sitting"]').count() >= 1
    page.emulate_media(media="print")
    assert _visible(page) == list(PARTS)
    context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_script_every_part_shows_in_order(live_server, browser, cast, mission):
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    # log_in waits for nothing that needs script.
    log_in(page, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{mission.pk}/")
    assert _visible(page) == list(PARTS)
    page.click('a[href="#record-budget"]')
    assert page.url.endswith("#record-budget")
    context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_review_step_sums_up_the_application(live_server, browser, cast, mission):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{mission.pk}/review/")
    summary = page.locator('[data-testid="review-summary"]')
    text = summary.inner_text()
    for expected in (
        "赴日本经贸交流",
        "东京都政府",
        "东京",
        "郭靖",
        "黄蓉",
        "30000",
        "invitation.pdf",
    ):
        assert expected in text, expected
    # (18000 + 10000 + 5000) yen a day x 3 days x 2 members
    assert "198000.00 JPY" in page.locator('[data-testid="summary-totals"]').inner_text()
    page.get_by_role("button", name="修改 团组成员").click()
    page.wait_for_url(f"{base}/missions/{mission.pk}/members/")
    page.goto(f"{base}/missions/{mission.pk}/review/")
    page.click('[data-testid="summary-edit-budget"]')
    page.wait_for_url(f"{base}/missions/{mission.pk}/budget/")
    context.close()
