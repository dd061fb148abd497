from __future__ import annotations

import json

from django.test import Client
from drf_spectacular.validation import validate_schema
from rest_framework.throttling import SimpleRateThrottle

from tests.api.conftest import bearer


def test_the_schema_is_valid_openapi(api_as, cast):
    response = api_as("unit_clerk").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/v1/me/", "/api/v1/people/{person_pk}/", "/api/v1/units/{unit_pk}/"} <= paths
    assert "bearerAuth" in schema["components"]["securitySchemes"]
    assert not any(p.startswith("/api/tokens") for p in paths)


def test_the_schema_needs_credentials(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_swagger_ui_is_served_from_our_own_static_files(as_user):
    client = as_user("unit_clerk")
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def test_swagger_ui_sends_anonymous_visitors_to_login(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_burst_is_throttled_with_429_and_the_error_shape(cast, make_token, monkeypatch):
    # DRF reads the rates once at import, so the test sets them on the class.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    client = bearer(make_token(cast["unit_clerk"])[1])
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"]
    assert error["fields"] == {}
    # Another user has their own budget.
    assert bearer(make_token(cast["unit_leader"])[1]).get("/api/v1/me/").status_code == 200


def test_anonymous_bursts_are_throttled_too(db, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    client = Client()
    statuses = [client.get("/api/v1/me/").status_code for _ in range(3)]
    # Without credentials the answer is 401; the anonymous budget is not consulted before
    # authentication fails, so a flood of bad requests never reaches a view either way.
    assert set(statuses) <= {401, 429}
