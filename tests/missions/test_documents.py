"""The approval form (审批意见表) and the approval notice (批件): produced from the repo's
templates once the trip is far enough, with the approvers' names and dates, scoped and
audited; opened here with python-docx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.missions.decisions import CHAIN, events, exempt, quota_for, submit
from waishi.approvals.models import Delegation
from waishi.audit.models import AuditEvent
from waishi.lib import documents
from waishi.lib.roles import Role
from waishi.missions.application import services

pytestmark = pytest.mark.django_db


def _url(name, mission):
    return reverse(f"missions:{name}", kwargs={"mission_pk": mission.pk})


def test_the_approval_form_exists_once_submitted_and_names_the_approvers(
    mission, clerk, cast, as_user
):
    client = as_user("fao_reviewer")
    assert client.get(_url("approval-form", mission)).status_code == 404  # a draft
    m = submit(clerk, mission)
    deputy = UserFactory(role=Role.COMMITTEE, full_name="副审核乙")
    Delegation.objects.create(
        delegator=cast["fao_reviewer"],
        delegate=deputy,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=3),
        reason="休假",
        created_by=cast["fao_reviewer"],
    )
    services.mission_decide(
        actor=cast["unit_leader"], mission=m, decision="approve", comment="同意上报"
    )
    services.mission_decide(actor=deputy, mission=m, decision="approve", comment="经审核符合规定")
    response = client.get(_url("approval-form", m))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in response["Content-Disposition"]
    text = documents.text_of(response.content)
    today = timezone.localdate().isoformat()
    assert "因公临时出国任务和预算审批意见表" in text
    assert m.title in text and "市商务局" in text and "日本" in text and "东京" in text
    assert "李雷" in text and "韩梅梅" in text and "处长" in text
    assert m.departure_date.isoformat() in text and m.return_date.isoformat() in text
    leader, reviewer = cast["unit_leader"], cast["fao_reviewer"]
    assert f"{leader.full_name} |" in text and "同意上报" in text
    # Acted by the delegate, on behalf of the reviewer.
    assert f"副审核乙 | {reviewer.full_name}" in text and "经审核符合规定" in text
    assert today in text
    assert "{{" not in text
    event = AuditEvent.objects.filter(action="missions.mission.document").get()
    assert event.data["document"] == "approval_form" and event.actor_id == reviewer.pk


def test_the_approval_notice_exists_once_approved(mission, clerk, cast, as_user):
    m = submit(clerk, mission)
    quota_for(m)
    exempt(cast, m)
    client = as_user("unit_clerk")
    for role in CHAIN:
        assert client.get(_url("approval-notice", m)).status_code == 404
        services.mission_decide(actor=cast[role], mission=m, decision="approve")
    m.refresh_from_db()
    response = client.get(_url("approval-notice", m))
    assert response.status_code == 200
    text = documents.text_of(response.content)
    assert "因公临时出国任务批件" in text and "市商务局" in text
    assert "同意李雷等2人组团" in text and "日本" in text and m.title in text
    assert m.departure_date.isoformat() in text and m.return_date.isoformat() in text
    assert "韩梅梅" in text
    for role in CHAIN:
        assert cast[role].full_name in text
    assert timezone.localdate(m.approved_at).isoformat() in text and "市外办" in text
    assert "{{" not in text
    assert events(m)[-1] == "missions.mission.document"


def test_documents_are_scoped(mission, clerk, as_user):
    m = submit(clerk, mission)
    outsider = as_user("outsider")
    assert outsider.get(_url("approval-form", m)).status_code == 404
    assert not AuditEvent.objects.filter(action="missions.mission.document").exists()
