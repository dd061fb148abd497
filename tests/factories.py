"""Factories for tests: invented units, people and accounts (no real person's data)."""

from __future__ import annotations

import functools
import random
import re

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from waishi.lib.roles import Role
from waishi.orgs import idnumbers
from waishi.orgs.models import District, Person, Rank, Unit, UnitKind, User

PASSWORD = "Waishi#Test2026"
# A fixed TOTP key (hex) for every test account that needs a second factor.
TOTP_KEY = "3132333435363738393031323334353637383930"


def make_id_number(seed: int | None = None, birth: str = "19800101") -> str:
    """A resident ID number with a valid GB 11643 check digit, invented from ``seed``."""
    rng = random.Random(seed)
    body = f"3701{rng.randint(0, 99):02d}{birth}{rng.randint(0, 999):03d}"
    return body + idnumbers.check_digit(body)


# An ID number standing on its own. Hashes, blind indexes, ciphertexts and request ids are
# long runs of letters and digits: 18 digits in a row inside one of them is chance (it
# happened in CI, in an audit row's hash), not a leak, so letters and digits around the
# run rule it out; a leaked number sits between quotes, spaces, tags or Chinese text.
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"3701{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.BUREAU


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试人员{n}")
    unit = factory.SubFactory(UnitFactory)
    post = "干部"
    rank = Rank.SECTION_BELOW

    @factory.post_generation
    def id_number(self, create, extracted, **kwargs):
        from waishi.orgs.services import pinyin_of

        self.name_pinyin, self.name_initials = pinyin_of(self.name)
        if extracted:
            self.set_id_number(extracted)
        if create:
            self.save()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    role = Role.UNIT_CLERK

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        if extracted:
            self.set_password(extracted)
        else:
            # Argon2 is slow on purpose; hash the shared test password once per run.
            self.password = _password_hash()
            self.password_changed_at = timezone.now()
        if create:
            self.save()

    @factory.post_generation
    def otp(self, create, extracted, **kwargs):
        if create and extracted:
            TOTPDevice.objects.create(user=self, name="default", key=TOTP_KEY, confirmed=True)
