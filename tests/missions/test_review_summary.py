"""The review step shows the whole application, read-only, before it is submitted: each
step's values with a 修改 that opens that step, the budget with its totals, the findings
and the attachments."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _review(client, mission) -> str:
    response = client.get(reverse("missions:review", kwargs={"mission_pk": mission.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    return body.split('data-testid="review-summary"')[1].split('data-testid="submit"')[0]


def _part(summary: str, name: str) -> str:
    return summary.split(f'data-testid="summary-{name}"')[1].split("</section>")[0]


def test_every_step_is_summed_up_with_a_link_to_change_it(mission, as_user):
    summary = _review(as_user("unit_clerk"), mission)
    assert "赴日本经贸交流" in _part(summary, "basics")
    assert "临时邀请，未及列入年度计划" in _part(summary, "basics")  # the out-of-plan reason
    assert "东京都政府" in _part(summary, "invitation")
    itinerary = _part(summary, "itinerary")
    assert "日本" in itinerary and "东京" in itinerary and itinerary.count("summary-stop") == 1
    members = _part(summary, "members")
    assert members.count('data-testid="summary-member"') == 2
    leader_row = next(r for r in members.split("<tr") if "李雷" in r)
    assert "团长" in leader_row and "李雷负责洽谈" in leader_row
    assert "invitation.pdf" in _part(summary, "attachments")
    for slug in ("basics", "invitation", "itinerary", "members", "budget"):
        assert re.search(
            rf'name="goto" value="{slug}"[^>]*data-testid="summary-edit-{slug}"', summary
        )


def test_the_budget_shows_each_line_and_the_totals(mission, as_user):
    budget = _part(_review(as_user("unit_clerk"), mission), "budget")
    # build_mission: 18000 + 10000 + 5000 yen a day, 3 days, 2 members.
    expected = (18000 + 10000 + 5000) * 3 * 2
    assert f"{expected:.2f} JPY" in budget.split('data-testid="summary-line-total"')[1]
    assert f"{expected:.2f} JPY" in budget.split('data-testid="summary-totals"')[1]
    assert "30000" in budget.split('data-testid="summary-total-cny"')[1]


def test_the_findings_are_in_the_summary(mission, as_user):
    findings = _part(_review(as_user("unit_clerk"), mission), "findings")
    assert 'data-severity="warning"' in findings  # NOT_IN_PLAN, the one warning
    assert "NOT_IN_PLAN" not in findings  # by its message, not its code


def test_change_saves_and_opens_the_step(mission, as_user):
    client = as_user("unit_clerk")
    url = reverse("missions:review", kwargs={"mission_pk": mission.pk})
    response = client.post(url, {"version": mission.version, "goto": "members"})
    assert response.status_code == 302
    assert response["Location"] == reverse("missions:members", kwargs={"mission_pk": mission.pk})
