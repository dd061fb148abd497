"""Supervised tasks for the tests, made through the services as the office would, and the
cast around them: the home unit leads, the foreign unit (the outsider's) supports, a third
unit has nothing to do with the task."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory, UnitFactory, UserFactory
from waishi.followups import supervision
from waishi.lib.roles import Role
from waishi.policy.models import PolicySet


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(fn, **kwargs): call a service, then what waits for the commit (the engine's
    notices)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def supporter(cast):
    """A clerk of the supporting unit (the foreign unit of the cast)."""
    return cast["outsider"]


@pytest.fixture
def stranger(db):
    """A clerk of a unit neither leading nor supporting."""
    unit = UnitFactory(code="U-THIRD", name="市文旅局", short_name="文旅局")
    return UserFactory(username="stranger", role=Role.UNIT_CLERK, unit=unit)


@pytest.fixture
def responsible_account(home_person):
    """The responsible person's own account (a clerk of the lead unit)."""
    return UserFactory(
        username="zhangsan", role=Role.UNIT_CLERK, unit=home_person.unit, person=home_person
    )


@pytest.fixture
def make_task(cast, home_person, foreign_unit, run):
    def make(*, actor=None, assign=True, supporting=None, **extra):
        return run(
            supervision.task_register,
            actor=actor or cast["fao_reviewer"],
            title=extra.pop("title", "落实外事工作委员会全体会议决定事项"),
            source_kind=extra.pop("source_kind", "minutes"),
            lead_unit=extra.pop("lead_unit", home_person.unit),
            responsible_person=extra.pop("responsible_person", home_person),
            supporting_units=[foreign_unit] if supporting is None else supporting,
            assign=assign,
            **extra,
        )

    return make


@pytest.fixture
def task(make_task):
    return make_task()


@pytest.fixture
def working(task, cast, run):
    """A task accepted by its lead unit."""
    return run(supervision.task_accept, actor=cast["unit_clerk"], task=task)


def set_supervision(**values) -> None:
    """Change the shipped ``SUPERVISION`` numbers of every policy version (a test's own
    policy)."""
    for row in PolicySet.objects.all():
        parameters = dict(row.parameters)
        parameters["SUPERVISION"] = {**parameters["SUPERVISION"], **values}
        PolicySet.objects.filter(pk=row.pk).update(parameters=parameters)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def person_of(unit, name: str = "李四"):
    return PersonFactory(name=name, unit=unit)


# What the follow-ups' conftest makes every test of the directory see.
__all__ = ["make_task", "responsible_account", "run", "stranger", "supporter", "task", "working"]
