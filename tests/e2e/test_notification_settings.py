"""The notification settings in the browser: from the inbox to 通知设置, one kind moved to
the daily digest, saved, and the choice shown again."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in
from waishi.notify.models import NotificationPreference


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_leader_moves_one_kind_to_the_daily_digest(live_server, page, cast, screenshot):
    leader = cast["unit_leader"]
    log_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/notifications/")
    page.click("[data-testid=notification-settings]")
    form = page.locator("[data-testid=notification-preferences]")
    form.wait_for()
    # Kinds by their labels in the person's language, never by their codes.
    text = form.inner_text()
    assert "有待您审批的事项" in text and "approvals." not in text
    page.select_option("select[name='approvals.waiting']", "digest")
    form.locator("button").click()
    page.wait_for_url(f"{live_server.url}/notifications/settings/")
    assert page.locator("select[name='approvals.waiting']").input_value() == "digest"
    pref = NotificationPreference.objects.get(user=leader)
    assert (pref.kind, pref.email, pref.digest) == ("approvals.waiting", True, True)
    screenshot("notification-settings")
