"""The history shows recorded values as a person reads them."""

from __future__ import annotations

import pytest
from django.utils import translation

from waishi.audit.selectors import history
from waishi.audit.services import record

pytestmark = pytest.mark.django_db


def test_choices_booleans_and_lists_are_shown_readably(cast):
    user = cast["unit_clerk"]
    record(
        action="accounts.user.update",
        actor=user,
        obj=user,
        before={"role": "unit_leader", "is_active": False, "language": None},
        after={"role": "unit_clerk", "is_active": True, "language": ["zh-hans", "en"]},
    )
    with translation.override("zh-hans"):
        [entry] = [e for e in history(user) if e.event.action == "accounts.user.update"]
        shown = {change.field: (change.before, change.after) for change in entry.changes}
    values = list(shown.values())
    assert ("单位负责人", "单位经办人") in values
    assert ("否", "是") in values
    assert (None, "简体中文、English") in values  # each item by its choice label


def _given_a_unit_and_a_person(user, unit, person) -> None:
    record(
        action="accounts.user.update",
        actor=user,
        obj=user,
        before={"unit": None, "person": None},
        after={"unit": unit.pk, "person": person.pk},
    )


def _updates(entries) -> list:
    return [e for e in entries if e.event.action == "accounts.user.update"]


def test_a_unit_is_named_and_another_record_keeps_its_number(cast, home_unit, home_person):
    user = cast["unit_clerk"]
    _given_a_unit_and_a_person(user, home_unit, home_person)
    [entry] = _updates(history(user))
    after = [change.after for change in entry.changes]
    assert str(home_unit) in after
    assert f"#{home_person.pk}" in after  # a person is a business record: not named here


def test_units_are_named_in_one_query_however_many_events(
    cast, home_unit, foreign_unit, django_assert_num_queries
):
    user = cast["unit_clerk"]
    for before, after in ((None, home_unit.pk), (home_unit.pk, foreign_unit.pk)) * 5:
        record(
            action="accounts.user.update",
            actor=user,
            obj=user,
            before={"unit": before},
            after={"unit": after},
        )
    record(
        action="accounts.user.update",
        actor=user,
        obj=user,
        before={"unit": foreign_unit.pk},
        after={"unit": 999_999},  # a unit that is gone keeps its number
    )
    with django_assert_num_queries(2):  # the events, the units named in them
        entries = _updates(history(user))
    shown = [(change.before, change.after) for entry in entries for change in entry.changes]
    assert shown.count((None, str(home_unit))) == 5
    assert shown.count((str(home_unit), str(foreign_unit))) == 5
    assert (str(foreign_unit), "#999999") in shown


def test_known_rows_are_named_without_a_query_but_a_business_record_is_not(
    cast, home_unit, home_person, django_assert_num_queries
):
    user = cast["unit_clerk"]
    _given_a_unit_and_a_person(user, home_unit, home_person)
    with django_assert_num_queries(1):  # the events only
        [entry] = _updates(history(user, known=(home_unit, home_person)))
    after = [change.after for change in entry.changes]
    assert str(home_unit) in after
    assert f"#{home_person.pk}" in after  # known, but a person is never named here


def test_a_change_request_s_kinds_read_as_their_labels():
    """A change request's event keeps its kinds as a list of codes; the history names
    each (the browser crawl found ``longer_stay`` on a change request's page)."""
    from waishi.audit.messages import field_value

    names = ("missions.changerequest.create", "missions.changerequest")
    with translation.override("zh-hans"):
        shown = field_value(names, "kinds", ["longer_stay", "detour"])
    assert shown == "延长停留、绕道或变更线路"
