"""View decorators: role checks and step-up re-authentication (security.md S2)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from waishi.lib import authpolicy as policy
from waishi.lib.roles import has


def role_required(allowed: frozenset[str]):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has(request.user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def step_up_challenge(request, *, back: str | None = None) -> HttpResponse | None:
    """None when the second factor (or password) was confirmed recently enough for a
    sensitive action (S2); else the response that sends the user to confirm it.

    Views call this after their permission checks, so that nobody is asked to confirm
    their identity for something they may not do anyway."""
    if policy.step_up_fresh(request.session):
        return None
    # Come back to the page, not to a POST-only URL (which a GET would answer 405);
    # the re-authentication page checks that the address is ours.
    target = back or (
        request.get_full_path()
        if request.method == "GET"
        else request.META.get("HTTP_REFERER") or reverse("ui:home")
    )
    location = f"{reverse('accounts:reauth')}?next={quote(target)}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = location
        return response
    return redirect(location)
