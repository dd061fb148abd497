"""How the API knows who is calling: a personal token, or a verified browser session."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed

from waishi.api import tokens
from waishi.api.models import ApiToken
from waishi.lib import authpolicy, crypto

# Compared against when no row matches, so that a miss costs the same as a wrong secret.
_NO_DIGEST = "0" * 64
# last_used_at is written at most this often: a busy script must not turn every read
# into a write.
TOUCH_EVERY = dt.timedelta(minutes=1)


def _fail(message, code: str) -> AuthenticationFailed:
    return AuthenticationFailed(message, code=code)


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer wst_<prefix>_<secret>``.

    The request's user is the token's user, so the token carries exactly that user's
    current role, unit and district; disabling the account stops its tokens at once."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise _fail(_("Send the token as “Authorization: Bearer <token>”."), "invalid_header")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeError:
            raise _fail(_("The API token is not valid."), "invalid_token") from None
        user, token = self.authenticate_token(raw)
        # Answer in the token owner's language, as pages do for a signed-in user.
        translation.activate(user.language)
        request._request.LANGUAGE_CODE = user.language
        return user, token

    def authenticate_token(self, raw: str):
        prefix = tokens.prefix_of(raw)
        token = (
            ApiToken.objects.select_related("user").filter(pk=prefix).first() if prefix else None
        )
        matches = crypto.constant_time_equals(
            tokens.digest(raw), token.digest if token is not None else _NO_DIGEST
        )
        # Only someone holding the whole token learns whether it was revoked or expired.
        if token is None or not matches:
            raise _fail(_("The API token is not valid."), "invalid_token")
        now = timezone.now()
        if token.revoked_at is not None:
            raise _fail(_("This API token has been revoked."), "token_revoked")
        if token.expires_at <= now:
            raise _fail(_("This API token has expired."), "token_expired")
        user = token.user
        if not user.is_active:
            raise _fail(_("The account of this API token is disabled."), "account_disabled")
        if user.is_expired:
            raise _fail(_("The account of this API token has expired."), "account_expired")
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            # Usage bookkeeping, not a change of state: no audit event.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser session (CSRF enforced on unsafe methods), for the Swagger page and
    htmx. The account middleware already refuses a session on /api/ that has not
    passed the second factor; this repeats the check so the API never depends on the
    order of middleware."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        verified = getattr(user, "is_verified", None)
        if authpolicy.needs_otp(user) and not (callable(verified) and verified()):
            raise _fail(_("A second-factor check is required."), "otp_required")
        return result
