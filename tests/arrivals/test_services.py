"""The core services of arrivals (waishi/arrivals/services.py): registering and merging
reports, hand-over between districts, confirming steps in order, escalation with time
moved forward, the NOT NULL district, and two races on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from tests.arrivals.conftest import arrival_data, next_passport
from waishi.arrivals import services
from waishi.arrivals.models import (
    Arrival,
    ArrivalSource,
    ArrivalState,
    Handover,
    ManagementPlan,
    PlanRule,
    SourceKind,
    Step,
    StepKind,
)
from waishi.arrivals.models import TestResult as ResultRow  # not a pytest class
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import verify_chain
from waishi.notify.models import Notification

TZ = dt.timezone(dt.timedelta(hours=8))


def _confirm_through(arrival: Arrival, actor, upto: int) -> None:
    """Confirm the steps 1..upto in order (a test step with a negative result)."""
    for step in arrival.steps.filter(sequence__lte=upto, done_at__isnull=True).order_by("sequence"):
        outcome = "negative" if step.kind == StepKind.TEST else ""
        services.step_confirm(actor=actor, step=step, outcome=outcome)


# -- registering ---------------------------------------------------------------------


def test_register_creates_the_arrival_with_district_plan_and_steps(register, district):
    found = register(name="王五", kind=SourceKind.PORT)
    arrival = found.arrival
    assert found.created
    assert arrival.district == district
    assert arrival.plan == ManagementPlan.current("7+3")
    assert arrival.state == ArrivalState.EXPECTED
    steps = list(arrival.steps.order_by("sequence"))
    assert [s.label for s in steps] == [s["label"] for s in arrival.plan.steps]
    # The landing check is due six hours after the arrival's moment (08:00 local).
    landing = steps[0]
    assert landing.kind == StepKind.LANDING_CHECK
    moment = dt.datetime.combine(arrival.arrival_date, dt.time(8, 0), tzinfo=TZ)
    assert landing.due_at == moment + dt.timedelta(hours=6)
    assert steps[-1].kind == StepKind.RELEASE
    # The passport number is stored encrypted, shown masked, never in clear.
    assert arrival.passport_masked.startswith("E") and "*" in arrival.passport_masked
    assert arrival.reveal_passport() not in arrival.passport_enc
    assert AuditEvent.objects.filter(
        action="arrivals.arrival.create", object_id=str(arrival.pk)
    ).exists()


def test_a_second_report_of_the_same_person_and_date_is_merged(register, district, other_district):
    number = next_passport()
    first = register(passport=number, kind=SourceKind.PORT, phone="", route="CA938")
    # The airline's list says another district and adds the phone: the arrival keeps its
    # district (a district moves it by hand-over) and gains the phone.
    second = register(
        passport=number, kind=SourceKind.AIRLINE, district=other_district, phone="13911112222"
    )
    third = register(passport=f" {number.lower()} ", kind=SourceKind.DECLARATION)
    assert not second.created and not third.created
    assert second.arrival.pk == first.arrival.pk == third.arrival.pk
    assert Arrival.objects.count() == 1
    arrival = Arrival.objects.get()
    assert arrival.district == district
    assert arrival.phone == "13911112222"
    assert arrival.declared_at is not None  # the declaration came in
    assert [s.kind for s in arrival.sources.order_by("pk")] == ["port", "airline", "declaration"]
    # Each source keeps what it said, with the number masked.
    airline = arrival.sources.get(kind="airline")
    assert airline.details["district"] == other_district.code
    assert number not in str(airline.details)
    assert Step.objects.filter(arrival=arrival).count() == len(arrival.plan.steps)
    assert AuditEvent.objects.filter(action="arrivals.arrival.report").count() == 2


def test_another_date_is_another_arrival(register):
    number = next_passport()
    today = timezone.localdate()
    register(passport=number, arrival_date=today)
    register(passport=number, arrival_date=today + dt.timedelta(days=30))
    assert Arrival.objects.count() == 2


def test_the_plan_comes_from_the_first_matching_rule(register):
    PlanRule.objects.create(sequence=1, name="新加坡", origin_countries=["SG"], plan_code="none")
    assert register(origin_country="SG").arrival.plan.code == "none"
    assert register(origin_country="GB").arrival.plan.code == "7+3"


# -- hand-over -----------------------------------------------------------------------


def test_handover_refused_then_accepted(arrival, officer, other_officer, other_district, district):
    mine = arrival(name="王五")
    handover = services.handover_request(
        actor=officer, arrival=mine, to_district=other_district, reason="实际住址在邻区"
    )
    # The district asked hears of it.
    assert Notification.objects.filter(recipient=other_officer, kind="arrivals.handover").exists()
    with pytest.raises(ValidationError):  # a refusal needs a reason
        services.handover_refuse(actor=other_officer, handover=handover, reason=" ")
    services.handover_refuse(actor=other_officer, handover=handover, reason="查无此人")
    mine.refresh_from_db()
    handover.refresh_from_db()
    assert handover.state == Handover.State.REFUSED
    assert mine.district == district  # refused: it stays

    again = services.handover_request(
        actor=officer, arrival=mine, to_district=other_district, reason="已核实住址在邻区"
    )
    services.handover_accept(actor=other_officer, handover=again)
    mine.refresh_from_db()
    again.refresh_from_db()
    assert again.state == Handover.State.ACCEPTED
    assert again.decided_by == other_officer
    assert mine.district == other_district
    actions = list(
        AuditEvent.objects.filter(object_id=str(mine.pk), action__startswith="arrivals.handover")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "arrivals.handover.request",
        "arrivals.handover.refuse",
        "arrivals.handover.request",
        "arrivals.handover.accept",
    ]


def test_only_the_district_asked_answers(
    arrival, officer, command, other_district, third_officer, other_officer
):
    mine = arrival()
    handover = services.handover_request(
        actor=officer, arrival=mine, to_district=other_district, reason="住址在邻区"
    )
    for intruder in (officer, third_officer, command):
        with pytest.raises(PermissionDenied):
            services.handover_accept(actor=intruder, handover=handover)
        with pytest.raises(PermissionDenied):
            services.handover_refuse(actor=intruder, handover=handover, reason="不")
    mine.refresh_from_db()
    handover.refresh_from_db()
    assert handover.state == Handover.State.PENDING
    assert mine.district_id == officer.district_id
    # Answered once; a second answer is refused.
    services.handover_accept(actor=other_officer, handover=handover)
    with pytest.raises(ValidationError):
        services.handover_refuse(actor=other_officer, handover=handover, reason="改主意")


def test_one_pending_handover_per_arrival(arrival, officer, other_district, third_district):
    mine = arrival()
    services.handover_request(actor=officer, arrival=mine, to_district=other_district, reason="一")
    with pytest.raises(ValidationError):
        services.handover_request(
            actor=officer, arrival=mine, to_district=third_district, reason="二"
        )
    assert Handover.objects.filter(arrival=mine).count() == 1
    # The database holds it too (where partial indexes exist: not on MariaDB).
    if connection.vendor != "mysql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Handover.objects.create(
                arrival=mine,
                from_district_id=mine.district_id,
                to_district=third_district,
                reason="绕过服务",
                requested_by=officer,
            )


def test_a_district_cannot_hand_over_what_is_not_its_own(
    arrival, other_officer, officer, other_district, district
):
    mine = arrival()
    with pytest.raises(PermissionDenied):
        services.handover_request(
            actor=other_officer, arrival=mine, to_district=other_district, reason="抢"
        )
    with pytest.raises(ValidationError):
        services.handover_request(actor=officer, arrival=mine, to_district=district, reason="同")


def test_withdrawn_handover_leaves_the_arrival(arrival, officer, other_officer, other_district):
    mine = arrival()
    handover = services.handover_request(
        actor=officer, arrival=mine, to_district=other_district, reason="住址待核"
    )
    with pytest.raises(PermissionDenied):
        services.handover_withdraw(actor=other_officer, handover=handover)
    services.handover_withdraw(actor=officer, handover=handover)
    with pytest.raises(ValidationError):
        services.handover_accept(actor=other_officer, handover=handover)
    mine.refresh_from_db()
    assert mine.district_id == officer.district_id


def test_the_command_reassigns_directly_and_voids_a_pending_request(
    arrival, officer, command, other_district, third_district
):
    mine = arrival()
    pending = services.handover_request(
        actor=officer, arrival=mine, to_district=other_district, reason="住址在邻区"
    )
    with pytest.raises(PermissionDenied):
        services.arrival_reassign(actor=officer, arrival=mine, district=third_district, reason="x")
    services.arrival_reassign(actor=command, arrival=mine, district=third_district, reason="核实")
    mine.refresh_from_db()
    pending.refresh_from_db()
    assert mine.district == third_district
    assert pending.state == Handover.State.WITHDRAWN


def test_the_district_can_never_be_null(arrival):
    mine = arrival()
    with pytest.raises(IntegrityError), transaction.atomic():
        Arrival.objects.filter(pk=mine.pk).update(district=None)
    mine.refresh_from_db()
    assert mine.district_id is not None


# -- steps -----------------------------------------------------------------------------


def test_steps_are_confirmed_in_order_and_move_the_state(arrival, officer, other_officer):
    mine = arrival()
    steps = list(mine.steps.order_by("sequence"))
    with pytest.raises(ValidationError, match=steps[0].label):
        services.step_confirm(actor=officer, step=steps[1])
    with pytest.raises(PermissionDenied):
        services.step_confirm(actor=other_officer, step=steps[0])
    services.step_confirm(actor=officer, step=steps[0], note="已在机场接到")
    mine.refresh_from_db()
    assert mine.state == ArrivalState.MANAGED
    with pytest.raises(ValidationError):
        services.step_confirm(actor=officer, step=steps[0])
    step = Step.objects.get(pk=steps[0].pk)
    assert step.done_by == officer and step.done_at is not None
    assert step.note == "已在机场接到"


def test_a_test_step_needs_its_result_which_stays_out_of_the_audit(arrival, officer):
    mine = arrival()
    test_step = mine.steps.filter(kind=StepKind.TEST).order_by("sequence").first()
    _confirm_through(mine, officer, test_step.sequence - 1)
    with pytest.raises(ValidationError) as refused:
        services.step_confirm(actor=officer, step=test_step)
    assert "outcome" in refused.value.message_dict
    services.step_confirm(actor=officer, step=test_step, outcome="negative")
    result = ResultRow.objects.get(step=test_step)
    assert result.outcome == "negative" and result.arrival == mine
    event = AuditEvent.objects.filter(action="arrivals.step.confirm").order_by("-seq").first()
    assert "negative" not in str(event.data) + str(event.after)


def test_the_last_step_closes_the_arrival(register, officer):
    PlanRule.objects.create(sequence=1, name="新加坡", origin_countries=["SG"], plan_code="none")
    mine = register(origin_country="SG").arrival
    first, last = mine.steps.order_by("sequence")
    services.step_confirm(actor=officer, step=first)
    mine.refresh_from_db()
    assert mine.state == ArrivalState.MANAGED and mine.closed_at is None
    services.step_confirm(actor=officer, step=last)
    mine.refresh_from_db()
    assert mine.state == ArrivalState.CLOSED and mine.closed_at is not None
    # A closed arrival is not handed over.
    with pytest.raises(ValidationError):
        services.handover_request(
            actor=officer, arrival=mine, to_district=mine.district, reason="x"
        )


def test_seven_plus_three_closes_only_after_its_last_step(arrival, officer):
    mine = arrival()
    count = mine.steps.count()
    _confirm_through(mine, officer, count - 1)
    mine.refresh_from_db()
    assert mine.state == ArrivalState.MANAGED
    _confirm_through(mine, officer, count)
    mine.refresh_from_db()
    assert mine.state == ArrivalState.CLOSED


def test_a_step_is_not_confirmed_for_a_time_to_come(arrival, officer):
    mine = arrival()
    step = mine.steps.order_by("sequence").first()
    with pytest.raises(ValidationError):
        services.step_confirm(
            actor=officer, step=step, done_at=timezone.now() + dt.timedelta(hours=2)
        )


# -- escalation ------------------------------------------------------------------------


def test_an_unconfirmed_landing_check_escalates_once_and_tops_the_board(
    arrival, command, officer, as_user, other_district
):
    today = timezone.localdate()
    at = dt.datetime.combine(today, dt.time(7, 0), tzinfo=TZ)
    with time_machine.travel(at, tick=False):
        late = arrival(name="迟到的人", arrival_time=dt.time(8, 0))  # landing due 14:00
        arrival(name="稍晚的人", arrival_time=dt.time(10, 0), district=other_district)
        on_time = arrival(name="按时的人", arrival_time=dt.time(8, 0))
        services.step_confirm(
            actor=officer, step=on_time.steps.get(sequence=1), done_at=timezone.now()
        )
        assert services.sweep() == 0
    with time_machine.travel(at + dt.timedelta(hours=7, minutes=30), tick=False):  # 14:30
        assert services.sweep() == 1
        landing = late.steps.get(sequence=1)
        assert landing.escalated_at is not None
        note = Notification.objects.get(recipient=command, kind="arrivals.escalation")
        assert "迟到的人" in note.title and note.url == f"/arrivals/{late.pk}/"
        event = AuditEvent.objects.get(action="arrivals.step.escalate")
        assert event.object_id == str(late.pk) and event.data["hours_late"] == 0
        # Running again escalates nothing more.
        assert services.sweep() == 0
        assert AuditEvent.objects.filter(action="arrivals.step.escalate").count() == 1
        assert Notification.objects.filter(kind="arrivals.escalation").count() == 1
    with time_machine.travel(at + dt.timedelta(hours=10), tick=False):  # 17:00
        services.sweep()
        services.sweep()
        assert AuditEvent.objects.filter(action="arrivals.step.escalate").count() == 2
        assert Notification.objects.filter(kind="arrivals.escalation").count() == 2
        body = as_user("city_command").get("/arrivals/").content.decode()
    # The board opens with the overdue steps, oldest first: the unconfirmed landing check
    # of 14:00 before the one of 16:00, both before the counts and the list.
    overdue = body.index('data-testid="overdue-steps"')
    counts = body.index('data-testid="counts"')
    assert overdue < body.index("迟到的人") < body.index("稍晚的人") < counts
    section = body[overdue:counts]
    assert "按时的人" not in section
    assert section.count('data-testid="overdue-row"') == 2
    assert section.count("bi-exclamation-triangle") == 2  # both shown as escalated


def test_escalation_goes_only_to_the_city_command(arrival, officer, command):
    mine = arrival(arrival_time=dt.time(8, 0))
    landing = mine.steps.get(sequence=1)
    services.sweep(now=landing.due_at + dt.timedelta(minutes=1))
    assert set(
        Notification.objects.filter(kind="arrivals.escalation").values_list("recipient", flat=True)
    ) == {command.pk}


# -- races on PostgreSQL ---------------------------------------------------------------

THREADS = 8

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under real concurrency"
)


def _race(target, n: int = THREADS) -> list[str]:
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcome = target(i)
        except (ValidationError, PermissionDenied):
            outcome = "refused"
        except Exception as exc:  # reported by the assertion of the caller
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.concurrency
@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_answer_one_handover_exactly_once(arrival, officer, other_officer, other_district):
    mine = arrival()
    handover = services.handover_request(
        actor=officer, arrival=mine, to_district=other_district, reason="住址在邻区"
    )

    def answer(i: int) -> str:
        if i % 2:
            services.handover_accept(actor=other_officer, handover=handover)
            return "accepted"
        services.handover_refuse(actor=other_officer, handover=handover, reason="不接")
        return "refused-it"

    results = _race(answer)
    assert [r for r in results if r.startswith("error")] == []
    decided = [r for r in results if r in ("accepted", "refused-it")]
    assert len(decided) == 1 and results.count("refused") == THREADS - 1
    handover.refresh_from_db()
    mine.refresh_from_db()
    expected = other_district.pk if decided == ["accepted"] else officer.district_id
    assert mine.district_id == expected
    decisions = AuditEvent.objects.filter(
        action__in=("arrivals.handover.accept", "arrivals.handover.refuse")
    )
    assert decisions.count() == 1
    assert verify_chain() is None


@pytest.mark.concurrency
@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_reporting_one_person_make_one_arrival(district):
    number = next_passport()
    kinds = [SourceKind.PORT, SourceKind.AIRLINE, SourceKind.PROVINCE, SourceKind.DECLARATION]

    def report(i: int) -> str:
        found = services.arrival_register(
            data=arrival_data(), passport=number, district=district, kind=kinds[i % len(kinds)]
        )
        return "created" if found.created else "merged"

    results = _race(report)
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("created") == 1 and results.count("merged") == THREADS - 1
    arrival = Arrival.objects.get()
    assert ArrivalSource.objects.filter(arrival=arrival).count() == THREADS
    assert Step.objects.filter(arrival=arrival).count() == len(arrival.plan.steps)
    assert AuditEvent.objects.filter(action="arrivals.arrival.create").count() == 1
    assert verify_chain() is None
