"""The API's input fields with the bounds the server keeps, so that the schema states them
and a value outside them is refused as invalid (400, the one error shape) before it reaches
a query -- a database cannot hold an id past 2**63 - 1 and answers such a lookup with an
error (``OverflowError`` on SQLite), which would be a 500.

Every integer the API reads (query, path or body) goes through one of these: an id is
``IdField``, a version ``VersionField``, a path's ``<int:...>`` is checked by ``check_path``
(``views.JsonOnly``), a page number by ``pagination.Pages``."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

# The largest id any of the databases stores (a BigAutoField: signed 64 bits).
MAX_ID = 2**63 - 1
# A row's version is a PositiveIntegerField: at most 2**31 - 1 on every database.
MAX_VERSION = 2**31 - 1

VERSION_HELP = _("The version you read; a stale version is refused with 409.")


class WholeNumberField(serializers.IntegerField):
    """An integer written in ASCII digits: Python's ``int()`` also reads other scripts'
    digits ("١") and "1.0" from a query string, which the schema's integer does not."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not re.fullmatch(r"-?[0-9]+", data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(WholeNumberField):
    """The id of a row: a whole number from 1 to ``MAX_ID``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class VersionField(WholeNumberField):
    """A row's version as read: a whole number from 1 to ``MAX_VERSION``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_VERSION)
        kwargs.setdefault("help_text", VERSION_HELP)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    """A file sent as a part of multipart/form-data (the schema says binary, not a URL)."""


def check_path(kwargs: dict) -> None:
    """The integers of a path (``<int:mission_pk>``): from 1 to ``MAX_ID``, else 400
    naming the parameter as the schema does."""
    fields = {}
    for name, value in kwargs.items():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            fields[name] = [_("Ensure this value is between 1 and %(max)d.") % {"max": MAX_ID}]
    if fields:
        raise exceptions.ValidationError(fields)


class ReadWhole:
    """A serializer of a PATCH body that the view reads whole (``errors.valid`` without
    ``partial``): only the fields sent change, yet a required field -- the version read --
    is required on PATCH too. drf-spectacular describes every PATCH body as partial
    (nothing required); a serializer with this mixin cannot be made partial, so the schema
    says what the server checks."""

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


def file_responses(kinds, *errors: int) -> dict:
    """The responses of a download: the file, with the media type of each kind the upload
    accepts (the type its content was checked to be), or the error shape."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiResponse

    from waishi.api.serializers import ErrorOutput

    return {
        **{(200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY) for kind in kinds},
        **{code: ErrorOutput for code in (401, 429, *errors)},
    }
