"""Checking an uploaded document by its content, never by its name: the one check behind
every upload of a letter, evidence or report.

Accepted: PDF, JPEG, PNG and Word (.docx). The first bytes decide the type (a text file
called ``letter.pdf`` is refused); a .docx must be a zip holding the parts of a Word
document, with a bounded unpacked size (a zip bomb is refused before anyone opens it).
Every refusal is a ValidationError on the caller's form field.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.xlsx import binary, size

MAX_UNPACK_RATIO = 50


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


PDF = Kind("application/pdf", ".pdf")
JPEG = Kind("image/jpeg", ".jpg")
PNG = Kind("image/png", ".png")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")


def _is_docx(stream: IO[bytes], length: int, field: str) -> bool:
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
    if unpacked > max(length, 1024 * 1024) * MAX_UNPACK_RATIO:
        raise ValidationError(
            {field: _("This file unpacks to far more data than a document holds.")}
        )
    return True


def detect(upload: Any, *, field: str, max_bytes: int, wrong_kind: str) -> Kind:
    """The kind of an uploaded document, from its content. ``wrong_kind`` is the message
    for a file of another kind (it names what the field is for)."""
    stream = binary(upload)
    length = size(stream)
    if length == 0:
        raise ValidationError({field: _("The file is empty.")})
    if length > max_bytes:
        raise ValidationError(
            {
                field: _("The file is larger than %(limit)s MB.")
                % {"limit": f"{max_bytes / 1024 / 1024:g}"}
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
    if head.startswith(b"PK\x03\x04") and _is_docx(stream, length, field):
        return DOCX
    raise ValidationError({field: wrong_kind})


def random_name(folder: str, filename: str) -> str:
    """Where an upload is stored: ``folder``/year/month/ and a random name keeping only the
    extension, so the uploader's file name never reaches the file system (the name a
    person gave is kept in the record, for the download)."""
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{ext}"
