"""The trip's record: what a reader needs first (state, next step and who holds it,
destinations, delegation, budget, findings), then the parts in sections that the page
shows as tabs; the workflow's table on its own help page; a sitting's saves as one entry
of the history."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.missions.conftest import NOT_IN_PLAN
from tests.missions.decisions import submit
from waishi.audit.messages import SAVES
from waishi.missions.application import services

pytestmark = pytest.mark.django_db

PARTS = ("details", "itinerary", "members", "budget", "approvals", "documents", "history")


def _record(client, mission) -> str:
    response = client.get(reverse("missions:detail", kwargs={"mission_pk": mission.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_summary_comes_before_the_parts_and_every_part_has_its_tab(mission, as_user):
    body = _record(as_user("unit_clerk"), mission)
    summary = body.index('data-testid="record-summary"')
    for part in PARTS:
        # A link in the tab list, and the section it opens, after the summary.
        assert f'href="#record-{part}"' in body
        assert body.index(f'id="record-{part}"') > summary
    assert body.index('id="findings"') < body.index('id="record-itinerary"')
    summary_html = body[summary : body.index("data-tabs")]
    assert "日本" in summary_html  # the destination, by its name
    assert "李雷" in summary_html  # the head of the delegation
    assert "30000" in summary_html  # the total budget


def test_the_next_step_of_a_draft_names_who_takes_it(mission, as_user):
    body = _record(as_user("unit_clerk"), mission)
    nxt = body.split('data-testid="summary-next"')[1].split("</dd>")[0]
    assert "提交" in nxt and "单位经办人" in nxt


def test_a_submitted_trip_names_the_approver_it_waits_for(mission, clerk, as_user):
    submit(clerk, mission, **NOT_IN_PLAN)
    body = _record(as_user("fao_reviewer"), mission)
    nxt = body.split('data-testid="summary-next"')[1].split("</dd>")[0]
    assert "单位负责人" in nxt  # the first step of the chain


def test_the_workflow_table_is_on_the_help_page_not_on_the_record(mission, as_user):
    client = as_user("unit_clerk")
    body = _record(client, mission)
    assert "stateDiagram" not in body and "Mermaid" not in body
    assert 'id="workflow-heading"' not in body
    link = re.search(r'href="([^"]+)" data-testid="workflow-help"', body).group(1)
    help_page = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'data-testid="workflow-table"' in help_page
    # The draft's own steps are marked: submit and cancel leave 草稿.
    marked = re.findall(r'data-testid="next-row"><td>([^<]+)</td><td>([^<]+)</td>', help_page)
    assert marked and {source for source, _action in marked} == {"草稿"}
    assert "stateDiagram" not in help_page


def test_the_help_page_without_a_state_marks_nothing(as_user):
    body = as_user("unit_clerk").get(reverse("missions:workflow") + "?state=<nope>").content
    assert b'data-testid="next-row"' not in body and b"&lt;nope&gt;" not in body


def test_the_form_registers_its_saves_for_the_history():
    assert {"missions.mission.update", "missions.mission.itinerary"} <= SAVES
    assert "missions.mission.submit" not in SAVES and "missions.mission.create" not in SAVES


def test_a_sitting_of_saves_is_one_entry_of_the_record(mission, clerk, as_user):
    for i in range(5):
        mission = services.mission_update_basics(
            actor=clerk, mission=mission, version=mission.version, title=f"团组{i}"
        )
    body = _record(as_user("unit_clerk"), mission)  # a draft is the unit's own
    history = body.split('id="record-history"')[1]
    # build_mission saved the letter and the stops, added two people (not saves: each its
    # own entry), saved the members and the budget; then the five saves here.
    sittings = re.findall(r"保存修改 (\d+) 次", history)
    assert sittings == ["7", "2"]
    assert history.count('data-testid="history-sitting"') == 2
    assert "团组4" in history and "团组0" in history  # each save is kept inside its entry


def test_the_budget_part_shows_the_sum_of_the_lines(mission, as_user):
    body = _record(as_user("unit_clerk"), mission)
    totals = body.split('data-testid="budget-totals"')[1].split("</p>")[0]
    # build_mission: 18000 + 10000 + 5000 yen a day, 3 days, 2 members.
    assert f"{(18000 + 10000 + 5000) * 3 * 2:.2f} JPY" in totals and "30000" in totals
