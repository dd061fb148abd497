"""Helpers for the API tests: tokens made through the service, clients that send them."""

from __future__ import annotations

import json

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


# A JSON request (with an Idempotency-Key when given) and the two shapes of its answer.
def send(client, method: str, path: str, data=None, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return getattr(client, method)(
        path,
        json.dumps(data if data is not None else {}),
        content_type="application/json",
        **headers,
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


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
