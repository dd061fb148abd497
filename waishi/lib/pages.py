"""Helpers shared by list pages."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

PER_PAGE = 25
# Above this many rows (as PostgreSQL's planner estimates them), a list shows the
# estimate ("about N records") instead of counting every row on each page view.
ESTIMATE_ABOVE = 100_000


def planner_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the number of rows of ``queryset`` (EXPLAIN, nothing
    read), or None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
    except DatabaseError:
        return None
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """A paginator whose count is PostgreSQL's estimate when that is large: an exact
    COUNT(*) of a million rows costs more than the rest of the page. Small results (and
    SQLite, whose COUNT reads a narrow index quickly) are counted exactly. The object
    list may also be any sliceable with ``count()`` and a ``queryset`` to estimate."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = getattr(self.object_list, "queryset", self.object_list)
        if isinstance(queryset, QuerySet):
            estimate = planner_rows(queryset)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                self.estimated = True
                return estimate
        return super().count


# From this many rows down a list, a page reads its ids first (``IdsFirst``).
DEFER_FROM = 1_000


class IdsFirst:
    """A queryset whose deep slices read the ids first and then their rows: OFFSET over
    the ids is a scan of the list's index alone (page 20,000 of a million trips: 950 ms
    → about 60 ms on PostgreSQL), where OFFSET over whole rows reads every row before
    the page. The first ``DEFER_FROM`` rows are read directly, in one query."""

    def __init__(self, queryset: QuerySet, defer_from: int | None = None):
        self.queryset = queryset
        self.defer_from = DEFER_FROM if defer_from is None else defer_from

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        stop = index.stop if index.stop is not None else self.count()
        return self.rows(index.start or 0, stop)

    def rows(self, start: int, stop: int):
        """The rows ``start`` to ``stop`` (the paginator's slice)."""
        if start < self.defer_from:
            return self.queryset[start:stop]
        ids = list(self.queryset.values_list("pk", flat=True)[start:stop])
        found = {row.pk: row for row in self.queryset.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


def paginate(
    request,
    queryset,
    per_page: int = PER_PAGE,
    *,
    estimate: bool = False,
    ids_first_from: int | None = None,
) -> dict:
    """The page asked for (bad numbers give the first or last page) and the query string
    of the other filters, so that the pagination links keep them. With ``estimate`` (the
    lists that may hold a million rows), a large count on PostgreSQL is the planner's
    estimate (``paginator.estimated``) and a deep page reads its ids first (``IdsFirst``;
    from row ``ids_first_from``, ``DEFER_FROM`` unless told: 0 where the ids and the
    order are in an index and the rows are not)."""
    if estimate and isinstance(queryset, QuerySet):
        queryset = IdsFirst(queryset, ids_first_from)
    paginator = (EstimatingPaginator if estimate else Paginator)(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    if paginator.count and not page_obj.object_list and getattr(paginator, "estimated", False):
        # The planner overestimated (a filtered list, say) and the page asked for lies past
        # the real end: count exactly, which gives the real last page.
        paginator = Paginator(queryset, per_page)
        page_obj = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page_obj, "query_string": other_params(request, "page")}


def other_params(request, name: str) -> str:
    """The request's query string without ``name``, ready for ``?{{ it }}name=N`` in a
    pagination link (ends with ``&`` when not empty), so that the links keep the filters."""
    params = request.GET.copy()
    params.pop(name, None)
    query_string = params.urlencode()
    return f"{query_string}&" if query_string else ""


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
