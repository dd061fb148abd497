"""The FAO head changes the group-size limit in the browser; the next check uses it; the
record shows who changed it and why."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.e2e.conftest import log_in
from tests.policy.trips import member, trip
from waishi.audit.models import AuditEvent

REASON = "市外事工作委员会决定：团组人数从严控制为5人"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_head_lowers_the_group_size_and_the_next_check_uses_it(live_server, page, cast, screenshot):
    base = live_server.url
    six = trip(
        submitted_on=timezone.localdate().isoformat(),
        members=[member(name=f"成员{i}") for i in range(6)],
    )
    log_in(page, base, cast["fao_head"])

    # Six members pass under the shipped limit of 6.
    page.goto(f"{base}/policy/try/")
    page.fill("#id_trip", json.dumps(six, ensure_ascii=False))
    page.locator("#findings [data-rule]").first.wait_for(state="detached", timeout=5000)
    page.click("form button[type=submit]")
    page.locator("#findings .badge").wait_for()
    assert page.locator('#findings [data-rule="GROUP_SIZE"]').count() == 0

    page.goto(f"{base}/policy/change/")
    page.click('a[href="?rule=GROUP_SIZE"]')
    page.fill("#id_p__max", "5")
    page.fill("#id_reason", REASON)
    screenshot("policy-change-group-size")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/policy/*/")
    assert REASON in page.content()

    # The same trip is now over the limit: the live check says so as the text changes.
    page.goto(f"{base}/policy/try/")
    page.fill("#id_trip", json.dumps(six, ensure_ascii=False))
    finding = page.locator('#findings [data-rule="GROUP_SIZE"]')
    finding.wait_for()
    assert "6" in finding.inner_text() and "5" in finding.inner_text()
    screenshot("policy-try-group-size")

    event = AuditEvent.objects.get(action="policy.version.create")
    assert event.actor_id == cast["fao_head"].pk
    assert event.data["reason"] == REASON
    assert event.before == {"GROUP_SIZE.max": 6} and event.after == {"GROUP_SIZE.max": 5}
