"""Supervised tasks (督办事项) through their services: the flow, who may do what, the
record each step leaves (feedback kept when returned, the original deadline beside the
extended one), the notices, and that trip outcomes are left as they were."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.followups.conftest import pdf
from tests.followups.supervised import set_supervision
from waishi.audit.messages import MESSAGES, describe
from waishi.audit.models import AuditEvent
from waishi.followups import selectors, services, supervision
from waishi.followups.models import (
    Extension,
    Outcome,
    ProgressUpdate,
    Review,
    State,
    Track,
    UpdateKind,
)
from waishi.followups.workflow import EXTENSION, TASK, task_actions_for
from waishi.lib.workflow import WorkflowError
from waishi.notify.models import Notification
from waishi.orgs import scoping

pytestmark = pytest.mark.django_db


def notes(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def events(task, action=None):
    rows = AuditEvent.objects.filter(object_type="followups.outcome", object_id=str(task.pk))
    return rows.filter(action=action) if action else rows


# --- the flow ---------------------------------------------------------------------------------


def test_the_flow_from_registration_to_the_archive(cast, make_task, run):
    office, clerk, leader = cast["fao_reviewer"], cast["unit_clerk"], cast["unit_leader"]
    task = make_task(assign=False)
    assert (task.track, task.state, task.number) == (Track.TASK, State.REGISTERED, "")
    task = run(supervision.task_assign, actor=office, task=task)
    year = timezone.localdate().year
    assert task.state == State.ASSIGNED and task.number == f"督办〔{year}〕1号"
    assert (task.year, task.seq) == (year, 1) and task.assigned_at is not None
    task = run(supervision.task_accept, actor=clerk, task=task)
    assert task.state == State.IN_PROGRESS and task.accepted_at is not None
    run(supervision.task_progress, actor=clerk, task=task, text="已召开专题会研究")
    task = run(supervision.task_feedback, actor=leader, task=task, text="已完成", evidence=pdf())
    assert task.state == State.FEEDBACK
    task = run(supervision.task_close, actor=office, task=task, comment="同意办结")
    assert task.state == State.DONE and task.done_at is not None
    review = Review.objects.get(outcome=task)
    assert review.decision == "accepted" and review.feedback.kind == UpdateKind.FEEDBACK
    task = run(supervision.task_archive, actor=office, task=task)
    assert task.state == State.ARCHIVED and task.archived_at is not None
    actions = list(events(task).order_by("seq").values_list("action", flat=True))
    assert actions == [
        "followups.task.register",
        "followups.task.assign",
        "followups.task.accept",
        "followups.task.progress",
        "followups.task.feedback",
        "followups.task.close",
        "followups.task.archive",
    ]


def test_numbers_follow_each_other_in_the_year(make_task):
    first, second = make_task(), make_task(title="第二件")
    assert (first.seq, second.seq) == (1, 2)
    assert first.number != second.number
    registered = make_task(assign=False)
    assert registered.seq is None and registered.number == ""


def test_only_the_office_registers_assigns_and_closes(cast, make_task, working, run):
    for role in ("unit_clerk", "unit_leader", "committee", "auditor", "sys_admin"):
        with pytest.raises(PermissionDenied):
            make_task(actor=cast[role])
    registered = make_task(assign=False)
    with pytest.raises(PermissionDenied):
        supervision.task_assign(actor=cast["unit_leader"], task=registered)
    task = run(supervision.task_feedback, actor=cast["unit_clerk"], task=working, text="完成")
    for role in ("unit_leader", "committee"):
        with pytest.raises(PermissionDenied):
            supervision.task_close(actor=cast[role], task=task)
    assert Outcome.objects.get(pk=task.pk).state == State.FEEDBACK


def test_register_checks_its_input(cast, make_task, home_unit, foreign_person):
    with pytest.raises(ValidationError) as exc:
        make_task(title=" ")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_task(source_kind="instruction")  # how urgent?
    assert "urgency" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_task(supporting=[home_unit])
    assert "supporting_units" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_task(responsible_person=foreign_person)
    assert "responsible_person" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_task(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert "due_date" in exc.value.message_dict
    assert not Outcome.objects.exists()
    urgent = make_task(source_kind="instruction", urgency="urgent", instructed_by="市长")
    assert urgent.urgency == "urgent" and urgent.instructed_by == "市长"
    assert make_task(source_kind="document", urgency="urgent").urgency == ""


# --- the lead unit and the supporting units ---------------------------------------------------


def test_a_supporting_unit_sees_the_task_and_reports_its_part_to_the_lead_unit(
    cast,
    working,
    supporter,
    stranger,
    run,
):
    task = working
    assert scoping.get_for_user(supporter, Outcome, task.pk) == task
    assert task in selectors.task_list(supporter)
    with pytest.raises(Http404):
        scoping.get_for_user(stranger, Outcome, task.pk)
    assert not selectors.task_list(stranger).exists()
    actions = task_actions_for(supporter, task)
    assert actions["support"] and not any(
        actions[k] for k in ("feedback", "close", "progress", "accept", "extend", "return")
    )
    run(supervision.task_support_report, actor=supporter, task=task, text="已提供场地和人员")
    report = ProgressUpdate.objects.get(outcome=task, kind=UpdateKind.SUPPORT)
    assert report.unit == supporter.unit
    # The lead unit sees it on the task and is told.
    assert report in selectors.task_updates(task)
    assert scoping.visible(cast["unit_clerk"], ProgressUpdate).filter(pk=report.pk).exists()
    for user in (cast["unit_clerk"], cast["unit_leader"]):
        assert notes(user, "followups.task_support").count() == 1
    assert not notes(cast["fao_reviewer"], "followups.task_support").exists()
    with pytest.raises(PermissionDenied):
        supervision.task_support_report(actor=stranger, task=task, text="不相干")
    with pytest.raises(PermissionDenied):
        supervision.task_support_report(actor=cast["unit_clerk"], task=task, text="牵头单位")


def test_a_supporting_unit_cannot_feedback_close_or_ask_for_time(
    cast,
    working,
    supporter,
    run,
):
    task = working
    with pytest.raises(PermissionDenied):
        supervision.task_feedback(actor=supporter, task=task, text="我们办完了")
    with pytest.raises(PermissionDenied):
        supervision.task_progress(actor=supporter, task=task, text="进展")
    with pytest.raises(PermissionDenied):
        supervision.extension_ask(
            actor=supporter,
            task=task,
            requested_date=task.due_date + dt.timedelta(days=10),
            reason="忙",
        )
    task = run(supervision.task_feedback, actor=cast["unit_clerk"], task=task, text="完成")
    with pytest.raises(PermissionDenied):
        supervision.task_close(actor=supporter, task=task)
    assert Outcome.objects.get(pk=task.pk).state == State.FEEDBACK
    assert not ProgressUpdate.objects.filter(recorded_by=supporter).exists()


def test_returning_keeps_every_feedback(cast, working, run):
    office, clerk = cast["fao_reviewer"], cast["unit_clerk"]
    task = run(supervision.task_feedback, actor=clerk, task=working, text="第一次反馈")
    task = run(supervision.task_return, actor=office, task=task, reason="问题未解决")
    assert task.state == State.RETURNED
    assert notes(clerk, "followups.task_returned").count() == 1
    assert task_actions_for(clerk, task)["feedback"]
    task = run(supervision.task_feedback, actor=clerk, task=task, text="第二次反馈")
    task = run(supervision.task_return, actor=office, task=task, reason="仍未解决")
    task = run(supervision.task_feedback, actor=clerk, task=task, text="第三次反馈")
    task = run(supervision.task_close, actor=office, task=task)
    feedback = list(
        selectors.task_updates(task)
        .filter(kind=UpdateKind.FEEDBACK)
        .order_by("recorded_at", "pk")
        .values_list("text", flat=True)
    )
    assert feedback == ["第一次反馈", "第二次反馈", "第三次反馈"]
    reviews = list(Review.objects.filter(outcome=task).order_by("at", "pk"))
    assert [r.decision for r in reviews] == ["returned", "returned", "accepted"]
    assert [r.feedback.text for r in reviews] == feedback
    assert reviews[0].reason == "问题未解决"
    with pytest.raises(ValidationError):
        supervision.task_return(actor=office, task=task, reason=" ")


def test_a_return_needs_a_reason(cast, working, run):
    task = run(supervision.task_feedback, actor=cast["unit_clerk"], task=working, text="完成")
    with pytest.raises(ValidationError):
        supervision.task_return(actor=cast["fao_reviewer"], task=task, reason="")
    assert Outcome.objects.get(pk=task.pk).state == State.FEEDBACK


def test_the_lead_unit_asks_to_redirect_and_the_office_decides(
    cast,
    task,
    foreign_unit,
    foreign_person,
    run,
):
    office, clerk = cast["fao_reviewer"], cast["unit_clerk"]
    with pytest.raises(ValidationError):
        supervision.task_ask_redirect(actor=clerk, task=task, reason="")
    task = run(supervision.task_ask_redirect, actor=clerk, task=task, reason="不属本单位职责")
    assert task.state == State.REDIRECT_ASKED and task.redirect_reason == "不属本单位职责"
    for user in (office, cast["fao_head"]):
        assert notes(user, "followups.task_waiting").count() == 1
    kept = run(supervision.task_keep, actor=office, task=task, reason="属于本单位职责")
    assert kept.state == State.ASSIGNED
    assert notes(clerk, "followups.task_assigned").count() == 2  # given, then kept
    task = run(supervision.task_ask_redirect, actor=clerk, task=kept, reason="再次申请")
    # The supporting unit made the lead unit: it supports no more.
    task = run(
        supervision.task_redirect,
        actor=office,
        task=task,
        lead_unit=foreign_unit,
        responsible_person=foreign_person,
        reason="改由教育局牵头",
    )
    assert task.state == State.ASSIGNED and task.responsible_unit == foreign_unit
    assert not task.supporting_units.exists()
    assert notes(cast["outsider"], "followups.task_assigned").count() == 1
    with pytest.raises(PermissionDenied):
        supervision.task_accept(actor=clerk, task=task)
    assert (
        run(supervision.task_accept, actor=cast["outsider"], task=task).state == State.IN_PROGRESS
    )
    event = events(task, "followups.task.redirect").get()
    assert event.data["unit"] == str(foreign_unit) and event.data["from_unit"] == "市商务局"


def test_reminders_are_recorded_and_told_to_the_lead_unit(cast, working, run):
    office = cast["fao_reviewer"]
    with pytest.raises(PermissionDenied):
        supervision.task_urge(actor=cast["unit_leader"], task=working, method="phone", text="快")
    with pytest.raises(ValidationError):
        supervision.task_urge(actor=office, task=working, method="fax", text="快")
    run(supervision.task_urge, actor=office, task=working, method="phone", text="请加快进度")
    urge = working.urges.get()
    assert (urge.method, urge.by) == ("phone", office)
    note = notes(cast["unit_clerk"], "followups.task_urged").get()
    assert "请加快进度" in note.body
    assert notes(cast["unit_leader"], "followups.task_urged").exists()
    event = events(working, "followups.task.urge").get()
    with pytest.MonkeyPatch.context():
        from django.utils import translation

        with translation.override("zh-hans"):
            assert "电话" in describe(event)


def test_only_the_head_drops_and_with_a_reason(cast, working, run):
    with pytest.raises(PermissionDenied):
        supervision.task_drop(actor=cast["fao_reviewer"], task=working, reason="重复立项")
    with pytest.raises(ValidationError):
        supervision.task_drop(actor=cast["fao_head"], task=working, reason="")
    task = run(supervision.task_drop, actor=cast["fao_head"], task=working, reason="重复立项")
    assert task.state == State.DROPPED and task.drop_reason == "重复立项"


# --- extensions --------------------------------------------------------------------------------


def test_an_extension_asked_after_the_deadline_is_refused_and_changes_nothing(
    cast,
    working,
):
    due = working.due_date
    before = AuditEvent.objects.count()
    after_deadline = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10, 0))
    with time_machine.travel(timezone.make_aware(after_deadline)):
        assert not task_actions_for(cast["unit_clerk"], working)["extend"]
        with pytest.raises(ValidationError) as exc:
            supervision.extension_ask(
                actor=cast["unit_clerk"],
                task=working,
                requested_date=due + dt.timedelta(days=30),
                reason="工作量大",
            )
    assert exc.value.code == "late"
    assert not Extension.objects.exists()
    task = Outcome.objects.get(pk=working.pk)
    assert task.due_date == due and task.original_due_date == due
    assert AuditEvent.objects.count() == before
    assert not Notification.objects.filter(kind="followups.task_waiting").exists()


def test_an_extension_asked_on_the_last_day_is_decided_by_the_office(cast, working, run):
    clerk, office = cast["unit_clerk"], cast["fao_reviewer"]
    due = working.due_date
    new = due + dt.timedelta(days=20)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(due, dt.time(17, 0)))):
        with pytest.raises(ValidationError):
            supervision.extension_ask(actor=clerk, task=working, requested_date=due, reason="忙")
        extension = run(
            supervision.extension_ask, actor=clerk, task=working, requested_date=new, reason="忙"
        )
    assert notes(office, "followups.task_waiting").count() == 1
    with pytest.raises(ValidationError):  # one request at a time
        supervision.extension_ask(
            actor=clerk, task=working, requested_date=new + dt.timedelta(days=1), reason="忙"
        )
    with pytest.raises(PermissionDenied):
        supervision.extension_decide(actor=clerk, extension=extension, grant=True)
    extension = run(supervision.extension_decide, actor=office, extension=extension, grant=True)
    assert extension.state == "granted" and extension.decided_by == office
    task = Outcome.objects.get(pk=working.pk)
    # The new deadline on the record beside the original.
    assert (task.due_date, task.original_due_date) == (new, due)
    assert (extension.due_before, extension.requested_date) == (due, new)
    note = notes(clerk, "followups.task_extension").get()
    assert new.isoformat() in note.body and due.isoformat() in note.body
    event = events(task, "followups.extension.grant").get()
    assert event.before == {"due_date": due.isoformat()}
    assert event.after == {"due_date": new.isoformat()}


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(cast, working, run):
    clerk, office = cast["unit_clerk"], cast["fao_reviewer"]
    due = working.due_date
    extension = run(
        supervision.extension_ask,
        actor=clerk,
        task=working,
        requested_date=due + dt.timedelta(days=5),
        reason="忙",
    )
    with pytest.raises(ValidationError):
        supervision.extension_decide(actor=office, extension=extension, grant=False)
    extension = run(
        supervision.extension_decide, actor=office, extension=extension, grant=False, reason="不必"
    )
    assert extension.state == "refused"
    assert Outcome.objects.get(pk=working.pk).due_date == due
    assert "不必" in notes(clerk, "followups.task_extension").get().body
    with pytest.raises(WorkflowError):
        supervision.extension_decide(actor=office, extension=extension, grant=True)


def test_beyond_the_limit_only_the_head_grants_more_time(cast, working, run):
    set_supervision(extensions_max=1)
    clerk, reviewer, head = cast["unit_clerk"], cast["fao_reviewer"], cast["fao_head"]

    def ask(days):
        task = Outcome.objects.get(pk=working.pk)
        return run(
            supervision.extension_ask,
            actor=clerk,
            task=task,
            requested_date=task.due_date + dt.timedelta(days=days),
            reason="需要协调",
        )

    first = ask(10)
    assert task_actions_for(reviewer, working)["decide_extension"]
    run(supervision.extension_decide, actor=reviewer, extension=first, grant=True)
    second = ask(10)
    assert not task_actions_for(reviewer, working)["decide_extension"]
    assert task_actions_for(head, working)["decide_extension"]
    with pytest.raises(PermissionDenied):
        supervision.extension_decide(actor=reviewer, extension=second, grant=True)
    assert Extension.objects.get(pk=second.pk).state == "asked"
    run(supervision.extension_decide, actor=head, extension=second, grant=True)
    task = Outcome.objects.get(pk=working.pk)
    assert task.due_date == second.requested_date
    assert task.original_due_date == first.due_before
    assert list(task.extensions.values_list("state", flat=True)) == ["granted", "granted"]


# --- notices -----------------------------------------------------------------------------------


def test_assigning_tells_the_lead_unit_and_the_responsible_person(
    cast,
    make_task,
    responsible_account,
    supporter,
):
    task = make_task()
    for user in (cast["unit_clerk"], cast["unit_leader"], responsible_account):
        note = notes(user, "followups.task_assigned").get()
        assert task.title in note.title and task.number in note.body
        assert note.due_on == task.due_date
    for user in (cast["fao_reviewer"], cast["fao_head"], supporter):
        assert not notes(user).exists()


def test_feedback_tells_the_office_and_nobody_else(cast, working, run, supporter):
    run(supervision.task_feedback, actor=cast["unit_clerk"], task=working, text="完成")
    for user in (cast["fao_reviewer"], cast["fao_head"]):
        assert notes(user, "followups.task_waiting").count() == 1
    assert not notes(cast["unit_leader"], "followups.task_waiting").exists()
    assert not notes(supporter, "followups.task_waiting").exists()


def test_every_row_of_the_task_tables_is_declared():
    from waishi.notify import handoffs

    for workflow in (TASK, EXTENSION):
        for t in workflow.edges():
            assert handoffs.rules_for(workflow.name, t.source, t.action), (t.source, t.action)


# --- the record --------------------------------------------------------------------------------


def test_every_task_action_is_audited_once_with_a_sentence(
    cast,
    make_task,
    foreign_unit,
    foreign_person,
    run,
):
    from django.utils import translation

    office, head, clerk = cast["fao_reviewer"], cast["fao_head"], cast["unit_clerk"]
    a = make_task()
    a = run(supervision.task_ask_redirect, actor=clerk, task=a, reason="职责不符")
    a = run(supervision.task_keep, actor=office, task=a, reason="职责相符")
    a = run(supervision.task_ask_redirect, actor=clerk, task=a, reason="再议")
    a = run(
        supervision.task_redirect,
        actor=office,
        task=a,
        lead_unit=foreign_unit,
        responsible_person=foreign_person,
    )
    b = run(supervision.task_accept, actor=clerk, task=make_task(supporting=[]))
    run(supervision.task_progress, actor=clerk, task=b, text="进展")
    run(supervision.task_urge, actor=office, task=b, method="notice", text="催办")
    ext = run(
        supervision.extension_ask,
        actor=clerk,
        task=b,
        requested_date=b.due_date + dt.timedelta(days=3),
        reason="忙",
    )
    run(supervision.extension_decide, actor=office, extension=ext, grant=False, reason="不必")
    ext = run(
        supervision.extension_ask,
        actor=clerk,
        task=b,
        requested_date=b.due_date + dt.timedelta(days=3),
        reason="忙",
    )
    run(supervision.extension_decide, actor=office, extension=ext, grant=True)
    b = run(supervision.task_feedback, actor=clerk, task=b, text="完成")
    b = run(supervision.task_return, actor=office, task=b, reason="未解决")
    b = run(supervision.task_feedback, actor=clerk, task=b, text="完成了")
    b = run(supervision.task_close, actor=office, task=b)
    run(supervision.task_archive, actor=office, task=b)
    c = run(supervision.task_accept, actor=clerk, task=make_task())
    run(supervision.task_support_report, actor=cast["outsider"], task=c, text="配合")
    run(supervision.task_drop, actor=head, task=c, reason="重复")
    with time_machine.travel(timezone.now() + dt.timedelta(days=120)):
        run(supervision.colour_sweep)
    task_events = AuditEvent.objects.filter(action__regex=r"^followups\.(task|extension)\.")
    recorded = set(task_events.values_list("action", flat=True))
    expected = {k for k in MESSAGES if k.startswith(("followups.task.", "followups.extension."))}
    assert recorded == expected
    # Each action one event: b's story, step by step.
    b_actions = list(events(b).order_by("seq").values_list("action", flat=True))
    assert b_actions.count("followups.task.feedback") == 2
    assert b_actions.count("followups.extension.grant") == 1
    with translation.override("zh-hans"):
        for event in task_events:
            sentence = describe(event)
            assert "{" not in sentence and "—" not in sentence, (event.action, sentence)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in sentence), event.action


# --- trip outcomes unchanged -------------------------------------------------------------------


def test_the_outcome_services_and_lists_leave_tasks_alone(cast, working, home_person):
    outcome = services.outcome_create(
        actor=cast["unit_clerk"],
        title="与汉堡市签署经贸合作备忘录",
        kind="agreement",
        responsible_person=home_person,
        responsible_unit=home_person.unit,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    assert (outcome.track, outcome.source_kind, outcome.state) == ("outcome", "other", "open")
    assert list(selectors.outcome_list(cast["fao_reviewer"])) == [outcome]
    assert list(selectors.task_list(cast["fao_reviewer"])) == [working]
    with pytest.raises(ValidationError):
        services.progress_add(actor=cast["unit_clerk"], outcome=working, text="进展")
    with pytest.raises(ValidationError):
        services.outcome_complete(actor=cast["unit_leader"], outcome=working)
    assert Outcome.objects.get(pk=working.pk).state == State.IN_PROGRESS
    with pytest.raises(ValidationError):
        supervision.task_progress(actor=cast["unit_clerk"], task=outcome, text="进展")
    assert not any(task_actions_for(cast["fao_head"], outcome).values())


def test_the_docs_show_the_task_tables_in_the_code():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
    text = docs.read_text(encoding="utf-8")
    assert TASK.mermaid() in text and EXTENSION.mermaid() in text


def test_a_typed_source_is_kept_when_no_record_is_named(make_task):
    """A leader's instruction or a document is no record of ours: the office types what
    the task comes from, and the task keeps it (the 督办通知单 prints it)."""
    task = make_task(
        source_kind="instruction", urgency="ordinary", source_title=" 市长批示〔2026〕12号 "
    )
    assert task.source_title == "市长批示〔2026〕12号"
    assert task.source_type == "" and task.source_id is None
