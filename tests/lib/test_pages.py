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


def test_an_overestimated_list_counts_exactly_past_its_real_end(db, monkeypatch):
    """A page past the real end of a list whose estimate was too large shows the real last
    page and the exact count, not an empty page of an imagined list."""
    for i in range(3):
        UnitFactory(code=f"P{i}")
    total = Unit.objects.count()
    monkeypatch.setattr(pages, "planner_rows", lambda queryset: 10_000_000)
    monkeypatch.setattr(pages, "ESTIMATE_ABOVE", 100)
    first = pages.paginate(RequestFactory().get("/"), Unit.objects.order_by("pk"), 2, estimate=True)
    assert first["page_obj"].paginator.estimated
    assert first["page_obj"].paginator.count == 10_000_000
    assert len(first["page_obj"].object_list) == 2

    far = pages.paginate(
        RequestFactory().get("/?page=50"), Unit.objects.order_by("pk"), 2, estimate=True
    )["page_obj"]
    assert not getattr(far.paginator, "estimated", False)
    assert far.paginator.count == total
    assert far.number == far.paginator.num_pages
    assert list(far.object_list) == list(Unit.objects.order_by("pk"))[(far.number - 1) * 2 :]


def test_a_deep_page_reads_its_ids_first_and_shows_the_same_rows(db, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    Unit.objects.bulk_create(Unit(code=f"D{i:03d}", name=f"单位{i:03d}") for i in range(60))
    codes = [u.code for u in Unit.objects.order_by("-code")]
    monkeypatch.setattr(pages, "DEFER_FROM", 25)

    def page_of(number: int) -> tuple[list[str], int]:
        request = RequestFactory().get("/", {"page": number})
        with CaptureQueriesContext(connection) as queries:
            ordered = Unit.objects.order_by("-code")  # not evaluated yet
            page = pages.paginate(request, ordered, estimate=True)["page_obj"]
            shown = [u.code for u in page.object_list]
        return shown, len(queries.captured_queries)

    first, first_queries = page_of(1)  # above DEFER_FROM: the rows at once
    second, second_queries = page_of(2)  # below: the page's ids, then their rows
    assert first == codes[:25] and second == codes[25:50]
    assert second_queries == first_queries + 1
