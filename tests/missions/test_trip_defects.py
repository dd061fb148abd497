"""Defects on the trip's way (issue 16, section 2), each through the services and pages:
the plan entry of the trip's year and the entry's quota; issued documents kept after
departure; a departure outside the approved itinerary taken only with a reason confirmed;
what blocks a decision said before it is offered, and the final step's deadline after the
publicity; the findings beside their justifications; stops that do not meet the trip's
dates; the texts of the record and of the Word documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from tests.missions import travel
from tests.missions.decisions import (
    CHAIN,
    approve_until_last,
    exempt,
    fresh,
    pending,
    quota_for,
    submit,
)
from tests.plans.builders import approved_plan, binding_entry
from waishi.audit.models import AuditEvent
from waishi.lib import documents
from waishi.lib.workdays import add_working_days
from waishi.missions.application import services, steps
from waishi.missions.core import checking, itinerary
from waishi.missions.models import Member, Mission, State, TripReport
from waishi.missions.report.documents import report_document
from waishi.missions.trip import services as trip
from waishi.plans.models import Quota
from waishi.policy.params import default_policy

pytestmark = pytest.mark.django_db

NOT_IN_PLAN = {"NOT_IN_PLAN": ""}


def _url(name, mission):
    return reverse(f"missions:{name}", kwargs={"mission_pk": mission.pk})


def _tie_to_entry(clerk, mission: Mission, year: int) -> Mission:
    """Link the draft to a binding entry of the ``year`` plan (no longer 计划外)."""
    plan = approved_plan(mission.unit, year=year)
    entry = binding_entry(plan, mission.unit)
    return services.mission_update_basics(
        actor=clerk,
        mission=mission,
        version=mission.version,
        plan_entry=entry,
        out_of_plan=False,
        out_of_plan_reason="",
    )


# -- 1. the plan entry is of the trip's year; its quota is the entry's plan's ------------------


def test_an_entry_of_the_year_before_is_a_finding_while_drafting_and_refused_on_submit(
    mission, clerk
):
    year = mission.departure_date.year
    m = _tie_to_entry(clerk, mission, year - 1)
    check, _names = steps.check_of(m)
    [finding] = [f for f in check.findings if f["rule"] == "PLAN_YEAR"]
    assert finding["severity"] == "error"
    assert finding["data"] == {"plan_year": year - 1, "year": year}
    assert finding["citation"] == default_policy().citations["PLAN_YEAR"] != ""
    assert check.result["verdict"] == "fail" and check.counts["error"] >= 1
    with pytest.raises(ValidationError) as refused:
        submit(clerk, m)
    assert finding["message"] in " ".join(refused.value.messages)
    assert fresh(m).state == State.DRAFT


def test_an_entry_of_the_trip_s_year_is_no_finding_and_its_plan_s_quota_is_used(
    mission, clerk, cast
):
    year = mission.departure_date.year
    m = _tie_to_entry(clerk, mission, year)
    check, _names = steps.check_of(m)
    assert "PLAN_YEAR" not in [f["rule"] for f in check.findings]
    # Another year's plan approved too (the issue: the next year's plan, approved later).
    approved_plan(m.unit, year=year + 1)
    m = submit(clerk, m)
    exempt(cast, m)
    while pending(m) is not None:
        services.mission_decide(actor=cast[pending(m).approver_role], mission=m, decision="approve")
    assert fresh(m).state == State.APPROVED
    used = {q.plan.year: q.batches_used for q in Quota.objects.filter(unit=m.unit)}
    assert used == {year: 1, year + 1: 0}


def test_the_quota_year_is_the_entry_s_plan_not_the_departure_s(mission, clerk):
    year = mission.departure_date.year
    m = _tie_to_entry(clerk, mission, year - 1)
    assert checking.quota_year(fresh(m)) == year - 1
    out = services.mission_update_basics(
        actor=clerk, mission=m, version=fresh(m).version, plan_entry=None, out_of_plan=True
    )
    assert checking.quota_year(out) == year  # 计划外: the year of departure


# -- 2. issued documents stay available for the record's whole life ---------------------------


def test_the_approval_form_and_notice_stay_after_departure_and_return(cast, people, as_user):
    m = travel.abroad(cast, people)
    assert m.state == State.ABROAD
    client = as_user("unit_clerk")
    for state in (State.ABROAD, State.BACK, State.CLOSED):
        Mission.objects.filter(pk=m.pk).update(state=state)
        for name in ("approval-form", "approval-notice"):
            response = client.get(_url(name, m))
            assert response.status_code == 200, (state, name)
            assert "因公临时出国任务" in documents.text_of(response.content)
        detail = client.get(_url("detail", m)).content.decode()
        assert 'data-testid="document-approval_form"' in detail
        assert 'data-testid="document-approval_notice"' in detail
    # Still scoped: whoever may not read the trip gets neither.
    assert as_user("outsider").get(_url("approval-notice", m)).status_code == 404


# -- 3. a date outside the approved itinerary: a reason, confirmed, in the audit trail ---------


def test_a_departure_42_days_early_needs_a_reason_and_its_confirmation(cast, people):
    m = travel.ready(cast, people, departs_in=42)
    clerk, today = cast["unit_clerk"], timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        trip.mission_depart(actor=clerk, mission=m, on=today)
    errors = refused.value.message_dict
    assert "deviation_reason" in errors and "42" in " ".join(errors["actual_departure"])
    with pytest.raises(ValidationError) as unconfirmed:
        trip.mission_depart(actor=clerk, mission=m, on=today, deviation_reason="外方提前会期")
    assert "deviation_confirmed" in unconfirmed.value.message_dict
    assert fresh(m).state == State.APPROVED and fresh(m).actual_departure is None
    done = trip.mission_depart(
        actor=clerk,
        mission=m,
        on=today,
        deviation_reason="外方提前会期",
        deviation_confirmed=True,
    )
    assert done.state == State.ABROAD and done.actual_departure == today
    event = AuditEvent.objects.filter(action="missions.mission.depart").get()
    assert event.data["deviation_reason"] == "外方提前会期"
    assert event.data["deviation_confirmed"] is True
    assert event.data["deviations"]


def test_a_departure_on_the_approved_day_needs_nothing_more(cast, people):
    m = travel.ready(cast, people)
    done = trip.mission_depart(actor=cast["unit_clerk"], mission=m, on=m.departure_date)
    assert done.state == State.ABROAD
    assert "deviation_reason" not in AuditEvent.objects.get(action="missions.mission.depart").data


def test_a_same_day_return_is_flagged_and_needs_a_reason(cast, people):
    m = travel.abroad(cast, people)  # left today, due back in three days
    clerk = cast["unit_clerk"]
    with pytest.raises(ValidationError) as refused:
        trip.mission_come_back(actor=clerk, mission=m, on=m.actual_departure)
    assert "deviation_reason" in refused.value.message_dict
    assert fresh(m).state == State.ABROAD
    back = trip.mission_come_back(
        actor=clerk,
        mission=m,
        on=m.actual_departure,
        deviation_reason="突发情况提前返回",
        deviation_confirmed=True,
    )
    assert back.state == State.BACK
    with translation.override("en"):
        assert any("on the day it left" in d for d in trip.deviations(back))
    event = AuditEvent.objects.filter(action="missions.mission.come_back").get()
    assert event.data["deviation_reason"] == "突发情况提前返回"


def test_the_travel_page_asks_for_the_reason_and_the_confirmation_first(cast, people, as_user):
    m = travel.ready(cast, people, departs_in=42)
    client = as_user("unit_clerk")
    today = timezone.localdate().isoformat()
    page = client.post(_url("depart", m), {"day": today})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="deviation-step"' in html and 'data-testid="deviation-confirmed"' in html
    assert fresh(m).state == State.APPROVED
    page = client.post(_url("depart", m), {"day": today, "deviation_reason": "外方提前会期"})
    assert page.status_code == 200 and fresh(m).state == State.APPROVED
    done = client.post(
        _url("depart", m),
        {"day": today, "deviation_reason": "外方提前会期", "deviation_confirmed": "on"},
    )
    assert done.status_code == 302 and fresh(m).state == State.ABROAD


# -- 4. what blocks a decision is said before it is offered; deadlines after the publicity ----


def test_the_committee_is_told_the_plan_is_not_approved_and_is_not_offered_approval(
    mission, clerk, cast, as_user
):
    m = submit(clerk, mission)
    exempt(cast, m)
    approve_until_last(cast, m)
    client = as_user(pending(m).approver_role)
    page = client.get(_url("decide", m))  # in Chinese, the office's language
    html = page.content.decode()
    assert 'data-testid="approval-blockers"' in html
    assert f"{m.departure_date.year}年度计划尚未批准" in html
    assert [c for c, _label in page.context["form"].fields["decision"].choices] == [
        "return",
        "reject",
    ]
    assert 'value="approve"' not in html
    # Once the plan is approved with a quota, approval is offered again.
    quota_for(m)
    page = client.get(_url("decide", m))
    assert 'data-testid="approval-blockers"' not in page.content.decode()
    assert "approve" in [c for c, _label in page.context["form"].fields["decision"].choices]


def test_an_earlier_step_is_not_blocked_by_what_only_the_final_approval_needs(
    mission, clerk, as_user
):
    m = submit(clerk, mission)  # no plan, no publicity: only the final approval waits
    page = as_user("unit_leader").get(_url("decide", m))
    assert 'data-testid="approval-blockers"' not in page.content.decode()
    assert "approve" in [c for c, _label in page.context["form"].fields["decision"].choices]


def test_the_final_step_is_not_due_before_the_publicity_allows_the_decision(mission, clerk, cast):
    m = submit(clerk, mission)
    publicity = services.publicity_publish(actor=clerk, mission=m)
    approve_until_last(cast, m)
    final = pending(m)
    assert final.approver_role == CHAIN[-1]
    earliest = publicity.ends_on + dt.timedelta(days=1)
    assert final.due_on >= earliest
    # The rule alone would have made it due earlier than the publicity allows.
    days = final.rule_snapshot["due_working_days"]
    assert add_working_days(timezone.localdate(final.started_at), days) < earliest


def test_publishing_after_the_final_step_started_moves_its_deadline(mission, clerk, cast):
    m = submit(clerk, mission)
    approve_until_last(cast, m)
    final = pending(m)
    final.due_on = timezone.localdate()  # as a chain started before this rule held
    final.save(update_fields=["due_on"])
    publicity = services.publicity_publish(actor=clerk, mission=m)
    assert pending(m).due_on == publicity.ends_on + dt.timedelta(days=1)


# -- 5. the approver sees each finding beside its justification ------------------------------


def test_the_decision_page_shows_each_finding_beside_its_justification(mission, clerk, as_user):
    m = submit(clerk, mission, **NOT_IN_PLAN)
    finding = next(f for f in m.check_result["findings"] if f["rule"] == "NOT_IN_PLAN")
    with translation.override("zh-hans"):
        html = as_user("unit_leader").get(_url("decide", m)).content.decode()
    block = html[html.index('data-testid="justified"') :]
    block = block[: block.index("</ul>")]
    assert finding["message"] in block
    assert finding["citation"] in block
    assert m.out_of_plan_reason in block
    assert "NOT_IN_PLAN" not in block


# -- 6. stops that do not meet the trip's dates ------------------------------------------------


def test_stops_ending_before_the_return_are_a_finding_and_refused_on_submit(mission, clerk):
    stop = mission.stops.get()
    mission.stops.update(depart=stop.depart - dt.timedelta(days=2))
    check, _names = steps.check_of(fresh(mission))
    [finding] = [f for f in check.findings if f["rule"] == "ITINERARY_GAP"]
    assert finding["data"]["gap"] == 2 and finding["citation"]
    with pytest.raises(ValidationError):
        submit(clerk, fresh(mission))
    assert fresh(mission).state == State.DRAFT


# -- 7. texts: the head once, the rank, the telephone, the verdict -----------------------------


def test_the_head_of_delegation_reads_once(mission, clerk, as_user):
    head = mission.members.get(is_leader=True)
    Member.objects.filter(pk=head.pk).update(role="团长")
    with translation.override("zh-hans"):
        html = as_user("unit_clerk").get(_url("detail", mission)).content.decode()
    row = next(r for r in html.split('data-testid="member"')[1:] if head.person.name in r)
    row = row[: row.index("</td>")]
    assert row.count("团长") == 1


def test_the_report_prints_the_rank_of_members_of_the_itinerary_version(cast, people):
    m = travel.back(cast, people)
    itinerary.record_first(m, cast["unit_clerk"])
    assert itinerary.in_force(m) is not None
    report = TripReport.objects.get(mission=m)
    data, _name = report_document(report, "trip_report")
    text = documents.text_of(data)
    with translation.override("zh-hans"):
        rank = str(people[0].get_rank_display())
    assert people[0].name in text and rank in text


def _published(mission, clerk):
    m = submit(clerk, mission)
    services.publicity_publish(actor=clerk, mission=m)
    return m


def test_the_publicity_notice_prints_no_empty_telephone(mission, clerk, as_user):
    m = _published(mission, clerk)
    client = as_user("unit_clerk")
    with override_settings(FAO_PHONE=""):
        text = documents.text_of(client.get(_url("publicity-docx", m)).content)
    assert "电话：—" not in text and "电话" not in text
    assert "公示期间如有异议，请向" in text and "反映。" in text
    with override_settings(FAO_PHONE="0571-87000000"):
        text = documents.text_of(client.get(_url("publicity-docx", m)).content)
    assert "（电话：0571-87000000）" in text


def test_the_approval_form_prints_the_verdict_s_label(mission, clerk, as_user):
    m = submit(clerk, mission, **NOT_IN_PLAN)
    assert m.check_result["verdict"] == "warn"
    text = documents.text_of(as_user("unit_clerk").get(_url("approval-form", m)).content)
    assert "符合规定，但有提示" in text
    assert " warn" not in text and "结论warn" not in text
