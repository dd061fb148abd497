"""The history asks what a viewer may see through the scope the organisation app
registers (``waishi.audit.scope``); audit imports no orgs, and fails closed without it."""

from __future__ import annotations

import pytest

from waishi.audit import scope
from waishi.audit.selectors import events_for, hidden_objects, readable
from waishi.audit.services import record
from waishi.orgs import scoping

pytestmark = pytest.mark.django_db


def test_orgs_registers_its_scoping_for_the_history():
    registered = scope.current()
    assert registered.named is scoping.named_in_history
    assert registered.restricted is scoping.restricted_in_history


def test_without_a_registered_scope_the_history_fails_closed(
    cast, home_unit, home_person, monkeypatch
):
    clerk = cast["unit_clerk"]
    record(
        action="accounts.user.update",
        actor=clerk,
        obj=home_person,
        before={"unit": None},
        after={"unit": home_unit.pk},
    )
    events = list(events_for(home_person))
    # With the organisation's scope: the clerk sees their own unit's person, and the
    # unit is named.
    assert hidden_objects(clerk, events) == set()
    [entry] = readable(events, viewer=clerk)
    assert [c.after for c in entry.changes] == [str(home_unit)]
    # Without any scope: nothing is named, every record is masked.
    monkeypatch.setattr(scope, "_registered", [])
    assert hidden_objects(clerk, events) == {("orgs.person", str(home_person.pk))}
    [entry] = readable(events, viewer=clerk)
    assert [c.after for c in entry.changes] == ["***"]
