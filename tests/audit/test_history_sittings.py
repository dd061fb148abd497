"""A record's history shows a sitting's saves as one entry: the saves by one person no
more than half an hour apart (the trip application saves after every change)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from waishi.audit.messages import SAVES, register_saves
from waishi.audit.selectors import history
from waishi.audit.services import record

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _at(time_machine, hour: int, minute: int) -> None:
    time_machine.move_to(dt.datetime(2026, 5, 6, hour, minute, tzinfo=BEIJING), tick=False)


SAVE, OTHER_SAVE, NOT_A_SAVE = "tests.form.save", "tests.form.save_rows", "tests.form.submit"


@pytest.fixture(autouse=True)
def _saves():
    """Two actions registered as a form's saves, as an app does (``register_saves``)."""
    register_saves(SAVE, OTHER_SAVE)
    yield
    SAVES.difference_update({SAVE, OTHER_SAVE})


@pytest.fixture
def mission(cast):
    return cast["unit_clerk"]  # any record: its history is what is under test


def _save(obj, actor, action=SAVE, title=None):
    record(action=action, actor=actor, obj=obj, after={"full_name": title} if title else None)


def test_one_sitting_of_saves_is_one_entry(mission, cast, time_machine):
    clerk, other = cast["unit_clerk"], cast["unit_leader"]
    for minute in (0, 5, 12, 40):  # 09:00 … 09:40, each within 30 minutes of the last
        _at(time_machine, 9, minute)
        _save(mission, clerk, title=f"第{minute}分")
    _at(time_machine, 9, 41)
    _save(mission, clerk, action=OTHER_SAVE)
    _at(time_machine, 10, 30)  # 49 minutes later: a new sitting, alone
    _save(mission, clerk)
    _at(time_machine, 10, 31)
    _save(mission, other)  # someone else: not the clerk's sitting
    _at(time_machine, 10, 32)
    record(action=NOT_A_SAVE, actor=clerk, obj=mission)
    _at(time_machine, 10, 33)
    _save(mission, clerk)
    _at(time_machine, 10, 34)
    _save(mission, clerk)

    with translation.override("en"):
        entries = [e for e in history(mission) if e.event.action.startswith("tests.")]
    shown = [(e.event.action, len(e.saves)) for e in entries]
    # Newest first: two saves after the submission, the submission, the other person's
    # save, the lone save, the morning's five.
    assert shown == [(SAVE, 2), (NOT_A_SAVE, 0), (SAVE, 0), (SAVE, 0), (OTHER_SAVE, 5)]
    morning = entries[-1]
    name = morning.event.actor_name  # as every sentence of the history names the actor
    assert name and morning.text == f"{name} saved changes 5 times (09:00–09:41)"
    # Each save is kept, with its changes, inside the entry.
    assert [s.event.at.astimezone(BEIJING).minute for s in morning.saves] == [41, 40, 12, 5, 0]
    assert [c.after for c in morning.saves[1].changes] == ["第40分"]
    assert entries[2].event.actor_id == other.pk


def test_the_sitting_reads_in_chinese(mission, cast, time_machine):
    clerk = cast["unit_clerk"]
    for minute in (0, 1, 2):
        _at(time_machine, 14, minute)
        _save(mission, clerk)
    with translation.override("zh-hans"):
        [entry] = [e for e in history(mission) if e.saves]
    name = entry.event.actor_name
    assert entry.text == f"{name}保存修改 3 次（14:00–14:02）"


def test_saves_within_one_minute_show_that_minute_once(mission, cast, time_machine):
    clerk = cast["unit_clerk"]
    for second in (0, 20, 40):
        time_machine.move_to(dt.datetime(2026, 5, 6, 16, 5, second, tzinfo=BEIJING), tick=False)
        _save(mission, clerk)
    with translation.override("en"):
        [entry] = [e for e in history(mission) if e.saves]
    assert entry.text.endswith("saved changes 3 times (16:05)")
