"""``lib.pages``: a large count on PostgreSQL is the planner's estimate; otherwise exact."""

from __future__ import annotations

from django.db import connection
from django.test import RequestFactory

from tests.factories import UnitFactory
from waishi.lib import pages
from waishi.orgs.models import Unit


def test_small_lists_are_counted_exactly(db):
    for i in range(3):
        UnitFactory(code=f"P{i}")
    page = pages.paginate(RequestFactory().get("/"), Unit.objects.all(), estimate=True)
    assert page["page_obj"].paginator.count == Unit.objects.count()
    assert not page["page_obj"].paginator.estimated


def test_large_lists_show_the_estimate_on_postgresql(db, monkeypatch):
    for i in range(3):
        UnitFactory(code=f"P{i}")
    monkeypatch.setattr(pages, "ESTIMATE_ABOVE", -1)
    paginator = pages.paginate(RequestFactory().get("/"), Unit.objects.all(), estimate=True)[
        "page_obj"
    ].paginator
    if connection.vendor == "postgresql":
        assert paginator.estimated
        assert paginator.count >= 0  # the planner's figure, whatever it is
        assert pages.planner_rows(Unit.objects.all()) is not None
    else:
        assert not paginator.estimated
        assert paginator.count == 3
        assert pages.planner_rows(Unit.objects.all()) is None
