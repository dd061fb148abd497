"""A document's version: a Word (.docx) or PDF file, checked by its content
(``waishi.lib.uploads``), at most ``settings.FOLLOWUP_UPLOAD_MAX_BYTES`` (10 MB) as the
follow-ups' evidence."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from waishi.lib import uploads
from waishi.lib.uploads import DOCX, PDF, Kind

FIELD = "file"
KINDS = (DOCX, PDF)


def max_bytes() -> int:
    return int(settings.FOLLOWUP_UPLOAD_MAX_BYTES)


def detect(upload: Any) -> Kind:
    """The file's kind; ValidationError on ``file`` otherwise."""
    wrong = _("A document must be a Word (.docx) or PDF file; this file is neither.")
    kind = uploads.detect(upload, field=FIELD, max_bytes=max_bytes(), wrong_kind=wrong)
    if kind not in KINDS:
        raise ValidationError({FIELD: wrong})
    return kind
