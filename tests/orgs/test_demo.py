"""The demo city: its shape, its ID numbers, its accounts, and seeding twice."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum import numdb

from tests.gb11643 import is_valid_id_number
from waishi.audit.messages import describe
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.lib.roles import OTP_REQUIRED, Role
from waishi.orgs import demo, idnumbers
from waishi.orgs.models import District, Person, Rank, Unit, UnitKind, User


def seed(**options) -> str:
    err = io.StringIO()
    call_command("seed_demo", stderr=err, **options)
    return err.getvalue()


def counts() -> tuple[int, int, int, int, int]:
    return (
        District.objects.count(),
        Unit.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        TOTPDevice.objects.count(),
    )


@pytest.fixture
def seeded(db, settings):
    settings.DEMO = True
    return seed()


def test_seeding_twice_changes_nothing(seeded):
    first = counts()
    output = seed()
    assert counts() == first
    assert "people 300 (0 new)" in output
    # One event per run, and the chain still verifies.
    events = AuditEvent.objects.filter(action="demo.seeded")
    assert events.count() == 2
    assert "42" in describe(events.last())
    assert verify_chain() is None


def test_progress_on_stderr(seeded):
    assert "districts 8 (8 new)" in seeded
    assert "people 300/300" in seeded
    assert f"accounts {len(demo.ACCOUNTS)} ({len(demo.ACCOUNTS)} new)" in seeded


def test_refuses_outside_demo_mode(db, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="WAISHI_MODE=demo"):
        seed()
    assert Person.objects.count() == 0
    seed(force=True)
    assert Person.objects.count() == len(demo.people())


def test_refuses_production_even_forced(db, settings):
    settings.DEMO, settings.PRODUCTION = False, True
    with pytest.raises(CommandError):
        seed(force=True)
    assert Unit.objects.count() == 0


def test_shape_of_the_city(seeded):
    assert District.objects.count() == 8
    assert all(re.fullmatch(r"3799\d\d", d.code) for d in District.objects.all())
    assert 38 <= Unit.objects.count() <= 45
    assert 280 <= Person.objects.count() <= 320
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert kinds >= {k.value for k in UnitKind} - {UnitKind.OTHER.value}
    for unit in Unit.objects.filter(kind=UnitKind.DISTRICT_GOV):
        assert unit.district is not None
    assert Unit.objects.filter(parent__isnull=False).count() >= 5
    assert Unit.objects.get(code="HB-FAO").kind == UnitKind.FAO
    # Every unit has people, and pinyin for search.
    assert not Unit.objects.filter(people__isnull=True).exists()
    assert not Person.objects.filter(name_pinyin="").exists()


def test_posts_match_ranks(seeded):
    people = list(Person.objects.select_related("unit"))
    for person in people:
        post = person.post
        if person.unit.kind == UnitKind.SOE:
            assert person.rank == Rank.NONE, post
        elif post in {"局长", "副局长"}:
            assert person.rank == Rank.BUREAU, post
        elif post.endswith("处长") and not post.startswith("原"):
            assert person.rank == Rank.COUNTY_DIVISION, post
        elif post in {"科长", "科员"}:
            assert person.rank == Rank.SECTION_BELOW, post
    top = [p for p in people if p.rank == Rank.PROVINCIAL_MINISTERIAL]
    assert 1 <= len(top) <= 3
    assert all(p.is_city_leader for p in top)
    leaders = [p for p in people if p.is_city_leader]
    assert 3 <= len(leaders) <= 10
    assert {p.unit.code for p in leaders} <= {"HB-CPC", "HB-GOV"}
    assert 1 <= sum(p.is_retired for p in people) <= 10
    econ = [p for p in people if p.is_econ_tech]
    assert econ and all(p.rank != Rank.BUREAU for p in econ)
    assert {p.unit.code for p in econ} >= {"HB-COM", "HB-SCI", "HB-PORT"}
    assert 0.5 < sum(p.is_party_member for p in people) / len(people) < 1


def test_every_id_number_is_valid_and_invented(seeded):
    regions = {code for code, _name in demo.DISTRICTS}
    numbers = [p.reveal_id_number() for p in Person.objects.all()]
    assert len(set(numbers)) == len(numbers) == Person.objects.count()
    for number in numbers:
        assert idnumbers.validate(number) == number
        assert is_valid_id_number(number), number  # the independent check
        assert number[:6] in regions
    # The region codes are unassigned in GB/T 2260: no real person has these numbers.
    gazetteer = numdb.get("cn/loc")
    for code in regions:
        found = {k for _part, props in gazetteer.info(code) for k in props}
        assert "county" not in found and "prefecture" not in found, code
    # The sequence number's parity is the sex (GB 11643): both occur.
    assert {int(n[16]) % 2 for n in numbers} == {0, 1}


def test_no_clear_id_number_in_the_database(seeded):
    numbers = {spec.id_number for spec in demo.people()}
    bare_number = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")
    seen_rows = 0
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                seen_rows += 1
                text = " ".join(str(value) for value in row)
                assert not bare_number.search(text), table
                assert not any(number in text for number in numbers), table
    assert seen_rows > 300


def test_accounts_one_per_role(seeded):
    users = {u.username: u for u in User.objects.select_related("unit", "person")}
    logins = demo.demo_logins()
    assert {d.username for d in logins} == set(users)
    assert {u.role for u in users.values()} == {r.value for r in Role}
    assert users["clerk"].unit.code == "HB-COM"
    assert users["clerk2"].unit != users["clerk"].unit
    assert users["district"].district.code == "379902"
    # A second district's officer, to answer hand-overs.
    assert users["district2"].district.code == "379903"
    assert users["district2"].role == users["district"].role
    assert users["clerk"].person.unit == users["clerk"].unit
    assert users["head"].person.post == "主任"
    # One hash for all (Argon2 is slow on purpose), and it is the demo password's.
    assert len({u.password for u in users.values()}) == 1
    assert users["clerk"].check_password(demo.PASSWORD)
    for user in users.values():
        assert user.must_change_password is False
        assert user.password_changed_at is not None
        devices = list(TOTPDevice.objects.filter(user=user))
        if user.role in OTP_REQUIRED:
            assert len(devices) == 1 and devices[0].confirmed
            assert devices[0].bin_key == base64.b32decode(demo.TOTP_SECRET)
        else:
            assert devices == []
    for login in logins:
        assert login.password == demo.PASSWORD
        assert login.needs_totp == (login.role in OTP_REQUIRED)
        assert bool(login.totp_secret) == login.needs_totp


def test_demo_password_meets_the_policy(seeded):
    from django.contrib.auth.password_validation import (
        UserAttributeSimilarityValidator,
        validate_password,
    )

    validate_password(demo.PASSWORD)
    similarity = UserAttributeSimilarityValidator(("username", "full_name", "email"))
    for user in User.objects.all():
        similarity.validate(demo.PASSWORD, user)


def test_reseeding_repairs_a_demo_account(seeded):
    user = User.objects.get(username="reviewer")
    user.set_password("Something#Else2026")
    user.must_change_password = True
    user.is_active = False
    user.save()
    TOTPDevice.objects.filter(user=user).delete()
    seed()
    user.refresh_from_db()
    assert user.check_password(demo.PASSWORD)
    assert user.is_active and not user.must_change_password
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def _code() -> str:
    return f"{totp(base64.b32decode(demo.TOTP_SECRET)):06d}"


def test_every_demo_login_reaches_home(seeded):
    """Password, then (for the roles that need one) the TOTP code, then the home page."""
    for login in demo.demo_logins():
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        if login.needs_totp:
            # Without the second factor the home page sends the user to it.
            assert client.get("/").url.startswith("/accounts/otp/"), login.username
            response = client.post("/accounts/otp/", {"token": _code()})
            assert response.status_code == 302, login.username
        response = client.get("/")
        assert response.status_code == 200, login.username
        assert response.wsgi_request.user.username == login.username
