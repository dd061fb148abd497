"""The decision page (a GET never decides; a POST asks to confirm, the confirming POST
decides through the service), the chain on the record, the clerk's view of a return,
and cancellation from the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import PersonFactory
from tests.missions.decisions import CHAIN, exempt, fresh, pending, quota_for, submit
from waishi.audit.models import AuditEvent
from waishi.missions.application import services
from waishi.missions.models import Member, State
from waishi.policy import labels

pytestmark = pytest.mark.django_db


def _url(name, mission):
    return reverse(f"missions:{name}", kwargs={"mission_pk": mission.pk})


@pytest.fixture
def submitted(mission, clerk):
    m = submit(clerk, mission)
    quota_for(m)
    return m


def test_a_get_shows_the_form_and_changes_nothing(submitted, as_user):
    client = as_user("unit_leader")
    before = AuditEvent.objects.count()
    detail = client.get(_url("detail", submitted)).content.decode()
    assert 'data-testid="decide"' in detail
    page = client.get(_url("decide", submitted))
    assert page.status_code == 200
    assert 'data-testid="decision-form"' in page.content.decode()
    assert AuditEvent.objects.count() == before and fresh(submitted).state == State.SUBMITTED


def test_who_may_not_decide_is_sent_back_or_refused(submitted, as_user):
    # Not this step's approver: back to the record, nothing offered.
    response = as_user("fao_head").get(_url("decide", submitted))
    assert response.status_code == 302 and response["Location"] == _url("detail", submitted)
    assert (
        'data-testid="decide"'
        not in as_user("fao_head").get(_url("detail", submitted)).content.decode()
    )
    assert as_user("unit_clerk").get(_url("decide", submitted)).status_code == 403
    assert (
        as_user("auditor").post(_url("decide", submitted), {"decision": "approve"}).status_code
        == 403
    )


def test_approving_asks_to_confirm_first(submitted, as_user):
    client = as_user("unit_leader")
    response = client.post(_url("decide", submitted), {"decision": "approve", "comment": "同意"})
    assert response.status_code == 200
    assert 'data-testid="confirm-form"' in response.content.decode()
    assert fresh(submitted).state == State.SUBMITTED
    response = client.post(
        _url("decide", submitted), {"decision": "approve", "comment": "同意", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert fresh(submitted).state == State.IN_REVIEW
    assert pending(submitted).approver_role == "fao_reviewer"


def test_a_return_from_the_page_shows_each_comment_on_its_step_of_the_form(submitted, as_user):
    client = as_user("unit_leader")
    data = {
        "decision": "return",
        "comment": "请按意见修改",
        "field_budget": "住宿费按标准重算",
        "field_members": "补充翻译人员任务",
        "confirm": "yes",
    }
    assert client.post(_url("decide", submitted), data).status_code == 302
    m = fresh(submitted)
    assert m.state == State.RETURNED
    clerk = as_user("unit_clerk")
    budget = clerk.get(_url("budget", m)).content.decode()
    assert "请按意见修改" in budget and "住宿费按标准重算" in budget
    assert "补充翻译人员任务" not in budget
    members = clerk.get(_url("members", m)).content.decode()
    assert "补充翻译人员任务" in members and "住宿费按标准重算" not in members
    review = clerk.get(_url("review", m)).content.decode()
    assert "住宿费按标准重算" in review and "补充翻译人员任务" in review
    detail = clerk.get(_url("detail", m)).content.decode()
    assert 'data-testid="return-notes"' in detail


def test_return_without_a_comment_is_refused_on_the_page(submitted, as_user):
    with translation.override("en"):
        response = as_user("unit_leader").post(
            _url("decide", submitted), {"decision": "return", "confirm": "yes"}
        )
    assert response.status_code == 200 and response.context["form"].errors["comment"]
    assert fresh(submitted).state == State.SUBMITTED


def test_a_policy_error_is_shown_and_blocks_approval_on_the_page(submitted, as_user):
    for i in range(6):
        Member.objects.create(
            mission=submitted, person=PersonFactory(unit=submitted.unit), task="随团", order=10 + i
        )
    client = as_user("unit_leader")
    with translation.override("en"):
        page = client.get(_url("decide", submitted)).content.decode()
        title = str(labels.rule_title("GROUP_SIZE"))
        assert 'data-testid="policy-errors"' in page and title in page
        assert "GROUP_SIZE" not in page.split('data-testid="policy-errors"')[1].split("</div>")[0]
        response = client.post(_url("decide", submitted), {"decision": "approve", "confirm": "yes"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert title in errors and "GROUP_SIZE" not in errors
    assert fresh(submitted).state == State.SUBMITTED


def test_the_record_shows_the_chain_with_time_spent_and_who_acted(submitted, cast, as_user):
    services.mission_decide(actor=cast["unit_leader"], mission=submitted, decision="approve")
    html = as_user("auditor").get(_url("detail", submitted)).content.decode()
    assert html.count('data-testid="step"') == len(CHAIN)
    assert cast["unit_leader"].full_name in html
    assert "min" in html or "分钟" in html  # time spent on the decided step


def test_the_final_approval_on_the_page_and_the_cancellation(submitted, cast, as_user):
    exempt(cast, submitted)
    for role in CHAIN[:-1]:
        services.mission_decide(actor=cast[role], mission=submitted, decision="approve")
    committee = as_user("committee")
    response = committee.post(_url("decide", submitted), {"decision": "approve", "confirm": "yes"})
    assert response.status_code == 302
    m = fresh(submitted)
    assert m.state == State.APPROVED
    detail = as_user("unit_leader").get(_url("detail", m)).content.decode()
    assert 'data-testid="document-approval_notice"' in detail
    assert 'data-testid="cancel"' in detail
    assert (
        'data-testid="cancel"' not in as_user("unit_clerk").get(_url("detail", m)).content.decode()
    )
    leader = as_user("unit_leader")
    leader.post(_url("cancel", m), {"reason": ""})
    assert fresh(m).state == State.APPROVED
    leader.post(_url("cancel", m), {"reason": "外方取消会议"})
    assert fresh(m).state == State.CANCELLED
    assert as_user("unit_clerk").post(_url("cancel", m), {"reason": "x"}).status_code == 403
