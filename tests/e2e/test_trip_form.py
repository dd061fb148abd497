"""The trip application form in the browser: typing autosaves and re-runs the policy
check; a button pressed after an autosave is not mistaken for a stale tab."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import log_in
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from waishi.audit.models import AuditEvent
from waishi.missions.models import Mission

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_typing_autosaves_rechecks_and_the_next_save_is_not_stale(
    live_server, page, cast, home_unit, screenshot
):
    people = [PersonFactory(unit=home_unit), PersonFactory(unit=home_unit)]
    mission = build_mission(cast["unit_clerk"], people)
    log_in(page, live_server.url, cast["unit_clerk"])
    page.goto(f"{live_server.url}/missions/{mission.pk}/basics/")
    assert page.locator('#findings [data-rule="LEAD_TIME"]').count() == 0
    # A departure 20 days ahead: LEAD_TIME must appear without any button pressed.
    soon = timezone.localdate() + timedelta(days=20)
    page.fill("#id_title", "浏览器里改的标题")
    page.fill("#id_departure_date", soon.isoformat())
    page.locator("#id_tasks").click()  # leave the date field: "change"
    page.locator('#findings [data-rule="LEAD_TIME"]').wait_for()
    page.locator('[data-testid="autosaved"]').wait_for()
    mission.refresh_from_db()
    assert mission.title == "浏览器里改的标题" and mission.departure_date == soon
    screenshot("mission-autosave")
    # The version moved with the autosave; the button save goes through.
    page.fill("#id_purpose", "按钮保存")
    page.click('[data-testid="next"]')
    page.wait_for_url(f"{live_server.url}/missions/{mission.pk}/invitation/")
    assert page.locator('[data-testid="errors"]').count() == 0
    assert Mission.objects.get(pk=mission.pk).purpose == "按钮保存"
    assert AuditEvent.objects.filter(action="missions.mission.update").exists()
