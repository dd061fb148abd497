"""国密 primitives: SM4-GCM field encryption, HMAC-SM3 blind indexes, SM3 hashing.

Ciphertext is text so that it travels through every database and dump unchanged:
``sm4gcm:<key id>:<base64(nonce | ciphertext | tag)>``. The key id names the key in
``WAISHI_FIELD_KEYS`` ("k2:hex,k1:hex"; the first encrypts, all decrypt), which is how
keys rotate: add a new first key, then re-encrypt with ``waishi rotate-field-keys``.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """The stored value was altered or was encrypted with a key we do not hold."""


@cache
def _keys(spec: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in spec.split(","):
        key_id, _, hexkey = item.strip().partition(":")
        try:
            raw = bytes.fromhex(hexkey)
        except ValueError as exc:
            raise ImproperlyConfigured("WAISHI_FIELD_KEYS holds a key that is not hex") from exc
        if not key_id or len(raw) != 16:
            raise ImproperlyConfigured("WAISHI_FIELD_KEYS entries are id:32-hex-digits")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("WAISHI_FIELD_KEYS is empty")
    return order[0], keys


def current_key_id() -> str:
    return _keys(settings.FIELD_KEYS)[0]


def encrypt(plaintext: str, *, associated: str = "") -> str:
    """Encrypt with the current key; ``associated`` binds the value to its column."""
    key_id, keys = _keys(settings.FIELD_KEYS)
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(keys[key_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}:{key_id}:{blob}"


def decrypt(token: str, *, associated: str = "") -> str:
    try:
        prefix, key_id, blob = token.split(":", 2)
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise DecryptionError("not an SM4-GCM token") from exc
    keys = _keys(settings.FIELD_KEYS)[1]
    if prefix != PREFIX or key_id not in keys or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("unknown key or malformed token")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(keys[key_id]), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(associated.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("authentication tag mismatch: the value was altered") from exc


def key_id_of(token: str) -> str:
    return token.split(":", 2)[1]


def hmac_sm3(key: bytes, message: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize().hex()


def blind_index(value: str, *, purpose: str) -> str:
    """Deterministic keyed digest for exact search; ``purpose`` keeps columns apart."""
    key = (
        bytes.fromhex(settings.BLIND_INDEX_KEY)
        if _is_hex(settings.BLIND_INDEX_KEY)
        else settings.BLIND_INDEX_KEY.encode()
    )
    return hmac_sm3(key, f"{purpose}\x00{value}".encode())


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def constant_time_equals(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())


def _is_hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True
