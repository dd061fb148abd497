"""``Idempotency-Key``: a client that retries a write (a timeout, a dropped connection)
sends the same key and gets the first answer back instead of a second write.

The key row is inserted first, in the same transaction as the write: a concurrent retry
with the same key waits on the unique index until the first commits, then replays its
answer; if the write fails, the row goes with it and the key may be used again. Only
successful answers (2xx) are kept; keys are kept for ``KEEP_HOURS`` and then purged.
A key reused for a different request (method, path or body) is refused with 422. A JSON
body is compared by its content, not its spelling: the same object with its keys in another
order or other spacing is the same request.

A key is 1 to ``MAX_KEY`` visible ASCII characters (``KEY_PATTERN``, as the schema says);
another is refused with 400 and nothing is written."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from waishi.api.errors import body
from waishi.api.models import IdempotentRequest
from waishi.lib.crypto import sm3

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY = 200
KEY_PATTERN = r"^[!-~]+$"  # visible ASCII, no spaces: what any HTTP client sends unchanged
KEEP_HOURS = 48

# What the schema says of the header (mission_views.IDEMPOTENCY_KEY).
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": KEY_PATTERN}


def _canonical(request, raw: bytes) -> bytes:
    """A JSON body as its content (keys sorted, no spacing); any other body as sent."""
    if not (request.content_type or "").lower().startswith("application/json"):
        return raw
    try:
        parsed = json.loads(raw)
    except ValueError:  # not JSON (or not UTF-8): the view refuses it; compare the bytes
        return raw
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _fingerprint(request) -> str:
    raw = request._request.body  # read before DRF parses the stream; Django caches it
    return sm3(f"{request.method} {request.path}\n".encode() + _canonical(request, raw))


def idempotent(handler):
    """Decorate an APIView's ``post``/``put``/``patch`` handler."""

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER, "").strip(" \t")  # HTTP's optional whitespace only
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > MAX_KEY or not re.match(KEY_PATTERN, key):
            message = _(
                "The Idempotency-Key header must be at most %(max)d visible ASCII characters "
                "(letters, digits and punctuation, no spaces)."
            )
            return Response(body("invalid", message % {"max": MAX_KEY}), status=400)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                return _replay(request, key, fingerprint)
            response = handler(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                row.status = response.status_code
                row.response = json.loads(JSONRenderer().render(response.data) or b"null")
                row.save(update_fields=["status", "response"])
            else:
                row.delete()  # a refused request may be corrected and sent again
        return response

    return wrapper


def _replay(request, key: str, fingerprint: str) -> Response:
    row = IdempotentRequest.objects.get(user=request.user, key=key)
    if row.fingerprint != fingerprint:
        message = _("This Idempotency-Key was used for a different request.")
        return Response(body("idempotency_key_reused", message), status=422)
    response = Response(row.response, status=row.status)
    response["Idempotent-Replayed"] = "true"
    return response


def purge(now=None) -> int:
    """Forget keys older than ``KEEP_HOURS``; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=KEEP_HOURS)
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def fits_a_replay(field: str):
    """For an upload endpoint, above ``@idempotent``: a key keeps the request's body to
    recognise a retry, and Django reads at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` into
    memory, so a larger upload with a key is refused by naming ``field`` (400) instead of
    failing. Without a key the upload's own limit applies."""
    from django.conf import settings

    def decorate(handler):
        @wraps(handler)
        def wrapper(self, request, *args, **kwargs):
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if request.META.get(HEADER, "").strip(" \t") and limit is not None and length > limit:
                message = _(
                    "With an Idempotency-Key a request may carry at most %(mb)d MB; send a "
                    "larger file without the key."
                ) % {"mb": limit // (1024 * 1024)}
                return Response(body("invalid", message, {field: [message]}), status=400)
            return handler(self, request, *args, **kwargs)

        return wrapper

    return decorate
