"""One error shape for the whole API, whatever went wrong:

    {"error": {"code": "not_found", "message": "<translated>", "fields": {...}}}

``fields`` maps an input field to its messages (empty unless the input was invalid).
An unexpected exception is logged with the request id and answered with the same shape
and no traceback (security.md I5).
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from waishi.lib.middleware import current_request_id

log = logging.getLogger("waishi.api")


def body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _as_api_exception(exc: Exception) -> Exception:
    """Django's exceptions (raised by services and scoping) as DRF's."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail["non_field_errors"] = detail.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(detail=detail)
    return exc


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context):
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API exception: a bug. Log it (the traceback goes to the log only).
        log.exception("unhandled API error, request id %s", current_request_id())
        set_rollback()
        return Response(
            body(
                "server_error",
                _("Something went wrong on our side. Quote request id %(id)s when reporting it.")
                % {"id": current_request_id()},
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = body("invalid", _("The request is not valid; see the fields."), fields)
    else:
        response.data = body(_code(exc), str(exc.detail))
    return response


# --- input checks shared by the views -------------------------------------------------------


def flat(errors, prefix: str = "") -> dict[str, list]:
    """Nested input errors as the one error shape has them: ``stops[0].country``."""
    out: dict[str, list] = {}
    if isinstance(errors, dict):
        items = errors.items()
    elif errors and all(isinstance(e, dict | list) for e in errors):
        items = ((i, e) for i, e in enumerate(errors) if e)
    else:
        return {prefix or "non_field_errors": list(errors)}
    for key, value in items:
        key = str(key)
        name = (
            f"{prefix}[{key}]"
            if prefix and key.isdigit()
            else (f"{prefix}.{key}" if prefix else key)
        )
        out.update(flat(value, name))
    return out


def valid(serializer_class, data, *, partial: bool = False) -> dict:
    """The input checked by its shape; errors by field (nested: ``rows[0].field``)."""
    given = serializer_class(data=data, partial=partial)
    if not given.is_valid():
        raise exceptions.ValidationError(flat(given.errors))
    return dict(given.validated_data)


def renamed(exc: DjangoValidationError, names: dict[str, str]) -> DjangoValidationError:
    """A service's refusal with its fields named as the API's input names them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})
