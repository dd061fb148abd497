"""Account rules applied to every request, in this order:

1. a session whose account was disabled or has expired is ended (security.md A1): the
   authentication middleware already treats it as anonymous, this deletes it;
2. a session past its idle or absolute limit is ended (S1);
3. an account whose role needs a second factor can reach only the second-factor pages
   until it has passed one (A4);
4. an account with an expired or provisional password can reach only the password page
   (A2).

Pages get a redirect; the API gets the API's JSON error shape; htmx requests get an
``HX-Redirect`` header, because htmx does not swap a 4xx answer and would otherwise
leave the user looking at a button that does nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from waishi.lib import authpolicy as policy

# Paths open to a half-authenticated session (password given, second factor not yet).
OTP_OPEN = ("/accounts/otp/", "/accounts/logout/", "/accounts/language/", "/static/", "/healthz")
PASSWORD_OPEN = ("/accounts/password/", *OTP_OPEN)


# Machine endpoints answer JSON; /api/tokens/ and /api/docs/ are pages for people.
API_PATHS = ("/api/v1/", "/api/schema/")


def _is_api(request) -> bool:
    return request.path.startswith(API_PATHS)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def language_for(request) -> str:
    """Chinese unless the user (or, before login, the language cookie) chose English."""
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        language = user.language
    else:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
    return language if language in supported else settings.LANGUAGE_CODE


def _with_next(url: str, request, **params: str) -> str:
    # Only a GET can be repeated after the detour; a POST's page would answer 405.
    if request.method == "GET":
        params["next"] = request.get_full_path()
    return f"{url}?{urlencode(params)}" if params else url


def _refuse(request, *, status: int, code: str, message: str, to: str):
    if _is_api(request):
        body = {"error": {"code": code, "message": message, "fields": {}}}
        return JsonResponse(body, status=status)
    if _is_htmx(request):
        response = HttpResponse(status=status)
        response["HX-Redirect"] = to
        return response
    return redirect(to)


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            # The language is usually set by UserLanguageMiddleware, which runs after this
            # one; a refusal from here must speak the user's language too.
            with translation.override(language_for(request)):
                response = self._check(request, user)
            if response is not None:
                return response
        elif SESSION_KEY in request.session:
            # The session names an account that may no longer sign in (disabled, expired,
            # or its backend removed): end it, so re-enabling the account later does not
            # bring the old session back to life (security.md A1). The request goes on as
            # an anonymous one: pages send it to login, the API may still take a token.
            request.session.flush()
        return self.get_response(request)

    def _check(self, request, user):
        expired = policy.session_expired(request.session)
        if expired:
            request.waishi_logout_reason = expired
            logout(request)  # deletes the session row and records auth.logout
            return _refuse(
                request,
                status=401,
                code="session_expired",
                message=_("Your session has ended."),
                to=_with_next(reverse("accounts:login"), request, ended=expired),
            )
        policy.touch(request.session)
        if policy.needs_otp(user) and not user.is_verified():
            if request.path.startswith(OTP_OPEN):
                return None
            return _refuse(
                request,
                status=403,
                code="otp_required",
                message=_("A second-factor check is required."),
                to=_with_next(reverse("accounts:otp"), request),
            )
        if policy.password_expired(user) and not request.path.startswith(PASSWORD_OPEN):
            return _refuse(
                request,
                status=403,
                code="password_change_required",
                message=_("Your password must be changed first."),
                to=reverse("accounts:password-change"),
            )
        return None


class UserLanguageMiddleware:
    """Chinese unless the user (or, before login, the language cookie) chose English.

    The browser's Accept-Language is ignored on purpose: office PCs often run English
    browsers, and the platform's working language is Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
