"""Helpers shared by list pages."""

from __future__ import annotations

from django.core.paginator import Paginator

PER_PAGE = 25


def paginate(request, queryset, per_page: int = PER_PAGE) -> dict:
    """The page asked for (bad numbers give the first or last page) and the query string
    of the other filters, so that the pagination links keep them."""
    paginator = Paginator(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query_string = params.urlencode()
    return {"page_obj": page_obj, "query_string": f"{query_string}&" if query_string else ""}


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
