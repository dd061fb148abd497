"""Evidence of progress: a PDF, an image or a Word document, checked by its content
(``waishi.lib.uploads``). The size limit is ``settings.FOLLOWUP_UPLOAD_MAX_BYTES`` (10 MB)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from waishi.lib import uploads
from waishi.lib.uploads import DOCX, JPEG, PDF, PNG, Kind  # noqa: F401

FIELD = "evidence"


def max_bytes() -> int:
    return int(settings.FOLLOWUP_UPLOAD_MAX_BYTES)


def detect(upload: Any) -> Kind:
    """The evidence's kind; ValidationError on ``evidence`` otherwise."""
    return uploads.detect(
        upload,
        field=FIELD,
        max_bytes=max_bytes(),
        wrong_kind=_(
            "Evidence must be a PDF, a JPEG or PNG image, or a Word (.docx) document; "
            "this file is none of these."
        ),
    )
