"""The demo city's annual plans, relative to the day the demo is built: last year's and
this year's approved (with entries and quotas), next year's open with the commerce
bureau's entries in every state.

``seed_plans(stdout)`` runs after the organisation demo (``waishi.orgs.demo.load``): it
needs the demo units and accounts. The commerce bureau's entries (the unit of the demo
accounts ``clerk`` and ``leader``) go through the real services, so their pages show a
full history; the other units' entries are filed directly as accepted and then approved
with the plan. Each plan is made on the days a real one would be (opened in October of
the year before, approved in December: ``orgs.demo.clock``), never after today. This
year's plan has one amendment (version 2) and one new entry waiting in draft for the
unit leader. Idempotent: a year that has a plan is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from waishi.audit.services import record
from waishi.orgs.demo import clock, moment
from waishi.orgs.models import Unit, User
from waishi.plans import services
from waishi.plans.models import Category, EntryState, PlanEntry, PlanYear

HOME = "HB-COM"

# unit, title, purpose, countries, ranks, month, budget (yuan), category
C, S, B = "county_division", "section_below", "bureau"
HOME_ENTRIES = [
    (
        "赴日本、韩国经贸交流团",
        "拜访日本贸易振兴机构和韩国大韩贸易投资振兴公社，推介海滨市自贸片区，洽谈跨境电商合作项目。",
        ["JP", "KR"],
        [C, C, S, S],
        5,
        "168000",
        Category.ECON_TECH,
    ),
    (
        "赴德国投资促进团",
        "参加汉诺威工业博览会，走访在海滨市投资的德资企业总部，落实增资扩产事项。",
        ["DE"],
        [B, C, S],
        4,
        "210000",
        Category.GENERAL,
    ),
    (
        "赴阿联酋经贸洽谈团",
        "出席迪拜中国商品展，组织本市企业与中东采购商对接。",
        ["AE"],
        [C, S, S],
        11,
        "126000",
        Category.ECON_TECH,
    ),
]
# More of the bureau's delegations of a year (the demo trips link to the entry of their
# year and country when there is one).
MORE_HOME_ENTRIES = [
    (
        "赴新加坡、马来西亚招商推介团",
        "走访新加坡企业发展局和马来西亚投资发展局，推介海滨市临港产业园。",
        ["SG", "MY"],
        [C, S, S],
        3,
        "98000",
        Category.ECON_TECH,
    ),
    (
        "赴越南、泰国经贸考察团",
        "考察越南海防和泰国东部经济走廊的工业园区，对接本市外向型企业。",
        ["VN", "TH"],
        [C, S],
        6,
        "72000",
        Category.ECON_TECH,
    ),
    (
        "赴澳大利亚、新西兰农产品贸易团",
        "出席悉尼国际食品展，拜访新西兰乳品企业，洽谈冷链进口合作。",
        ["AU", "NZ"],
        [C, S, S],
        9,
        "188000",
        Category.ECON_TECH,
    ),
    (
        "赴法国、意大利经贸交流团",
        "出席巴黎国际食品展和米兰国际家具展，组织本市企业参展对接。",
        ["FR", "IT"],
        [C, S],
        10,
        "176000",
        Category.ECON_TECH,
    ),
]
OTHER_ENTRIES = {
    "HB-EDU": [
        (
            "赴新加坡教育交流团",
            "考察职业教育校企合作模式，续签友好学校协议。",
            ["SG"],
            [C, S],
            9,
            "52000",
            Category.GENERAL,
        ),
    ],
    "HB-SCI": [
        (
            "赴以色列科技创新考察团",
            "考察科技孵化器和技术转移机构，洽谈联合实验室。",
            ["IL"],
            [C, S, S],
            6,
            "118000",
            Category.ECON_TECH,
        ),
    ],
    "HB-CCPIT": [
        (
            "赴巴西、智利经贸促进团",
            "参加圣保罗国际食品展，拜访智利商会。",
            ["BR", "CL"],
            [C, S, S, S],
            8,
            "236000",
            Category.ECON_TECH,
        ),
    ],
    "HB-PORT": [
        (
            "赴荷兰港口合作团",
            "与鹿特丹港务局商谈港口运营与绿色航运合作。",
            ["NL"],
            [B, C, S],
            5,
            "160000",
            Category.GENERAL,
        ),
    ],
    "HB-UNIV": [
        (
            "赴英国学术交流团",
            "出席海洋科学国际学术会议并作报告，商谈联合培养项目。",
            ["GB"],
            [S, S],
            7,
            "98000",
            Category.ACADEMIC,
        ),
    ],
}
# unit -> {category: (batches, person-trips)}
QUOTAS = {
    HOME: {Category.GENERAL: (3, 12), Category.ECON_TECH: (30, 80)},
    "HB-EDU": {Category.GENERAL: (2, 6), Category.ECON_TECH: (0, 0)},
    "HB-SCI": {Category.GENERAL: (1, 4), Category.ECON_TECH: (3, 12)},
    "HB-CCPIT": {Category.GENERAL: (1, 4), Category.ECON_TECH: (4, 20)},
    "HB-PORT": {Category.GENERAL: (2, 8), Category.ECON_TECH: (3, 15)},
}


def _values(row) -> dict:
    title, purpose, countries, ranks, month, budget, category = row
    return {
        "title": title,
        "purpose": purpose,
        "countries": countries,
        "ranks": ranks,
        "size": len(ranks),
        "expected_month": month,
        "budget_estimate": Decimal(budget),
        "category": category,
    }


def _approved_plan(year: int, accounts: dict, units: dict, today: date) -> tuple[PlanYear, list]:
    """Open, fill and approve ``year``'s plan on the days of the year before a real one
    would be (each step at most the day before ``today``)."""
    clerk, leader, reviewer = accounts["clerk"], accounts["leader"], accounts["reviewer"]
    head, committee = accounts["head"], accounts["committee"]
    latest = today - timedelta(days=1)

    def on(day: date, hour: int = 10):
        return clock(moment(min(day, latest), hour))

    rows = HOME_ENTRIES + MORE_HOME_ENTRIES
    with on(date(year - 1, 10, 15)):
        plan = services.plan_open(actor=head, year=year, deadline=date(year - 1, 11, 30))
    with on(date(year - 1, 10, 28)):
        home = [services.entry_create(actor=clerk, plan=plan, **_values(row)) for row in rows]
    with on(date(year - 1, 11, 3)):
        for entry in home:
            services.entry_submit(actor=leader, entry=entry)
    with on(date(year - 1, 11, 10)):
        services.entry_return(
            actor=reviewer, entry=home[1], comment="请说明厅局级干部带队的必要性，并压缩在外天数。"
        )
    with on(date(year - 1, 11, 12)):
        services.entry_update(
            actor=clerk,
            entry=home[1],
            purpose=HOME_ENTRIES[1][1] + "由分管副局长带队，在外不超过5天。",
        )
        services.entry_submit(actor=leader, entry=home[1])
    with on(date(year - 1, 11, 17)):
        for entry in home:
            services.entry_accept(actor=reviewer, entry=entry)
        for code, entries in OTHER_ENTRIES.items():
            if code not in units:
                continue
            for row in entries:
                entry = PlanEntry.objects.create(
                    plan=plan, unit=units[code], state=EntryState.ACCEPTED, **_values(row)
                )
                record(
                    action="plans.entry.create",
                    actor_name="waishi seed_demo",
                    obj=entry,
                    after={"title": entry.title, "state": entry.state},
                )
        for code, categories in QUOTAS.items():
            if code not in units:
                continue
            for category, (batches, person_trips) in categories.items():
                services.quota_set(
                    actor=reviewer,
                    plan=plan,
                    unit=units[code],
                    category=category,
                    batches=batches,
                    person_trips=person_trips,
                )
    with on(date(year - 1, 12, 1)):
        services.plan_consolidate(actor=head, plan=plan)
    with on(date(year - 1, 12, 18), 15):
        services.plan_approve(actor=committee, plan=plan)
    return plan, home


def _amend(plan: PlanYear, home: list, accounts: dict, today: date) -> None:
    """This year's amendment (the Gulf trip moves to October with one member fewer:
    version 2) and a new entry drafted after approval, waiting for the unit leader."""
    clerk, leader = accounts["clerk"], accounts["leader"]
    reviewer, committee = accounts["reviewer"], accounts["committee"]
    start = max(date(plan.year, 1, 1), date(plan.year - 1, 12, 19))
    # Spread over the days between the approval and today (at most a month).
    span = max(min((today - start).days, 30), 1)

    def on(fraction: float, hour: int):
        return clock(moment(start + timedelta(days=int(span * fraction)), hour))

    gulf = home[2]
    with on(0.1, 9):
        services.entry_amend(actor=clerk, entry=gulf)
        services.entry_update(
            actor=clerk,
            entry=gulf,
            expected_month=10,
            ranks=[C, S],
            size=2,
            budget_estimate=Decimal("86000"),
        )
    with on(0.2, 10):
        services.entry_submit(actor=leader, entry=gulf)
    with on(0.4, 11):
        services.entry_accept(actor=reviewer, entry=gulf)
    with on(0.6, 15):
        services.entry_approve(actor=committee, entry=gulf)
    with on(0.9, 16):
        services.entry_create(
            actor=clerk,
            plan=plan,
            **_values(
                (
                    "赴越南边境贸易考察团",
                    "考察越南海防港口物流园区，洽谈冷链物流合作。",
                    ["VN"],
                    [C, S],
                    12,
                    "45000",
                    Category.ECON_TECH,
                )
            ),
        )


def _open_plan(year: int, accounts: dict, today: date) -> PlanYear:
    """Next year's plan, open for entries: the bureau's entries drafted, one submitted,
    one returned by the FAO, one accepted."""
    clerk, leader, reviewer = accounts["clerk"], accounts["leader"], accounts["reviewer"]
    opened = min(date(year - 1, 10, 15), today - timedelta(days=10))
    with clock(moment(opened)):
        plan = services.plan_open(
            actor=accounts["head"], year=year, deadline=max(date(year - 1, 11, 30), today)
        )
    with clock(moment(opened + timedelta(days=3))):
        entries = [
            services.entry_create(actor=clerk, plan=plan, **_values(row))
            for row in HOME_ENTRIES + MORE_HOME_ENTRIES[:2]
        ]
    with clock(moment(opened + timedelta(days=5))):
        for entry in entries[:3]:
            services.entry_submit(actor=leader, entry=entry)
    with clock(moment(opened + timedelta(days=7))):
        services.entry_return(
            actor=reviewer,
            entry=entries[1],
            comment="请压缩团组人数，并说明与今年同类团组的区别。",
        )
        services.entry_accept(actor=reviewer, entry=entries[2])
    return plan


def seed_plans(stdout, today: date | None = None) -> PlanYear | None:
    """Last year's and this year's plans approved, next year's open; a year that has a
    plan is left alone. Returns this year's plan."""
    today = today or timezone.localdate()
    year = today.year
    accounts = {
        u.username: u
        for u in User.objects.filter(
            username__in=["clerk", "leader", "reviewer", "head", "committee"]
        )
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=[HOME, *OTHER_ENTRIES])}
    if len(accounts) < 5 or HOME not in units:
        stdout.write("plans: the demo units and accounts are missing; seed the city first")
        return None
    made = []
    with transaction.atomic():
        for y in (year - 1, year):
            if PlanYear.objects.filter(year=y).exists():
                continue
            plan, home = _approved_plan(y, accounts, units, today)
            if y == year:
                _amend(plan, home, accounts, today)
            made.append(f"{y} approved")
        if not PlanYear.objects.filter(year=year + 1).exists():
            _open_plan(year + 1, accounts, today)
            made.append(f"{year + 1} open")
    plan = PlanYear.objects.get(year=year)
    stdout.write(
        f"plans: {', '.join(made) or 'every year exists, left alone'}; {year}: version "
        f"{plan.version}, {plan.entries.count()} entries, {plan.quotas.count()} quotas"
    )
    return plan
