"""The demo city 海滨市: invented districts, units, officials and one account per role.

Everything here is made up. The district codes use the prefix 3799, which GB/T 2260
does not assign; the names of people are drawn from common surnames and given-name
characters with a fixed seed, so every run builds the same city, and the resident ID
numbers carry those invented region codes with a valid GB 11643 check digit.

``load()`` is idempotent: districts, units and accounts are keyed on their code or
username, people on the blind index of their ID number, so running it again adds
nothing and refreshes the demo accounts (password age, lockouts, second factor).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from unittest import mock

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from waishi.lib.roles import OTP_REQUIRED, Role
from waishi.orgs import idnumbers
from waishi.orgs.models import District, Person, Rank, Unit, UnitKind, User

CITY = "海滨市"
# One password for every demo account: 15 characters, four character classes.
PASSWORD = "Demo#2026waishi"  # noqa: S105 - published on purpose
# One TOTP secret for every demo account with a second factor (base32, 160 bits).
TOTP_SECRET = "JBSWY3DPEHPK3PXPWAISHIDEMO234567"  # noqa: S105 - published on purpose
TOTP_DEVICE_NAME = "demo"
SEED = 20260101

DISTRICTS: list[tuple[str, str]] = [
    ("379902", "中山区"),
    ("379903", "海港区"),
    ("379904", "东湖区"),
    ("379905", "西岭区"),
    ("379911", "滨江区"),
    ("379912", "南湾区"),
    ("379921", "临海县"),
    ("379981", "青山市"),
]


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short_name: str
    kind: str
    staff: str  # a key of STAFF
    parent: str = ""
    district: str = ""
    head: str = "局长"  # the title of the head; deputies are 副 + head
    econ_tech: bool = False  # its ordinary staff are trade/technology staff (经贸科技人员)


# code (after "HB-"), name, short name, kind, staff profile (+: its ordinary staff are
# trade/technology staff, 经贸科技人员), parent (- for none), the head's title.
# Parents come before their children: the loader creates units in this order.
_UNIT_TABLE = """
CPC        中共海滨市委员会              市委            party        party      -     书记
GOV        海滨市人民政府                市政府          other        gov        -     市长
FAO        海滨市人民政府外事办公室      市外办          fao          fao        -     主任
CPC-OFF    中共海滨市委办公室            市委办          party        office     CPC   主任
CPC-ORG    中共海滨市委组织部            市委组织部      party        dept       CPC   部长
CPC-PUB    中共海滨市委宣传部            市委宣传部      party        dept       CPC   部长
CPC-UF     中共海滨市委统战部            市委统战部      party        dept       CPC   部长
DISC       中共海滨市纪律检查委员会      市纪委监委      party        dept       -     书记
GOV-OFF    海滨市人民政府办公室          市政府办公室    bureau       office     GOV   主任
DRC        海滨市发展和改革委员会        市发展改革委    bureau       bureau+    -     主任
EDU        海滨市教育局                  市教育局        bureau       bureau     -     局长
SCI        海滨市科学技术局              市科技局        bureau       bureau+    -     局长
MIIT       海滨市工业和信息化局          市工信局        bureau       bureau+    -     局长
PSB        海滨市公安局                  市公安局        bureau       bureau     -     局长
FIN        海滨市财政局                  市财政局        bureau       bureau-s   -     局长
HRSS       海滨市人力资源和社会保障局    市人社局        bureau       bureau-s   -     局长
COM        海滨市商务局                  市商务局        bureau       bureau-l+  -     局长
CT         海滨市文化和旅游局            市文化和旅游局  bureau       bureau     -     局长
HEALTH     海滨市卫生健康委员会          市卫生健康委    bureau       bureau     -     主任
OCEAN      海滨市海洋发展局              市海洋局        bureau       bureau-s   -     局长
AUDIT      海滨市审计局                  市审计局        bureau       bureau-s   -     局长
CCPIT      海滨市国际贸易促进委员会      市贸促会        institution  inst+      -     会长
PORT       海滨港务集团有限公司          市港务集团      soe          soe+       -     董事长
PORT-LOG   海滨港务国际物流有限公司      港务物流        soe          soe-s+     PORT  董事长
UCI        海滨城市建设投资集团有限公司  市城投集团      soe          soe        -     董事长
TRADE      海滨国际贸易集团有限公司      市外贸集团      soe          soe+       -     董事长
MARINE     海滨海洋科技集团有限公司      海洋科技集团    soe          soe-s+     -     董事长
UNIV       海滨大学                      海滨大学        university   univ       -     校长
UNIV-HOSP  海滨大学附属医院              海大附院        institution  inst       UNIV  院长
TECHU      海滨理工大学                  海滨理工        university   univ-s+    -     校长
FAO-IEC    海滨市国际交流服务中心        国际交流中心    institution  inst       FAO   主任
ACAD       海滨市科学技术研究院          市科研院        institution  inst+      SCI   院长
INVEST     海滨市投资促进中心            市投促中心      institution  inst+      COM   主任
MUSEUM     海滨市博物馆                  市博物馆        institution  inst       CT    馆长
"""


def _unit_table() -> list[UnitSpec]:
    units = []
    for line in _UNIT_TABLE.strip().splitlines():
        code, name, short, kind, staff, parent, head = line.split()
        units.append(
            UnitSpec(
                code=f"HB-{code}",
                name=name,
                short_name=short,
                kind=UnitKind(kind),
                staff=staff.rstrip("+"),
                parent="" if parent == "-" else f"HB-{parent}",
                head=head,
                econ_tech=staff.endswith("+"),
            )
        )
    # Each district's government, right after the city's own organs and bureaus.
    governments = [
        UnitSpec(
            f"HB-D{code[-2:]}",
            f"{name}人民政府",
            f"{name}政府",
            UnitKind.DISTRICT_GOV,
            "district",
            district=code,
            head=name[-1] + "长",  # 区长, 县长, or 市长 of a county-level city
        )
        for code, name in DISTRICTS
    ]
    split = next(i for i, u in enumerate(units) if u.kind == UnitKind.SOE)
    return units[:split] + governments + units[split:]


UNITS: list[UnitSpec] = _unit_table()


# Staff profiles: profile, post, rank, how many, flags. ``{head}`` is the unit's head title.
# Flags: L leadership team, C city leader, P always a Party member, X retired, - none.
_STAFF_TABLE = """
party     市委书记              provincial_ministerial  1  LCP
party     市委副书记            bureau                  1  LCP
party     市委常委、秘书长      bureau                  1  LCP
party     副秘书长              bureau                  1  P
party     处长                  county_division         1  P
party     科员                  section_below           2  P
gov       市长                  provincial_ministerial  1  LCP
gov       常务副市长            bureau                  1  LCP
gov       副市长                bureau                  2  LCP
gov       秘书长                bureau                  1  LP
gov       处长                  county_division         1  -
gov       科员                  section_below           2  -
gov       原副市长              bureau                  1  PX
fao       {head}                bureau                  1  LP
fao       副{head}              bureau                  2  LP
fao       礼宾处处长            county_division         1  P
fao       护照签证处处长        county_division         1  P
fao       亚非处处长            county_division         1  P
fao       欧美处处长            county_division         1  P
fao       副处长                county_division         2  -
fao       科长                  section_below           2  -
fao       科员                  section_below           4  -
fao       原副主任              bureau                  1  PX
office    {head}                bureau                  1  LP
office    副{head}              bureau                  1  LP
office    处长                  county_division         2  P
office    科员                  section_below           2  -
dept      {head}                bureau                  1  LP
dept      副{head}              bureau                  1  LP
dept      处长                  county_division         2  P
dept      科长                  section_below           1  P
dept      科员                  section_below           1  P
bureau    {head}                bureau                  1  LP
bureau    副{head}              bureau                  2  LP
bureau    处长                  county_division         2  -
bureau    科长                  section_below           1  -
bureau    科员                  section_below           2  -
bureau-s  {head}                bureau                  1  LP
bureau-s  副{head}              bureau                  1  LP
bureau-s  处长                  county_division         1  -
bureau-s  科长                  section_below           1  -
bureau-s  科员                  section_below           2  -
bureau-l  {head}                bureau                  1  LP
bureau-l  副{head}              bureau                  3  LP
bureau-l  外贸处处长            county_division         1  -
bureau-l  外资处处长            county_division         1  -
bureau-l  对外经济合作处处长    county_division         1  -
bureau-l  科长                  section_below           2  -
bureau-l  科员                  section_below           4  -
bureau-l  原副局长              bureau                  1  PX
district  {head}                bureau                  1  LP
district  副{head}              county_division         2  LP
district  科长                  section_below           2  -
district  科员                  section_below           1  -
soe       董事长                none                    1  LP
soe       总经理                none                    1  L
soe       副总经理              none                    1  L
soe       部门经理              none                    2  -
soe       业务主管              none                    2  -
soe       职员                  none                    1  -
soe-s     董事长                none                    1  LP
soe-s     总经理                none                    1  L
soe-s     部门经理              none                    1  -
soe-s     职员                  none                    2  -
univ      党委书记              bureau                  1  LP
univ      {head}                bureau                  1  LP
univ      副{head}              bureau                  2  LP
univ      国际合作与交流处处长  county_division         1  P
univ      学院院长              county_division         2  -
univ      教授                  none                    4  -
univ      副教授                none                    2  -
univ      讲师                  none                    2  -
univ      科员                  section_below           1  -
univ      原副校长              bureau                  1  PX
univ-s    党委书记              bureau                  1  LP
univ-s    {head}                bureau                  1  LP
univ-s    副{head}              bureau                  1  LP
univ-s    学院院长              county_division         1  -
univ-s    教授                  none                    3  -
univ-s    讲师                  none                    2  -
inst      {head}                county_division         1  LP
inst      副{head}              county_division         1  L
inst      科长                  section_below           1  -
inst      科员                  section_below           2  -
"""


def _staff_table() -> dict[str, list[tuple[str, Rank, int, str]]]:
    staff: dict[str, list[tuple[str, Rank, int, str]]] = {}
    for line in _STAFF_TABLE.strip().splitlines():
        profile, post, rank, count, flags = line.split()
        staff.setdefault(profile, []).append((post, Rank(rank), int(count), flags.strip("-")))
    return staff


STAFF = _staff_table()

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚"
)
# Given-name characters as they are commonly used for men, for women, and for either.
GIVEN_MEN = "伟强磊军洋勇杰涛明超刚建文辉力永志海波斌鹏宇浩凯健俊帅旭亮航振国立德正博哲毅诚瑞祥峰"
GIVEN_WOMEN = "芳娜敏静丽艳娟秀霞桂英玉萍红琳颖倩婷慧雪欣怡涵梦诗佳嘉燕兰莉晶"
GIVEN_EITHER = "华平宁晓林晨阳思子雨远庆春秋新清"

# Birth years by kind of post: leaders are older, staff younger, the retired oldest.
BIRTH_YEARS = {
    "retired": (1950, 1961),
    Rank.PROVINCIAL_MINISTERIAL: (1963, 1969),
    Rank.BUREAU: (1965, 1976),
    Rank.COUNTY_DIVISION: (1970, 1985),
    Rank.SECTION_BELOW: (1980, 2000),
    Rank.NONE: (1968, 1999),
}


@dataclass(frozen=True)
class PersonSpec:
    unit: str
    name: str
    id_number: str
    post: str
    rank: str
    is_party_member: bool
    is_unit_leadership: bool
    is_city_leader: bool
    is_econ_tech: bool
    is_retired: bool


def _name(rng: random.Random, man: bool, taken: set[str]) -> str:
    pool = (GIVEN_MEN if man else GIVEN_WOMEN) * 2 + GIVEN_EITHER
    while True:
        given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def _id_number(
    rng: random.Random, region: str, born: tuple[int, int], man: bool, taken: set[str]
) -> str:
    """GB 11643: region, birth date, a sequence number odd for men and even for women."""
    while True:
        year = rng.randint(*born)
        birth = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        sequence = rng.randrange(500) * 2 + (1 if man else 0)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        number = body + idnumbers.check_digit(body)
        if number not in taken:
            taken.add(number)
            return number


@functools.cache
def people() -> tuple[PersonSpec, ...]:
    """Every demo person, the same list on every call and every machine."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible invented data, not a secret
    names: set[str] = set()
    numbers: set[str] = set()
    regions = [code for code, _name in DISTRICTS]
    out = []
    for unit in UNITS:
        for post, rank, count, flags in STAFF[unit.staff]:
            post = post.format(head=unit.head)
            retired = "X" in flags
            leadership = "L" in flags
            for _ in range(count):
                region = unit.district or rng.choice(regions)
                man = rng.random() < 0.55
                born = BIRTH_YEARS["retired" if retired else rank]
                party = "P" in flags or rng.random() < (
                    0.5 if unit.kind == UnitKind.UNIVERSITY else 0.7
                )
                out.append(
                    PersonSpec(
                        unit=unit.code,
                        name=_name(rng, man, names),
                        id_number=_id_number(rng, region, born, man, numbers),
                        post=post,
                        rank=rank,
                        is_party_member=party,
                        is_unit_leadership=leadership,
                        is_city_leader="C" in flags,
                        # 经贸科技人员: the working staff of trade and technology units.
                        is_econ_tech=unit.econ_tech and not leadership and not retired,
                        is_retired=retired,
                    )
                )
    return tuple(out)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    unit: str = ""  # unit code
    district: str = ""  # district code
    person_post: str = ""  # the first person of the unit with this post is the account's
    full_name: str = ""  # for accounts with no person


ACCOUNTS: list[DemoAccount] = [
    DemoAccount("clerk", Role.UNIT_CLERK, "HB-COM", person_post="科员"),
    DemoAccount("leader", Role.UNIT_LEADER, "HB-COM", person_post="局长"),
    DemoAccount("reviewer", Role.FAO_REVIEWER, "HB-FAO", person_post="护照签证处处长"),
    DemoAccount("head", Role.FAO_HEAD, "HB-FAO", person_post="主任"),
    DemoAccount("committee", Role.COMMITTEE, "HB-CPC", person_post="市委常委、秘书长"),
    DemoAccount("district", Role.DISTRICT_OFFICER, "HB-D02", "379902", person_post="科长"),
    # The officer of a second district: receives the hand-overs 中山区 offers.
    DemoAccount("district2", Role.DISTRICT_OFFICER, "HB-D03", "379903", person_post="科长"),
    DemoAccount("command", Role.CITY_COMMAND, full_name="市疫情防控指挥部值班员"),
    DemoAccount("auditor", Role.AUDITOR, "HB-DISC", person_post="处长"),
    DemoAccount("sysadmin", Role.SYS_ADMIN, full_name="系统管理员"),
    DemoAccount("secadmin", Role.SECURITY_ADMIN, full_name="安全管理员"),
    DemoAccount("auditadmin", Role.AUDIT_ADMIN, full_name="审计管理员"),
    # A clerk of another unit: must never see the commerce bureau's people.
    DemoAccount("clerk2", Role.UNIT_CLERK, "HB-EDU", person_post="科员"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    role_label: str
    password: str
    needs_totp: bool
    totp_secret: str  # base32, "" when the role has no second factor


def demo_logins() -> list[DemoLogin]:
    """The demo accounts as a table for the terminal and the README."""
    return [
        DemoLogin(
            username=a.username,
            role=a.role.value,
            role_label=str(a.role.label),
            password=PASSWORD,
            needs_totp=a.role in OTP_REQUIRED,
            totp_secret=TOTP_SECRET if a.role in OTP_REQUIRED else "",
        )
        for a in ACCOUNTS
    ]


def totp_key_hex() -> str:
    """The demo secret as django-otp stores it (hex of the raw key)."""
    return base64.b32decode(TOTP_SECRET).hex()


# --- the demo's clock --------------------------------------------------------------------------

_real_now = timezone.now


def moment(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour``:``minute`` local time, aware."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@contextlib.contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """Run the real services as if it were ``at``: ``django.utils.timezone.now`` (and so
    ``localdate``, ``auto_now`` fields and every "today" of a service) reads ``at`` plus the
    time that has passed since, so the demo's past (a trip approved two months ago, back a
    week ago) is made by the same services, checks and audit events as a real one. The
    audit chain keeps its order of rows; its events carry the simulated times."""
    started = _real_now()

    def now() -> dt.datetime:
        return at + (_real_now() - started)

    # Fields whose default is ``timezone.now`` hold the function itself, read when the
    # model was defined: they are pointed at the demo's clock too (and Django's cached
    # default getter forgotten), so that a row's "recorded at" is the simulated time.
    now.demo_clock = True
    fields = [
        (field, field.default)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is _real_now or getattr(field.default, "demo_clock", False)
    ]
    for field, _before in fields:
        field.default = now
        field.__dict__.pop("_get_default", None)
    try:
        with mock.patch.object(timezone, "now", now):
            yield
    finally:
        for field, before in fields:
            field.default = before
            field.__dict__.pop("_get_default", None)


# --- loader ---------------------------------------------------------------------------------


@dataclass
class Counts:
    districts: int = 0
    units: int = 0
    people: int = 0
    users: int = 0
    created_districts: int = 0
    created_units: int = 0
    created_people: int = 0
    created_users: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


Progress = Callable[[str], None]


def _districts(counts: Counts) -> dict[str, District]:
    existing = {d.code: d for d in District.objects.filter(code__in=[c for c, _n in DISTRICTS])}
    for order, (code, name) in enumerate(DISTRICTS, start=1):
        if code not in existing:
            existing[code] = District.objects.create(code=code, name=name, sort_order=order)
            counts.created_districts += 1
    counts.districts = len(existing)
    return existing


def _units(counts: Counts, districts: dict[str, District]) -> dict[str, Unit]:
    existing = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in UNITS])}
    for spec in UNITS:
        if spec.code in existing:
            continue
        existing[spec.code] = Unit.objects.create(
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            parent=existing[spec.parent] if spec.parent else None,
            district=districts[spec.district] if spec.district else None,
        )
        counts.created_units += 1
    counts.units = len(existing)
    return existing


def _people(counts: Counts, units: dict[str, Unit], progress: Progress) -> None:
    from waishi.orgs.services import pinyin_of

    specs = people()
    index = {Person.index_id_number(s.id_number): s for s in specs}
    known = set(
        Person.objects.filter(id_number_index__in=list(index)).values_list(
            "id_number_index", flat=True
        )
    )
    fresh = []
    for key, spec in index.items():
        if key in known:
            continue
        person = Person(
            unit=units[spec.unit],
            name=spec.name,
            post=spec.post,
            rank=spec.rank,
            is_party_member=spec.is_party_member,
            is_unit_leadership=spec.is_unit_leadership,
            is_city_leader=spec.is_city_leader,
            is_econ_tech=spec.is_econ_tech,
            is_retired=spec.is_retired,
        )
        person.name_pinyin, person.name_initials = pinyin_of(spec.name)
        person.set_id_number(spec.id_number)  # ciphertext and blind index only
        fresh.append(person)
    for start in range(0, len(fresh), 100):
        Person.objects.bulk_create(fresh[start : start + 100])
        progress(f"people {len(known) + min(start + 100, len(fresh))}/{len(specs)}")
    counts.created_people = len(fresh)
    counts.people = len(known) + len(fresh)


def _account_person(account: DemoAccount) -> Person | None:
    if not account.person_post:
        return None
    spec = next(s for s in people() if s.unit == account.unit and s.post == account.person_post)
    return Person.objects.with_id_number(spec.id_number).first()


def _users(counts: Counts, units: dict[str, Unit], districts: dict[str, District]) -> None:
    from axes.utils import reset as axes_reset
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # One hash for all: Argon2 is slow on purpose, and the demo password is public anyway.
    hashed = make_password(PASSWORD)
    now = timezone.now()
    key = totp_key_hex()
    for account in ACCOUNTS:
        person = _account_person(account)
        values = {
            "role": account.role,
            "unit": units[account.unit] if account.unit else None,
            "district": districts[account.district] if account.district else None,
            "person": person,
            "full_name": person.name if person else account.full_name,
            "email": f"{account.username}@haibin.example",
            "password": hashed,
            # Fresh at every run, so the demo never asks for a password change.
            "password_changed_at": now,
            "must_change_password": False,
            "expires_at": None,
            "is_active": True,
        }
        if person is not None:
            # The person may have been linked to another account in the meantime.
            User.objects.filter(person=person).exclude(username=account.username).update(
                person=None
            )
        user, created = User.objects.update_or_create(username=account.username, defaults=values)
        counts.created_users += created
        axes_reset(username=account.username)
        if account.role in OTP_REQUIRED:
            # Exactly one confirmed device with the published secret, its replay and
            # throttling state cleared, so a script can always log in.
            TOTPDevice.objects.filter(user=user).exclude(name=TOTP_DEVICE_NAME).delete()
            TOTPDevice.objects.update_or_create(
                user=user,
                name=TOTP_DEVICE_NAME,
                defaults={
                    "key": key,
                    "confirmed": True,
                    "step": 30,
                    "t0": 0,
                    "digits": 6,
                    "drift": 0,
                    "last_t": -1,
                    "throttling_failure_count": 0,
                    "throttling_failure_timestamp": None,
                },
            )
    counts.users = len(ACCOUNTS)


def load(progress: Progress = lambda message: None) -> Counts:
    """Build (or refresh) the demo city in one transaction and record one audit event."""
    from waishi.audit.services import record

    counts = Counts()
    with transaction.atomic():
        districts = _districts(counts)
        progress(f"districts {counts.districts} ({counts.created_districts} new)")
        units = _units(counts, districts)
        progress(f"units {counts.units} ({counts.created_units} new)")
        _people(counts, units, progress)
        progress(f"people {counts.people} ({counts.created_people} new)")
        _users(counts, units, districts)
        progress(f"accounts {counts.users} ({counts.created_users} new)")
        record(
            action="demo.seeded",
            actor_name="waishi seed_demo",
            object_repr=CITY,
            data={"city": CITY, **counts.as_dict()},
        )
    return counts
