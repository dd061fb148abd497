"""The invitation letter: a PDF, an image or a Word document, checked by its content
(``waishi.lib.uploads``). The size limit is ``settings.MISSION_UPLOAD_MAX_BYTES`` (10 MB)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from waishi.lib import uploads
from waishi.lib.uploads import DEFAULT_MAX_BYTES, DOCX, JPEG, PDF, PNG, Kind  # noqa: F401


def max_bytes() -> int:
    return int(getattr(settings, "MISSION_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect(upload: Any) -> Kind:
    """The letter's kind; ValidationError on ``invitation_letter`` otherwise."""
    return uploads.detect(
        upload,
        field="invitation_letter",
        max_bytes=max_bytes(),
        wrong_kind=_(
            "The invitation letter must be a PDF, a JPEG or PNG image, or a Word (.docx) "
            "document; this file is none of these."
        ),
    )
