"""The working pages of arrivals: the city command's board, the districts' queues, an
arrival's page and timeline, its health record (audited), the export read back, the
daily summary and the home cards."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import login
from waishi.arrivals import services, summary
from waishi.arrivals.models import HealthDeclaration, SourceKind
from waishi.arrivals.models import TestResult as ResultRow  # not a pytest class
from waishi.audit.models import AuditEvent
from waishi.notify.models import Notification

TZ = dt.timezone(dt.timedelta(hours=8))
FULL_NUMBER = re.compile(r"E\d{7}")


def _text(response) -> str:
    return response.content.decode()


def _workbook_rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def morning():
    """07:00 today, Beijing time: nothing is due yet."""
    return dt.datetime.combine(timezone.localdate(), dt.time(7, 0), tzinfo=TZ)


# -- the board ---------------------------------------------------------------------------


def test_the_board_counts_by_district_and_state(
    arrival, as_user, officer, district, other_district
):
    mine = arrival(name="王五")
    arrival(name="赵六")
    arrival(name="钱七", district=other_district)
    services.step_confirm(actor=officer, step=mine.steps.get(sequence=1))
    response = as_user("city_command").get("/arrivals/")
    assert response.status_code == 200
    counts = response.context["counts"]
    by_district = {row.district: row.by_state for row in counts}
    # ArrivalState order: expected, managed, closed.
    assert by_district[district] == [1, 1, 0]
    assert by_district[other_district] == [1, 0, 0]
    assert response.context["total"].total == 3
    body = _text(response)
    for name in ("王五", "赵六", "钱七"):
        assert name in body


def test_the_board_counts_show_a_change_at_once_and_are_kept_while_nothing_changes(
    arrival, as_user, officer, district, django_assert_num_queries
):
    from waishi.arrivals import selectors

    mine = arrival(name="王五")
    client = as_user("city_command")

    def by_state():
        counts = client.get("/arrivals/").context["counts"]
        return {row.district: row.by_state for row in counts}[district]

    assert by_state() == [1, 0, 0]
    services.step_confirm(actor=officer, step=mine.steps.get(sequence=1))
    assert by_state() == [0, 1, 0]  # the change is seen on the next view
    arrival(name="赵六")
    assert by_state() == [1, 1, 0]
    reader = client.get("/arrivals/").wsgi_request.user
    with django_assert_num_queries(1):  # the latest change only: the counts are kept
        found = selectors._by_district_and_state(reader)
    assert found[(district.pk, "expected")] == 1


def test_the_board_searches_filters_and_paginates(arrival, as_user, district, other_district):
    arrival(name="王五", route="CA938")
    theirs = arrival(name="钱七", route="MU588", district=other_district)
    client = as_user("city_command")
    body = _text(client.get("/arrivals/", {"q": "MU588"}))
    rows = body[body.index('id="arrival-rows"') :]
    assert "钱七" in rows and "王五" not in rows
    body = _text(client.get("/arrivals/", {"q": theirs.passport_masked}))
    rows = body[body.index('id="arrival-rows"') :]
    assert "钱七" in rows and "王五" not in rows
    body = _text(client.get("/arrivals/", {"district": district.pk}))
    rows = body[body.index('id="arrival-rows"') :]
    assert "王五" in rows and "钱七" not in rows
    # htmx asks for the rows only.
    partial = _text(client.get("/arrivals/", {"q": "王"}, HTTP_HX_REQUEST="true"))
    assert "王五" in partial and "<html" not in partial
    for n in range(26):
        arrival(name=f"批量{n:02d}")
    page_two = client.get("/arrivals/", {"page": 2})
    assert page_two.context["page_obj"].number == 2
    assert len(page_two.context["page_obj"].object_list) == 3  # 28 in all, 25 a page


def test_a_district_officer_is_sent_to_the_queue(as_user):
    response = as_user("district_officer").get("/arrivals/")
    assert response.status_code == 302 and response["Location"] == "/arrivals/queue/"


def test_an_empty_board_says_so(as_user, district):
    body = _text(as_user("city_command").get("/arrivals/"))
    assert 'data-testid="no-overdue"' in body and 'data-testid="empty"' in body


def test_the_query_count_does_not_grow_with_the_rows(arrival, as_user, morning):
    client = as_user("city_command")
    with time_machine.travel(morning, tick=False):
        arrival(name="一号")
    with time_machine.travel(morning + dt.timedelta(days=2), tick=False):
        client.get("/arrivals/")  # warm the session and caches
        with CaptureQueriesContext(connection) as few:
            client.get("/arrivals/")
            client.get("/arrivals/queue/")
    with time_machine.travel(morning, tick=False):
        for n in range(8):
            arrival(name=f"多号{n}")
    with time_machine.travel(morning + dt.timedelta(days=2), tick=False):
        with CaptureQueriesContext(connection) as many:
            client.get("/arrivals/")
            client.get("/arrivals/queue/")
    assert len(many) == len(few)


# -- the queue ---------------------------------------------------------------------------


def test_the_queue_puts_overdue_first_with_the_next_step(
    arrival, as_user, officer, other_district, morning
):
    with time_machine.travel(morning, tick=False):
        later = arrival(name="晚到者", arrival_time=dt.time(18, 0))
        early = arrival(name="早到者", arrival_time=dt.time(8, 0))
        arrival(name="邻区人", district=other_district)
        done = arrival(name="已解除者")
    from waishi.arrivals.models import Arrival, ArrivalState

    Arrival.objects.filter(pk=done.pk).update(state=ArrivalState.CLOSED)
    with time_machine.travel(morning + dt.timedelta(hours=8), tick=False):  # 15:00
        response = as_user("district_officer").get("/arrivals/queue/")
    assert response.status_code == 200
    rows = list(response.context["page_obj"].object_list)
    assert [r.name for r in rows] == ["早到者", "晚到者"]
    assert rows[0].has_overdue and not rows[1].has_overdue
    assert rows[0].next_step_label == early.steps.get(sequence=1).label
    assert rows[0].late_hours == 1
    body = _text(response)
    assert "邻区人" not in body and "已解除者" not in body
    assert later.passport_masked in body
    assert response.context["district"] == officer.district


def test_the_queue_filters_by_state_and_searches(arrival, as_user, officer):
    managed = arrival(name="管控中的人", route="CA938")
    arrival(name="待落地的人", route="MU588")
    services.step_confirm(actor=officer, step=managed.steps.get(sequence=1))
    client = as_user("district_officer")
    names = lambda r: [a.name for a in r.context["page_obj"].object_list]  # noqa: E731
    assert names(client.get("/arrivals/queue/", {"state": "managed"})) == ["管控中的人"]
    assert names(client.get("/arrivals/queue/", {"q": "mu588"})) == ["待落地的人"]
    assert names(client.get("/arrivals/queue/", {"q": "待落地"})) == ["待落地的人"]
    partial = client.get("/arrivals/queue/", {"q": "管控"}, HTTP_HX_REQUEST="true")
    assert "管控中的人" in _text(partial) and "<html" not in _text(partial)


def test_an_officer_cannot_pick_another_district(arrival, as_user, other_district):
    arrival(name="邻区人", district=other_district)
    response = as_user("district_officer").get("/arrivals/queue/", {"district": other_district.pk})
    assert response.status_code == 200
    assert "邻区人" not in _text(response)
    assert "district" not in response.context["search"].fields


def test_the_command_picks_a_district(arrival, as_user, district, other_district):
    arrival(name="本区人")
    arrival(name="邻区人", district=other_district)
    client = as_user("city_command")
    body = _text(client.get("/arrivals/queue/"))
    assert "本区人" in body and "邻区人" in body
    body = _text(client.get("/arrivals/queue/", {"district": other_district.pk}))
    assert "邻区人" in body and "本区人" not in body


def test_the_queue_announces_handovers_waiting_for_an_answer(
    arrival, as_user, other_officer, other_district, district
):
    theirs = arrival(name="邻区转来", district=other_district)
    services.handover_request(
        actor=other_officer, arrival=theirs, to_district=district, reason="住址在本区"
    )
    body = _text(as_user("district_officer").get("/arrivals/queue/"))
    assert 'data-testid="incoming-handovers"' in body


# -- one arrival -------------------------------------------------------------------------


def test_the_arrival_page_shows_identity_sources_and_timeline(
    register, as_user, officer, other_district
):
    first = register(name="王五", kind=SourceKind.DECLARATION, route="CA938")
    number = first.arrival.reveal_passport()
    register(passport=number, kind=SourceKind.AIRLINE, district=other_district, port="浦东")
    arrival = first.arrival
    services.step_confirm(actor=officer, step=arrival.steps.get(sequence=1), note="机场接到")
    client = as_user("district_officer")
    response = client.get(f"/arrivals/{arrival.pk}/")
    assert response.status_code == 200
    body = _text(response)
    assert arrival.passport_masked in body
    assert number not in body and not FULL_NUMBER.search(body)
    assert "邻区" in body  # what the airline's list said about the district
    assert len(response.context["sources"]) == 2
    timeline = response.context["timeline"]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert any(e.is_step for e in timeline) and any(not e.is_step for e in timeline)
    # The first open step offers the confirmation (helper "actions"' partial).
    assert 'data-testid="step-confirm-form"' in body
    assert "机场接到" in body
    assert 'data-testid="health-link"' in body


def test_the_auditor_reads_the_arrival_without_actions_or_health_link(arrival, as_user):
    mine = arrival(name="王五")
    body = _text(as_user("auditor").get(f"/arrivals/{mine.pk}/"))
    assert "王五" in body
    assert 'data-testid="step-confirm-form"' not in body
    assert 'data-testid="health-link"' not in body


def test_the_timeline_shows_late_and_escalated_steps(arrival, as_user, morning):
    with time_machine.travel(morning, tick=False):
        mine = arrival(name="王五", arrival_time=dt.time(8, 0))
    with time_machine.travel(morning + dt.timedelta(hours=10), tick=False):  # 17:00
        services.sweep()
        response = as_user("city_command").get(f"/arrivals/{mine.pk}/")
    landing = next(e for e in response.context["timeline"] if e.is_step)
    assert landing.late and landing.hours_late == 3
    assert landing.step.escalated_at is not None
    assert "bi-exclamation-triangle" in _text(response)


# -- the health record -------------------------------------------------------------------


@pytest.fixture
def sick(register, officer):
    """An arrival with a declaration saying cough and a positive test."""
    found = register(name="王五", kind=SourceKind.DECLARATION)
    arrival = found.arrival
    HealthDeclaration.objects.create(
        arrival=arrival, source=found.source, symptoms=["cough"], symptoms_note="干咳三天"
    )
    step = arrival.steps.filter(kind="test").order_by("sequence").first()
    ResultRow.objects.create(
        arrival=arrival,
        step=step,
        sampled_on=timezone.localdate(),
        outcome="positive",
        recorded_by=officer,
    )
    return arrival


@pytest.mark.parametrize("role", ["city_command", "district_officer"])
def test_the_health_record_is_shown_and_each_view_audited(sick, as_user, cast, role):
    client = as_user(role)
    for expected in (1, 2):
        response = client.get(f"/arrivals/{sick.pk}/health/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        body = _text(response)
        assert "干咳三天" in body
        events = AuditEvent.objects.filter(action="arrivals.health.view", object_id=str(sick.pk))
        assert events.count() == expected
    event = events.order_by("-seq").first()
    assert event.actor_id == cast[role].pk
    # No health detail in the audit row.
    row = f"{event.data}{event.before}{event.after}{event.object_repr}"
    assert "干咳" not in row and "cough" not in row and "positive" not in row


@pytest.mark.parametrize("role", ["auditor", "fao_reviewer", "unit_clerk", "sys_admin"])
def test_the_health_record_is_refused_to_other_roles(sick, as_user, role):
    response = as_user(role).get(f"/arrivals/{sick.pk}/health/")
    assert response.status_code == 403
    assert "干咳三天" not in _text(response)
    assert not AuditEvent.objects.filter(action="arrivals.health.view").exists()


def test_the_health_record_of_another_district_is_not_found(
    sick, other_officer, command, other_district, as_user
):
    services.arrival_reassign(actor=command, arrival=sick, district=other_district, reason="核实")
    response = as_user("district_officer").get(f"/arrivals/{sick.pk}/health/")
    assert response.status_code == 404
    assert "干咳三天" not in _text(response)
    theirs = login(Client(), other_officer).get(f"/arrivals/{sick.pk}/health/")
    assert theirs.status_code == 200 and "干咳三天" in _text(theirs)


def test_purged_details_are_not_shown(sick, as_user):
    HealthDeclaration.objects.filter(arrival=sick).update(
        symptoms=[], symptoms_note="", purged_at=timezone.now()
    )
    body = _text(as_user("city_command").get(f"/arrivals/{sick.pk}/health/"))
    assert "干咳三天" not in body
    assert 'data-testid="declarations"' in body


# -- the export --------------------------------------------------------------------------


def test_the_export_of_a_district_holds_its_own_arrivals_masked(
    sick, arrival, as_user, cast, other_district
):
    arrival(name="邻区人", district=other_district)
    response = as_user("district_officer").get("/arrivals/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _workbook_rows(response)
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert len(rows) == 2  # the header and 王五
    assert "王五" in flat and "邻区人" not in flat
    assert sick.passport_masked in flat and not FULL_NUMBER.search(flat)
    assert "干咳" not in flat and "咳嗽" not in flat and "positive" not in flat
    event = AuditEvent.objects.get(action="arrivals.arrival.export")
    assert event.actor_id == cast["district_officer"].pk and event.data["count"] == 1


def test_the_export_takes_the_boards_filters(arrival, as_user, other_district):
    arrival(name="本区人")
    arrival(name="邻区人", district=other_district)
    client = as_user("city_command")
    flat = str(_workbook_rows(client.get("/arrivals/export.xlsx")))
    assert "本区人" in flat and "邻区人" in flat
    flat = str(_workbook_rows(client.get("/arrivals/export.xlsx", {"district": other_district.pk})))
    assert "邻区人" in flat and "本区人" not in flat


# -- the daily summary and the home cards ------------------------------------------------


def test_the_daily_summary_goes_to_each_district_and_the_command(
    arrival,
    officer,
    other_officer,
    command,
    district,
    other_district,
    morning,
    django_capture_on_commit_callbacks,
):
    yesterday = morning - dt.timedelta(days=1)
    with time_machine.travel(yesterday, tick=False):
        arrival(name="昨日一", arrival_date=yesterday.date(), arrival_time=dt.time(8, 0))
    with time_machine.travel(morning - dt.timedelta(days=3), tick=False):
        arrival(name="三日前", district=other_district)
    with time_machine.travel(morning, tick=False):
        arrival(name="今日到", arrival_time=dt.time(9, 0))  # landing due 15:00 today
        theirs = arrival(name="邻区转来", district=other_district)
        services.handover_request(
            actor=other_officer, arrival=theirs, to_district=district, reason="住址在本区"
        )
        with django_capture_on_commit_callbacks(execute=True):
            sent = summary.daily_summary()
        assert sent == 3  # one officer per district, and the command
        assert summary.daily_summary() == 0  # once per day
    note = Notification.objects.get(recipient=officer, kind="arrivals.summary")
    assert note.url == "/arrivals/queue/"
    lines = note.body.splitlines()
    assert len(lines) == 5
    # New yesterday 1; open 2; due by tonight 6 (today's arrival: landing check,
    # transfer, disinfection, quarantine; yesterday's: its day-1 test and daily needs);
    # overdue 4 (yesterday's day-0 steps); one hand-over to answer.
    assert [int(re.findall(r"\d+", line)[0]) for line in lines] == [1, 2, 6, 4, 1]
    theirs_note = Notification.objects.get(recipient=other_officer, kind="arrivals.summary")
    assert re.findall(r"\d+", theirs_note.body.splitlines()[0]) == ["0"]  # nothing new there
    city = Notification.objects.get(recipient=command, kind="arrivals.summary")
    assert district.name in city.body and other_district.name in city.body
    assert city.url == "/arrivals/"
    # And by e-mail, after the commit.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (officer, other_officer, command)
    )


def test_no_summary_for_a_quiet_district(district, officer, command):
    assert summary.daily_summary() == 0
    assert not Notification.objects.filter(kind="arrivals.summary").exists()


def test_home_cards(arrival, cast, officer, command, morning):
    from waishi.arrivals import home  # noqa: F401 (registers the cards)
    from waishi.lib.work import cards_for

    with time_machine.travel(morning, tick=False):
        arrival(name="王五", arrival_time=dt.time(8, 0))
    with time_machine.travel(morning + dt.timedelta(hours=8), tick=False):  # 15:00
        mine = {c.url: c.value for c in cards_for(officer)}
        city = {c.url: c.value for c in cards_for(command)}
    assert mine["/arrivals/queue/"] == 1  # one open arrival
    assert mine["/arrivals/queue/?overdue=on"] == 1  # its landing check is late
    assert city["/arrivals/"] == 1
    for role in ("auditor", "fao_reviewer", "unit_clerk"):
        assert not [c for c in cards_for(cast[role]) if c.url.startswith("/arrivals/")], role
