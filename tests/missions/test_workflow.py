"""The workflow table: the docs show what the code does; roles and units are enforced."""

from __future__ import annotations

from pathlib import Path

import pytest

from waishi.lib.workflow import WorkflowError
from waishi.missions.core.workflow import MISSION

pytestmark = pytest.mark.django_db


def test_the_docs_show_the_table_in_the_code():
    docs = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
    assert MISSION.mermaid() in docs.read_text(encoding="utf-8")


def test_approval_transitions_refuse_a_leader_of_another_unit(mission, clerk, cast):
    from tests.factories import UserFactory
    from waishi.lib.roles import Role
    from waishi.missions.application import services

    m = services.mission_submit(actor=clerk, mission=mission, version=mission.version)
    other = UserFactory(role=Role.UNIT_LEADER, unit=cast["outsider"].unit)
    with pytest.raises(WorkflowError):
        MISSION.apply(m, "review", actor=other)
    with pytest.raises(WorkflowError):
        MISSION.apply(m, "submit", actor=clerk)  # not in the table from "submitted"
    assert MISSION.apply(m, "review", actor=cast["unit_leader"]).state == "in_review"


def test_the_docs_show_the_change_request_table():
    from waishi.missions.changes.workflow import CHANGE

    docs = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
    assert CHANGE.mermaid() in docs.read_text(encoding="utf-8")
