"""The whole approval flow in the browser (issue 4's acceptance test): a clerk drafts a
two-country trip, fixes what the live check shows, submits; the unit leader approves; the
FAO reviewer returns it with a comment; the clerk fixes and resubmits; the chain approves;
the approval notice downloads and opens in python-docx."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PersonFactory
from tests.plans.builders import approved_plan, binding_entry
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.missions.models import Mission, Publicity
from waishi.plans.models import QuotaLedger

PDF = b"%PDF-1.4\n% invented invitation\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RETURN_COMMENT = "请补充在法国巴黎的具体会见安排"


def _context(browser):
    return browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")


def _signed_in(browser, base, user):
    page = _context(browser).new_page()
    log_in(page, base, user)
    return page


def _next(page, slug: str, mission_pk: int, base: str) -> None:
    page.click('[data-testid="next"]')
    page.wait_for_url(f"{base}/missions/{mission_pk}/{slug}/")


def _decide(page, base: str, mission: Mission, decision: str, comment: str = "") -> None:
    page.goto(f"{base}/missions/{mission.pk}/decide/")
    page.check(f'input[name="decision"][value="{decision}"]')
    if comment:
        page.fill("#id_comment", comment)
    page.click('[data-testid="continue"]')
    page.click('[data-testid="confirm"]')
    page.wait_for_url(f"{base}/missions/{mission.pk}/")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _findings(page) -> set[str]:
    page.locator("#findings .policy-check").first.wait_for()
    return set(
        page.locator("#findings [data-rule]").evaluate_all("e => e.map(x => x.dataset.rule)")
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_draft_fix_submit_return_resubmit_approve_and_download(
    live_server, browser, cast, home_unit
):
    base = live_server.url
    today = timezone.localdate()
    depart = today + timedelta(days=100)
    plan = approved_plan(home_unit, year=depart.year)
    entry = binding_entry(plan, home_unit, countries=["DE", "FR"], title="赴德法友城交流")
    PersonFactory(unit=home_unit, name="欧阳明远", rank="county_division")
    PersonFactory(unit=home_unit, name="欧阳晓雯", rank="section_below")

    # -- the clerk drafts: ten days for two countries is two days too many -------------
    clerk = _signed_in(browser, base, cast["unit_clerk"])
    clerk.goto(f"{base}/missions/new/")
    clerk.fill("#id_title", "赴德国法国友好城市交流")
    clerk.fill("#id_purpose", "落实友好城市合作备忘录")
    clerk.fill("#id_tasks", "拜访慕尼黑市政府洽谈青年交流项目；拜访巴黎大区商会")
    clerk.fill("#id_departure_date", depart.isoformat())
    clerk.fill("#id_return_date", (depart + timedelta(days=9)).isoformat())
    clerk.select_option("#id_plan_entry", str(entry.pk))
    clerk.fill("#id_funding_source", "部门预算")
    clerk.click('[data-testid="next"]')
    clerk.wait_for_url(f"{base}/missions/*/invitation/")
    mission = Mission.objects.get(title="赴德国法国友好城市交流")
    clerk.select_option("#id_invitation_source", "foreign_counterpart")
    clerk.fill("#id_inviter", "Landeshauptstadt München")
    clerk.set_input_files(
        "#id_invitation_letter",
        {"name": "einladung.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    _next(clerk, "itinerary", mission.pk, base)
    if clerk.locator("#id_stops-0-country").count() == 0:
        clerk.click('[data-testid="add-stop"]')
    clerk.select_option("#id_stops-0-country", "DE")
    clerk.fill("#id_stops-0-city", "München")
    clerk.fill("#id_stops-0-arrive", depart.isoformat())
    clerk.fill("#id_stops-0-depart", (depart + timedelta(days=5)).isoformat())
    clerk.click('[data-testid="add-stop"]')
    clerk.locator("#id_stops-1-country").wait_for()
    clerk.select_option("#id_stops-1-country", "FR")
    clerk.fill("#id_stops-1-city", "Paris")
    clerk.fill("#id_stops-1-arrive", (depart + timedelta(days=5)).isoformat())
    clerk.fill("#id_stops-1-depart", (depart + timedelta(days=9)).isoformat())
    _next(clerk, "members", mission.pk, base)
    for initials in ("oymy", "oyxw"):
        clerk.fill("#id_q", initials)
        result = clerk.locator('[data-testid="person-result"]')
        result.first.wait_for()
        result.first.locator("button").click()
        clerk.wait_for_url(f"{base}/missions/{mission.pk}/members/*")
    clerk.fill("#id_members-0-task", "带队洽谈青年交流项目")
    clerk.fill("#id_members-1-task", "联络与翻译")
    clerk.check("#id_members-0-is_leader")
    clerk.click('[data-testid="save"]')
    clerk.wait_for_url(f"{base}/missions/{mission.pk}/members/")
    _shot(clerk, "trip-flow-stay-days")
    assert "STAY_DAYS" in _findings(clerk)

    # Fix: back to eight days; the live check drops the error without a button.
    clerk.goto(f"{base}/missions/{mission.pk}/basics/")
    clerk.fill("#id_return_date", (depart + timedelta(days=7)).isoformat())
    clerk.locator("#id_tasks").click()
    clerk.locator('[data-testid="autosaved"]').wait_for()
    clerk.goto(f"{base}/missions/{mission.pk}/itinerary/")
    clerk.fill("#id_stops-1-depart", (depart + timedelta(days=7)).isoformat())
    clerk.locator("#id_stops-1-city").click()
    clerk.locator('[data-testid="autosaved"]').wait_for()
    clerk.locator('#findings [data-rule="STAY_DAYS"]').wait_for(state="detached")
    clerk.goto(f"{base}/missions/{mission.pk}/members/")
    _next(clerk, "budget", mission.pk, base)
    _next(clerk, "review", mission.pk, base)
    for box in clerk.locator('[data-testid^="justify-"] textarea').all():
        box.fill("经费在部门预算中列支，明细随后报送")
    clerk.click('[data-testid="submit"]')
    clerk.wait_for_url(f"{base}/missions/{mission.pk}/")
    mission.refresh_from_db()
    assert mission.state == "submitted"

    # The unit publishes the notice (公示).
    clerk.goto(f"{base}/missions/{mission.pk}/publicity/")
    clerk.click('[data-testid="publish"]')
    clerk.locator('[data-testid="publicity-docx"]').wait_for()

    # -- the leader approves, the reviewer returns with a comment ----------------------
    leader = _signed_in(browser, base, cast["unit_leader"])
    _decide(leader, base, mission, "approve")
    reviewer = _signed_in(browser, base, cast["fao_reviewer"])
    _decide(reviewer, base, mission, "return", RETURN_COMMENT)
    mission.refresh_from_db()
    assert mission.state == "returned"

    # -- the clerk sees the comment, fixes, resubmits ----------------------------------
    clerk.goto(f"{base}/missions/{mission.pk}/review/")
    assert RETURN_COMMENT in clerk.content()
    clerk.goto(f"{base}/missions/{mission.pk}/basics/")
    clerk.fill("#id_tasks", "拜访慕尼黑市政府洽谈青年交流项目；在巴黎会见巴黎大区商会会长")
    _next(clerk, "invitation", mission.pk, base)
    clerk.goto(f"{base}/missions/{mission.pk}/review/")
    for box in clerk.locator('[data-testid^="justify-"] textarea').all():
        if not box.input_value():
            box.fill("经费在部门预算中列支，明细随后报送")
    clerk.click('[data-testid="submit"]')
    clerk.wait_for_url(f"{base}/missions/{mission.pk}/")
    mission.refresh_from_db()
    assert mission.state == "submitted"

    # -- the chain approves; the publicity period is taken to have run -----------------
    _decide(leader, base, mission, "approve")
    _decide(reviewer, base, mission, "approve")
    Publicity.objects.filter(mission=mission).update(
        starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=10)
    )
    head = _signed_in(browser, base, cast["fao_head"])
    _decide(head, base, mission, "approve")
    mission.refresh_from_db()
    assert mission.state == "approved"
    _shot(head, "trip-flow-approved")

    with clerk.expect_download() as download:
        clerk.goto(f"{base}/missions/{mission.pk}/")
        clerk.click(f'a[href="/missions/{mission.pk}/approval-notice.docx"]')
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "因公临时出国任务批件" in text and "赴德国法国友好城市交流" in text

    # Nothing of the flow is missing from the audit chain.
    actions = set(
        AuditEvent.objects.filter(object_id=str(mission.pk)).values_list("action", flat=True)
    )
    assert {
        "missions.mission.submit",
        "missions.mission.resubmit",
        "missions.mission.return",
        "missions.mission.approve",
    } <= actions
    assert QuotaLedger.objects.filter(reference=f"missions.mission:{mission.pk}").count() == 1
    assert verify_chain() is None
