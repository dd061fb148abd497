"""The home page's work items ("待办事项") and the header's inbox count.

Each role sees the records that wait for it to act, each with its due date, overdue first,
and never another unit's or district's; the header counts the unread notifications."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, UserFactory
from tests.missions.travel import back
from waishi.approvals.models import ApprovalStep, Delegation, StepState
from waishi.arrivals import services as arrival_services
from waishi.followups import services as followup_services
from waishi.lib import work
from waishi.lib.roles import Role
from waishi.missions.models import (
    ChangeRequest,
    ChangeState,
    Mission,
    ReportState,
    State,
    TripReport,
)
from waishi.notify.models import Notification
from waishi.plans.models import EntryState, PlanEntry, PlanState, PlanYear
from waishi.ui import views

TODAY = timezone.localdate

ITEM = re.compile(
    r'<li class="[^"]*" data-testid="work-item" data-due="(?P<due>[^"]*)"'
    r'(?P<late> data-overdue="1")?>'
    r'.*?<a class="fw-semibold" href="(?P<url>[^"]*)">(?P<title>[^<]*)</a>'
    r".*?</li>",
    re.S,
)


def items_on(response) -> list[dict]:
    assert response.status_code == 200
    html = response.content.decode()
    return [
        {
            "title": unescape(m["title"]),
            "url": m["url"],
            "due": m["due"],
            "overdue": bool(m["late"]),
            "text": unescape(re.sub(r"<[^>]+>", " ", m.group(0))),
        }
        for m in ITEM.finditer(html)
    ]


def home_items(client: Client) -> list[dict]:
    return items_on(client.get(reverse("ui:home")))


def all_items(client: Client) -> list[dict]:
    """The list of them all (its first page: enough for these tests)."""
    return items_on(client.get(reverse("ui:work-items")))


def titles(items) -> set[str]:
    return {i["title"] for i in items}


# -- builders (rows made directly: the flows that create them are tested in their apps) --


def returned_trip(unit, clerk, title: str) -> Mission:
    return Mission.objects.create(unit=unit, title=title, state=State.RETURNED, created_by=clerk)


def owed_report(unit, clerk, title: str, due: dt.date) -> TripReport:
    mission = Mission.objects.create(unit=unit, title=title, state=State.BACK, created_by=clerk)
    return TripReport.objects.create(mission=mission, due_date=due)


def pending_step(unit, subject: Mission, role: str, due: dt.date) -> ApprovalStep:
    return ApprovalStep.objects.create(
        subject_type="missions.mission",
        subject_id=subject.pk,
        unit=unit,
        sequence=1,
        approver_role=role,
        state=StepState.PENDING,
        started_at=timezone.now(),
        due_on=due,
    )


def submitted(unit, clerk, title: str) -> Mission:
    return Mission.objects.create(unit=unit, title=title, state=State.IN_REVIEW, created_by=clerk)


# -- the clerk: the report a month overdue, and scoping ---------------------------------


def test_the_clerk_sees_the_report_a_month_overdue_with_its_due_date(as_user, cast, home_unit):
    people = [PersonFactory(name="李雷", unit=home_unit, rank="county_division")]
    mission = back(cast, people, days_ago=75, title="赴德国经贸交流")
    report = TripReport.objects.get(mission=mission)
    # The due date the trip set on its return (REPORT_DUE), long past.
    assert report.due_date < TODAY() - dt.timedelta(days=28)

    items = home_items(as_user("unit_clerk"))
    found = [i for i in items if i["title"] == "赴德国经贸交流"]
    assert found, "the overdue report is not on the clerk's home page"
    item = found[0]
    assert item["url"] == reverse("missions:report", kwargs={"mission_pk": mission.pk})
    assert item["due"] == report.due_date.isoformat()
    assert item["overdue"]
    days = (TODAY() - report.due_date).days
    assert f"已超期 {days} 天" in item["text"]
    assert f"截止 {report.due_date:%Y-%m-%d}" in item["text"]
    # Overdue first: nothing undated or later precedes it.
    assert items[0]["overdue"]
    # The trip's passports are still out: the clerk returns them, due back on their date.
    passports = [i for i in items if "赴德国经贸交流" in i["title"] and i is not item]
    assert passports and all(i["due"] for i in passports)

    # Another unit's clerk sees none of it.
    assert "赴德国经贸交流" not in " ".join(titles(home_items(as_user("outsider"))))


def test_unit_items_stay_in_their_unit(as_user, cast, home_unit, foreign_unit, home_person):
    clerk, outsider = cast["unit_clerk"], cast["outsider"]
    returned_trip(home_unit, clerk, "本单位退回的申请")
    returned_trip(foreign_unit, outsider, "外单位退回的申请")
    owed_report(home_unit, clerk, "本单位应交的报告", TODAY() + dt.timedelta(days=5))
    owed_report(foreign_unit, outsider, "外单位应交的报告", TODAY() - dt.timedelta(days=5))
    owed_report(home_unit, clerk, "本单位超期的报告", TODAY() - dt.timedelta(days=3))
    trip = Mission.objects.create(
        unit=home_unit, title="已批准的出访", state=State.ABROAD, created_by=clerk
    )
    ChangeRequest.objects.create(
        mission=trip, number=1, base_number=1, state=ChangeState.RETURNED, created_by=clerk
    )
    outcome = followup_services.outcome_create(
        actor=cast["fao_reviewer"],
        title="落实合作备忘录",
        kind="agreement",
        responsible_person=home_person,
        responsible_unit=home_unit,
        due_date=TODAY() + dt.timedelta(days=10),
    )

    mine = titles(home_items(as_user("unit_clerk")))
    assert {"本单位退回的申请", "本单位应交的报告", "本单位超期的报告", "落实合作备忘录"} <= mine
    assert any("已批准的出访" in t for t in mine)  # the change request, returned
    assert not {"外单位退回的申请", "外单位应交的报告"} & mine
    # The unit's leader: only what is overdue (escalated to them), not the clerk's drafting.
    leader = titles(home_items(as_user("unit_leader")))
    assert "本单位超期的报告" in leader
    assert not {"本单位应交的报告", "本单位退回的申请", "外单位应交的报告"} & leader

    theirs = titles(home_items(as_user("outsider")))
    assert {"外单位退回的申请", "外单位应交的报告"} <= theirs
    assert not {"本单位退回的申请", "本单位应交的报告", "落实合作备忘录"} & theirs

    # A report submitted waits for the FAO's acceptance, no longer for the unit.
    sent = owed_report(foreign_unit, outsider, "外单位已提交的报告", TODAY() + dt.timedelta(days=1))
    TripReport.objects.filter(pk=sent.pk).update(state=ReportState.SUBMITTED)
    assert "外单位已提交的报告" in titles(home_items(as_user("fao_reviewer")))
    assert "外单位已提交的报告" not in titles(home_items(as_user("outsider")))

    # The FAO follows the overdue outcomes of every unit (not those still in time).
    assert "落实合作备忘录" not in titles(home_items(as_user("fao_reviewer")))
    type(outcome).objects.filter(pk=outcome.pk).update(due_date=TODAY() - dt.timedelta(days=1))
    fao = home_items(as_user("fao_reviewer"))
    assert [i["overdue"] for i in fao if i["title"] == "落实合作备忘录"] == [True]


# -- approvals: by role and unit, and as a delegate ---------------------------------------


def test_approval_steps_wait_for_their_approver_and_delegate(
    as_user, cast, home_unit, foreign_unit
):
    clerk, outsider = cast["unit_clerk"], cast["outsider"]
    ours = submitted(home_unit, clerk, "本单位待审批的出访")
    theirs = submitted(foreign_unit, outsider, "外单位待审批的出访")
    due = TODAY() + dt.timedelta(days=3)
    pending_step(home_unit, ours, Role.UNIT_LEADER, due)
    pending_step(foreign_unit, theirs, Role.UNIT_LEADER, due)
    fao_subject = submitted(foreign_unit, outsider, "待外办审核的出访")
    pending_step(foreign_unit, fao_subject, Role.FAO_REVIEWER, TODAY() - dt.timedelta(days=2))

    leader = home_items(as_user("unit_leader"))
    assert [(i["title"], i["due"]) for i in leader if "出访" in i["title"]] == [
        ("本单位待审批的出访", due.isoformat())
    ]
    reviewer = home_items(as_user("fao_reviewer"))
    late = [i for i in reviewer if i["title"] == "待外办审核的出访"]
    assert late and late[0]["overdue"]
    assert "本单位待审批的出访" not in titles(reviewer)
    assert "待外办审核的出访" not in titles(home_items(as_user("fao_head")))

    # The FAO head's step waits for the head; the reviewer standing in for the head sees
    # it too, on the head's behalf, while the delegation is in force.
    head_subject = submitted(foreign_unit, outsider, "待主任审定的出访")
    pending_step(foreign_unit, head_subject, Role.FAO_HEAD, due)
    assert "待主任审定的出访" in titles(home_items(as_user("fao_head")))
    assert "待主任审定的出访" not in titles(home_items(as_user("fao_reviewer")))
    head = cast["fao_head"]
    Delegation.objects.create(
        delegator=head,
        delegate=cast["fao_reviewer"],
        starts_on=TODAY() - dt.timedelta(days=1),
        ends_on=TODAY() + dt.timedelta(days=1),
        created_by=head,
    )
    found = [i for i in home_items(as_user("fao_reviewer")) if i["title"] == "待主任审定的出访"]
    assert found and found[0]["due"] == due.isoformat()
    assert f"等待您代{head.full_name or head.username}审批" in found[0]["text"]
    # The unit leader's own step is still theirs alone.
    assert "待主任审定的出访" not in titles(home_items(as_user("unit_leader")))


# -- arrivals: the district's steps and hand-overs, the command's escalations -------------


def test_arrival_steps_and_hand_overs_go_to_their_district(
    as_user,
    cast,
    arrival,
    other_district,
    other_officer,
):
    ours = arrival(name="王五")
    theirs = arrival(name="赵六", district=other_district)
    now = timezone.now()
    steps = list(ours.steps.order_by("sequence"))
    assert len(steps) >= 2
    late, later = steps[0], steps[1]
    type(late).objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(hours=3))
    ours.steps.exclude(pk=late.pk).update(due_at=now + dt.timedelta(days=10))
    theirs.steps.update(due_at=now - dt.timedelta(hours=1))

    officer = home_items(as_user("district_officer"))
    assert [i["title"] for i in officer] == [f"王五：{late.label}"]
    assert officer[0]["overdue"]
    assert f"王五：{later.label}" not in titles(officer)  # due in ten days: not yet
    assert not any("赵六" in t for t in titles(officer))
    assert titles(all_items(login_as(other_officer))) >= {
        f"赵六：{s.label}" for s in theirs.steps.all()
    }

    # The command sees the steps escalated to it, not every late step.
    assert home_items(as_user("city_command")) == []
    type(late).objects.filter(pk=late.pk).update(escalated_at=now)
    assert [i["title"] for i in home_items(as_user("city_command"))] == [f"王五：{late.label}"]

    # A hand-over waits for the district asked, not for the one asking.
    arrival_services.handover_request(
        actor=cast["district_officer"],
        arrival=ours,
        to_district=other_district,
        reason="住址在邻区",
    )
    asked = [i for i in all_items(login_as(other_officer)) if i["title"] == str(ours)]
    assert asked and asked[0]["due"] == ""
    assert str(ours) not in titles(home_items(as_user("district_officer")))


def login_as(user) -> Client:
    from tests.conftest import login

    return login(Client(), user)


# -- plans ---------------------------------------------------------------------------------


def test_plan_entries_wait_for_the_clerk_then_the_fao(as_user, cast, home_unit, foreign_unit):
    year = TODAY().year + 1
    plan = PlanYear.objects.create(
        year=year, deadline=TODAY() + dt.timedelta(days=20), state=PlanState.OPEN
    )
    values = {
        "purpose": "考察",
        "countries": ["JP"],
        "size": 2,
        "ranks": ["section_below"],
        "expected_month": 5,
        "budget_estimate": 1000,
        "category": "general",
    }
    PlanEntry.objects.create(
        plan=plan, unit=home_unit, title="退回的计划条目", state=EntryState.RETURNED, **values
    )
    PlanEntry.objects.create(
        plan=plan, unit=foreign_unit, title="外单位退回的条目", state=EntryState.RETURNED, **values
    )
    PlanEntry.objects.create(
        plan=plan, unit=foreign_unit, title="已报送的条目", state=EntryState.SUBMITTED, **values
    )

    clerk = [i for i in home_items(as_user("unit_clerk")) if "条目" in i["title"]]
    assert [(i["title"], i["due"]) for i in clerk] == [
        ("退回的计划条目", plan.deadline.isoformat())
    ]
    reviewer = titles(home_items(as_user("fao_reviewer")))
    assert "已报送的条目" in reviewer and "退回的计划条目" not in reviewer

    # Consolidated, the plan waits for the committee (and no one else).
    assert "已报送的条目" not in titles(home_items(as_user("committee")))
    PlanYear.objects.filter(pk=plan.pk).update(state=PlanState.CONSOLIDATED)
    committee = home_items(as_user("committee"))
    assert [i["url"] for i in committee] == [
        reverse("plans:plan-detail", kwargs={"plan_pk": plan.pk})
    ]
    assert str(year) in committee[0]["title"]
    assert str(year) not in " ".join(titles(home_items(as_user("fao_head"))))


# -- order, the empty state, the list of them all ------------------------------------------


def test_items_are_ordered_overdue_first_then_by_due_date(as_user, cast, home_unit):
    clerk = cast["unit_clerk"]
    dues = [5, -30, 1, -2, 40]
    for n, days in enumerate(dues):
        owed_report(home_unit, clerk, f"报告{n}", TODAY() + dt.timedelta(days=days))
    returned_trip(home_unit, clerk, "没有截止日期的申请")

    items = home_items(as_user("unit_clerk"))
    shown = [(i["overdue"], i["due"]) for i in items]
    dated = [(d < 0, (TODAY() + dt.timedelta(days=d)).isoformat()) for d in dues]
    expected = [*sorted(dated, key=lambda pair: (not pair[0], pair[1])), (False, "")]
    assert shown == expected
    assert items[-1]["title"] == "没有截止日期的申请"


def test_the_empty_state_says_what_will_appear(as_user):
    response = as_user("committee").get(reverse("ui:home"))
    assert items_on(response) == []
    html = response.content.decode()
    assert 'data-testid="work-items-empty"' in html
    assert "暂无待办" in html and "截止日期" in html


def test_the_home_page_caps_the_list_and_links_to_all(as_user, cast, home_unit, monkeypatch):
    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 4)
    clerk = cast["unit_clerk"]
    total = views.HOME_ITEMS + 3
    for n in range(total):
        owed_report(home_unit, clerk, f"报告{n:02d}", TODAY() + dt.timedelta(days=n))
    client = as_user("unit_clerk")
    response = client.get(reverse("ui:home"))
    assert len(items_on(response)) == views.HOME_ITEMS
    html = response.content.decode()
    assert reverse("ui:work-items") in html and f"查看全部（共 {total} 项）" in html

    seen = []
    page = 1
    while True:
        rows = items_on(client.get(reverse("ui:work-items"), {"page": page}))
        seen += rows
        if len(seen) >= total or not rows or page > total:
            break
        page += 1
    assert [i["title"] for i in seen] == [f"报告{n:02d}" for n in range(total)]


def test_items_for_sorts_every_provider_and_nobody_anonymous(monkeypatch, db):
    from django.contrib.auth.models import AnonymousUser

    day = TODAY()
    monkeypatch.setattr(work, "ITEM_PROVIDERS", [])
    work.register_items(lambda u: [work.Item("b", "/b", day + dt.timedelta(days=2), "k")])
    work.register_items(
        lambda u: [
            work.Item("c", "/c", None, "k"),
            work.Item("a", "/a", day - dt.timedelta(days=1), "k"),
            work.Item("d", "/d", day, "k", overdue=True),  # due at an hour already past
        ]
    )
    user = UserFactory(username="sorter", role=Role.FAO_REVIEWER, otp=True)
    assert [i.title for i in work.items_for(user)] == ["a", "d", "b", "c"]
    assert work.items_for(AnonymousUser()) == []


# -- bounded queries -------------------------------------------------------------------------


def test_the_home_page_reads_a_bounded_number_of_queries(
    as_user, cast, home_unit, home_person, django_assert_max_num_queries
):
    clerk, leader = cast["unit_clerk"], cast["unit_leader"]

    def add(n: int, start: int) -> None:
        for k in range(start, start + n):
            returned_trip(home_unit, clerk, f"退回{k}")
            owed_report(home_unit, clerk, f"报告{k}", TODAY() + dt.timedelta(days=k - 3))
            pending_step(
                home_unit, submitted(home_unit, clerk, f"待批{k}"), Role.UNIT_LEADER, TODAY()
            )
            trip = Mission.objects.create(
                unit=home_unit, title=f"在外{k}", state=State.ABROAD, created_by=clerk
            )
            ChangeRequest.objects.create(
                mission=trip, number=1, base_number=1, state=ChangeState.RETURNED, created_by=clerk
            )
            followup_services.outcome_create(
                actor=cast["fao_reviewer"],
                title=f"成果{k}",
                kind="agreement",
                responsible_person=home_person,
                responsible_unit=home_unit,
                due_date=TODAY() + dt.timedelta(days=k + 1),
            )

    def count(client) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("ui:home")).status_code == 200
        return len(queries)

    add(2, 0)
    clerk_client, leader_client = as_user("unit_clerk"), as_user("unit_leader")
    few = (count(clerk_client), count(leader_client))
    add(6, 2)
    many = (count(clerk_client), count(leader_client))
    waiting = [i for i in all_items(leader_client) if i["title"].startswith("待批")]
    assert len(waiting) == 8 and len(work.items_for(clerk)) == 8 * 4
    assert many == few, "the home page reads more queries with more items (N+1)"
    with django_assert_max_num_queries(40):
        clerk_client.get(reverse("ui:home"))
    assert leader.is_active


# -- the header's inbox count ------------------------------------------------------------------


def test_the_header_counts_unread_notifications(as_user, cast, client):
    clerk = cast["unit_clerk"]
    for n in range(3):
        Notification.objects.create(recipient=clerk, kind="test", title=f"通知{n}")
    Notification.objects.create(recipient=clerk, kind="test", title="已读", read_at=timezone.now())
    Notification.objects.create(recipient=cast["outsider"], kind="test", title="别人的")

    html = as_user("unit_clerk").get(reverse("ui:home")).content.decode()
    badge = re.search(r'data-testid="header-inbox">(.*?)</a>', html, re.S)
    assert badge, "no inbox link in the header"
    unread = Notification.objects.filter(recipient=clerk, read_at__isnull=True).count()
    text = re.sub(r"<[^>]+>", "", badge.group(1))
    assert "收件箱" in text and f"{unread} 条未读通知" in text
    assert re.search(rf'<span aria-hidden="true">{unread}</span>', badge.group(1))

    # Nothing unread: the link without a count.
    Notification.objects.filter(recipient=clerk).update(read_at=timezone.now())
    html = as_user("unit_clerk").get(reverse("ui:home")).content.decode()
    assert 'data-testid="header-inbox"' in html and 'data-testid="header-unread"' not in html

    # Signed out: no inbox in the header at all.
    page = client.get(reverse("accounts:login"))
    assert 'data-testid="header-inbox"' not in page.content.decode()


def test_administrators_get_no_work_list(as_user):
    """三权分立: the administrators see no business record, so no business work either."""
    html = as_user("sys_admin").get(reverse("ui:home")).content.decode()
    assert 'data-testid="work-items' not in html and "work-heading" not in html
