"""Limits of the public declaration pages: how many posts one address may make, and how
large a post may be (security.md I6, I1).

The counters are fixed windows in Django's cache (shared by every worker of a machine:
the file cache, or Redis when ``WAISHI_REDIS_URL`` is set). Every post counts, a refused
one too: a lookup is a guess at a confirmation code, and a refused guess is a guess.

Configuration, each ``count/seconds``:

- ``WAISHI_DECLARE_RATE`` (default ``10/600``): declarations, registrations, periodic
  declarations and corrections from one address;
- ``WAISHI_DECLARE_LOOKUP_RATE`` (default ``10/600``): lookups by confirmation code;
- ``WAISHI_DECLARE_MAX_BYTES`` (default 20480): the largest body a public form takes.

settings.py reads them into ``DECLARE_RATE``, ``DECLARE_LOOKUP_RATE`` and
``DECLARE_MAX_BYTES`` (tests change those).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render

from waishi.lib.pages import client_ip

SUBMIT = "submit"
LOOKUP = "lookup"


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(raw: str) -> Rate:
    try:
        count, seconds = (int(part) for part in raw.split("/", 1))
    except ValueError as exc:
        raise ImproperlyConfigured(f"a rate is count/seconds, e.g. 10/600; got {raw!r}") from exc
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"a rate's count and seconds are positive; got {raw!r}")
    return Rate(count, seconds)


def rate_for(bucket: str) -> Rate:
    return parse_rate(settings.DECLARE_LOOKUP_RATE if bucket == LOOKUP else settings.DECLARE_RATE)


def max_bytes() -> int:
    return int(settings.DECLARE_MAX_BYTES)


def hit(request, bucket: str) -> int:
    """Count one post of ``request``'s address; 0 when within the limit, else the seconds
    until the window ends (for ``Retry-After``)."""
    rate = rate_for(bucket)
    now = int(time.time())
    window = now // rate.seconds
    key = f"waishi:declare:{bucket}:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=rate.seconds + 5)
        count = 1
    if count <= rate.count:
        return 0
    return max(1, (window + 1) * rate.seconds - now)


def too_many(request, retry_after: int):
    response = render(
        request,
        "arrivals/public/too_many.html",
        {"minutes": max(1, (retry_after + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def too_large(request):
    return render(
        request,
        "arrivals/public/too_large.html",
        {"kilobytes": max_bytes() // 1024},
        status=413,
    )


def body_too_large(request) -> bool:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return True
    return length > max_bytes()
