"""A district confirms the landing check (落地查人), in the browser (issue 6's acceptance
test): an arrival registered for the district waits in its work queue; the district
officer logs in with the second factor, opens the queue, then the arrival, confirms the
landing check with a note, and sees the arrival under management with the step done,
by whom and when; the next step is the one offered now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS, log_in
from waishi.arrivals import services
from waishi.arrivals.models import Arrival, ArrivalState, SourceKind, Step
from waishi.audit.models import AuditEvent

NAME = "欧阳落地"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_district_confirms_the_landing_check(live_server, browser, cast, district):
    base = live_server.url
    officer = cast["district_officer"]
    arrival = services.arrival_register(
        data={
            "category": "returnee",
            "name": NAME,
            "nationality": "CN",
            "origin_country": "GB",
            "route": "CA938",
            "arrival_date": timezone.localdate(),
            "arrival_time": dt.time(6, 0),
            "port": "首都国际机场",
            "address": "示范区海滨路8号",
        },
        passport="E31415926",
        district=district,
        kind=SourceKind.PORT,
    ).arrival
    landing, transfer = list(Step.objects.filter(arrival=arrival).order_by("sequence"))[:2]
    assert landing.kind == "landing_check"

    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    log_in(page, base, officer)

    # -- the queue: the arrival waits for its landing check ------------------------------
    page.goto(f"{base}/arrivals/queue/")
    row = page.locator('[data-testid="queue-row"]', has_text=NAME)
    assert row.count() == 1
    assert landing.label in row.inner_text()
    _shot(page, "landing-check-queue")
    row.get_by_role("link", name=NAME).click()
    page.wait_for_url(f"{base}/arrivals/{arrival.pk}/")

    # -- the arrival: only the landing check is offered, its time now by default ---------
    forms = page.locator('[data-testid="step-confirm-form"]')
    assert forms.count() == 1
    form = forms.first
    done_at = form.locator('input[name="done_at"]')
    typed = done_at.input_value()
    assert typed  # now, Beijing time, to the minute
    form.locator('textarea[name="note"]').fill("已核验护照，本人由机场专班接回")
    form.locator('[data-testid="step-confirm"]').click()
    page.wait_for_url(f"{base}/arrivals/{arrival.pk}/")
    page.locator('[role="alert"].alert-success').wait_for()
    _shot(page, "landing-check-confirmed")

    # -- confirmed: by whom and when; the arrival is under management ---------------------
    landing.refresh_from_db()
    assert landing.done_by == officer
    shown = timezone.localtime(landing.done_at).strftime("%Y-%m-%d %H:%M")
    assert shown == typed.replace("T", " ")
    assert Arrival.objects.get(pk=arrival.pk).state == ArrivalState.MANAGED
    step_item = page.locator('[data-testid="timeline-step"]', has_text=landing.label)
    text = step_item.inner_text()
    assert shown in text and officer.full_name in text
    assert "已核验护照" in text
    heading = page.locator("h1").inner_text()
    assert str(ArrivalState.MANAGED.label) in heading or "管控中" in heading
    # The next step is the one offered now.
    forms = page.locator('[data-testid="step-confirm-form"]')
    assert forms.count() == 1
    assert forms.first.get_attribute("action") == f"/arrivals/steps/{transfer.pk}/confirm/"
    assert AuditEvent.objects.filter(
        action="arrivals.step.confirm", object_id=str(arrival.pk), actor_id=officer.pk
    ).exists()
