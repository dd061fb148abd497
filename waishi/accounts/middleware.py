"""Account rules applied to every request, in this order:

1. a session past its idle or absolute limit is ended (security.md S1);
2. an account whose role needs a second factor can reach only the second-factor pages
   until it has passed one (A4);
3. an account with an expired or provisional password can reach only the password page
   (A2).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from waishi.lib import authpolicy as policy

# Paths open to a half-authenticated session (password given, second factor not yet).
OTP_OPEN = ("/accounts/otp/", "/accounts/logout/", "/accounts/language/", "/static/", "/healthz")
PASSWORD_OPEN = ("/accounts/password/", *OTP_OPEN)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or request.headers.get("HX-Request") == "true"


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        expired = policy.session_expired(request.session)
        if expired:
            logout(request)
            if _wants_json(request):
                return JsonResponse(
                    {"error": {"code": "session_expired", "message": _("Your session has ended.")}},
                    status=401,
                )
            messages.info(
                request,
                _("Your session ended after a period of inactivity.")
                if expired == "idle"
                else _("Your session reached its maximum length. Please log in again."),
            )
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        policy.touch(request.session)
        if policy.needs_otp(user) and not user.is_verified():
            if request.path.startswith(OTP_OPEN):
                return None
            if _wants_json(request):
                return HttpResponseForbidden(_("A second-factor check is required."))
            return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
        if policy.password_expired(user) and not request.path.startswith(PASSWORD_OPEN):
            if _wants_json(request):
                return HttpResponseForbidden(_("Your password must be changed first."))
            return redirect("accounts:password-change")
        return None


class UserLanguageMiddleware:
    """Chinese unless the user (or, before login, the language cookie) chose English.

    The browser's Accept-Language is ignored on purpose: office PCs often run English
    browsers, and the platform's working language is Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        supported = {code for code, _name in settings.LANGUAGES}
        if request.user.is_authenticated:
            language = request.user.language
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
