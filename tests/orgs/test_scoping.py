"""``orgs.scoping``: who sees which rows (Z1, Z3), and the object permissions (rules)."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest
from django.db import models
from django.http import Http404

from tests.factories import DistrictFactory, PersonFactory, UnitFactory
from waishi.lib.roles import CITY_ROLES, Role
from waishi.orgs import scoping
from waishi.orgs.models import District, Person, Unit, User


def _people(user) -> set[str]:
    return set(scoping.visible(user, Person).values_list("name", flat=True))


@pytest.fixture
def people(home_person, foreign_person, fao_unit):
    return {"home": home_person, "foreign": foreign_person, "fao": PersonFactory(unit=fao_unit)}


def test_unit_roles_see_their_own_unit(cast, people):
    for role in ("unit_clerk", "unit_leader"):
        assert _people(cast[role]) == {people["home"].name}
    assert _people(cast["outsider"]) == {people["foreign"].name}


@pytest.mark.parametrize("role", sorted(CITY_ROLES))
def test_city_roles_see_every_unit(cast, people, role):
    assert _people(cast[role]) == {p.name for p in people.values()}
    assert scoping.sees_all(cast[role], Person)


@pytest.mark.parametrize("role", ["sys_admin", "security_admin", "audit_admin"])
def test_administrators_see_no_person(cast, people, role):
    assert _people(cast[role]) == set()
    assert not scoping.sees_all(cast[role], Person)
    with pytest.raises(Http404):
        scoping.get_for_user(cast[role], Person, people["home"].pk)


def test_district_officer_sees_no_unit_records(cast, people):
    # People belong to units, not districts: the district officer's records are arrivals.
    assert _people(cast["district_officer"]) == set()


def test_reference_data_is_visible_to_everyone_signed_in(cast, home_unit, foreign_unit):
    for user in cast.values():
        assert set(scoping.visible(user, Unit)) >= {home_unit, foreign_unit}
        assert scoping.visible(user, District).count() == District.objects.count()


def test_accounts_are_visible_to_the_account_administrators_only(cast):
    for name, user in cast.items():
        expected = User.objects.count() if name in ("sys_admin", "security_admin") else 0
        assert scoping.visible(user, User).count() == expected, name


def test_disabled_and_anonymous_users_see_nothing(cast, people):
    from django.contrib.auth.models import AnonymousUser

    assert _people(AnonymousUser()) == set()
    assert scoping.visible(AnonymousUser(), Unit).count() == 0
    reviewer = cast["fao_reviewer"]
    reviewer.is_active = False
    assert _people(reviewer) == set()


def test_unit_role_without_a_unit_sees_nothing(cast, people):
    clerk = cast["unit_clerk"]
    clerk.unit_id = None  # the database forbids this; scoping must not rely on that
    assert _people(clerk) == set()


def test_get_for_user_is_404_for_missing_foreign_and_malformed(cast, people):
    clerk = cast["unit_clerk"]
    assert scoping.get_for_user(clerk, Person, people["home"].pk) == people["home"]
    for pk in (people["foreign"].pk, 10**9, "abc", None, "1; DROP TABLE"):
        with pytest.raises(Http404):
            scoping.get_for_user(clerk, Person, pk)


def test_visible_narrows_a_given_queryset(cast, people):
    clerk = cast["unit_clerk"]
    qs = Person.objects.filter(name__in=[people["home"].name, people["foreign"].name])
    assert list(scoping.visible(clerk, qs)) == [people["home"]]
    assert not scoping.can_see(clerk, people["foreign"])
    assert scoping.can_see(clerk, people["home"])


def test_unregistered_model_is_visible_to_nobody(cast):
    from django.contrib.sessions.models import Session

    with pytest.raises(LookupError, match="not registered"):
        scoping.visible(cast["fao_head"], Session)


def test_every_model_with_a_unit_is_registered():
    """A model that belongs to a unit must say how it is scoped (fail closed otherwise)."""
    from django.apps import apps

    registered = scoping.registry()
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("waishi."):
            continue
        points_at_unit = any(
            isinstance(f, models.ForeignKey) and f.related_model in (Unit, District)
            for f in model._meta.get_fields()
            if f.concrete
        )
        if points_at_unit and model not in registered:
            missing.append(model._meta.label)
    assert missing == []


def test_url_kwargs_are_unique():
    kwargs = [s.url_kwarg for s in scoping.registry().values() if s.url_kwarg]
    assert len(kwargs) == len(set(kwargs))


def test_owner_sees_their_own_rows(cast):
    """``Scope(owner=...)``: used by records that belong to one account."""
    scope = scoping.Scope(only=frozenset({Role.SECURITY_ADMIN}), owner="pk")
    original = scoping.registry().get(User)
    scoping.register(User, scope)
    try:
        clerk = cast["unit_clerk"]
        assert list(scoping.visible(clerk, User)) == [clerk]
        assert scoping.visible(cast["security_admin"], User).count() == User.objects.count()
    finally:
        scoping.register(User, original)


def test_new_units_and_districts_are_reference_data(cast):
    unit = UnitFactory(district=DistrictFactory())
    assert scoping.can_see(cast["outsider"], unit)
    assert scoping.is_business_record(Person)
    assert not scoping.is_business_record(Unit)
    assert not scoping.is_business_record(User)


# --- rules: object permissions ----------------------------------------------------------------


def test_change_person_needs_the_unit_or_the_city(cast, people):
    home, foreign = people["home"], people["foreign"]
    assert cast["unit_clerk"].has_perm("orgs.change_person", home)
    assert not cast["unit_clerk"].has_perm("orgs.change_person", foreign)
    assert cast["outsider"].has_perm("orgs.change_person", foreign)
    assert not cast["unit_leader"].has_perm("orgs.change_person", home)  # leaders approve
    assert cast["fao_reviewer"].has_perm("orgs.change_person", foreign)
    for role in ("auditor", "committee", "sys_admin", "security_admin", "audit_admin"):
        assert not cast[role].has_perm("orgs.change_person", home), role


@pytest.mark.parametrize(
    ("perm", "allowed"),
    [
        ("orgs.add_person", {"unit_clerk", "fao_reviewer", "fao_head", "outsider"}),
        ("orgs.unmask_person", {"fao_reviewer", "fao_head"}),
        ("orgs.add_unit", {"fao_reviewer", "fao_head"}),
        ("orgs.change_unit", {"fao_reviewer", "fao_head"}),
        ("orgs.manage_users", {"sys_admin"}),
        ("orgs.manage_security", {"security_admin"}),
        ("audit.view_log", {"audit_admin", "auditor"}),
        (
            "orgs.view_people",
            {
                "unit_clerk",
                "unit_leader",
                "fao_reviewer",
                "fao_head",
                "committee",
                "district_officer",
                "auditor",
                "outsider",
            },
        ),
    ],
)
def test_permission_table(cast, perm, allowed):
    assert {name for name, user in cast.items() if user.has_perm(perm)} == allowed


def test_disabled_user_has_no_permission(cast):
    head = cast["fao_head"]
    head.is_active = False
    assert not head.has_perm("orgs.unmask_person")
    assert not head.has_perm("orgs.add_unit")


def test_the_city_command_sees_no_unit_records(cast, people):
    # The city command's records are arrivals; people and trips are not its business.
    assert _people(cast["city_command"]) == set()


def _arrival_in(district, name: str):
    from waishi.arrivals import services
    from waishi.arrivals.models import SourceKind

    registered = services.arrival_register(
        data={"name": name, "origin_country": "FR", "arrival_date": dt.date(2026, 12, 1)},
        passport=f"E{zlib.crc32(name.encode()) % 10**8:08d}",
        district=district,
        kind=SourceKind.PORT,
    )
    return registered.arrival


def test_only_with_a_district_path_shows_district_officers_their_own_rows(cast, district):
    """``Scope.only`` keeps the district rule: arrivals are the city command's (all) and
    each district officer's (their own), nobody else's."""
    from waishi.arrivals.models import Arrival

    own = _arrival_in(district, "本区入境")
    other = _arrival_in(District.objects.create(code="379981", name="外区甲"), "外区入境")
    seen = {name: set(scoping.visible(user, Arrival)) for name, user in cast.items()}
    assert seen["district_officer"] == {own}
    assert seen["city_command"] == {own, other}
    assert seen["auditor"] == {own, other}
    for name in ("unit_clerk", "unit_leader", "fao_reviewer", "fao_head", "committee"):
        assert seen[name] == set(), name


def test_several_district_paths_mean_any_of_them(cast, district):
    """A hand-over is seen by the district asking and the district asked."""
    from waishi.arrivals import services
    from waishi.arrivals.models import Handover

    arrival = _arrival_in(district, "移交对象")
    # Explicit codes: the factory's codes wrap after a hundred and may meet ``district``.
    elsewhere = District.objects.create(code="379982", name="外区乙")
    handover = services.handover_request(
        actor=cast["district_officer"], arrival=arrival, to_district=elsewhere, reason="住址在外区"
    )
    officer_there = cast["district_officer"]
    assert set(scoping.visible(officer_there, Handover)) == {handover}
    officer_there.district = elsewhere
    assert set(scoping.visible(officer_there, Handover)) == {handover}
    officer_there.district = District.objects.create(code="379983", name="外区丙")
    assert set(scoping.visible(officer_there, Handover)) == set()
