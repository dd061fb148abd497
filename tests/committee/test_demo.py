"""The committee's demo: this year's three meetings, an item revised twice and signed off,
minutes issued and under review, made through the services and seeded once."""

from __future__ import annotations

from datetime import date

import pytest

from waishi.audit.selectors import verify_chain
from waishi.committee.demo import seed
from waishi.committee.models import AgendaItem, Meeting, Minutes, Opinion, Stage
from waishi.orgs import demo as org_demo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [date(2026, 12, 7), date(2027, 1, 2)])
def test_the_demo_committee(today):
    assert seed(today)["meetings"] == 0  # no demo city yet
    org_demo.load()
    made = seed(today)
    assert made["meetings"] == 3 and made["members"] >= 5 and made["tasks"] >= 1
    assert set(Meeting.objects.values_list("year", flat=True)) == {today.year}
    assert set(Meeting.objects.values_list("kind", flat=True)) == {"plenary", "directors", "topic"}
    revised = AgendaItem.objects.get(opinion=Opinion.AGREE_REVISE)
    versions = list(revised.documents.get().versions.order_by("number"))
    assert [v.stage for v in versions] == [Stage.SUBMITTED, Stage.REVISION, Stage.REVISION]
    assert revised.approved_version == versions[-1]
    issued = Minutes.objects.get(state="issued")
    assert issued.number.startswith("海外委纪〔") and issued.decisions.exists()
    assert Meeting.objects.get(kind="topic").state == "scheduled"
    assert seed(today) == {k: 0 for k in made}  # once
    assert verify_chain() is None
