"""Home ("my work"), health check, the favicon, and the error pages (no tracebacks, a
request id)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from waishi.lib import authpolicy, roles
from waishi.lib.middleware import current_request_id
from waishi.ui import work

log = logging.getLogger("waishi.errors")

# The home page shows this many work items; the list of them all has the rest.
HOME_ITEMS = 10
ITEMS_PER_PAGE = 25


@login_required
def home(request):
    user = request.user
    items = work.items_for(user)
    return render(
        request,
        "ui/home.html",
        {
            "cards": work.cards_for(user),
            "items": items[:HOME_ITEMS],
            "items_total": len(items),
            "items_more": len(items) > HOME_ITEMS,
            "recent_notes": user.notifications.filter(read_at__isnull=True)[:5],
            "password_expires": authpolicy.password_expires_at(user),
            "is_admin_role": roles.has(user, roles.ADMIN_ROLES),
        },
    )


@login_required
def work_items(request):
    """Every work item of the user (each provider's first ``ITEM_LIMIT``), by page."""
    page = Paginator(work.items_for(request.user), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "ui/work_items.html", {"page": page, "items": page.object_list})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says; send them to
    # the static file (temporarily: its hashed name changes when the icon does).
    return redirect(static("waishi/favicon.ico"))


def _error(request, status: int, template: str):
    return render(request, template, {"request_id": current_request_id()}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "errors/403.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "errors/404.html")


def server_error(request):
    log.error("server error, request id %s", current_request_id())
    return render(request, "errors/500.html", {"request_id": current_request_id()}, status=500)
