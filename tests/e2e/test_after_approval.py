"""After approval, in the browser (issue 5's acceptance test): an approved trip goes
through education, passport issue, departure, one approved change request (a longer
stay), return, passport return, the trip report accepted by the FAO, and one outcome
followed to done. The trip closes by itself once the report is accepted and the
passports are back; the audit chain verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PersonFactory
from tests.missions.travel import approved
from waishi.audit.selectors import verify_chain
from waishi.followups.models import Outcome
from waishi.followups.models import State as OutcomeState
from waishi.missions.models import ChangeRequest, ChangeState, Mission, State
from waishi.passports import services as passport_services
from waishi.passports.models import Kind, PassportCustody


def _page(browser, base, user):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    log_in(page, base, user)
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _state(mission: Mission) -> str:
    return Mission.objects.get(pk=mission.pk).state


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_education_passports_departure_change_return_report_outcome(
    live_server, browser, cast, home_unit
):
    base = live_server.url
    today = timezone.localdate()
    people = [
        PersonFactory(unit=home_unit, name="司马远航", rank="county_division"),
        PersonFactory(unit=home_unit, name="司马晓晴", rank="section_below"),
    ]
    # Approved for a trip that left three days ago and was due back yesterday (a change
    # request adds a day); the approval chain itself is the subject of test_trip_flow.py.
    mission = approved(cast, people, departs_in=-3, days=3, title="赴日本东京经贸交流")
    fao = cast["fao_reviewer"]
    for person in people:
        passport_services.passport_register(
            actor=fao,
            holder=person,
            kind=Kind.SERVICE,
            number=f"SE{person.pk:07d}",
            issued_on=today - dt.timedelta(days=400),
            expires_on=today + dt.timedelta(days=4 * 365),
        )

    # -- the clerk: the head acknowledges, every member is educated ---------------------
    clerk = _page(browser, base, cast["unit_clerk"])
    clerk.goto(f"{base}/missions/{mission.pk}/predeparture/")
    clerk.fill("#id_acknowledged_on", today.isoformat())
    clerk.click('[data-testid="acknowledge"]')
    clerk.locator('[data-testid="acknowledgment"]').wait_for()
    for i in range(len(people)):
        clerk.locator('[data-testid="education-edit"]').nth(i).click()
        clerk.fill("#id_given_on", today.isoformat())
        clerk.select_option("#id_method", "group")
        clerk.fill("#id_given_by", "市外办外事纪律教育")
        clerk.click('[data-testid="education-save"]')
        clerk.wait_for_url(f"{base}/missions/{mission.pk}/predeparture/")
    # Passports are not issued yet: departure is still blocked.
    assert clerk.locator('[data-testid="blockers"]').count() == 1

    # -- the FAO reviewer issues both passports (fresh second factor from the login) ----
    reviewer = _page(browser, base, fao)
    reviewer.goto(f"{base}/passports/trips/{mission.pk}/issue/")
    for box in reviewer.locator('input[name="passports"]').all():
        box.check()
    reviewer.click('[data-testid="issue"]')
    reviewer.wait_for_url(f"{base}/passports/trips/{mission.pk}/issue/")
    assert PassportCustody.objects.filter(mission=mission, returned_at__isnull=True).count() == 2

    # -- the clerk confirms the departure -----------------------------------------------
    clerk.goto(f"{base}/missions/{mission.pk}/travel/")
    clerk.fill("#depart-day", mission.departure_date.isoformat())
    clerk.click('[data-testid="depart"]')
    clerk.locator('[data-testid="return-form"]').wait_for()
    assert _state(mission) == State.ABROAD
    _shot(clerk, "after-approval-abroad")

    # -- abroad: the clerk asks for one more day; leader, reviewer and head approve ------
    clerk.goto(f"{base}/missions/{mission.pk}/changes/new/")
    clerk.fill("#id_return_date", today.isoformat())
    clerk.fill("#id_stops-0-depart", today.isoformat())
    clerk.fill("#id_reason", "对方临时增加一场合作洽谈，需延长停留一天")
    clerk.click('[data-testid="submit"]')
    clerk.wait_for_load_state()
    _shot(clerk, "after-approval-change-submitted")
    change = ChangeRequest.objects.get(mission=mission)
    clerk.wait_for_url(f"{base}/missions/{mission.pk}/changes/{change.pk}/")
    assert clerk.locator('[data-testid="kinds"]').inner_text()
    leader = _page(browser, base, cast["unit_leader"])
    head = _page(browser, base, cast["fao_head"])
    for approver in (leader, reviewer, head):
        approver.goto(f"{base}/missions/{mission.pk}/changes/{change.pk}/decide/")
        approver.check('input[name="decision"][value="approve"]')
        approver.click('[data-testid="continue"]')
        approver.click('[data-testid="confirm"]')
        approver.wait_for_url(f"{base}/missions/{mission.pk}/changes/{change.pk}/")
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED
    assert Mission.objects.get(pk=mission.pk).return_date == today
    clerk.goto(f"{base}/missions/{mission.pk}/changes/")
    assert "2" in clerk.locator('[data-testid="version-in-force"]').inner_text()
    _shot(clerk, "after-approval-change-approved")
    clerk.goto(f"{base}/missions/{mission.pk}/travel/")

    # -- the clerk confirms the return; the FAO takes the passports back ----------------
    clerk.fill("#return-day", today.isoformat())
    clerk.click('[data-testid="come-back"]')
    clerk.locator('[data-testid="close-checklist"]').wait_for()
    assert _state(mission) == State.BACK
    assert clerk.locator('[data-testid="deviations"]').count() == 0  # back as changed
    for custody in PassportCustody.objects.filter(mission=mission):
        reviewer.goto(f"{base}/passports/{custody.passport_id}/")
        reviewer.click('[data-testid="return"]')
        reviewer.wait_for_url(f"{base}/passports/{custody.passport_id}/")
    assert not PassportCustody.objects.filter(mission=mission, returned_at__isnull=True).exists()
    assert _state(mission) == State.BACK  # the report is still owed

    # -- the clerk writes the report, publishes it inside the unit, submits it ------------
    clerk.goto(f"{base}/missions/{mission.pk}/report/")
    clerk.fill("#id_tasks_done", "拜访东京都政府经济局，出席中日经贸合作推介会")
    clerk.fill("#id_meetings", "会见东京都副知事；与东京商工会议所座谈")
    clerk.fill("#id_agreements", "签署友好交流合作备忘录")
    clerk.fill("#id_outcomes", "达成2027年互办经贸推介会意向")
    clerk.fill("#id_costs", "国际旅费、住宿费、伙食费均在标准内")
    clerk.click('[data-testid="report-save"]')
    clerk.locator('[data-testid="publish-form"]').wait_for()
    clerk.fill("#publish_starts_on", today.isoformat())
    clerk.click('[data-testid="publish"]')
    clerk.locator('[data-testid="report-publicity"]').wait_for()
    clerk.click('[data-testid="submit"]')
    clerk.locator('[data-testid="submit-form"]').wait_for(state="detached")
    _shot(clerk, "after-approval-report-submitted")

    # -- the FAO reviewer accepts it: the trip closes (the passports are back) -----------
    reviewer.goto(f"{base}/missions/{mission.pk}/report/")
    reviewer.check('input[name="decision"][value="accept"]')
    reviewer.click('[data-testid="decide"]')
    reviewer.locator('[data-testid="decide-form"]').wait_for(state="detached")
    assert _state(mission) == State.CLOSED

    # -- one outcome, registered from the report, followed to done -----------------------
    clerk.goto(f"{base}/missions/{mission.pk}/report/")
    clerk.click('[data-testid="record-outcome"]')
    clerk.select_option("#id_kind", "intention")
    clerk.fill("#id_title", "2027年互办经贸推介会")
    clerk.select_option("#id_responsible_person", str(people[0].pk))
    clerk.fill("#id_due_date", (today + dt.timedelta(days=90)).isoformat())
    clerk.click('button[type="submit"]')
    outcome = Outcome.objects.get(source_type="missions.mission", source_id=mission.pk)
    clerk.wait_for_url(f"{base}/followups/{outcome.pk}/")
    clerk.goto(f"{base}/followups/{outcome.pk}/progress/")
    clerk.fill("#id_text", "已与东京商工会议所确定推介会日程")
    clerk.click('button[type="submit"]')
    clerk.wait_for_url(f"{base}/followups/{outcome.pk}/")
    leader.goto(f"{base}/followups/{outcome.pk}/")
    leader.click('form[action$="/complete/"] button')
    leader.wait_for_url(f"{base}/followups/{outcome.pk}/")
    outcome.refresh_from_db()
    assert outcome.state == OutcomeState.DONE
    _shot(leader, "after-approval-outcome-done")

    assert verify_chain() is None
