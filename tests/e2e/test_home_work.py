"""The clerk's home page in the browser: the trip report a month overdue is among the
first work items (overdue first), with its due date and "已超期" in words; it leads to the
report; the header counts the unread notifications. On a desktop and on a phone (390 ×
844)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PersonFactory
from tests.missions.travel import back
from waishi.missions.models import TripReport
from waishi.notify.models import Notification


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_clerks_home_shows_the_overdue_report_first(
    live_server, browser, cast, home_unit, size
):
    base = live_server.url
    people = [PersonFactory(unit=home_unit, name="欧阳明远", rank="county_division")]
    mission = back(cast, people, days_ago=75, title="赴德国汉堡经贸交流")
    report = TripReport.objects.get(mission=mission)
    clerk = cast["unit_clerk"]
    for n in range(2):
        Notification.objects.create(recipient=clerk, kind="test", title=f"测试通知{n}")

    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, base, clerk)
        inbox = page.locator("[data-testid=header-inbox]")
        assert "收件箱" in inbox.inner_text() and "2" in inbox.inner_text()
        assert page.locator("[data-testid=header-unread] .visually-hidden").inner_text() == (
            "2 条未读通知"
        )

        page.get_by_role("heading", name="待办事项").wait_for()
        items = page.locator("[data-testid=work-item]")
        # Overdue first: the report and the passport still out, both long past their dates.
        assert items.first.get_attribute("data-overdue") == "1"
        item = items.filter(has_text="出访报告")
        text = item.inner_text()
        days = (timezone.localdate() - report.due_date).days
        assert "赴德国汉堡经贸交流" in text
        assert f"已超期 {days} 天" in text and f"截止 {report.due_date:%Y-%m-%d}" in text
        assert item.get_attribute("data-overdue") == "1"
        assert item.bounding_box()["width"] <= width  # no sideways scrolling for the list
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"home-work-{width}.png"), full_page=True)

        item.get_by_role("link").click()
        page.wait_for_url(f"{base}/missions/{mission.pk}/report/")
    finally:
        context.close()
