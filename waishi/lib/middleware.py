"""Request ids for logs and error pages, the Content-Security-Policy header, no caching
of what a signed-in person is shown, and the client's address behind trusted proxies."""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import uuid

from django.conf import settings
from django.utils.cache import add_never_cache_headers

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex[:16]
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware:
    """Everything is served from our own origin; inline script and style are refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (swagger) needs its own inline bootstrap script.
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", settings.CSP)
        return response


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or a proxy (security.md
    I9, ASVS 14.3.2): every response to a signed-in request, pages, fragments, API answers
    and downloads alike, says ``Cache-Control: no-store``, so that the next person at a
    shared computer cannot bring a page back with the Back button or from the disk cache,
    nor a proxy hand it to somebody else. A view that said no-store itself is left alone.
    Static files are served by WhiteNoise above this middleware and keep their long cache
    life. The public declaration form has nobody signed in but shows personal data after
    posting: its paths (``NO_STORE_PATHS``) are never stored either, whoever asks."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(settings.NO_STORE_PATHS)

    def __call__(self, request):
        response = self.get_response(request)
        # The API authenticates inside the view (a token); DRF sets the user it found on
        # this request too, so it is read after the response, not before.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or request.path.startswith(self.paths)) and "no-store" not in (
            response.get("Cache-Control", "")
        ):
            add_never_cache_headers(response)
        return response


class TrustedProxyMiddleware:
    """Behind nginx, ``REMOTE_ADDR`` is nginx's address for everybody. When it is one of
    ``TRUSTED_PROXIES``, the client's address is read from ``X-Forwarded-For``, walking
    from the right (the entry the nearest proxy appended) past every trusted proxy; the
    first address that is not a trusted proxy is the client. Entries further left were
    written by the client and are never believed. The address found replaces
    ``REMOTE_ADDR``, so the audit rows, the lockout and the rate limits all see it; the
    proxy's own address is kept in ``waishi.proxy_addr``. Nothing changes when the setting
    is empty (the default) or the request did not come through a trusted proxy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = [ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES]

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def __call__(self, request):
        remote = request.META.get("REMOTE_ADDR", "")
        if self.trusted and self._is_trusted(remote):
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            client = remote
            for hop in reversed([h for h in hops if h]):
                try:
                    ipaddress.ip_address(hop)
                except ValueError:
                    break  # garbage: stop at the last address a trusted proxy vouched for
                client = hop
                if not self._is_trusted(hop):
                    break
            request.META["waishi.proxy_addr"] = remote
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
