"""Checking an uploaded piece of evidence by its content, never by its name.

Accepted: PDF, JPEG, PNG and Word (.docx). The first bytes decide the type; a .docx must
be a zip holding the parts of a Word document with a bounded unpacked size (a zip bomb
is refused before anyone opens it). The size limit is
``settings.FOLLOWUP_UPLOAD_MAX_BYTES`` (default 10 MB).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACK_RATIO = 50
FIELD = "evidence"


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


PDF = Kind("application/pdf", ".pdf")
JPEG = Kind("image/jpeg", ".jpg")
PNG = Kind("image/png", ".png")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")


def max_bytes() -> int:
    return int(getattr(settings, "FOLLOWUP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _stream(upload: Any) -> IO[bytes]:
    if isinstance(upload, bytes | bytearray):
        return io.BytesIO(upload)
    return getattr(upload, "file", upload)


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _is_docx(stream: IO[bytes], size: int) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False
    finally:
        stream.seek(0)
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        return False
    if unpacked > max(size, 1024 * 1024) * MAX_UNPACK_RATIO:
        raise ValidationError(
            {FIELD: _("This file unpacks to far more data than a document holds.")}
        )
    return True


def detect(upload: Any) -> Kind:
    """The kind of an uploaded file, from its content; ValidationError on the field
    ``evidence`` when it is empty, too large or not an accepted type."""
    stream = _stream(upload)
    size = _size(stream)
    if size == 0:
        raise ValidationError({FIELD: _("The file is empty.")})
    if size > max_bytes():
        raise ValidationError(
            {
                FIELD: _("The file is larger than %(limit)s MB.")
                % {"limit": f"{max_bytes() / 1024 / 1024:g}"}
            }
        )
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04") and _is_docx(stream, size):
        return DOCX
    raise ValidationError(
        {
            FIELD: _(
                "Evidence must be a PDF, a JPEG or PNG image, or a Word (.docx) document; "
                "this file is none of these."
            )
        }
    )
