"""Defects on the trip's way (issue 16, section 2), one browser test per item: the state is
built through the services and builders (fast), the browser checks what the person sees
and does, in Chinese, the office's language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PersonFactory
from tests.missions import travel
from tests.missions.conftest import build_mission
from tests.missions.decisions import approve_until_last, exempt, pending, submit
from tests.plans.builders import approved_plan, binding_entry
from waishi.audit.models import AuditEvent
from waishi.lib import documents
from waishi.missions.application import services
from waishi.missions.core import itinerary
from waishi.missions.models import Member, Mission, State
from waishi.policy.params import default_policy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def people(home_unit):
    return [
        PersonFactory(name="陈涛", unit=home_unit, post="处长", rank="county_division"),
        PersonFactory(name="韩梅梅", unit=home_unit, post="科员", rank="section_below"),
    ]


def _signed_in(browser, base, user):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    log_in(page, base, user)
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _download_text(page, selector: str) -> str:
    """Open the record's documents tab, click a document link and read the .docx it
    downloads."""
    if not page.locator(selector).is_visible():
        page.click('a[href="#record-documents"][data-tab]')
    with page.expect_download() as info:
        page.click(selector)
    return documents.text_of(Path(info.value.path()).read_bytes())


# -- 1 ------------------------------------------------------------------------------------


def test_an_entry_of_last_year_s_plan_is_shown_with_its_source_and_refused(
    live_server, browser, cast, people
):
    base, clerk = live_server.url, cast["unit_clerk"]
    m = build_mission(clerk, people)
    year = m.departure_date.year
    entry = binding_entry(approved_plan(m.unit, year=year - 1), m.unit)
    services.mission_update_basics(
        actor=clerk, mission=m, version=m.version, plan_entry=entry, out_of_plan=False
    )
    page = _signed_in(browser, base, clerk)
    page.goto(f"{base}/missions/{m.pk}/review/")
    finding = page.locator('#findings [data-rule="PLAN_YEAR"]')
    finding.wait_for()
    text = finding.inner_text()
    assert f"{year - 1}年度计划" in text and f"{year}年出境" in text
    assert default_policy().citations["PLAN_YEAR"] in text
    assert f"{year - 1}年度计划" in page.locator('[data-testid="blocking"]').inner_text()
    page.click('[data-testid="submit"]')
    page.wait_for_load_state()
    _shot(page, "defects-1-plan-year")
    assert f"{year - 1}年度计划" in page.content()
    assert Mission.objects.get(pk=m.pk).state == State.DRAFT


# -- 2 ------------------------------------------------------------------------------------


def test_after_departure_the_approval_form_and_notice_stay_in_the_documents(
    live_server, browser, cast, people
):
    base = live_server.url
    m = travel.abroad(cast, people)
    page = _signed_in(browser, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{m.pk}/")
    _shot(page, "defects-2-documents")
    notice = _download_text(page, '[data-testid="document-approval_notice"]')
    assert "因公临时出国任务批件" in notice and m.title in notice
    form = _download_text(page, '[data-testid="document-approval_form"]')
    assert "因公临时出国任务和预算审批意见表" in form


# -- 3 ------------------------------------------------------------------------------------


def test_a_departure_42_days_early_asks_for_a_reason_and_a_confirmation(
    live_server, browser, cast, people
):
    base = live_server.url
    m = travel.ready(cast, people, departs_in=42)
    page = _signed_in(browser, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{m.pk}/travel/")
    page.fill("#depart-day", timezone.localdate().isoformat())
    page.click('[data-testid="depart"]')
    step = page.locator('[data-testid="deviation-step"]')
    step.wait_for()
    assert "提前42天出境" in step.inner_text()
    assert Mission.objects.get(pk=m.pk).state == State.APPROVED
    page.fill('[data-testid="deviation-reason"]', "外方会期提前，经电话请示")
    page.click('[data-testid="depart"]')  # the reason without the confirmation
    page.locator('[data-testid="deviation-step"]').wait_for()
    assert Mission.objects.get(pk=m.pk).state == State.APPROVED
    page.fill('[data-testid="deviation-reason"]', "外方会期提前，经电话请示")
    page.check('[data-testid="deviation-confirmed"]')
    _shot(page, "defects-3-deviation")
    page.click('[data-testid="depart"]')
    page.locator('[data-testid="deviations"]').wait_for()
    assert Mission.objects.get(pk=m.pk).state == State.ABROAD
    event = AuditEvent.objects.get(action="missions.mission.depart", object_id=str(m.pk))
    assert event.data["deviation_reason"] == "外方会期提前，经电话请示"


# -- 4 ------------------------------------------------------------------------------------


def test_the_committee_is_told_first_and_is_not_offered_approval(
    live_server, browser, cast, people
):
    base, clerk = live_server.url, cast["unit_clerk"]
    m = submit(clerk, build_mission(clerk, people), NOT_IN_PLAN="")
    exempt(cast, m)
    approve_until_last(cast, m)
    role = pending(m).approver_role
    page = _signed_in(browser, base, cast[role])
    page.goto(f"{base}/missions/{m.pk}/decide/")
    blockers = page.locator('[data-testid="approval-blockers"]')
    blockers.wait_for()
    assert f"{m.departure_date.year}年度计划尚未批准" in blockers.inner_text()
    assert page.locator('input[name="decision"][value="approve"]').count() == 0
    assert page.locator('input[name="decision"][value="return"]').count() == 1
    _shot(page, "defects-4-blocked")


# -- 5 ------------------------------------------------------------------------------------


def test_the_approver_reads_each_finding_beside_its_justification(
    live_server, browser, cast, people
):
    base, clerk = live_server.url, cast["unit_clerk"]
    m = submit(clerk, build_mission(clerk, people), NOT_IN_PLAN="")
    finding = next(f for f in m.check_result["findings"] if f["rule"] == "NOT_IN_PLAN")
    page = _signed_in(browser, base, cast["unit_leader"])
    page.goto(f"{base}/missions/{m.pk}/decide/")
    item = page.locator('[data-testid="justified-finding"]').first
    item.wait_for()
    assert item.locator('[data-testid="finding-message"]').inner_text() == finding["message"]
    assert finding["citation"] in item.locator('[data-testid="finding-citation"]').inner_text()
    assert m.out_of_plan_reason in item.locator('[data-testid="justification"]').inner_text()
    assert "NOT_IN_PLAN" not in page.locator('[data-testid="justified"]').inner_text()
    _shot(page, "defects-5-justified")


# -- 6 ------------------------------------------------------------------------------------


def test_stops_ending_before_the_return_date_show_a_finding(live_server, browser, cast, people):
    base, clerk = live_server.url, cast["unit_clerk"]
    m = build_mission(clerk, people)
    stop = m.stops.get()
    m.stops.update(depart=stop.depart - dt.timedelta(days=2))
    page = _signed_in(browser, base, clerk)
    page.goto(f"{base}/missions/{m.pk}/itinerary/")
    finding = page.locator('#findings [data-rule="ITINERARY_GAP"]')
    finding.wait_for()
    text = finding.inner_text()
    assert "最后一站" in text and "相差2天" in text
    assert default_policy().citations["ITINERARY_GAP"] in text
    _shot(page, "defects-6-gap")


# -- 7 ------------------------------------------------------------------------------------


def test_the_head_reads_once_and_the_documents_read_right(live_server, browser, cast, people):
    base, clerk = live_server.url, cast["unit_clerk"]
    m = travel.back(cast, people)
    itinerary.record_first(m, clerk)
    Member.objects.filter(mission=m, is_leader=True).update(role="团长")
    page = _signed_in(browser, base, clerk)
    page.goto(f"{base}/missions/{m.pk}/")
    head = page.locator('[data-testid="member"]', has_text="陈涛").locator("td").first
    assert head.inner_text().count("团长") == 1
    # The report prints every member's rank.
    page.goto(f"{base}/missions/{m.pk}/report/")
    report = _download_text(page, '[data-testid="report-docx"]')
    assert "县处级" in report and "乡科级" in report


def test_the_publicity_notice_has_no_empty_telephone(live_server, browser, cast, people, settings):
    base, clerk = live_server.url, cast["unit_clerk"]
    settings.FAO_PHONE = ""
    m = submit(clerk, build_mission(clerk, people), NOT_IN_PLAN="")
    services.publicity_publish(actor=clerk, mission=m)
    page = _signed_in(browser, base, clerk)
    page.goto(f"{base}/missions/{m.pk}/")
    text = _download_text(page, '[data-testid="document-publicity"]')
    assert "电话" not in text and "公示期间如有异议，请向" in text
    form = _download_text(page, '[data-testid="document-approval_form"]')
    assert "符合规定，但有提示" in form and "warn" not in form
