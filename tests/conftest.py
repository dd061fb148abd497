"""The fixed cast (one account per role, plus an outsider of another unit) and helpers.

- ``fao_unit`` 市外办 holds the FAO accounts; ``home_unit`` 市商务局 holds the unit clerk
  and leader; ``foreign_unit`` 市教育局 holds ``outsider``, a clerk who must never see
  the home unit's people, and ``foreign_person``, whom no unit role of the home unit
  may see.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import (
    PASSWORD,
    TOTP_KEY,
    DistrictFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
    make_id_number,
)
from waishi.lib.roles import OTP_REQUIRED, Role
from waishi.orgs.models import UnitKind

FOREIGN_MARKER = "外单位保密人员"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    # Argon2 as in production, with tiny costs: the cast alone hashes eleven passwords.
    settings.PASSWORD_HASHERS = [
        "tests.lib.hashers.FastArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    settings.HUEY["immediate"] = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # locmem keeps its data in a module-level dict: each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test's checkpoints of the audit chain are its own (a published checkpoint
    # binds every later check of that file).
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.log"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def district(db):
    return DistrictFactory(code="370199", name="示范区")


@pytest.fixture
def fao_unit(db):
    return UnitFactory(code="FAO", name="市外办", kind=UnitKind.FAO)


@pytest.fixture
def home_unit(db, district):
    return UnitFactory(code="U-HOME", name="市商务局", short_name="商务局", district=district)


@pytest.fixture
def foreign_unit(db):
    return UnitFactory(code="U-FOREIGN", name="市教育局", short_name="教育局")


@pytest.fixture
def home_person(home_unit):
    return PersonFactory(name="张三", unit=home_unit, id_number=make_id_number(1))


@pytest.fixture
def foreign_person(foreign_unit):
    return PersonFactory(name=FOREIGN_MARKER, unit=foreign_unit, id_number=make_id_number(2))


ROLE_HOME = {
    Role.UNIT_CLERK: "home",
    Role.UNIT_LEADER: "home",
    Role.FAO_REVIEWER: "fao",
    Role.FAO_HEAD: "fao",
    Role.COMMITTEE: None,
    Role.DISTRICT_OFFICER: None,
    Role.CITY_COMMAND: None,
    Role.AUDITOR: None,
    Role.SYS_ADMIN: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}


@pytest.fixture
def cast(db, fao_unit, home_unit, foreign_unit, district):
    """{role value: user} for every role, plus "outsider"."""
    users = {}
    for role, home in ROLE_HOME.items():
        unit = {"home": home_unit, "fao": fao_unit, None: None}[home]
        users[role.value] = UserFactory(
            username=role.value,
            role=role,
            unit=unit,
            district=district if role == Role.DISTRICT_OFFICER else None,
            otp=role in OTP_REQUIRED,
        )
    users["outsider"] = UserFactory(username="outsider", role=Role.UNIT_CLERK, unit=foreign_unit)
    return users


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client: Client, user, *, verified: bool = True) -> Client:
    """Log ``user`` in; with ``verified`` also mark the second factor as passed."""
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


@pytest.fixture
def as_user(cast):
    """as_user("fao_reviewer") -> a client logged in (second factor passed) as that role."""

    def make(name: str, *, verified: bool = True) -> Client:
        return login(Client(), cast[name], verified=verified)

    return make


__all__ = ["PASSWORD", "TOTP_KEY", "current_code", "login"]
