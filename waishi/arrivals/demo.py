"""Invented arrivals for the demo city 海滨市 (after ``waishi.orgs.demo``): about thirty
arrivals across the eight demo districts, two declaration campaigns and a handful of
foreign residents. Nobody here is a real person; the passport numbers (DM + 7 digits,
DR + 7 digits) are made up.

Arrivals go through ``arrival_register`` (so into the audit chain) with the various
sources: self-declarations, port, airline and provincial lists (some people reported
twice, merged into one arrival). Dates are relative to the day of the run:

- in 中山区 (379902, the demo account ``district``): arrivals closed (every step
  confirmed), arrivals under management (the steps due so far confirmed), one that
  landed today (landing check confirmed), one that landed yesterday with nothing
  confirmed (its landing check is overdue: the board shows it at the top), one awaiting
  hand-over to 海港区, one 海港区 refused to take over, one declared less than 48 hours
  before departure (flagged late);
- in 海港区 (379903, the demo account ``district2``): one handed over by 中山区 and
  accepted (its steps since confirmed by 海港区), arrivals under management, one with an
  overdue landing check, arrivals expected;
- in the other districts (no demo officer there): arrivals expected in the coming days.

A demo rule gives the plan "none" to arrivals from Singapore and New Zealand.

``seed()`` is idempotent: an arrival is looked up by the passport number's blind index,
a resident likewise, a campaign and the rule by name; running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone

RULE_NAME = "演示：自新加坡、新西兰入境人员"
CAMPAIGNS = [
    ("2026年入境人员健康申报（演示）", "arrival"),
    ("在滨外籍人员定期健康申报（演示）", "resident"),
]
DISTRICT_HOME = "379902"  # the demo district officer's
HANDOVER_TO = "379903"  # the second demo district officer's
OFFICERS = {DISTRICT_HOME: "district", HANDOVER_TO: "district2"}


@dataclass(frozen=True)
class Spec:
    n: int
    name: str
    category: str  # returnee | foreign
    nationality: str
    origin: str
    city: str
    route: str
    district: str
    offset: int  # arrival date = today + offset
    sources: tuple[str, ...]
    # confirm | overdue | handover (offered) | handed (accepted) | refused | late | expected
    scenario: str = "expected"
    time: dt.time | None = None
    purpose: str = "home"


R, F = "returnee", "foreign"
D, P, A, V = "declaration", "port", "airline", "province"

ARRIVALS: list[Spec] = [
    # 中山区: the demo officer's district, the whole life of an arrival.
    Spec(1, "林晓雯", R, "CN", "US", "纽约", "CA981", "379902", -20, (D, P), "confirm"),
    Spec(
        2,
        "Emma Schneider",
        F,
        "DE",
        "DE",
        "Frankfurt",
        "LH720",
        "379902",
        -16,
        (A, P),
        "confirm",
        purpose="work",
    ),
    Spec(
        3,
        "Lim Wei Ling",
        F,
        "SG",
        "SG",
        "Singapore",
        "SQ802",
        "379902",
        -3,
        (D,),
        "confirm",
        purpose="business",
    ),
    Spec(4, "冯博文", R, "CN", "DE", "慕尼黑", "CA962", "379902", -10, (P,), "confirm"),
    Spec(5, "陈志远", R, "CN", "GB", "伦敦", "CA938", "379902", -6, (D, V), "confirm"),
    Spec(6, "王思琪", R, "CN", "JP", "东京", "NH979", "379902", -4, (P,), "confirm"),
    Spec(
        7,
        "Kenji Sato",
        F,
        "JP",
        "JP",
        "Osaka",
        "MU516",
        "379902",
        -2,
        (D,),
        "confirm",
        purpose="work",
    ),
    Spec(8, "赵一鸣", R, "CN", "KR", "首尔", "KE805", "379902", 0, (A,), "confirm"),
    Spec(
        9,
        "周雨桐",
        R,
        "CN",
        "FR",
        "巴黎",
        "AF128",
        "379902",
        -1,
        (P,),
        "overdue",
        time=dt.time(8, 0),
    ),
    Spec(
        10,
        "Lucas Martin",
        F,
        "FR",
        "FR",
        "Paris",
        "AF198",
        "379902",
        1,
        (D,),
        "handover",
        purpose="business",
    ),
    Spec(11, "孙浩然", R, "CN", "AU", "悉尼", "CZ326", "379902", 2, (D,), "late"),
    Spec(12, "吴佳怡", R, "CN", "CA", "温哥华", "CA992", "379902", 3, (A, D)),
    Spec(
        31,
        "Ana Souza",
        F,
        "BR",
        "BR",
        "São Paulo",
        "EK362",
        "379902",
        -4,
        (D,),
        "handed",
        purpose="business",
    ),
    Spec(32, "郭晓彤", R, "CN", "NL", "阿姆斯特丹", "KL897", "379902", 2, (D,), "refused"),
    # 海港区: the second demo officer's district.
    Spec(33, "钱子涵", R, "CN", "KR", "首尔", "KE845", "379903", -7, (D, P), "confirm"),
    Spec(
        34,
        "Jonas Berg",
        F,
        "SE",
        "SE",
        "Stockholm",
        "CA912",
        "379903",
        -5,
        (A,),
        "confirm",
        purpose="work",
    ),
    Spec(
        35,
        "秦嘉怡",
        R,
        "CN",
        "GB",
        "曼彻斯特",
        "CA780",
        "379903",
        -1,
        (P,),
        "overdue",
        time=dt.time(9, 30),
    ),
    Spec(13, "郑凯", R, "CN", "US", "洛杉矶", "CA984", "379903", 1, (P,)),
    Spec(14, "Olivia Brown", F, "GB", "GB", "London", "CA856", "379903", 2, (A,), purpose="study"),
    Spec(15, "Sofia Rossi", F, "IT", "IT", "Milano", "CA940", "379903", 4, (D,), purpose="work"),
    Spec(16, "黄诗涵", R, "CN", "DE", "柏林", "LH722", "379904", 1, (V,)),
    Spec(
        17, "Min-jun Park", F, "KR", "KR", "Busan", "OZ333", "379904", 3, (D, A), purpose="business"
    ),
    Spec(18, "何俊杰", R, "CN", "TH", "曼谷", "TG614", "379904", 5, (P,)),
    Spec(
        19, "Noah Wilson", F, "NZ", "NZ", "Auckland", "NZ289", "379905", 2, (D,), purpose="family"
    ),
    Spec(20, "马若曦", R, "CN", "ES", "马德里", "CA908", "379905", 2, (V,)),
    Spec(21, "Amelie Dubois", F, "FR", "FR", "Lyon", "MU570", "379905", 3, (D,), purpose="study"),
    Spec(22, "刘子轩", R, "CN", "US", "旧金山", "UA857", "379911", 1, (A,)),
    Spec(
        23, "Carlos Garcia", F, "ES", "ES", "Barcelona", "CA846", "379911", 4, (D,), purpose="work"
    ),
    Spec(24, "许嘉欣", R, "CN", "MY", "吉隆坡", "MH360", "379912", 2, (P,)),
    Spec(25, "Hannah Lee", F, "US", "US", "Seattle", "DL281", "379912", 3, (D,), purpose="work"),
    Spec(26, "高宇航", R, "CN", "IT", "罗马", "CA940", "379921", 1, (V,)),
    Spec(27, "谢梦琪", R, "CN", "CA", "多伦多", "AC025", "379921", 5, (A,)),
    Spec(28, "罗志强", R, "CN", "AU", "墨尔本", "CZ322", "379981", 2, (P,)),
    Spec(29, "Ivan Novak", F, "CZ", "CZ", "Praha", "HU7998", "379981", 3, (D,), purpose="business"),
    Spec(30, "唐欣然", R, "CN", "JP", "大阪", "MU516", "379981", 4, (A,)),
]

# name, nationality, district, employer, days since the last declaration (None: never)
RESIDENTS = [
    (1, "Daniel Smith", "US", "379902", "海滨国际学校（演示）", 2),
    (2, "Yuki Tanaka", "JP", "379903", "海滨日资电子有限公司（演示）", 10),  # overdue
    (3, "Marie Laurent", "FR", "379904", "海滨大学（演示）", 4),
    (4, "Park Ji-ho", "KR", "379911", "海滨韩资贸易有限公司（演示）", 1),
    (5, "Thomas Becker", "DE", "379905", "海滨德资机械有限公司（演示）", 6),
    (6, "Laura Jensen", "DK", "379912", "海滨港务集团（演示）", 3),
]

PORTS = {P: "海滨国际机场口岸", A: "海滨国际机场", V: "海滨国际机场口岸"}


def passport_of(spec: Spec) -> str:
    return f"DM{2026000 + spec.n:07d}"


def resident_passport(n: int) -> str:
    return f"DR{2026000 + n:07d}"


def _write(stdout: IO[str] | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _data(spec: Spec, today: dt.date, now: dt.datetime) -> dict:
    arrival_date = today + dt.timedelta(days=spec.offset)
    arrival_time = spec.time
    if spec.offset == 0:
        # Landed three hours ago: the landing check is done, the transfer not yet due.
        landed = timezone.localtime(now - dt.timedelta(hours=3))
        arrival_date, arrival_time = landed.date(), landed.time().replace(second=0, microsecond=0)
    if arrival_time is None:
        arrival_time = dt.time(7 + spec.n % 12, 10 * (spec.n % 6))
    departs_on = arrival_date - dt.timedelta(days=1 if spec.n % 2 else 0)
    if spec.scenario == "late":
        departs_on = today + dt.timedelta(days=1)
    street = ["人民路", "海滨大道", "港湾路", "湖滨路", "山前街", "滨江路"][spec.n % 6]
    return {
        "category": spec.category,
        "name": spec.name,
        "nationality": spec.nationality,
        "birth_date": dt.date(1970 + spec.n, 1 + spec.n % 12, 1 + spec.n % 27),
        "phone": f"+86 139 0000 {spec.n:04d}",
        "email": f"traveller{spec.n}@example.com",
        "origin_country": spec.origin,
        "origin_city": spec.city,
        "route": spec.route,
        "departs_on": departs_on,
        "arrival_date": arrival_date,
        "arrival_time": arrival_time,
        "port": "海滨国际机场",
        "address": f"海滨市{street}{spec.n * 7}号（演示地址）",
        "purpose": spec.purpose,
    }


def _register(spec: Spec, districts: dict, today: dt.date, now: dt.datetime):
    from waishi.arrivals.models import (
        HealthDeclaration,
        TestOutcome,
        code_index,
        new_confirmation_code,
    )
    from waishi.arrivals.services import arrival_register

    data = _data(spec, today, now)
    district = districts[spec.district]
    registered = None
    for kind in spec.sources:
        declared = kind == "declaration"
        # A declaration is made three days before departure (the late one: now).
        reported = (
            now
            if spec.scenario == "late" or not declared
            else _moment(data["departs_on"] - dt.timedelta(days=3), dt.time(10, 0))
        )
        registered = arrival_register(
            data=data,
            passport=passport_of(spec),
            district=district,
            kind=kind,
            code_index=code_index(new_confirmation_code()) if declared else None,
            now=min(reported, now),
        )
        if declared:
            HealthDeclaration.objects.create(
                arrival=registered.arrival,
                source=registered.source,
                declared_at=registered.source.reported_at,
                test_on=data["departs_on"] - dt.timedelta(days=1),
                test_outcome=TestOutcome.NEGATIVE,
            )
    return registered.arrival


def _confirm_due(arrival, officer, now: dt.datetime) -> int:
    """Confirm the steps in order, each at a plausible time before it was due, as far as
    those times are past."""
    from waishi.arrivals.models import StepKind, TestOutcome
    from waishi.arrivals.plans import END_OF_DAY, arrival_moment
    from waishi.arrivals.services import step_confirm

    landed = arrival_moment(arrival)
    previous = landed
    done = 0
    for step in arrival.steps.order_by("sequence"):
        due = timezone.localtime(step.due_at)
        if due.time() == END_OF_DAY:
            when = _moment(due.date(), dt.time(10, 0))  # a step of a day: in the morning
        else:
            when = landed + (step.due_at - landed) / 3  # a step within hours: early
        when = max(when, previous + dt.timedelta(minutes=15))
        if when > now - dt.timedelta(minutes=1):
            break
        is_test = step.kind == StepKind.TEST
        step_confirm(
            actor=officer,
            step=step,
            done_at=when,
            note="演示：已按方案完成",
            outcome=TestOutcome.NEGATIVE if is_test else "",
            sampled_on=timezone.localtime(when).date() if is_test else None,
        )
        previous = when
        done += 1
    return done


def _hand_over(spec: Spec, arrival, officers: dict, districts: dict, now: dt.datetime) -> int:
    """中山区 offers the arrival to 海港区: left pending (``handover``), refused, or
    accepted the next hour and its steps due so far confirmed by 海港区 (``handed``)."""
    from waishi.arrivals.plans import arrival_moment
    from waishi.arrivals.services import handover_accept, handover_refuse, handover_request
    from waishi.orgs.demo import clock

    asked = now if spec.scenario == "handover" else now - dt.timedelta(hours=20)
    if spec.scenario == "handed":  # the day before landing
        asked = min(asked, arrival_moment(arrival) - dt.timedelta(days=1))
    with clock(asked):
        handover = handover_request(
            actor=officers[DISTRICT_HOME],
            arrival=arrival,
            to_district=districts[HANDOVER_TO],
            reason="演示：旅客申报的目的地址实际位于海港区，请接收。",
        )
    if spec.scenario == "handover":
        return 0
    with clock(asked + dt.timedelta(hours=1)):
        if spec.scenario == "refused":
            handover_refuse(
                actor=officers[HANDOVER_TO],
                handover=handover,
                reason="演示：经核实，该地址属中山区管辖，请原区继续管理。",
            )
            return 0
        handover_accept(actor=officers[HANDOVER_TO], handover=handover)
    arrival.refresh_from_db()
    return _confirm_due(arrival, officers[HANDOVER_TO], now)


def _rule(command) -> bool:
    from waishi.arrivals.config_services import rule_create
    from waishi.arrivals.models import ManagementPlan, PlanRule

    if PlanRule.objects.filter(name=RULE_NAME).exists():
        return False
    if not ManagementPlan.objects.filter(code="none", retired=False).exists():
        return False
    rule_create(
        actor=command,
        sequence=50,
        name=RULE_NAME,
        category="",
        origin_countries=["SG", "NZ"],
        arrives_from=None,
        arrives_until=None,
        plan_code="none",
        active=True,
    )
    return True


def _campaigns(command) -> int:
    from waishi.arrivals.models import Campaign

    created = 0
    for name, variant in CAMPAIGNS:
        _obj, new = Campaign.objects.get_or_create(
            name=name, defaults={"variant": variant, "created_by": command}
        )
        created += new
    return created


def _residents(districts: dict, today: dt.date, now: dt.datetime) -> int:
    from waishi.arrivals.models import (
        ArrivalSettings,
        HealthDeclaration,
        Resident,
        code_index,
        new_confirmation_code,
        passport_index,
    )

    interval = ArrivalSettings.current().resident_interval_days
    created = 0
    for n, name, nationality, district, employer, days in RESIDENTS:
        if Resident.objects.filter(passport_index=passport_index(resident_passport(n))).exists():
            continue
        registered = now - dt.timedelta(days=days + 3 * interval)
        last = now - dt.timedelta(days=days)
        resident = Resident(
            name=name,
            nationality=nationality,
            phone=f"+86 138 0000 {n:04d}",
            email=f"resident{n}@example.com",
            address=f"海滨市外籍人员公寓{n}栋（演示地址）",
            employer=employer,
            district=districts[district],
            code_index=code_index(new_confirmation_code()),
            registered_at=registered,
            last_declared_at=last,
            next_due=timezone.localtime(last).date() + dt.timedelta(days=interval),
        )
        resident.set_passport(resident_passport(n))
        resident.save()
        HealthDeclaration.objects.bulk_create(
            HealthDeclaration(resident=resident, declared_at=last - dt.timedelta(days=k * interval))
            for k in range(4)
        )
        created += 1
    return created


def seed(stdout: IO[str] | None = None) -> int:
    """Load the demo arrivals, campaigns and residents; returns how many arrivals were
    registered (0 on a second run)."""
    from waishi.arrivals.models import Arrival, Handover, passport_index
    from waishi.audit.services import record
    from waishi.orgs.models import District, User

    names = ["command", *OFFICERS.values()]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    districts = {d.code: d for d in District.objects.all()}
    needed = {s.district for s in ARRIVALS} | {r[3] for r in RESIDENTS}
    if len(users) < len(names) or not needed <= set(districts):
        _write(stdout, "arrivals: the demo city is not loaded; nothing done")
        return 0
    command = users["command"]
    officers = {code: users[name] for code, name in OFFICERS.items()}
    now = timezone.now()
    today = timezone.localdate(now)
    rule = _rule(command)
    arrivals = confirmed = 0
    for spec in ARRIVALS:
        if Arrival.objects.filter(passport_index=passport_index(passport_of(spec))).exists():
            continue
        with transaction.atomic():
            arrival = _register(spec, districts, today, now)
            officer = officers.get(spec.district)
            if spec.scenario == "confirm":
                confirmed += _confirm_due(arrival, officer, now)
            elif spec.scenario in ("handover", "handed", "refused"):
                confirmed += _hand_over(spec, arrival, officers, districts, now)
        arrivals += 1
    _write(
        stdout,
        f"arrivals: {arrivals} demo arrivals registered, {confirmed} steps confirmed"
        + (", the demo plan rule added" if rule else ""),
    )
    with transaction.atomic():
        campaigns = _campaigns(command)
        residents = _residents(districts, today, now)
        if arrivals or campaigns or residents:
            record(
                action="arrivals.demo.seeded",
                actor_name="waishi seed_demo",
                object_type="arrivals.arrival",
                object_repr="海滨市入境人员（演示）",
                data={"arrivals": arrivals, "residents": residents, "campaigns": campaigns},
            )
    handovers = Counter(Handover.objects.values_list("state", flat=True))
    _write(
        stdout,
        f"arrivals: {campaigns} campaigns and {residents} foreign residents added; hand-overs "
        + ", ".join(f"{handovers[state]} {state}" for state in sorted(handovers)),
    )
    return arrivals
