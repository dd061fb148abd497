"""The demo city's year of trips, relative to the day the demo is built (``today``).

About forty trips of the commerce bureau (the unit of the demo accounts ``clerk`` and
``leader``) in every state of the trip's workflow: drafts; submitted and waiting at each
approval step; returned, rejected and withdrawn; approved and waiting for departure with
their publicity run (some ready to leave, some with their checklist half done, one with
a change request in review, one with a change drafted); one cancelled; abroad (one after
an approved change); back with reports not due yet, overdue, submitted and returned, one
with its passports not handed back; closed, with follow-up outcomes open, in progress,
done, dropped and overdue. The education bureau's clerk (``clerk2``) has a draft.

Every step is the real service run on the day it would have happened
(``orgs.demo.clock``): the draft some weeks before departure, the notice (公示)
published at submission, each approval step decided by the demo approver of its role
after the publicity has run its five working days, the checklist, passports issued and
returned, departure and return on their days, the report written, published, submitted
and accepted, outcomes recorded. So the policy check, the approval chain, the quota
ledger, deadlines and the audit chain are those of real trips. Afterwards the daily
sweeps run as today (reports and outcomes overdue, passports to return), so that the
reminders are in the inboxes.

Lives in ``ops`` because a trip's life needs missions, passports and follow-ups.
Idempotent: when the commerce bureau has any demo trip, the trips are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from waishi.orgs.demo import clock, moment

HOME = "HB-COM"
OTHER = "HB-EDU"

# scenario, departure (days from today), days, country, city, title
# Scenarios: draft; review:N (N steps approved, waiting at the next); returned:N and
# rejected:N (decided so at step N); withdrawn; ready (checklist and passports done),
# checked (checklist done), acknowledged (head of delegation only), change-review and
# change-draft (nothing else done yet); cancelled; abroad, abroad-changed; back-due,
# back-written, back-overdue, back-overdue-written, back-submitted, back-returned,
# back-passports; closed-N (N: the follow-ups' pattern, see _FOLLOWUPS).
TRIPS: list[tuple[str, int, int, str, str, str]] = [
    ("draft", 75, 4, "JP", "东京", "赴日本东京智慧城市合作交流"),
    ("draft", 88, 4, "DE", "汉诺威", "赴德国汉诺威工业博览会"),
    ("draft", 62, 4, "NZ", "奥克兰", "赴新西兰奥克兰乳品贸易洽谈"),
    ("draft", 95, 4, "BR", "圣保罗", "赴巴西圣保罗国际食品展"),
    ("review:0", 58, 4, "KR", "首尔", "赴韩国首尔跨境电商合作交流"),
    ("review:0", 66, 4, "SG", "新加坡", "赴新加坡自贸区政策考察"),
    ("review:0", 71, 4, "TH", "曼谷", "赴泰国曼谷东盟博览会推介"),
    ("review:1", 52, 4, "MY", "吉隆坡", "赴马来西亚吉隆坡清真食品展"),
    ("review:1", 80, 4, "IT", "米兰", "赴意大利米兰国际家具展"),
    ("review:2", 60, 4, "AU", "悉尼", "赴澳大利亚悉尼国际食品展"),
    ("review:2", 57, 4, "NL", "鹿特丹", "赴荷兰鹿特丹港口物流合作"),
    ("review:3", 64, 4, "FR", "巴黎", "赴法国巴黎国际食品展"),
    ("review:3", 70, 4, "AE", "阿布扎比", "赴阿联酋阿布扎比投资推介"),
    ("returned:0", 85, 4, "VN", "河内", "赴越南河内边境贸易洽谈"),
    ("returned:1", 77, 4, "JP", "名古屋", "赴日本名古屋汽车产业合作交流"),
    ("rejected:2", 68, 4, "ES", "马德里", "赴西班牙马德里旅游推介"),
    ("withdrawn", 90, 4, "US", "洛杉矶", "赴美国洛杉矶经贸交流"),
    ("ready", 2, 4, "KR", "釜山", "赴韩国釜山港口合作交流"),
    ("checked", 6, 4, "JP", "大阪", "赴日本大阪经贸推介"),
    ("acknowledged", 11, 4, "DE", "法兰克福", "赴德国法兰克福投资促进"),
    ("change-review", 19, 3, "AE", "迪拜", "赴阿联酋迪拜投资促进"),
    ("change-draft", 15, 4, "SG", "新加坡", "赴新加坡金融科技合作交流"),
    ("cancelled", 25, 4, "TH", "普吉", "赴泰国普吉会展经济合作交流"),
    ("abroad", -3, 4, "FR", "里昂", "赴法国里昂经贸交流"),
    ("abroad-changed", -2, 3, "VN", "海防", "赴越南海防港口物流园区考察"),
    ("abroad", -1, 4, "MY", "槟城", "赴马来西亚槟城电子产业合作"),
    ("back-written", -8, 4, "KR", "仁川", "赴韩国仁川自贸区考察"),
    ("back-due", -16, 4, "IT", "博洛尼亚", "赴意大利博洛尼亚食品机械展"),
    ("back-overdue", -49, 4, "AU", "墨尔本", "赴澳大利亚墨尔本农产品贸易洽谈"),
    ("back-overdue-written", -56, 4, "JP", "福冈", "赴日本福冈跨境电商合作"),
    ("back-submitted", -24, 4, "SG", "新加坡", "赴新加坡港口运营合作交流"),
    ("back-returned", -34, 4, "NZ", "惠灵顿", "赴新西兰惠灵顿经贸交流"),
    ("back-passports", -29, 4, "TH", "曼谷", "赴泰国曼谷冷链物流合作"),
    ("closed-0", -64, 4, "DE", "慕尼黑", "赴德国慕尼黑工业园区考察"),
    ("closed-1", -84, 4, "KR", "首尔", "赴韩国首尔经贸推介"),
    ("closed-2", -104, 4, "AE", "迪拜", "赴阿联酋迪拜中国商品展"),
    ("closed-3", -129, 4, "MY", "吉隆坡", "赴马来西亚吉隆坡投资推介"),
    ("closed-0", -154, 4, "JP", "横滨", "赴日本横滨港口合作交流"),
    ("closed-1", -184, 4, "VN", "胡志明市", "赴越南胡志明市经贸洽谈"),
    ("closed-2", -214, 4, "FR", "马赛", "赴法国马赛港口合作交流"),
    ("closed-3", -244, 4, "AU", "布里斯班", "赴澳大利亚布里斯班农业合作"),
]
# The education bureau's clerk: a draft of a teachers' exchange.
OTHER_TRIPS = [("draft", 70, 4, "GB", "爱丁堡", "赴英国爱丁堡职业教育交流")]

# Follow-up outcomes of a closed trip, by pattern: (title, kind, due: days from today --
# negative is overdue now --, what happens: open | progress | done | drop). An outcome is
# due at least a week after it was recorded.
_FOLLOWUPS = {
    "0": [
        ("落实合作备忘录签约事项", "agreement", -12, "progress"),
        ("跟进企业投资意向", "investment", 90, "open"),
    ],
    "1": [
        ("推动友好港口合作协议签署", "agreement", 45, "open"),
        ("组织企业回访交流", "exchange", 30, "done"),
    ],
    "2": [
        ("跟进采购商对接成果", "intention", 20, "progress"),
        ("筹办来访代表团接待", "exchange", 60, "drop"),
    ],
    "3": [("落实投资项目选址", "investment", -30, "progress")],
}

REPORT_TEXT = {
    "tasks_done": "按批准的日程完成全部出访任务，拜访当地政府部门及商协会，出席经贸推介活动。",
    "meetings": "会见当地经贸主管部门负责人及重点企业代表，就投资合作交换意见（演示数据）。",
    "agreements": "签署友好交流合作备忘录一份（演示数据）。",
    "outcomes": "达成合作意向三项，拟于年内组织企业回访（演示数据）。",
    "costs": "国际旅费、住宿费、伙食费等按标准据实列支（演示数据）。",
}


@dataclass
class Trip:
    scenario: str
    depart: date
    back: date
    country: str
    city: str
    title: str
    unit: str = HOME


@dataclass
class Seeded:
    trips: int = 0
    outcomes: int = 0
    changes: int = 0
    skipped: bool = False


def _trips(today: date) -> list[Trip]:
    """The table as dates: trips that wait to leave stay in this year (their quota is
    this year's plan's)."""
    last_day = date(today.year, 12, 31)
    out = []
    for unit, rows in ((HOME, TRIPS), (OTHER, OTHER_TRIPS)):
        for scenario, offset, days, country, city, title in rows:
            start = today + timedelta(days=offset)
            if scenario in (
                "ready",
                "checked",
                "acknowledged",
                "change-review",
                "change-draft",
                "cancelled",
            ):
                start = min(start, last_day)
            out.append(
                Trip(scenario, start, start + timedelta(days=days), country, city, title, unit)
            )
    return out


class People:
    """Who travels: the unit's staff below its leadership (not the demo accounts' own
    persons), two per trip, never away on two trips at once; a passport not handed back
    keeps its holder at home."""

    def __init__(self, unit):
        from waishi.orgs.models import Person, User

        self.pool = list(
            Person.objects.filter(
                unit=unit, is_active=True, is_unit_leadership=False, is_retired=False
            )
            .exclude(pk__in=User.objects.filter(person__isnull=False).values("person_id"))
            .order_by("pk")
        )
        self.busy: dict[int, list[tuple[date, date]]] = {p.pk: [] for p in self.pool}
        self.trips = {p.pk: 0 for p in self.pool}

    def take(self, trip: Trip, forever: bool = False) -> list:
        """Two people free from the day before departure to the day after the
        return (one when only one is); a trip whose passports do not go out (yet) may
        have people proposed for another trip at the same time when nobody else is free."""
        start, end = trip.depart - timedelta(days=1), trip.back + timedelta(days=1)
        if forever:
            end = date.max
        by_use = sorted(self.pool, key=lambda p: (self.trips[p.pk], p.pk))
        free = [p for p in by_use if all(end < s or e < start for s, e in self.busy[p.pk])]
        # Only a trip whose passports go out must have its people to itself.
        leaves = trip.scenario == "ready" or trip.scenario.startswith(("abroad", "back", "closed"))
        chosen = (free if leaves else free + [p for p in by_use if p not in free])[:2]
        if forever:
            chosen = chosen[:1]
        if not chosen:
            raise RuntimeError(f"no one of the unit is free for the demo trip {trip.title}")
        for p in chosen:
            self.busy[p.pk].append((start, end))
            self.trips[p.pk] += 1
        return chosen


class Life:
    """One trip taken through its life, each step on its own day (never after today)."""

    def __init__(self, trip: Trip, today: date, users: dict, people: list):
        self.trip, self.today, self.users, self.people = trip, today, users, people
        self.clerk = users["clerk2" if trip.unit == OTHER else "clerk"]
        self.mission = None

    def at(self, day: date, hour: int = 10):
        """The clock on ``day`` at ``hour`` (today at the latest)."""
        if day > self.today:
            day = self.today
        if day == self.today:
            hour = min(hour, max(timezone.localtime().hour - 1, 0))
        return clock(moment(day, hour))

    def refresh(self):
        self.mission.refresh_from_db()
        return self.mission

    # -- the application ---------------------------------------------------------------------

    def draft(self, day: date) -> None:
        from waishi.missions import demo as missions_demo
        from waishi.missions.models import Category
        from waishi.plans.selectors import binding_entries

        t = self.trip
        with self.at(day, 9):
            # Waiting for the committee: outside the plan (计划外), which sends it there.
            in_plan = t.scenario != "review:3"
            entry = next(
                (
                    e
                    for e in binding_entries(self.clerk.unit, t.depart.year)
                    if in_plan and t.country in (e.countries or [])
                ),
                None,
            )
            self.mission = missions_demo.draft(
                self.clerk,
                self.people,
                title=t.title,
                start=t.depart,
                end=t.back,
                country=t.country,
                city=t.city,
                category=Category.ECON_TECH if t.unit == HOME else Category.GENERAL,
                entry=entry,
            )

    def submit(self, day: date) -> None:
        from waishi.missions import demo as missions_demo

        with self.at(day, 11):
            self.mission = missions_demo.submit(self.clerk, self.mission)

    def decide(self, day: date, decision: str = "approve", hour: int = 15) -> str | None:
        from waishi.missions import demo as missions_demo

        with self.at(day, hour):
            return missions_demo.decide(self.refresh(), decision)

    def approve_all(self, first: date) -> None:
        """Each step two working days after the one before; the final approval, refused
        while the publicity runs, the working day after it ended."""
        from django.core.exceptions import ValidationError

        from waishi.lib.workdays import add_working_days
        from waishi.missions.demo import pending_role

        day = first
        for _ in range(6):
            mission = self.refresh()
            if pending_role(mission) is None:
                return
            day = add_working_days(day, 2)
            try:
                outcome = self.decide(day)
            except ValidationError as exc:
                if (
                    "publicity" not in str(getattr(exc, "code", ""))
                    and not mission.publicity.ends_on
                ):
                    raise
                day = max(day, add_working_days(mission.publicity.ends_on, 1))
                outcome = self.decide(day)
            if outcome == "approved":
                return

    # -- before departure ---------------------------------------------------------------------

    def checklist(self, day: date, education: bool = True) -> None:
        from waishi.missions.trip import predeparture

        with self.at(day, 10):
            predeparture.leader_acknowledge(
                actor=self.clerk, mission=self.refresh(), acknowledged_on=min(day, self.today)
            )
            if not education:
                return
            for member in self.mission.members.order_by("pk"):
                predeparture.education_record(
                    actor=self.clerk,
                    mission=self.mission,
                    member=member,
                    given_on=min(day, self.today),
                    method="group",
                    given_by="市外办外事纪律教育（演示）",
                )

    def issue(self, day: date) -> None:
        from waishi.passports import services
        from waishi.passports.models import Passport

        with self.at(day, 14):
            mission = self.refresh()
            holders = mission.members.values_list("person_id", flat=True)
            passports = list(Passport.objects.filter(holder_id__in=holders).order_by("pk"))
            services.passports_issue(
                actor=self.users["reviewer"], mission=mission, passports=passports
            )

    def change(self, create: date, submit: date | None, approvals: int) -> None:
        """A change request: the stay one day longer (its draft only, or submitted and
        approved at ``approvals`` steps)."""
        import copy

        from waishi.approvals.selectors import current_step
        from waishi.missions.changes import services
        from waishi.missions.core import itinerary
        from waishi.missions.demo import APPROVERS, approver

        with self.at(create, 9):
            mission = self.refresh()
            proposed = copy.deepcopy(itinerary.current(mission))
            longer = date.fromisoformat(str(proposed["return_date"])) + timedelta(days=1)
            proposed["return_date"] = longer.isoformat()
            proposed["stops"][-1]["depart"] = longer.isoformat()
            change = services.change_create(
                actor=self.clerk,
                mission=mission,
                proposed=proposed,
                reason="对方增加一场项目签约活动，需延长停留一天（演示数据）",
            )
        if submit is None:
            return
        with self.at(submit, 10):
            change = services.change_submit(actor=self.clerk, change=change)
        day = submit
        for _ in range(approvals):
            step = current_step("missions.change", change.pk)
            if step is None or step.approver_role not in APPROVERS:
                break
            day = day + timedelta(days=1)
            with self.at(day, 15):
                services.change_decide(
                    actor=approver(step.approver_role),
                    change=change,
                    decision="approve",
                    comment="同意（演示）",
                )

    # -- travel --------------------------------------------------------------------------------

    def depart(self) -> None:
        from waishi.missions.trip import services

        mission = self.refresh()
        with self.at(mission.departure_date, 8):
            services.mission_depart(actor=self.clerk, mission=mission, on=mission.departure_date)

    def come_back(self) -> None:
        from waishi.missions.trip import services

        mission = self.refresh()
        with self.at(mission.return_date, 21):
            services.mission_come_back(actor=self.clerk, mission=mission, on=mission.return_date)

    def passports_back(self, day: date) -> None:
        from waishi.passports import services
        from waishi.passports.models import PassportCustody

        with self.at(day, 10):
            for custody in PassportCustody.objects.filter(
                mission=self.mission, returned_at__isnull=True
            ):
                services.passport_return(
                    actor=self.users["reviewer"], custody=custody, note="演示：回国后交回"
                )

    # -- the report ----------------------------------------------------------------------------

    def report(self):
        from waishi.missions.models import TripReport

        return TripReport.objects.get(mission=self.mission)

    def write(self, day: date, fields=tuple(REPORT_TEXT)) -> None:
        from waishi.missions.report import services

        with self.at(day, 16):
            services.report_update(
                actor=self.clerk,
                report=self.report(),
                version=None,
                **{k: REPORT_TEXT[k] for k in fields},
            )

    def publish_and_submit(self, publish: date, submit: date) -> None:
        from waishi.missions.report import services

        with self.at(publish, 9):
            services.report_publish(actor=self.clerk, report=self.report(), starts_on=publish)
        with self.at(submit, 11):
            services.report_submit(actor=self.users["leader"], report=self.report())

    def review(self, day: date, accept: bool) -> None:
        from waishi.missions.report import services

        with self.at(day, 15):
            if accept:
                services.report_accept(
                    actor=self.users["reviewer"], report=self.report(), comment="同意（演示）"
                )
            else:
                services.report_return(
                    actor=self.users["reviewer"],
                    report=self.report(),
                    comment="请补充合作项目的后续落实安排和经费决算明细（演示）。",
                )

    def followups(self, day: date, pattern: str) -> int:
        from waishi.followups import services

        made = 0
        for title, kind, due, fate in _FOLLOWUPS[pattern]:
            with self.at(day, 10):
                outcome = services.outcome_create(
                    actor=self.clerk,
                    title=f"{title}（{self.trip.city}）",
                    kind=kind,
                    responsible_person=self.people[0],
                    responsible_unit=self.clerk.unit,
                    due_date=max(day + timedelta(days=7), self.today + timedelta(days=due)),
                    description="出访成果，需持续跟进落实（演示数据）。",
                    source_type="missions.mission",
                    source_id=self.mission.pk,
                )
            made += 1
            later = min(day + timedelta(days=5), self.today)
            if fate == "progress":
                with self.at(later, 11):
                    services.progress_add(
                        actor=self.clerk, outcome=outcome, text="已与对方沟通，正在推进（演示）。"
                    )
            elif fate == "done" and later < self.today:
                with self.at(later, 11):
                    services.progress_add(
                        actor=self.clerk, outcome=outcome, text="已落实（演示）。"
                    )
                    services.outcome_complete(
                        actor=self.users["leader"], outcome=outcome, comment="已完成（演示）"
                    )
            elif fate == "drop":
                with self.at(later, 11):
                    services.outcome_drop(
                        actor=self.users["head"],
                        outcome=outcome,
                        reason="对方计划调整，不再推进（演示）",
                    )
        return made

    # -- the whole life -------------------------------------------------------------------------

    def run(self) -> tuple[int, int]:
        """Take the trip to its scenario; (outcomes, change requests) made."""
        from waishi.missions.application import services

        t, today = self.trip, self.today
        kind, _sep, arg = t.scenario.partition(":")
        day = lambda n: today - timedelta(days=n)  # noqa: E731 - a short helper
        if kind == "draft":
            self.draft(day(1 + len(t.title) % 4))
            return 0, 0
        if kind in ("review", "returned", "rejected", "withdrawn"):
            steps = int(arg or 0)
            submitted = day(3 + 2 * steps)
            self.draft(submitted - timedelta(days=2))
            self.submit(submitted)
            for i in range(steps):
                self.decide(submitted + timedelta(days=1 + 2 * i), hour=9 + i)
            last = submitted + timedelta(days=1 + 2 * steps)
            if kind in ("returned", "rejected"):
                self.decide(last, "return" if kind == "returned" else "reject")
            elif kind == "withdrawn":
                with self.at(last, 16):
                    services.mission_withdraw(
                        actor=self.clerk, mission=self.refresh(), comment="对方活动取消（演示）"
                    )
            return 0, 0
        # Approved trips: submitted some fifty days before departure.
        submitted = min(t.depart - timedelta(days=50), day(20))
        self.draft(submitted - timedelta(days=3))
        self.submit(submitted)
        self.approve_all(submitted)
        changes = outcomes = 0
        if kind == "cancelled":
            with self.at(day(2), 17):
                services.mission_cancel(
                    actor=self.users["head"],
                    mission=self.refresh(),
                    reason="对方活动延期举行，本次出访取消（演示数据）",
                )
            return 0, 0
        if kind == "change-draft":
            self.change(day(1), None, 0)
            return 0, 1
        if kind == "change-review":
            self.change(day(4), day(3), 1)
            return 0, 1
        if kind == "abroad-changed":
            self.change(t.depart - timedelta(days=9), t.depart - timedelta(days=8), 4)
            changes = 1
        prepared = t.depart - timedelta(days=4)
        self.checklist(min(prepared, day(1)), education=kind != "acknowledged")
        if kind in ("checked", "acknowledged"):
            return 0, 0
        self.issue(min(t.depart - timedelta(days=2), today))
        if kind == "ready":
            return 0, 0
        self.depart()
        if kind.startswith("abroad"):
            return 0, changes
        self.come_back()
        back = self.refresh().return_date
        if kind != "back-passports":
            self.passports_back(back + timedelta(days=2))
        if kind in ("back-written", "back-passports"):
            self.write(min(back + timedelta(days=3), day(1)), ("tasks_done", "meetings"))
        elif kind == "back-overdue-written":
            self.write(back + timedelta(days=10), ("tasks_done",))
        elif kind in ("back-submitted", "back-returned") or kind == "closed":
            self.write(back + timedelta(days=5))
            self.publish_and_submit(back + timedelta(days=6), back + timedelta(days=14))
            if kind == "back-returned":
                self.review(back + timedelta(days=18), accept=False)
            elif kind == "closed":
                self.review(back + timedelta(days=18), accept=True)
                outcomes = self.followups(back + timedelta(days=19), arg)
        return outcomes, changes


def _scenario_kind(scenario: str) -> str:
    kind = scenario.partition(":")[0]
    if kind.startswith("closed-"):
        return "closed:" + kind.split("-", 1)[1]
    return scenario


def seed_trips(progress: Callable[[str], None], today: date | None = None) -> Seeded:
    """The year of trips (see the module); nothing when the demo trips exist."""
    from waishi.missions.models import Mission
    from waishi.orgs.models import Unit, User
    from waishi.passports.demo import seed_passports

    today = today or timezone.localdate()
    names = ["clerk", "clerk2", "leader", "reviewer", "head", "committee"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    units = {u.code: u for u in Unit.objects.filter(code__in=[HOME, OTHER])}
    seeded = Seeded()
    if len(users) < len(names) or len(units) < 2:
        progress("trips: the demo city is not loaded; nothing done")
        seeded.skipped = True
        return seeded
    titles = [row[5] for row in TRIPS + OTHER_TRIPS]
    if Mission.objects.filter(title__in=titles).exists():
        progress("trips: the demo trips exist, left alone")
        seeded.skipped = True
        return seeded
    trips = _trips(today)
    pools = {code: People(units[code]) for code in (HOME, OTHER)}
    with clock(moment(today - timedelta(days=730), 9)):
        seed_passports(None, [p for pool in pools.values() for p in pool.pool], today)
    # In the order of departure, so that a passport is back before the next trip takes it.
    for n, trip in enumerate(sorted(trips, key=lambda t: t.depart), start=1):
        trip.scenario = _scenario_kind(trip.scenario)
        try:
            people = pools[trip.unit].take(trip, forever=trip.scenario == "back-passports")
        except RuntimeError:
            if trip.scenario != "ready":
                raise
            # Everyone is away on that day (the last days of December, when every trip
            # waiting to leave departs on the 31st): its passports stay in.
            trip.scenario = "checked"
            people = pools[trip.unit].take(trip)
        with transaction.atomic():
            outcomes, changes = Life(trip, today, users, people).run()
        seeded.trips += 1
        seeded.outcomes += outcomes
        seeded.changes += changes
        if n % 10 == 0:
            progress(f"trips: {n}/{len(trips)}")
    return seeded


def seed_passport_application(today: date) -> int:
    """The clerk asks for an official passport for a deputy head of the bureau who has
    none (he is to lead a delegation next year): it waits for the FAO."""
    from waishi.orgs.models import Person, User
    from waishi.passports import services
    from waishi.passports.models import ApplicationType, Kind, Passport, PassportApplication

    clerk = User.objects.filter(username="clerk").first()
    if clerk is None or PassportApplication.objects.filter(created_by=clerk).exists():
        return 0
    person = (
        Person.objects.filter(unit=clerk.unit, is_unit_leadership=True, is_retired=False)
        .exclude(pk__in=Passport.objects.values("holder_id"))
        .exclude(pk__in=User.objects.filter(person__isnull=False).values("person_id"))
        .order_by("pk")
        .first()
    )
    if person is None:
        return 0
    with clock(moment(today - timedelta(days=2), 10)):
        services.application_create(
            actor=clerk,
            person=person,
            kind=Kind.OFFICIAL_ORDINARY,
            application_type=ApplicationType.NEW,
            reason="拟于明年带队出访，本人尚无因公护照（演示数据）",
        )
    return 1


def run_sweeps() -> dict[str, int]:
    """The daily jobs as they would run today: reports due and overdue, passports to
    return, outcomes overdue (reminders go to the inboxes)."""

    from waishi.followups.services import overdue_sweep
    from waishi.missions.report.services import report_sweep
    from waishi.passports.services import sweep as passports_sweep

    counts: dict[str, int] = {}
    for name, job in (
        ("reports", report_sweep),
        ("passports", passports_sweep),
        ("outcomes", overdue_sweep),
    ):
        result = job()
        counts[name] = (
            sum(v for v in result.values() if isinstance(v, int))
            if isinstance(result, dict)
            else int(result or 0)
        )
    return counts
