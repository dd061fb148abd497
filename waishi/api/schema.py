"""How drf-spectacular describes the API: our authentication, and what every operation
with parameters may answer."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "waishi.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Personal API token `wst_<prefix>_<secret>` from /api/tokens/.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "waishi.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


ERROR = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOutput"}}},
    "description": "",
}


def parameters_may_be_refused(result, generator, request, public):
    """A postprocessing hook: an operation that takes parameters (an id in its path, a
    filter or a page, an Idempotency-Key) refuses one out of its bounds with 400 and the
    one error shape (``fields.check_path``, ``pagination.Pages``, the serializers), so the
    schema says so wherever an operation did not already."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if operation.get("parameters") and "400" not in operation.get("responses", {}):
                operation["responses"]["400"] = ERROR
    return result
