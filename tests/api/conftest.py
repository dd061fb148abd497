"""Helpers for the API tests: tokens made through the service, clients that send them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from waishi.api import services


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # The locmem cache outlives a test; throttle counters must not leak between tests.
    cache.clear()
    yield
    cache.clear()


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def make_token():
    """make_token(user, days=90, name="script") -> (token, clear token)."""

    def make(user, *, days: int = 90, name: str = "script"):
        return services.api_token_create(actor=user, user=user, name=name, days=days)

    return make


@pytest.fixture
def api_as(cast, make_token):
    """api_as("unit_clerk") -> a client sending a fresh token of that account."""

    def make(name: str) -> Client:
        return bearer(make_token(cast[name])[1])

    return make
