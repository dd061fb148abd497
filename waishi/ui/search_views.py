"""The page of the header's search (``ui.search``). Thin: read the query, search, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from waishi.ui import search as finder


@login_required
def search(request):
    """Every kind the user may search, grouped, a few hits each with a link to more."""
    q = (request.GET.get("q") or "").strip()[: finder.MAX_QUERY]
    return render(request, "ui/search.html", {"q": q, "groups": finder.search(request.user, q)})
