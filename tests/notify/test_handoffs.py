"""Who is told when work is handed over (``waishi.notify.handoffs``).

Every row of every transition table in the project either notifies someone or says why
not; then the hand-overs of a trip's life, driven through the real services, reach the
people who must act -- in the inbox and by e-mail, as each chose per kind."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
from html import unescape
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.missions.decisions import approve_until_last, exempt, pending, quota_for, submit
from tests.missions.travel import abroad
from waishi.approvals.models import Delegation
from waishi.arrivals import services as arrivals
from waishi.followups import services as followups
from waishi.lib.roles import Role
from waishi.lib.workflow import Workflow
from waishi.missions.application import services
from waishi.missions.changes import services as changes
from waishi.missions.models import Mission
from waishi.missions.trip import services as trip_services
from waishi.notify import handoffs
from waishi.notify.models import Notification, NotificationPreference
from waishi.notify.services import digest_send, preferences_save

ROOT = Path(__file__).resolve().parents[2] / "waishi"


# --- every row of every table ---------------------------------------------------------------


def _modules_making_workflows() -> list[str]:
    """The modules of the project that build a ``Workflow`` (read from the source, so that
    a new table cannot hide from this test)."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Workflow"
            ):
                module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
                found.append(module)
                break
    return found


def every_workflow() -> list[Workflow]:
    tables = []
    for name in _modules_making_workflows():
        module = importlib.import_module(name)
        tables.extend(v for v in vars(module).values() if isinstance(v, Workflow))
    return tables


def test_the_project_has_the_tables_it_is_known_to_have():
    names = {w.name for w in every_workflow()}
    assert {
        "missions.mission",
        "missions.changerequest",
        "missions.report",
        "approval.step",
        "plans.entry",
        "plans.plan",
        "arrivals.arrival",
        "arrivals.step",
        "arrivals.handover",
        "arrivals.batch",
        "passports.passport",
        "passports.application",
        "followups.outcome",
    } <= names


def test_every_row_of_every_table_notifies_someone_or_says_why_not():
    missing = []
    for workflow in every_workflow():
        for t in workflow.edges():
            rules = handoffs.rules_for(workflow.name, t.source, t.action)
            if not rules:
                missing.append(f"{workflow.name}: {t.source} --{t.action}--> {t.target}")
            for rule in rules:
                if rule.is_silent:
                    assert rule.why.strip(), (workflow.name, t.action)
                else:
                    assert rule.kind in {k.code for k in handoffs.kinds()}
    assert not missing, "rows neither handed off nor silent:\n" + "\n".join(missing)


def test_a_row_not_in_the_table_is_refused_when_declared():
    workflow = every_workflow()[0]
    with pytest.raises(ValueError):
        handoffs.silent(workflow, "no_such_action", why="a typo")
    with pytest.raises(ValueError):
        handoffs.silent(workflow, workflow.transitions[0].action, why=" ")


def test_every_kind_a_module_sends_has_a_label():
    """Every ``kind="..."`` written in the source is registered with its label, and the
    label is not the code (a person never reads "missions.report_reminder")."""
    codes = {k.code: k for k in handoffs.kinds()}
    written = set()
    for path in ROOT.rglob("*.py"):
        written |= set(
            re.findall(r"""\bkind=["']([a-z_]+\.[a-z_]+)["']""", path.read_text("utf-8"))
        )
    assert written, "the search found no kind at all"
    assert sorted(written - set(codes)) == []
    for code, kind in codes.items():
        assert str(kind.label) and str(kind.label) != code and "." not in str(kind.label)


# --- a trip through its chain ----------------------------------------------------------------


def notes(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def mails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(fn, *args, **kwargs): call a service, then what waits for the commit (the
    engine's notice, the e-mails)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def test_a_submitted_trip_tells_the_unit_leader(cast, mission, clerk, run):
    leader = cast["unit_leader"]
    mail.outbox.clear()
    m = run(submit, clerk, mission)
    step = pending(m)
    note = notes(leader, "approvals.waiting").get()
    assert m.title in note.title
    assert note.url == reverse("missions:detail", kwargs={"mission_pk": m.pk})
    assert note.due_on == step.due_on and step.due_on.isoformat() in note.body
    assert len(mails_to(leader)) == 1 and mails_to(leader)[0].subject == note.title
    # Nobody else waits: not the FAO yet, not the clerk who submitted.
    assert not notes(cast["fao_reviewer"]).exists()
    assert not notes(clerk).exists()


def _delegate_of(delegator, username: str, *, starts_in: int = 0):
    """A committee member to whom ``delegator`` (a city approver) delegates: not an
    approver of ``delegator``'s steps but through the delegation."""
    deputy = UserFactory(username=username, role=Role.COMMITTEE, full_name="代理审批人")
    start = timezone.localdate() + dt.timedelta(days=starts_in)
    Delegation.objects.create(
        delegator=delegator,
        delegate=deputy,
        starts_on=start,
        ends_on=start + dt.timedelta(days=5),
        reason="出差",
        created_by=delegator,
    )
    return deputy


def test_the_next_step_tells_its_approver_and_the_approvers_delegate(cast, mission, clerk, run):
    reviewer = cast["fao_reviewer"]
    deputy = _delegate_of(reviewer, "deputy")
    m = run(submit, clerk, mission)
    quota_for(m)
    mail.outbox.clear()
    run(services.mission_decide, actor=cast["unit_leader"], mission=m, decision="approve")
    step = pending(m)
    assert step.approver_role == "fao_reviewer"
    for user in (reviewer, deputy):
        note = notes(user, "approvals.waiting").get()
        assert m.title in note.title and note.due_on == step.due_on
        assert len(mails_to(user)) == 1
    # The committee member who is no delegate hears nothing yet.
    assert not notes(cast["committee"]).exists()


def test_the_leaders_approval_tells_the_fao_reviewer_not_the_leader(cast, mission, clerk, run):
    m = run(submit, clerk, mission)
    quota_for(m)
    Notification.objects.all().delete()
    run(services.mission_decide, actor=cast["unit_leader"], mission=m, decision="approve")
    assert pending(m).approver_role == "fao_reviewer"
    assert notes(cast["fao_reviewer"], "approvals.waiting").count() == 1
    assert not notes(cast["unit_leader"]).exists()
    assert not notes(cast["fao_head"]).exists()  # its step still waits for the reviewer's


def test_a_return_tells_the_clerk_with_the_approvers_comment(cast, mission, clerk, run):
    other_clerk = UserFactory(username="clerk_2", role=Role.UNIT_CLERK, unit=clerk.unit)
    m = run(submit, clerk, mission)
    run(
        services.mission_decide,
        actor=cast["unit_leader"],
        mission=m,
        decision="return",
        comment="请补充日程安排",
    )
    for user in (clerk, other_clerk):
        note = notes(user, "missions.returned").get()
        assert m.title in note.title and "请补充日程安排" in note.body
    assert not notes(cast["unit_leader"], "missions.returned").exists()


def test_the_final_approval_tells_the_clerk(cast, mission, clerk, run):
    m = run(submit, clerk, mission)
    quota_for(m)
    exempt(cast, m)
    approve_until_last(cast, m)
    assert not notes(clerk, "missions.decided").exists()
    run(
        services.mission_decide,
        actor=cast[pending(m).approver_role],
        mission=m,
        decision="approve",
        comment="同意",
    )
    assert Mission.objects.get(pk=m.pk).state == "approved"
    note = notes(clerk, "missions.decided").get()
    assert m.title in note.title and len(mails_to(clerk)) >= 1


def test_a_change_request_tells_its_first_approver(cast, people, run):
    from tests.missions.test_changes import filed, with_seoul
    from tests.missions.travel import approved

    m = filed(approved(cast, people))
    change = changes.change_create(
        actor=cast["unit_clerk"], mission=m, proposed=with_seoul(m), reason="对方临时邀请顺访"
    )
    Notification.objects.all().delete()
    run(changes.change_submit, actor=cast["unit_clerk"], change=change, justifications={})
    note = notes(cast["unit_leader"], "approvals.waiting").get()
    assert note.url.endswith(f"/changes/{change.pk}/")
    assert not notes(cast["unit_clerk"]).exists()


def test_a_trip_back_asks_for_its_passports_and_its_report(cast, people, run):
    other_clerk = UserFactory(
        username="clerk_2", role=Role.UNIT_CLERK, unit=cast["unit_clerk"].unit
    )
    m = abroad(cast, people, departs_in=-3, days=4)
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(trip_services.mission_come_back, actor=cast["unit_clerk"], mission=m, on=m.return_date)
    report = notes(other_clerk, "missions.report_reminder").get()
    passports = notes(other_clerk, "passports.return_reminder").get()
    due = Mission.objects.get(pk=m.pk).report.due_date
    assert report.due_on == due and report.url.endswith("/report/")
    for person in people:
        assert person.name in passports.body
    assert passports.due_on is not None and passports.due_on >= m.return_date
    assert len(mails_to(other_clerk)) == 2
    # The clerk who confirmed the return is not told of their own act.
    assert not notes(cast["unit_clerk"]).exists()


def test_a_followup_given_to_a_unit_tells_the_unit(cast, run):
    outcome = run(
        followups.outcome_create,
        actor=cast["fao_reviewer"],
        title="落实合作备忘录",
        kind="other",
        responsible_person=_person(cast),
        responsible_unit=cast["unit_clerk"].unit,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    for role in ("unit_clerk", "unit_leader"):
        note = notes(cast[role], "followups.assigned").get()
        assert outcome.title in note.title and note.due_on == outcome.due_date
    assert not notes(cast["fao_reviewer"]).exists()


def _person(cast):
    from tests.factories import PersonFactory

    return PersonFactory(name="赵六", unit=cast["unit_clerk"].unit)


def test_a_handover_offered_tells_the_district_asked_once(
    arrival, officer, other_officer, other_district, run
):
    handover = run(
        arrivals.handover_request,
        actor=officer,
        arrival=arrival(name="王五"),
        to_district=other_district,
        reason="实际住址在邻区",
    )
    note = notes(other_officer, "arrivals.handover").get()
    assert "实际住址在邻区" in note.body
    assert not notes(officer).exists()
    run(arrivals.handover_refuse, actor=other_officer, handover=handover, reason="查无此人")
    answer = notes(officer, "arrivals.handover").get()  # one notice, not two
    assert "查无此人" in answer.body
    assert notes(other_officer).count() == 1


# --- each user's choice per kind ---------------------------------------------------------


def test_no_email_for_a_kind_still_leaves_the_inbox_row(cast, mission, clerk, run):
    leader = cast["unit_leader"]
    preferences_save(actor=leader, choices={"approvals.waiting": "inbox"})
    mail.outbox.clear()
    run(submit, clerk, mission)
    assert notes(leader, "approvals.waiting").count() == 1
    assert mails_to(leader) == []


def test_the_digest_waits_for_the_daily_job_and_sends_one_email(cast, mission, clerk, run):
    leader = cast["unit_leader"]
    preferences_save(actor=leader, choices={"approvals.waiting": "digest"})
    mail.outbox.clear()
    m = run(submit, clerk, mission)
    assert mails_to(leader) == []
    note = notes(leader, "approvals.waiting").get()
    sent = run(digest_send)
    assert sent == 1
    (message,) = mails_to(leader)
    assert note.title in message.body and m.title in message.body
    # Run again (another consumer, or by hand): nothing twice.
    assert run(digest_send) == 0 and len(mails_to(leader)) == 1
    # A notice of a kind not chosen for the digest never goes into it.
    assert not NotificationPreference.objects.filter(user=leader, kind="missions.decided").exists()


def test_the_digest_runs_from_the_command_line(cast, mission, clerk, run, capsys):
    leader = cast["unit_leader"]
    preferences_save(actor=leader, choices={"approvals.waiting": "digest"})
    run(submit, clerk, mission)
    mail.outbox.clear()
    run(call_command, "notify_digest")
    assert capsys.readouterr().out.strip() == "1"
    assert len(mails_to(leader)) == 1


def test_a_read_notice_is_not_in_the_digest(cast, mission, clerk, run):
    leader = cast["unit_leader"]
    preferences_save(actor=leader, choices={"approvals.waiting": "digest"})
    run(submit, clerk, mission)
    notes(leader).update(read_at=timezone.now())
    mail.outbox.clear()
    assert run(digest_send) == 0 and mail.outbox == []


def test_an_unknown_choice_is_refused_and_changes_nothing(cast):
    leader = cast["unit_leader"]
    with pytest.raises(ValidationError):
        preferences_save(
            actor=leader, choices={"approvals.waiting": "digest", "missions.decided": "sms"}
        )
    with pytest.raises(ValidationError):
        preferences_save(actor=leader, choices={"approvals.waiting": "digest", "no.such": "email"})
    assert not NotificationPreference.objects.filter(user=leader).exists()


def test_the_settings_page_lists_kinds_by_their_labels(cast, as_user):
    from django.utils import translation

    client = as_user("unit_leader")
    inbox = client.get(reverse("notify:inbox")).content.decode()
    assert reverse("notify:preferences") in inbox
    page = client.get(reverse("notify:preferences"))
    html = unescape(page.content.decode())
    assert page.status_code == 200
    leader = cast["unit_leader"]
    offered = handoffs.kinds(leader)
    with translation.override("zh-hans"):
        for kind in offered:
            assert str(kind.label) in html
        # A unit leader is offered what is sent to unit leaders, not the audit's alarms
        # nor the arrivals' hand-overs.
        codes = {k.code for k in offered}
        assert {"approvals.waiting", "missions.report_escalation"} <= codes
        for code in ("audit.chain_broken", "arrivals.handover"):
            assert code not in codes
            assert handoffs.label_of(code) not in html
    # The codes are field names, never text a person reads.
    text = re.sub(r"<[^>]+>", " ", html)
    for kind in handoffs.kinds():
        assert kind.code not in text
    answer = client.post(
        reverse("notify:preferences"),
        {
            k.code: ("digest" if k.code == "approvals.waiting" else "email")
            for k in handoffs.kinds(leader)
        },
    )
    assert answer.status_code == 302
    pref = NotificationPreference.objects.get(user=cast["unit_leader"])
    assert (pref.kind, pref.email, pref.digest) == ("approvals.waiting", True, True)
    wrong = client.post(reverse("notify:preferences"), {"approvals.waiting": "sms"})
    assert wrong.status_code == 200
    assert NotificationPreference.objects.filter(user=cast["unit_leader"]).count() == 1


def test_the_end_of_the_publicity_tells_the_final_approver_once(cast, mission, clerk, run):
    from waishi.missions.notices import publicity_ready

    m = run(submit, clerk, mission)
    quota_for(m)
    publicity = services.publicity_publish(actor=clerk, mission=m)
    approve_until_last(cast, m)
    final = pending(m)
    assert final.approver_role == "committee"
    committee = cast["committee"]
    Notification.objects.all().delete()
    # Not before the period has run ...
    assert publicity_ready(today=publicity.ends_on) == 0
    # ... then once, to the final step's approvers only.
    after = publicity.ends_on + dt.timedelta(days=1)
    assert run(publicity_ready, today=after) == 1
    note = notes(committee, "missions.publicity_ready").get()
    assert m.title in note.title and publicity.ends_on.isoformat() in note.body
    assert run(publicity_ready, today=after) == 0
    assert Notification.objects.count() == 1


def test_the_inbox_names_each_notice_by_its_kinds_label(cast, mission, clerk, run, as_user):
    from django.utils import translation

    run(submit, clerk, mission)
    html = unescape(as_user("unit_leader").get(reverse("notify:inbox")).content.decode())
    with translation.override("zh-hans"):
        label = handoffs.label_of("approvals.waiting")
    assert label != "approvals.waiting" and label in html
    assert "approvals.waiting" not in re.sub(r"<[^>]+>", " ", html)


def test_the_digest_lists_the_days_notices_only(cast, run):
    from waishi.notify.services import notify

    leader = cast["unit_leader"]
    preferences_save(actor=leader, choices={"approvals.waiting": "digest"})
    old, _today = (
        notify([leader], kind="approvals.waiting", title=lambda t=t: t)[0]
        for t in ("上周的审批", "今天的审批")
    )
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    mail.outbox.clear()
    assert run(digest_send) == 1
    (message,) = mails_to(leader)
    assert "今天的审批" in message.body and "上周的审批" not in message.body


def test_a_kind_received_is_offered_whatever_the_role(cast, as_user):
    from waishi.notify.services import notify

    leader = cast["unit_leader"]
    assert "arrivals.handover" not in {k.code for k in handoffs.kinds(leader)}
    notify([leader], kind="arrivals.handover", title=lambda: "移交")
    assert "arrivals.handover" in {k.code for k in handoffs.kinds(leader)}


def test_the_plan_year_tells_the_fao_the_committee_then_the_units_once(cast, plan, draft, run):
    from waishi.plans import services as plans

    fao_reviewer, committee, clerk = cast["fao_reviewer"], cast["committee"], cast["unit_clerk"]
    run(plans.entry_submit, actor=cast["unit_leader"], entry=draft)
    assert notes(fao_reviewer, "plans.entry_submitted").count() == 1
    assert notes(cast["fao_head"], "plans.entry_submitted").count() == 1
    run(plans.entry_accept, actor=fao_reviewer, entry=draft)
    assert not notes(clerk).exists()  # accepted: nothing for the unit to do
    run(plans.plan_consolidate, actor=cast["fao_head"], plan=plan)
    assert notes(committee, "plans.plan_waiting").count() == 1
    run(plans.plan_approve, actor=committee, plan=plan)
    # One notice of the plan approved, not one more per entry approved with it.
    assert notes(clerk, "plans.plan_approved").count() == 1
    assert not notes(clerk, "plans.entry_decided").exists()
    # An amendment approved on its own goes back to its unit.
    entry = plans.entry_amend(actor=clerk, entry=draft)
    run(plans.entry_submit, actor=cast["unit_leader"], entry=entry)
    run(plans.entry_accept, actor=fao_reviewer, entry=entry)
    run(plans.entry_approve, actor=committee, entry=entry)
    assert notes(clerk, "plans.entry_decided").count() == 1


def test_a_delegation_beginning_tells_the_delegate_of_what_already_waits(cast, mission, clerk, run):
    import time_machine

    from waishi.approvals import services as approvals
    from waishi.approvals.notices import delegations_beginning, tell_delegate

    reviewer, head = cast["fao_reviewer"], cast["fao_head"]
    today = timezone.localdate()
    deputy, later = (
        UserFactory(username=name, role=Role.COMMITTEE) for name in ("deputy_now", "deputy_later")
    )
    m = run(submit, clerk, mission)
    quota_for(m)
    run(services.mission_decide, actor=cast["unit_leader"], mission=m, decision="approve")
    assert pending(m).approver_role == "fao_reviewer"
    assert not notes(deputy).exists()
    now = run(
        approvals.delegation_create,
        actor=reviewer,
        delegator=reviewer,
        delegate=deputy,
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
        reason="出差",
    )
    assert notes(deputy, "approvals.waiting").count() == 1
    assert tell_delegate(now) == 0  # once per step
    # The FAO head's delegation from the day after tomorrow: nothing now; its delegate
    # is told that day, once the reviewer has passed the trip on to the head.
    run(
        approvals.delegation_create,
        actor=head,
        delegator=head,
        delegate=later,
        starts_on=today + dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=5),
        reason="休假",
    )
    run(services.mission_decide, actor=reviewer, mission=m, decision="approve")
    assert pending(m).approver_role == "fao_head"
    assert not notes(later).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert run(delegations_beginning) == 1
        assert run(delegations_beginning) == 0
    assert notes(later, "approvals.waiting").count() == 1


def test_a_step_started_and_decided_in_one_transaction_tells_only_the_next(
    cast, mission, clerk, run
):
    from django.db import transaction

    def submit_and_approve():
        with transaction.atomic():
            m = submit(clerk, mission)
            quota_for(m)
            services.mission_decide(actor=cast["unit_leader"], mission=m, decision="approve")
        return m

    m = run(submit_and_approve)
    assert pending(m).approver_role == "fao_reviewer"
    # The leader's step was decided before the commit: no stale "waiting for you".
    assert not notes(cast["unit_leader"]).exists()
    assert notes(cast["fao_reviewer"], "approvals.waiting").count() == 1
