"""The demo city's annual plan: this year's plan, approved, with entries and quotas.

``seed_plans(stdout)`` runs after the organisation demo (``waishi.orgs.demo.load``): it
needs the demo units and accounts. The commerce bureau's entries (the unit of the demo
accounts ``clerk`` and ``leader``) go through the real services, so their pages show a
full history; the other units' entries are filed directly as accepted and then approved
with the plan. One amendment raises the plan to version 2, and one new entry waits in
draft for the unit leader. Idempotent: a year that has a plan is left alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from waishi.audit.services import record
from waishi.orgs.models import Unit, User
from waishi.plans import services
from waishi.plans.models import Category, EntryState, PlanEntry, PlanYear

YEAR = 2026
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
    HOME: {Category.GENERAL: (3, 12), Category.ECON_TECH: (6, 30)},
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


def seed_plans(stdout) -> PlanYear | None:
    """Open, fill and approve the demo year's plan; a no-op when it exists."""
    existing = PlanYear.objects.filter(year=YEAR).first()
    if existing is not None:
        stdout.write(f"plans: {YEAR} exists (version {existing.version}), left alone")
        return existing
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
    clerk, leader, reviewer = accounts["clerk"], accounts["leader"], accounts["reviewer"]
    head, committee = accounts["head"], accounts["committee"]
    with transaction.atomic():
        plan = services.plan_open(
            actor=head, year=YEAR, deadline=max(date(YEAR, 1, 31), timezone.localdate())
        )
        home = [
            services.entry_create(actor=clerk, plan=plan, **_values(row)) for row in HOME_ENTRIES
        ]
        for entry in home:
            services.entry_submit(actor=leader, entry=entry)
        services.entry_return(
            actor=reviewer, entry=home[1], comment="请说明厅局级干部带队的必要性，并压缩在外天数。"
        )
        services.entry_update(
            actor=clerk,
            entry=home[1],
            purpose=HOME_ENTRIES[1][1] + "由分管副局长带队，在外不超过5天。",
        )
        services.entry_submit(actor=leader, entry=home[1])
        for entry in home:
            services.entry_accept(actor=reviewer, entry=entry)
        others = 0
        for code, rows in OTHER_ENTRIES.items():
            if code not in units:
                continue
            for row in rows:
                entry = PlanEntry.objects.create(
                    plan=plan, unit=units[code], state=EntryState.ACCEPTED, **_values(row)
                )
                others += 1
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
        services.plan_consolidate(actor=head, plan=plan)
        services.plan_approve(actor=committee, plan=plan)

        # An amendment: the Gulf trip moves to October with one member fewer (version 2).
        gulf = home[2]
        services.entry_amend(actor=clerk, entry=gulf)
        services.entry_update(
            actor=clerk,
            entry=gulf,
            expected_month=10,
            ranks=[C, S],
            size=2,
            budget_estimate=Decimal("86000"),
        )
        services.entry_submit(actor=leader, entry=gulf)
        services.entry_accept(actor=reviewer, entry=gulf)
        services.entry_approve(actor=committee, entry=gulf)

        # A new entry drafted after approval: waits for the unit leader to submit it.
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
    plan.refresh_from_db()
    stdout.write(
        f"plans: {YEAR} approved, version {plan.version}, "
        f"{len(home) + 1 + others} entries, {plan.quotas.count()} quotas"
    )
    return plan
