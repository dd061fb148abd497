"""SM4-GCM field encryption, HMAC-SM3 blind index, key rotation (security.md P3)."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from waishi.lib import crypto

K1 = "k1:" + "11" * 16
K2 = "k2:" + "22" * 16


@pytest.fixture
def keys(settings):
    settings.FIELD_KEYS = K1
    return settings


def test_round_trip(keys):
    token = crypto.encrypt("370101198001011234", associated="orgs.person.id_number")
    assert token.startswith("sm4gcm:k1:")
    assert "370101198001011234" not in token
    assert crypto.decrypt(token, associated="orgs.person.id_number") == "370101198001011234"


def test_round_trip_of_unicode_and_empty(keys):
    for text in ("", "张三 · Zhāng Sān", "x" * 1000):
        assert crypto.decrypt(crypto.encrypt(text)) == text


def test_each_encryption_has_its_own_nonce(keys):
    assert crypto.encrypt("same") != crypto.encrypt("same")


def _flip(token: str, index: int) -> str:
    prefix, key_id, blob = token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[index] ^= 0x01
    return f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("where", ["nonce", "body", "tag"])
def test_a_flipped_byte_is_refused(keys, where):
    token = crypto.encrypt("370101198001011234")
    size = len(base64.b64decode(token.split(":", 2)[2]))
    index = {"nonce": 0, "body": crypto.NONCE_BYTES + 3, "tag": size - 1}[where]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(_flip(token, index))


def test_wrong_associated_data_is_refused(keys):
    token = crypto.encrypt("370101198001011234", associated="orgs.person.id_number")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, associated="passports.passport.number")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "plain text",
        "sm4gcm:k1:not base64!",
        "sm4gcm:k9:" + "A" * 40,
        "aes:k1:" + "A" * 40,
        "sm4gcm:k1:QUJD",
    ],
)
def test_malformed_tokens_are_refused(keys, token):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_rotation_old_values_decrypt_new_ones_use_the_new_key(settings):
    settings.FIELD_KEYS = K1
    old = crypto.encrypt("old value")
    settings.FIELD_KEYS = f"{K2},{K1}"
    new = crypto.encrypt("new value")
    assert crypto.key_id_of(old) == "k1"
    assert crypto.key_id_of(new) == "k2"
    assert crypto.current_key_id() == "k2"
    assert crypto.decrypt(old) == "old value"
    assert crypto.decrypt(new) == "new value"
    # Once k1 is retired, what it encrypted can no longer be read.
    settings.FIELD_KEYS = K2
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old)


def test_a_key_under_another_id_does_not_decrypt(settings):
    settings.FIELD_KEYS = K1
    token = crypto.encrypt("value")
    settings.FIELD_KEYS = "k1:" + "33" * 16
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


@pytest.mark.parametrize("spec", ["", "k1:zz", "k1:" + "11" * 8, ":" + "11" * 16])
def test_bad_key_settings_are_refused(settings, spec):
    settings.FIELD_KEYS = spec
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_blind_index_is_deterministic_keyed_and_separated(settings):
    settings.BLIND_INDEX_KEY = "aa" * 32
    a = crypto.blind_index("370101198001011234", purpose="orgs.person.id_number")
    assert a == crypto.blind_index("370101198001011234", purpose="orgs.person.id_number")
    assert len(a) == 64
    assert a != crypto.blind_index("370101198001011235", purpose="orgs.person.id_number")
    assert a != crypto.blind_index("370101198001011234", purpose="passports.number")
    settings.BLIND_INDEX_KEY = "bb" * 32
    assert a != crypto.blind_index("370101198001011234", purpose="orgs.person.id_number")


def test_sm3_known_answer():
    # GB/T 32905-2016, example 1: SM3("abc").
    assert crypto.sm3(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_constant_time_equals():
    assert crypto.constant_time_equals("abc", "abc")
    assert not crypto.constant_time_equals("abc", "abd")
