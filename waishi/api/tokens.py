"""The shape of a personal API token: ``wst_<prefix>_<secret>``.

The prefix is public (it names the token in lists, URLs, the audit log and the CLI) and
finds the row; the secret is 40 random letters and digits (about 238 bits), so a plain
SM3 digest of the whole token is enough to store it: nobody can search that space, and
unlike a keyed hash it survives a rotation of the server's keys. Letters and digits
only, so that a double click selects the whole token.
"""

from __future__ import annotations

import re
import secrets
import string

from waishi.lib import crypto

TAG = "wst"
PREFIX_BYTES = 4  # 8 hex digits; a clash is retried at creation
SECRET_LENGTH = 40
_ALPHABET = string.ascii_letters + string.digits
_SHAPE = re.compile(rf"^{TAG}_([0-9a-f]{{{PREFIX_BYTES * 2}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}$")


def new_prefix() -> str:
    return secrets.token_hex(PREFIX_BYTES)


def new_secret() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def compose(prefix: str, secret: str) -> str:
    return f"{TAG}_{prefix}_{secret}"


def prefix_of(raw: str) -> str | None:
    """The prefix of a well-formed token, or None for anything else."""
    match = _SHAPE.match(raw)
    return match.group(1) if match else None


def digest(raw: str) -> str:
    return crypto.sm3(raw.encode())
