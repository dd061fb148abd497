"""The colour warnings of supervised tasks in working days (blue near the deadline, yellow
when returned or a major task's monthly report is missing, red past the deadline), the
daily sweep with time moved forward, the on-time rate, the home page's items and the
board's reads at a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import PersonFactory, UnitFactory
from tests.followups.supervised import day, set_supervision
from waishi.audit.models import AuditEvent
from waishi.followups import selectors, supervision, tasks
from waishi.followups.models import Colour, Outcome
from waishi.notify.models import Notification

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(text: str, hour: int = 10):
    """A moment of a day, Beijing time."""
    return dt.datetime.combine(day(text), dt.time(hour), tzinfo=BEIJING)


def fresh(task) -> Outcome:
    return Outcome.objects.get(pk=task.pk)


def test_colours_on_a_given_day(cast, make_task, run):
    with time_machine.travel(at("2026-06-01")):
        task = make_task(due_date=day("2026-06-30"))  # a Tuesday
        task = run(supervision.task_accept, actor=cast["unit_clerk"], task=task)
    colour = supervision.colour_of
    assert colour(task, day("2026-06-24")) == Colour.NONE  # 25, 26, 29, 30: four days
    assert colour(task, day("2026-06-25")) == Colour.BLUE
    assert colour(task, day("2026-06-30")) == Colour.BLUE
    assert colour(task, day("2026-07-01")) == Colour.RED
    with time_machine.travel(at("2026-06-10")):
        task = run(supervision.task_feedback, actor=cast["unit_clerk"], task=task, text="完成")
        task = run(supervision.task_return, actor=cast["fao_reviewer"], task=task, reason="未解决")
    assert task.colour == Colour.YELLOW  # returned: yellow at once, not on the next sweep
    assert colour(task, day("2026-06-11")) == Colour.YELLOW
    assert colour(task, day("2026-06-29")) == Colour.YELLOW  # yellow outranks blue
    assert colour(task, day("2026-07-01")) == Colour.RED  # red outranks everything
    with time_machine.travel(at("2026-06-11")):
        task = run(supervision.task_feedback, actor=cast["unit_clerk"], task=task, text="再报")
        assert task.colour == Colour.NONE
        task = run(supervision.task_close, actor=cast["fao_reviewer"], task=task)
    assert colour(task, day("2026-07-01")) == Colour.NONE  # closed: no colour


def test_a_registered_task_has_no_colour_yet(make_task):
    with time_machine.travel(at("2026-06-01")):
        task = make_task(assign=False, due_date=day("2026-06-02"))
    assert supervision.colour_of(task, day("2026-06-10")) == Colour.NONE


def test_a_major_task_without_its_monthly_report_turns_yellow(cast, make_task, run):
    clerk = cast["unit_clerk"]
    with time_machine.travel(at("2026-03-02")):
        task = make_task(major=True, due_date=day("2026-12-31"))
        task = run(supervision.task_accept, actor=clerk, task=task)
        ordinary = run(
            supervision.task_accept, actor=clerk, task=make_task(due_date=day("2026-12-31"))
        )
    colour = supervision.colour_of
    # Accepted after the 5 February report day: its first report is due by 5 April.
    assert colour(task, day("2026-04-05")) == Colour.NONE
    assert colour(task, day("2026-04-06")) == Colour.YELLOW
    assert colour(ordinary, day("2026-04-06")) == Colour.NONE  # not a major task
    with time_machine.travel(at("2026-03-20")):
        run(supervision.task_progress, actor=clerk, task=task, text="三月进展")
    assert colour(task, day("2026-04-06")) == Colour.NONE  # reported between 5 March and 5 April
    assert colour(task, day("2026-05-05")) == Colour.NONE
    assert colour(task, day("2026-05-06")) == Colour.YELLOW  # nothing since 5 April
    with time_machine.travel(at("2026-05-08")):
        run(supervision.task_progress, actor=clerk, task=task, text="四月进展，迟报")
    assert colour(task, day("2026-05-08")) == Colour.NONE  # late, but reported
    # A supporting unit's report is not the lead unit's monthly report.
    with time_machine.travel(at("2026-06-03")):
        run(supervision.task_support_report, actor=cast["outsider"], task=task, text="配合")
    assert colour(task, day("2026-07-06")) == Colour.YELLOW
    # The day is the policy's: by the 10th, the period that ended on 10 June began on
    # 10 May, after the report of 8 May.
    assert colour(task, day("2026-06-12")) == Colour.NONE
    set_supervision(monthly_report_day=10)
    assert colour(task, day("2026-06-12")) == Colour.YELLOW


def test_the_daily_sweep_turns_a_task_red_once_and_tells_the_unit_and_the_office(
    cast, make_task, run, supporter
):
    with time_machine.travel(at("2026-06-01")):
        task = make_task(due_date=day("2026-06-12"))  # a Friday
        run(supervision.task_accept, actor=cast["unit_clerk"], task=task)
    with time_machine.travel(at("2026-06-09", 7)):
        counts = run(supervision.colour_sweep)
    assert counts["blue"] == 1 and fresh(task).colour == Colour.BLUE
    assert not Notification.objects.filter(kind="followups.task_red").exists()
    with time_machine.travel(at("2026-06-15", 7)):  # Monday: past the deadline
        assert run(tasks.supervision_colour_sweep.call_local)["red"] == 1
        task = fresh(task)
        assert (task.colour, task.red_since) == (Colour.RED, day("2026-06-15"))
        told = Notification.objects.filter(kind="followups.task_red")
        people = set(told.values_list("recipient__username", flat=True))
        assert people == {"unit_clerk", "unit_leader", "fao_reviewer", "fao_head"}
        assert supporter.username not in people
        note = told.get(recipient=cast["unit_clerk"])
        assert task.number in note.body and "2026-06-12" in note.body
        event = AuditEvent.objects.get(action="followups.task.red")
        assert event.actor_id is None and event.data["recipients"] == 4
        # Run again (another consumer, the next day): nothing new.
        run(supervision.colour_sweep)
    with time_machine.travel(at("2026-06-16", 7)):
        run(supervision.colour_sweep)
    assert Notification.objects.filter(kind="followups.task_red").count() == 4
    assert AuditEvent.objects.filter(action="followups.task.red").count() == 1
    assert fresh(task).red_since == day("2026-06-15")


def test_closing_clears_the_colour_on_the_next_sweep(cast, make_task, run):
    with time_machine.travel(at("2026-06-01")):
        task = run(supervision.task_accept, actor=cast["unit_clerk"], task=make_task())
    with time_machine.travel(at("2026-06-02")):
        Outcome.objects.filter(pk=task.pk).update(colour=Colour.BLUE)  # as a sweep left it
        task = run(supervision.task_feedback, actor=cast["unit_clerk"], task=task, text="完成")
        run(supervision.task_close, actor=cast["fao_reviewer"], task=task)
        assert fresh(task).colour == Colour.NONE
        assert supervision.colour_sweep()["checked"] == 0


# --- the on-time rate -----------------------------------------------------------------------


def test_the_on_time_rate_of_each_unit_for_the_year(cast, make_task, run, foreign_person):
    office, clerk = cast["fao_reviewer"], cast["unit_clerk"]

    def close(task, when):
        with time_machine.travel(at(when)):
            task = run(supervision.task_feedback, actor=clerk, task=fresh(task), text="完成")
            return run(supervision.task_close, actor=office, task=task)

    with time_machine.travel(at("2026-06-01")):
        on_time = make_task(title="按期办结", due_date=day("2026-06-30"))
        went_red = make_task(title="超期后办结", due_date=day("2026-06-10"))
        extended = make_task(title="延期后按期办结", due_date=day("2026-06-12"))
        overdue = make_task(title="超期未办结", due_date=day("2026-06-15"))
        not_yet = make_task(title="尚未到期", due_date=day("2026-12-30"))
        dropped = make_task(title="撤销", due_date=day("2026-06-05"))
        other = make_task(
            title="外单位牵头",
            lead_unit=foreign_person.unit,
            responsible_person=foreign_person,
            supporting=[],
            due_date=day("2026-06-20"),
        )
        for task in (on_time, went_red, extended, overdue, not_yet):
            run(supervision.task_accept, actor=clerk, task=task)
        run(supervision.task_drop, actor=cast["fao_head"], task=dropped, reason="重复")
        ask = run(
            supervision.extension_ask,
            actor=clerk,
            task=fresh(extended),
            requested_date=day("2026-06-26"),
            reason="需协调",
        )
    with time_machine.travel(at("2026-06-11")):
        run(supervision.extension_decide, actor=office, extension=ask, grant=True)
    close(on_time, "2026-06-29")
    with time_machine.travel(at("2026-06-11", 7)):
        run(supervision.colour_sweep)  # went_red goes red
    close(went_red, "2026-06-12")
    close(extended, "2026-06-25")  # after the original deadline, by the extended one
    rows = selectors.on_time(office, year=2026, today=day("2026-07-01"))
    home = next(r for r in rows if r.unit == "市商务局")
    # Due: on_time, went_red, extended, overdue (not_yet still to come, dropped not at all).
    assert (home.due, home.on_time) == (4, 2) and home.rate == pytest.approx(0.5)
    foreign = next(r for r in rows if r.unit == foreign_person.unit.name)
    assert (foreign.due, foreign.on_time, foreign.rate) == (1, 0, 0.0)
    assert not any(r.due for r in selectors.on_time(office, year=2025, today=day("2026-07-01")))
    # A unit sees its own row only.
    assert [r.unit for r in selectors.on_time(clerk, year=2026, today=day("2026-07-01"))] == [
        "市商务局"
    ]
    assert [r.unit for r in selectors.on_time(cast["outsider"], year=2026)] == ["市教育局"]
    assert other.pk  # used


# --- the home page and the board -------------------------------------------------------------


def test_work_items_tell_each_whose_move_it_is(cast, make_task, run):
    from waishi.lib.work import ITEM_PROVIDERS

    clerk, office = cast["unit_clerk"], cast["fao_reviewer"]
    assigned = make_task(title="待签收")
    registered = make_task(title="待交办", assign=False)
    working = run(supervision.task_accept, actor=clerk, task=make_task(title="办理中"))
    fed_back = run(supervision.task_accept, actor=clerk, task=make_task(title="待审核"))
    run(supervision.task_feedback, actor=clerk, task=fed_back, text="完成")
    run(
        supervision.extension_ask,
        actor=clerk,
        task=working,
        requested_date=working.due_date + dt.timedelta(days=9),
        reason="需协调",
    )

    def titles(user):
        items = [i for p in ITEM_PROVIDERS for i in p(user) if str(i.kind_label) == "督办事项"]
        return {i.title for i in items}

    assert titles(clerk) == {assigned.title, working.title}
    assert titles(office) == {registered.title, fed_back.title, working.title}
    assert titles(cast["outsider"]) == set()  # supports, nothing waits for it
    assert titles(cast["auditor"]) == set()


def _many_tasks(make_task, n: int, prefix: str):
    units = [UnitFactory(code=f"{prefix}{i}", name=f"{prefix}单位{i}") for i in range(n)]
    for i, unit in enumerate(units):
        person = PersonFactory(name=f"{prefix}负责人{i}", unit=unit)
        make_task(
            title=f"{prefix}事项{i}",
            lead_unit=unit,
            responsible_person=person,
            supporting=units[:i][-2:],
            source_kind=("minutes", "document", "key_point")[i % 3],
            due_date=timezone.localdate() + dt.timedelta(days=i),
        )


def test_the_board_and_the_lists_read_in_a_fixed_number_of_queries(cast, make_task):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = cast["fao_reviewer"]

    def reads():
        with CaptureQueriesContext(connection) as captured:
            board = selectors.board_counts(office)
            page = list(selectors.task_list(office, colour="blue")[:50])
            unit_page = list(selectors.task_list(cast["unit_clerk"], state="open")[:50])
            rows = selectors.on_time(office, year=timezone.localdate().year)
            for task in page + unit_page:
                str(task.responsible_unit), str(task.responsible_person), task.warning
        return len(captured), board, rows

    make_task()
    few, board, _rows = reads()
    assert board["total"] == 1
    _many_tasks(make_task, 12, "批")
    many, board, _rows = reads()
    assert board["total"] == 13 and len(board["by_unit"]) == 13
    assert few == many <= 12, few
    assert sum(r["total"] for r in board["by_source"]) == 13
    assert board["by_colour"]["blue"] == sum(r["blue"] for r in board["by_unit"])


def test_a_task_assigned_past_its_deadline_is_red_at_once_and_told_on_the_sweep(
    cast, make_task, run
):
    with time_machine.travel(at("2026-06-01")):
        task = make_task(assign=False, due_date=day("2026-06-03"))
    with time_machine.travel(at("2026-06-05")):
        task = run(supervision.task_assign, actor=cast["fao_reviewer"], task=task)
        assert (task.colour, task.red_since) == (Colour.RED, None)
        run(supervision.colour_sweep)
    task = fresh(task)
    assert task.red_since == day("2026-06-05")
    assert Notification.objects.filter(kind="followups.task_red").count() == 4
    event = AuditEvent.objects.get(action="followups.task.red")
    assert (event.before, event.after) == ({}, {"colour": "red"})


def test_the_task_list_filters(cast, make_task, run, foreign_person, stranger):
    office, clerk = cast["fao_reviewer"], cast["unit_clerk"]
    with time_machine.travel(at("2026-06-01")):
        near = make_task(title="临近期限", due_date=day("2026-06-03"), source_kind="document")
        far = make_task(title="远期事项", due_date=day("2026-09-30"))
        led_by_foreign = make_task(
            title="教育局牵头",
            lead_unit=foreign_person.unit,
            responsible_person=foreign_person,
            supporting=[clerk.unit],
            due_date=day("2026-09-30"),
        )
        registered = make_task(title="尚未交办", assign=False)
        run(supervision.task_accept, actor=clerk, task=far)
    today = day("2026-06-02")

    def titles(user=office, **filters):
        return {t.title for t in selectors.task_list(user, today=today, **filters)}

    assert titles() == {near.title, far.title, led_by_foreign.title, registered.title}
    assert titles(colour="blue") == {near.title}
    assert titles(colour="none") == {far.title, led_by_foreign.title, registered.title}
    assert titles(source_kind="document") == {near.title}
    assert titles(state="in_progress") == {far.title}
    assert titles(state="registered") == {registered.title}
    assert titles(q="教育局") == {led_by_foreign.title}
    assert titles(q=far.number) == {far.title}
    # A unit's tasks: those it leads and those it supports.
    assert titles(unit_id=clerk.unit_id) == {
        near.title,
        far.title,
        led_by_foreign.title,
        registered.title,
    }
    assert titles(unit_id=foreign_person.unit_id) == titles()  # supports all the home unit's
    assert titles(year=2026) == titles() and titles(year=2025) == set()
    assert titles(cast["outsider"]) == titles()
    assert titles(stranger) == set()
    assert titles(cast["auditor"]) == titles()
    assert titles(cast["sys_admin"]) == set()
    row = selectors.task_list(office, today=today).get(pk=near.pk)
    assert row.warning == "blue"


def test_the_lists_by_colour_hold_the_tasks_of_that_colour_today(cast, make_task):
    """The list filtered by a colour (conditions on the columns) holds exactly the tasks
    whose colour today (``colour_now``) is that one; the board counts the same."""
    today = timezone.localdate()
    _many_tasks(make_task, 8, "色")
    late = make_task(title="逾期", due_date=today + dt.timedelta(days=60))
    yellow = make_task(title="黄", due_date=today + dt.timedelta(days=60))
    waiting = make_task(title="待交办", assign=False, due_date=today + dt.timedelta(days=60))
    # Past their deadline (as time would have it; a new task's cannot be).
    past = today - dt.timedelta(days=3)
    Outcome.objects.filter(pk__in=[late.pk, waiting.pk]).update(due_date=past)
    Outcome.objects.filter(pk=yellow.pk).update(colour=Colour.YELLOW)
    office = cast["fao_reviewer"]
    everything = list(selectors.task_list(office))
    board = selectors.board_counts(office)
    for colour in ("red", "yellow", "blue", "none"):
        wanted = {t.pk for t in everything if (t.warning or "none") == colour}
        assert wanted, colour
        assert {t.pk for t in selectors.task_list(office, colour=colour)} == wanted, colour
        assert board["by_colour"][colour] == len(wanted), colour
        assert sum(r[colour] for r in board["by_unit"]) == len(wanted), colour


def test_closed_on_the_deadlines_day_late_in_the_evening_is_on_time(cast, make_task, run, settings):
    """Beijing is ahead of UTC: closed at 23:00 on the deadline's day (15:00 UTC) is on
    time, at 01:00 the day after (17:00 UTC on the deadline's day) is late."""
    office, clerk = cast["fao_reviewer"], cast["unit_clerk"]
    with time_machine.travel(at("2026-06-01")):
        evening = make_task(title="当晚办结", due_date=day("2026-06-30"))
        night = make_task(title="次日凌晨办结", due_date=day("2026-06-30"))
        for task in (evening, night):
            run(supervision.task_accept, actor=clerk, task=task)
    for task, when in ((evening, at("2026-06-30", 23)), (night, at("2026-07-01", 1))):
        with time_machine.travel(when):
            task = run(supervision.task_feedback, actor=clerk, task=fresh(task), text="完成")
            run(supervision.task_close, actor=office, task=task)
    [row] = selectors.on_time(clerk, year=2026, today=day("2026-07-02"))
    assert (row.due, row.on_time) == (2, 1)
