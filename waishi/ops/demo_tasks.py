"""The demo's supervised tasks (督办事项): leaders' instructions and documents' requirements
given to the commerce bureau (the demo's ``clerk`` and ``leader``) and others, each taken
through the real services on the days of its own past (``orgs.demo.clock``), so that on the
day the demo runs the board shows every state and every colour: a task waiting to be
accepted, one near its deadline (blue), one whose monthly report is missing and one
returned as not solved (yellow), one overdue and one never accepted (red), one waiting for
the office's review, a redirect asked, more time asked, granted and refused, tasks closed
on time and late, one archived, one dropped, one only registered.

The tasks of the committee's minutes and of the year's key points come from their own
demo loaders (``waishi.committee.demo``); ``drive`` takes some of them on as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from waishi.orgs.demo import clock, moment

Progress = Callable[[str], None]


@dataclass
class Cast:
    office: object  # the FAO reviewer
    head: object  # the FAO head
    clerk: object  # the commerce bureau's clerk (lead unit)
    leader: object  # the commerce bureau's leader
    clerk2: object  # the education bureau's clerk (supporting unit)


def cast() -> Cast:
    from waishi.orgs.models import User

    users = {u.username: u for u in User.objects.filter(is_active=True)}
    return Cast(
        office=users["reviewer"],
        head=users["head"],
        clerk=users["clerk"],
        leader=users["leader"],
        clerk2=users["clerk2"],
    )


def _person(unit):
    from waishi.orgs.models import Person

    return Person.objects.filter(unit=unit).order_by("pk").first()


def _unit(code: str):
    from waishi.orgs.models import Unit

    return Unit.objects.get(code=code)


def _at(day: date, hour: int = 10):
    return clock(moment(day, hour))


def _refresh(task):
    return type(task).objects.get(pk=task.pk)


# (title, source kind, urgency, leader, lead unit code, supporting codes, major, scenario,
#  days ago it was registered, explicit due in days from today or None)
TASKS = [
    ("研究制定外资企业服务专员制度", "instruction", "urgent", "市长批示", "HB-COM", (),
     False, "assigned", 2, None),
    ("落实国际友城青年交流营筹备工作", "instruction", "ordinary", "市委书记批示", "HB-COM",
     ("HB-EDU",), False, "near", 18, 2),
    ("推动中外合作办学项目落地", "instruction", "difficult", "分管副市长批示", "HB-COM",
     ("HB-EDU",), False, "supported", 10, None),
    ("整改出访报告报送不及时问题", "document", "", "", "HB-COM", (), False, "red", 60, None),
    ("建设外资企业投诉快速响应机制", "document", "", "", "HB-COM", ("HB-EDU",), True,
     "monthly_missing", 95, 60),
    ("完善因公出国（境）管理台账", "document", "", "", "HB-COM", (), False, "returned", 30, 20),
    ("梳理教育系统国际交流项目清单", "instruction", "ordinary", "市长批示", "HB-EDU", (),
     False, "feedback", 12, 10),
    ("牵头开展对外宣传资料编印", "instruction", "ordinary", "分管副市长批示", "HB-COM", (),
     False, "redirect", 3, None),
    ("办理外籍人士来访接待流程优化", "document", "", "", "HB-COM", (), False, "done", 45, None),
    ("上报年度外事统计数据", "document", "", "", "HB-COM", (), False, "done_late", 70, None),
    ("清理过期公务护照", "document", "", "", "HB-COM", (), False, "archived", 400, -370),
    ("筹办国际经贸洽谈会分会场", "instruction", "ordinary", "市长批示", "HB-COM", (), False,
     "dropped", 40, 20),
    ("研究友城合作备忘录续签事宜", "document", "", "", "HB-COM", (), False, "registered", 1, None),
    ("编制境外投资风险防控指引", "instruction", "difficult", "市委书记批示", "HB-COM", (),
     False, "extended", 35, 3),
    ("推进外资项目用地审批提速", "instruction", "ordinary", "市长批示", "HB-COM", (), False,
     "extension_asked", 14, 4),
    ("组织涉外安全教育培训", "document", "", "", "HB-COM", (), False, "extension_refused", 20,
     6),
    ("开展文旅对外推介活动", "instruction", "ordinary", "分管副市长批示", "HB-CT", (), False,
     "never_accepted", 40, None),
]  # fmt: skip


def seed(today: date, progress: Progress = lambda message: None, extra=()) -> dict[str, int]:
    """Register and drive the demo's tasks; ``extra`` are tasks made by other loaders
    (the minutes' decisions, the key points), given as (task, scenario) pairs to drive.
    Returns the count of tasks by state. Skips when the demo's tasks exist already."""
    from waishi.followups.models import Outcome, Track

    if Outcome.objects.filter(track=Track.TASK, title=TASKS[0][0]).exists():
        progress("supervised tasks: already there")
        return {}
    who = cast()
    extra = [*extra, *seed_key_points(today, who)]
    for title, kind, urgency, leader, lead, support, major, scenario, ago, due in TASKS:
        start = today - timedelta(days=ago)
        with transaction.atomic():
            task = _register(
                who, start, title, kind, urgency, leader, lead, support, major,
                today + timedelta(days=due) if due is not None else None,
            )  # fmt: skip
            drive(who, task, scenario, start, today)
    for task, scenario in extra:
        with transaction.atomic():
            drive(who, task, scenario, timezone_date(task), today)
    from waishi.followups import supervision

    with _at(today, 7):
        supervision.colour_sweep(today=today)
    counts: dict[str, int] = {}
    for state in Outcome.objects.filter(track=Track.TASK).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


# The year's work key points: (area, [(key point, [(task, lead, supporting, due month,
# scenario)])]); a leaf with a lead unit becomes a supervised task.
KEY_POINTS = [
    ("服务高水平对外开放", [
        ("深化国际经贸合作", [
            ("举办海滨国际投资推介会", "HB-COM", ("HB-CCPIT",), 9, "done"),
            ("建立重点外资企业联系服务制度", "HB-COM", (), 12, "supported"),
        ]),
        ("扩大国际人文交流", [
            ("开展友好城市青少年互访", "HB-EDU", ("HB-CT",), 12, "assigned"),
            ("举办国际文化旅游节", "HB-CT", (), 10, "never_accepted"),
        ]),
    ]),
    ("加强外事管理", [
        ("规范因公出国（境）管理", [
            ("修订因公出国（境）管理实施细则", "HB-FAO", (), 12, "registered"),
        ]),
    ]),
]  # fmt: skip


def seed_key_points(today: date, who: Cast) -> list:
    """This year's key points, typed in by the office at the start of the year, each task
    leaf made a supervised task; returns (task, scenario) pairs for ``drive``."""
    from waishi.committee import keypoint_services as kp
    from waishi.committee.keypoint_models import KeyPointPlan

    if KeyPointPlan.objects.filter(year=today.year).exists():
        return []
    start = min(today, max(date(today.year, 1, 20), today - timedelta(days=300)))
    pairs = []
    with _at(start, 9):
        plan = kp.keypoints_plan_create(
            actor=who.office, year=today.year, title=f"{today.year}年全市外事工作要点"
        )
        for area_title, points in KEY_POINTS:
            area = kp.keypoint_add(actor=who.office, plan=plan, title=area_title)
            for point_title, leaves in points:
                point = kp.keypoint_add(actor=who.office, plan=plan, parent=area, title=point_title)
                for title, lead, support, month, scenario in leaves:
                    due = date(today.year, month, 28)
                    if scenario != "done":  # the open ones: not yet due on the demo's day
                        due = max(due, today + timedelta(days=10))
                    leaf = kp.keypoint_add(
                        actor=who.office,
                        plan=plan,
                        parent=point,
                        title=title,
                        due_date=due,
                        lead_unit=_unit(lead),
                        supporting_units=[_unit(code) for code in support],
                    )
                    task = kp.keypoint_to_task(actor=who.office, point=leaf)
                    pairs.append((task, scenario))
    return pairs


# What the demo's units do with the tasks of the minutes, in the order they were made.
MINUTES_SCENARIOS = ("feedback", "supported", "returned", "near", "assigned")


def minutes_tasks() -> list:
    """The tasks the committee's demo made of the issued minutes' decisions, still waiting
    to be accepted, paired with what their lead unit does next (when it is a unit with
    demo accounts)."""
    from waishi.followups.models import Outcome, SourceKind, State, Track
    from waishi.orgs.models import User

    units = set(
        User.objects.filter(username__in=("clerk", "clerk2")).values_list("unit_id", flat=True)
    )
    tasks = Outcome.objects.filter(
        track=Track.TASK,
        source_kind=SourceKind.MINUTES,
        state=State.ASSIGNED,
        responsible_unit_id__in=units,
    ).order_by("pk")
    return list(zip(tasks, MINUTES_SCENARIOS, strict=False))


def timezone_date(task) -> date:
    from django.utils import timezone

    return timezone.localtime(task.created_at).date()


def _register(who, start, title, kind, urgency, leader, lead, support, major, due):
    from waishi.followups import supervision

    unit = _unit(lead)
    with _at(start, 9):
        return supervision.task_register(
            actor=who.office,
            title=title,
            source_kind=kind,
            urgency=urgency,
            instructed_by=leader,
            lead_unit=unit,
            responsible_person=_person(unit),
            supporting_units=[_unit(code) for code in support],
            description="（演示数据）" + title + "，请按期办结并反馈。",
            due_date=due,
            major=major,
            assign=False,
        )


def drive(who: Cast, task, scenario: str, start: date, today: date) -> None:
    """Take ``task`` (registered on ``start``) to the state ``scenario`` names, each step on
    its own day between ``start`` and ``today``."""
    from waishi.followups import supervision as s

    if scenario == "registered":
        return
    lead = who.clerk if task.responsible_unit_id == who.clerk.unit_id else who.clerk2
    span = max(1, (today - start).days)

    def day(share: float) -> date:
        return min(today, start + timedelta(days=max(1, round(span * share))))

    if task.state == "registered":
        with _at(start, 10):
            task = s.task_assign(actor=who.office, task=task)
    if scenario in ("assigned", "never_accepted"):
        if scenario == "never_accepted":
            with _at(day(0.8), 15):
                s.task_urge(
                    actor=who.office, task=task, method="phone", text="电话催办：请尽快签收办理。"
                )
        return
    if scenario == "redirect":
        with _at(day(0.5), 11):
            s.task_ask_redirect(
                actor=lead, task=task, reason="该事项主要职责在市委宣传部，建议改由其牵头。"
            )
        return
    with _at(day(0.1), 11):
        task = s.task_accept(actor=lead, task=task)
    if scenario == "near":
        with _at(day(0.5), 16):
            s.task_progress(actor=lead, task=task, text="已完成方案初稿，正在征求意见。")
        return
    if scenario == "supported":
        supporters = task.supporting_units.filter(pk=who.clerk2.unit_id)
        with _at(day(0.4), 15):
            if not supporters.exists():  # no supporting unit with a demo account
                s.task_progress(actor=lead, task=task, text="已制定工作方案，明确责任分工。")
                return
            s.task_support_report(
                actor=who.clerk2,
                task=task,
                text="教育局已梳理三所学校的合作意向，材料已报牵头单位。",
            )
        with _at(day(0.6), 16):
            s.task_progress(actor=lead, task=task, text="已召开协调会，确定首批两个项目。")
        return
    if scenario == "red":
        with _at(day(0.3), 16):
            s.task_progress(actor=lead, task=task, text="已排查近两年出访报告报送情况。")
        with _at(day(0.9), 9):
            s.task_urge(
                actor=who.office, task=task, method="notice", text="请于三日内反馈整改结果。"
            )
        return
    if scenario == "monthly_missing":
        with _at(start + timedelta(days=10), 16):
            s.task_progress(actor=lead, task=task, text="已起草响应机制方案，报分管领导审阅。")
        return
    if scenario in ("returned", "feedback", "done", "done_late", "archived"):
        # Last year's archived task was done within its month; the late one after its date.
        shares = {"archived": (0.03, 0.05, 0.06, 0.1), "done_late": (0.3, 0.9, 0.95)}.get(
            scenario, (0.3, 0.5, 0.6, 0.8)
        )
        with _at(day(shares[0]), 16):
            s.task_progress(actor=lead, task=task, text="正在推进，已完成主要工作。")
        with _at(day(shares[1]), 17):
            task = s.task_feedback(actor=lead, task=task, text="已按要求完成，相关材料见附件说明。")
        if scenario == "feedback":
            return
        if scenario == "returned":
            with _at(day(0.7), 10):
                s.task_return(
                    actor=who.office,
                    task=task,
                    reason="台账未覆盖下属单位，问题尚未解决，请补充完善。",
                )
            return
        with _at(day(shares[2]), 10):
            task = s.task_close(actor=who.office, task=task, comment="经审核，已办结。")
        if scenario == "archived":
            with _at(day(shares[3]), 10):
                s.task_archive(actor=who.office, task=task)
        return
    if scenario == "dropped":
        with _at(day(0.5), 10):
            s.task_drop(actor=who.head, task=task, reason="洽谈会延期举办，该事项撤销。")
        return
    if scenario in ("extended", "extension_asked", "extension_refused"):
        with _at(day(0.5), 14):
            extension = s.extension_ask(
                actor=lead,
                task=task,
                requested_date=_refresh(task).due_date + timedelta(days=21),
                reason="需征求多个部门意见，申请延期三周。",
            )
        if scenario == "extension_asked":
            return
        with _at(day(0.6), 10):
            s.extension_decide(
                actor=who.office,
                extension=extension,
                grant=scenario == "extended",
                reason="同意延期。" if scenario == "extended" else "时限要求不能调整，请加快办理。",
            )
        return
    raise ValueError(f"unknown scenario {scenario}")
