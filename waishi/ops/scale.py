"""``waishi seed-scale``: an invented province at scale, written through bulk paths.

Everything is deterministic (one seeded ``random.Random``), invented (names are built
from a small list of syllables; no real people), and inserted with one prepared
statement per table and chunk (``executemany``), never one ``save()`` a row. Primary
keys are handed out here (from the table's current maximum) so that the foreign keys
of the next table are known without reading back; PostgreSQL sequences are reset at
the end. The audit rows are written through ``record_many``: a valid chain continuing
the current head.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Iterable

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from waishi.approvals.models import ApprovalStep
from waishi.arrivals import models as am
from waishi.arrivals.plans import build_steps, current_plans, due_at
from waishi.audit.services import record_many, record_state
from waishi.followups import models as fm
from waishi.lib import crypto
from waishi.lib.roles import Role
from waishi.missions.models import Member, Mission, State, Stop
from waishi.orgs import idnumbers
from waishi.orgs.models import District, Person, Rank, Unit, UnitKind, User
from waishi.passports import models as pm
from waishi.plans import models as plm

FULL = {
    "districts": 100,
    "units": 2000,
    "people": 100_000,
    "missions": 1_000_000,
    "audit": 2_000_000,
    "arrivals": 500_000,
    "tasks": 100_000,
}
CHUNK = 5000
# Shares of the derived data: every PASSPORT_EVERY-th person holds an official passport;
# every OUTCOME_EVERY-th closed trip has a follow-up; arrivals of the last STEP_DAYS days
# have their management steps; PLAN_ENTRIES entries a unit in this year's plan.
PASSPORT_EVERY = 5
OUTCOME_EVERY = 10
STEP_DAYS = 90
PLAN_ENTRIES = 2
START = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
SPAN = dt.timedelta(days=3650)

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"),
            ("吴", "wu")]  # fmt: skip
GIVEN = [("晓", "xiao"), ("明", "ming"), ("华", "hua"), ("丽", "li"), ("强", "qiang"),
         ("敏", "min"), ("静", "jing"), ("伟", "wei"), ("芳", "fang"), ("磊", "lei"),
         ("洋", "yang"), ("婷", "ting")]  # fmt: skip
TRAVELLED = (State.APPROVED, State.ABROAD, State.BACK, State.CLOSED)
COUNTRIES = ["DE", "FR", "JP", "KR", "SG", "GB", "US", "AU", "IT", "ES", "NL", "TH"]
# How often each state occurs (every state occurs at least once).
STATE_WEIGHTS = {
    State.CLOSED: 50, State.BACK: 5, State.ABROAD: 2, State.APPROVED: 5,
    State.REJECTED: 5, State.CANCELLED: 4, State.WITHDRAWN: 4, State.RETURNED: 3,
    State.IN_REVIEW: 4, State.SUBMITTED: 4, State.DRAFT: 14,
}  # fmt: skip
AUDIT_ACTIONS = [
    "missions.mission.create", "missions.mission.update", "missions.mission.submit",
    "missions.mission.approve", "missions.mission.return", "missions.mission.reject",
    "missions.mission.cancel",
]  # fmt: skip


def sizes(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * scale)) for k, v in FULL.items()}


class Progress:
    def __init__(self, out=None):
        self.out = out or sys.stderr
        self.figures: dict[str, tuple[int, float]] = {}

    def add(self, table: str, rows: int, seconds: float) -> None:
        n, s = self.figures.get(table, (0, 0.0))
        self.figures[table] = (n + rows, s + seconds)

    def report(self, table: str) -> None:
        n, s = self.figures.get(table, (0, 0.0))
        self.out.write(f"{table}: {n:,} rows in {s:.1f} s ({n / s if s else 0:,.0f} rows/s)\n")
        self.out.flush()


class Table:
    """INSERT with explicit columns, many rows per statement call (executemany).

    ``given`` are the columns the caller fills (values already in the driver's form);
    every other concrete column gets its model default, prepared once."""

    def __init__(self, model: type[models.Model], given: list[str]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.given = given
        rest = [
            name
            for name, field in fields.items()
            if name not in given and not (field.primary_key and isinstance(field, models.AutoField))
        ]
        self.defaults = tuple(
            fields[n].get_db_prep_save(fields[n].get_default(), connection) for n in rest
        )
        qn = connection.ops.quote_name
        columns = [fields[n].column for n in given + rest]
        # Names from the model, values as parameters.
        table, names = qn(model._meta.db_table), ", ".join(map(qn, columns))
        marks = ", ".join(["%s"] * len(columns))
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        self.model = model
        self.pending: list[tuple] = []

    def insert(self, rows: list[tuple]) -> None:
        if not rows:
            return
        d = self.defaults
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, [r + d for r in rows])

    def add(self, row: tuple) -> None:
        """Queue a row; a full chunk is inserted at once. ``flush`` inserts the rest."""
        self.pending.append(row)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.insert(self.pending)
        self.pending = []


def _ts(value: dt.datetime | None):
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def _date(value: dt.date | None):
    return None if value is None else connection.ops.adapt_datefield_value(value)


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def has_business_data() -> bool:
    return any(m._default_manager.exists() for m in (Unit, Person, Mission, am.Arrival))


def _name(rng: random.Random) -> tuple[str, str, str]:
    parts = [rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(GIVEN)]
    return (
        "".join(p[0] for p in parts),
        " ".join(p[1] for p in parts),
        "".join(p[1][0] for p in parts).upper(),
    )


class Seeder:
    def __init__(self, scale: float = 1.0, *, seed: int = 20161, out=None):
        self.n = sizes(scale)
        self.rng = random.Random(seed)  # noqa: S311 -- invented data, reproducible
        self.progress = Progress(out)
        self.now = dt.datetime.now(dt.UTC)

    def timed(self, table: str, fn: Callable[[], int]) -> None:
        started = time.perf_counter()
        rows = fn()
        self.progress.add(table, rows, time.perf_counter() - started)

    # -- organisation -------------------------------------------------------------
    def orgs(self) -> None:
        n, rng = self.n, self.rng
        started = time.perf_counter()
        first_d = _next_id(District)
        districts = [
            District(
                id=first_d + i,
                code=f"{990000 - first_d - i:06d}",
                name=f"虚构省第{first_d + i}区",
                sort_order=1000 + i,
            )
            for i in range(n["districts"])
        ]
        District.objects.bulk_create(districts, batch_size=500)
        self.progress.add("orgs_district", len(districts), time.perf_counter() - started)
        self.progress.report("orgs_district")

        started = time.perf_counter()
        first_u = _next_id(Unit)
        kinds = [UnitKind.BUREAU, UnitKind.SOE, UnitKind.UNIVERSITY, UnitKind.INSTITUTION]
        self.fao = Unit.objects.create(
            id=first_u,
            code=f"SC-FAO-{first_u}",
            name=f"虚构省外事办公室{first_u}",
            kind=UnitKind.FAO,
        )
        units = [
            Unit(
                id=first_u + 1 + i,
                code=f"SC{first_u + 1 + i:06d}",
                name=f"虚构省第{first_u + 1 + i}单位",
                short_name=f"单位{first_u + 1 + i}",
                kind=kinds[i % len(kinds)],
                district=districts[i % len(districts)],
            )
            for i in range(n["units"])
        ]
        Unit.objects.bulk_create(units, batch_size=500)
        self.units = [u.id for u in units]
        self.unit_district = {u.id: u.district_id for u in units}
        self.progress.add("orgs_unit", len(units) + 1, time.perf_counter() - started)
        self.progress.report("orgs_unit")

        # Accounts: one clerk and one leader a unit, one FAO reviewer. No usable password.
        started = time.perf_counter()
        first_a = _next_id(User)
        accounts = [
            User(
                id=first_a,
                username=f"scale_fao_{first_a}",
                role=Role.FAO_REVIEWER,
                unit=self.fao,
                password="!",  # noqa: S106 -- unusable: nobody logs in as these
                full_name="外办审核员",
            )
        ]
        for i, uid in enumerate(self.units):
            for k, role in enumerate((Role.UNIT_CLERK, Role.UNIT_LEADER)):
                accounts.append(
                    User(
                        id=first_a + 1 + 2 * i + k,
                        username=f"scale_{role}_{uid}",
                        role=role,
                        unit_id=uid,
                        password="!",  # noqa: S106 -- unusable: nobody logs in as these
                        full_name=_name(rng)[0],
                    )
                )
        User.objects.bulk_create(accounts, batch_size=1000)
        self.fao_user = first_a
        self.clerk = {uid: first_a + 1 + 2 * i for i, uid in enumerate(self.units)}
        # The clerks as the actors of the invented history (``audit``).
        self.clerk_account = {uid: accounts[1 + 2 * i] for i, uid in enumerate(self.units)}
        self.leader = {uid: first_a + 2 + 2 * i for i, uid in enumerate(self.units)}
        self.progress.add("orgs_user", len(accounts), time.perf_counter() - started)
        self.progress.report("orgs_user")

        # People: contiguous blocks per unit, so members are picked without a lookup.
        started = time.perf_counter()
        self.per_unit = max(1, n["people"] // len(self.units))
        self.first_person = _next_id(Person)
        table = Table(
            Person,
            ["id", "name", "name_pinyin", "name_initials", "id_number_enc", "id_number_index",
             "unit_id", "post", "rank", "is_party_member", "created_at", "updated_at"],
        )  # fmt: skip
        ranks = [Rank.SECTION_BELOW] * 6 + [Rank.COUNTY_DIVISION] * 3 + [Rank.BUREAU, Rank.NONE]
        created = _ts(START)
        count = 0
        for uid in self.units:
            for k in range(self.per_unit):
                pid = self.first_person + count
                name, pinyin, initials = _name(rng)
                born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(14000))
                body = f"9{pid // 1000 % 100000:05d}{born:%Y%m%d}{pid % 1000:03d}"
                number = body + idnumbers.check_digit(body)
                table.add(
                    (pid, name, pinyin, initials,
                     crypto.encrypt(number, associated=Person.ID_AAD),
                     Person.index_id_number(number), uid, "科员", ranks[k % len(ranks)],
                     k % 3 == 0, created, created)
                )  # fmt: skip
                count += 1
        table.flush()
        self.progress.add("orgs_person", count, time.perf_counter() - started)
        self.progress.report("orgs_person")

    # -- missions, members, stops, approval steps ---------------------------------
    def missions(self) -> None:
        n, rng = self.n, self.rng
        states = list(STATE_WEIGHTS)
        weights = list(STATE_WEIGHTS.values())
        t_mission = Table(
            Mission,
            ["id", "unit_id", "title", "purpose", "category", "departure_date", "return_date",
             "invitation_source", "inviter", "funding_source", "budget_total_cny", "state",
             "state_changed_at", "step", "created_by_id", "created_at", "updated_at",
             "submitted_at", "approved_at", "actual_departure", "actual_return", "closed_at",
             "cancel_reason"],
        )  # fmt: skip
        t_member = Table(Member, ["mission_id", "person_id", "order", "is_leader", "role"])
        t_stop = Table(Stop, ["mission_id", "order", "country", "city", "arrive", "depart"])
        t_step = Table(
            ApprovalStep,
            ["subject_type", "subject_id", "unit_id", "round", "sequence", "rule_snapshot",
             "approver_role", "state", "created_at", "started_at", "due_on", "decided_at",
             "decided_by_id", "comment"],
        )  # fmt: skip
        t_outcome = Table(
            fm.Outcome,
            ["source_type", "source_id", "source_title", "kind", "title", "description",
             "responsible_person_id", "responsible_unit_id", "due_date", "state",
             "drop_reason", "done_at", "overdue_since", "state_changed_at", "created_by_id",
             "created_at", "updated_at"],
        )  # fmt: skip
        outcome_kinds = list(fm.Kind.values)
        today = self.now.date()
        # The latest trip of each passport holder (trips come in date order).
        self.last_trip: dict[int, tuple] = {}
        first = _next_id(Mission)
        self.first_mission = first
        total = n["missions"]
        per_second = SPAN.total_seconds() / total
        counts = {"missions_mission": 0, "missions_member": 0, "missions_stop": 0,
                  "approvals_approvalstep": 0, "followups_outcome": 0}  # fmt: skip
        times = dict.fromkeys(counts, 0.0)
        empty = json.dumps({})
        for base in range(0, total, CHUNK):
            g0 = time.perf_counter()
            missions, members, stops, steps, outcomes = [], [], [], [], []
            for j in range(base, min(total, base + CHUNK)):
                mid = first + j
                state = states[j] if j < len(states) else rng.choices(states, weights)[0]
                uid = self.units[j % len(self.units)]
                created = START + dt.timedelta(seconds=j * per_second)
                depart = (created + dt.timedelta(days=rng.randint(30, 90))).date()
                days = rng.randint(3, 12)
                back = depart + dt.timedelta(days=days - 1)
                submitted = created + dt.timedelta(days=3) if state != State.DRAFT else None
                decided = created + dt.timedelta(days=8)
                approved = decided if state in TRAVELLED else None
                country = rng.choice(COUNTRIES)
                missions.append(
                    (mid, uid, f"赴{country}考察交流团组{mid}", "虚构的交流目的", "general",
                     _date(depart), _date(back), "foreign_counterpart", "虚构邀请单位",
                     "单位经费", f"{rng.randint(20, 300) * 1000}.00", state,
                     _ts(decided if submitted else created), 6 if submitted else rng.randint(1, 5),
                     self.clerk[uid], _ts(created), _ts(decided), _ts(submitted), _ts(approved),
                     _date(depart) if state in (State.ABROAD, State.BACK, State.CLOSED) else None,
                     _date(back) if state in (State.BACK, State.CLOSED) else None,
                     _ts(decided + dt.timedelta(days=days + 60)) if state == State.CLOSED else None,
                     "虚构的取消原因" if state == State.CANCELLED else "")
                )  # fmt: skip
                k = j % len(self.units)
                block = self.first_person + k * self.per_unit
                size = min(self.per_unit, rng.randint(1, 4))
                leader_pid = None
                for o, p in enumerate(rng.sample(range(self.per_unit), size)):
                    members.append((mid, block + p, o, o == 0, "团长" if o == 0 else "团员"))
                    leader_pid = leader_pid or block + p
                    if (block + p - self.first_person) % PASSPORT_EVERY == 0 and approved:
                        self.last_trip[block + p] = (mid, state, decided, back)
                if state == State.CLOSED and j % OUTCOME_EVERY == 0:
                    outcomes.append(
                        self._outcome(mid, uid, leader_pid, back, decided, country,
                                      outcome_kinds, today)
                    )  # fmt: skip
                for o in range(rng.randint(1, 3)):
                    stops.append((mid, o, country if o == 0 else rng.choice(COUNTRIES), "虚构市",
                                  _date(depart + dt.timedelta(days=o)), _date(back)))  # fmt: skip
                steps.extend(self._steps(mid, uid, state, submitted, decided, empty))
            g1 = time.perf_counter()
            share = (g1 - g0) / 5
            for table, rows, key in (
                (t_mission, missions, "missions_mission"),
                (t_member, members, "missions_member"),
                (t_stop, stops, "missions_stop"),
                (t_step, steps, "approvals_approvalstep"),
                (t_outcome, outcomes, "followups_outcome"),
            ):
                t = time.perf_counter()
                table.insert(rows)
                counts[key] += len(rows)
                times[key] += time.perf_counter() - t + share
        for key in counts:
            self.progress.add(key, counts[key], times[key])
            self.progress.report(key)

    def _outcome(self, mid, uid, person, back, decided, country, kinds, today) -> tuple:
        """A follow-up of a closed trip, due half a year after the return: most of the
        old ones done (some dropped, some overdue), the recent ones open or under way."""
        rng = self.rng
        due = back + dt.timedelta(days=180)
        created = decided + dt.timedelta(days=30)
        drop_reason, done_at, overdue_since = "", None, None
        if due < today:
            r = rng.random()
            if r < 0.8:
                state, done_at = fm.State.DONE, created + dt.timedelta(days=rng.randint(30, 170))
            elif r < 0.9:
                state, drop_reason = fm.State.DROPPED, "虚构的放弃原因"
            else:
                state, overdue_since = fm.State.OVERDUE, due + dt.timedelta(days=1)
        else:
            state = rng.choice((fm.State.OPEN, fm.State.IN_PROGRESS))
        changed = done_at or created
        return (
            "missions.mission", mid, f"赴{country}考察交流团组{mid}", rng.choice(kinds),
            f"虚构合作成果{mid}", "虚构的成果说明", person, uid, _date(due), state,
            drop_reason, _ts(done_at), _date(overdue_since), _ts(changed), self.clerk[uid],
            _ts(created), _ts(changed),
        )  # fmt: skip

    # -- supervised tasks (督办事项) ------------------------------------------------------
    def tasks(self) -> None:
        """Supervised tasks over the last five years, spread over every unit: the old
        ones closed and archived (a few dropped), this year's in every state and colour;
        a third with one or two supporting units. Numbers 督办〔year〕N号 run per year."""
        rng, n = self.rng, self.n
        started = time.perf_counter()
        today = self.now.date()
        first = _next_id(fm.Outcome)
        columns = [
            "id", "source_title", "title", "description", "responsible_person_id",
            "responsible_unit_id", "due_date", "state", "drop_reason", "done_at",
            "state_changed_at", "created_by_id", "created_at", "updated_at", "track",
            "source_kind", "urgency", "instructed_by", "major", "original_due_date",
            "number", "year", "seq", "colour", "red_since", "assigned_at", "accepted_at",
            "archived_at", "closed_on",
        ]  # fmt: skip
        table = Table(fm.Outcome, columns)
        through = fm.Outcome.supporting_units.through
        t_support = Table(through, ["outcome_id", "unit_id"])
        support: list[tuple[int, int]] = []
        kinds = [fm.SourceKind.MINUTES, fm.SourceKind.DOCUMENT, fm.SourceKind.INSTRUCTION,
                 fm.SourceKind.KEY_POINT, fm.SourceKind.TRIP]  # fmt: skip
        urgencies = list(fm.Urgency.values)
        open_states = [fm.State.ASSIGNED, fm.State.IN_PROGRESS, fm.State.IN_PROGRESS,
                       fm.State.IN_PROGRESS, fm.State.FEEDBACK, fm.State.RETURNED,
                       fm.State.REDIRECT_ASKED, fm.State.REGISTERED]  # fmt: skip
        # Each year's numbers go on from the year's counter (a second seeding adds to it).
        seq = dict(fm.TaskSequence.objects.values_list("year", "last"))
        total = n["tasks"]
        units = self.units
        for i in range(total):
            tid = first + i
            k = rng.randrange(len(units))
            uid = units[k]
            person = self.first_person + k * self.per_unit
            created = today - dt.timedelta(days=rng.randrange(5 * 365))
            kind = rng.choice(kinds)
            urgency = rng.choice(urgencies) if kind == fm.SourceKind.INSTRUCTION else ""
            due = created + dt.timedelta(days=rng.choice((7, 21, 28, 42, 90, 180)))
            year = created.year
            seq[year] = seq.get(year, 0) + 1
            state, done_at, archived_at, drop_reason, colour, red_since = (
                fm.State.ARCHIVED,
                None,
                None,
                "",
                "",
                None,
            )
            if due < today - dt.timedelta(days=60) or created.year < today.year - 1:
                r = rng.random()
                late = rng.random() < 0.1
                done = (
                    due + dt.timedelta(days=rng.randint(1, 20))
                    if late
                    else (due - dt.timedelta(days=rng.randint(0, 5)))
                )
                done_at = dt.datetime.combine(done, dt.time(8), tzinfo=dt.UTC)
                red_since = due + dt.timedelta(days=1) if late else None
                if r < 0.05:
                    state, drop_reason, done_at, red_since = (
                        fm.State.DROPPED,
                        "虚构的撤销原因",
                        None,
                        None,
                    )
                elif r < 0.4:
                    state = fm.State.DONE
                else:
                    archived_at = done_at + dt.timedelta(days=10)
            else:
                state = rng.choice(open_states)
                if state == fm.State.REGISTERED:
                    pass
                elif due < today:
                    colour, red_since = fm.Colour.RED, due + dt.timedelta(days=1)
                elif state == fm.State.RETURNED:
                    colour = fm.Colour.YELLOW
                elif (due - today).days <= 4:
                    colour = fm.Colour.BLUE
            assigned = dt.datetime.combine(created, dt.time(2), tzinfo=dt.UTC)
            number = fm.NUMBER_FORMAT.format(year=year, seq=seq[year])
            given = state != fm.State.REGISTERED
            changed = done_at or assigned
            table.add(
                (tid, f"虚构来源{tid}", f"虚构督办事项{tid}", "虚构的督办要求", person, uid,
                 _date(due), state, drop_reason, _ts(done_at), _ts(changed), self.clerk[uid],
                 _ts(assigned), _ts(changed), fm.Track.TASK, kind, urgency,
                 "虚构领导" if urgency else "", i % 7 == 0, _date(due),
                 number if given else "", year if given else None, seq[year] if given else None,
                 colour, _date(red_since), _ts(assigned) if given else None,
                 _ts(assigned + dt.timedelta(days=1)) if given else None, _ts(archived_at),
                 _date(done_at.date()) if done_at else None)  # 08:00 UTC: the same day here
            )  # fmt: skip
            if i % 3 == 0:
                support += [(tid, unit) for unit in rng.sample(units, 2 if i % 2 else 1)
                            if unit != uid]  # fmt: skip
        table.flush()
        # After every task is in: MariaDB checks a foreign key at once, not at the commit.
        for start in range(0, len(support), CHUNK):
            t_support.insert(support[start : start + CHUNK])
        with transaction.atomic():
            for year, last in seq.items():
                fm.TaskSequence.objects.update_or_create(year=year, defaults={"last": last})
        self.progress.add("followups_task", total, time.perf_counter() - started)
        self.progress.report("followups_task")

    # -- passports and their custody --------------------------------------------------
    def passports(self) -> None:
        """An official passport for every PASSPORT_EVERY-th person; a custody row for the
        latest approved trip of each holder: back (or still out, for the trips abroad,
        approved or just back: the passports due back)."""
        rng = self.rng
        started = time.perf_counter()
        t_passport = Table(
            pm.Passport,
            ["id", "holder_id", "kind", "number_enc", "number_index", "issued_on",
             "expires_on", "state", "created_at", "updated_at"],
        )  # fmt: skip
        t_custody = Table(
            pm.PassportCustody,
            ["passport_id", "mission_id", "issued_at", "issued_by_id", "due_back",
             "returned_at", "received_by_id"],
        )  # fmt: skip
        first = _next_id(pm.Passport)
        created = _ts(START)
        custody, count, out = [], 0, 0
        for k in range(0, self.per_unit * len(self.units), PASSPORT_EVERY):
            pid = self.first_person + k
            passport = first + count
            number = f"E{pid % 10**8:08d}"
            issued = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3000))
            trip = self.last_trip.get(pid)
            is_out = False
            if trip is not None:
                mid, state, decided, back = trip
                is_out = state in (State.APPROVED, State.ABROAD) or (
                    state == State.BACK and pid % 2 == 0
                )
                custody.append(
                    (passport, mid, _ts(decided), self.fao_user,
                     _date(back + dt.timedelta(days=7)),
                     None if is_out else _ts(dt.datetime.combine(
                         back + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)),
                     None if is_out else self.fao_user)
                )  # fmt: skip
                out += is_out
            t_passport.add(
                (passport, pid, pm.Kind.OFFICIAL_ORDINARY,
                 crypto.encrypt(number, associated=pm.Passport.NUMBER_AAD),
                 pm.Passport.index_number(number), _date(issued),
                 _date(issued + dt.timedelta(days=3652)),
                 pm.PassportState.ISSUED if is_out else pm.PassportState.IN_CUSTODY,
                 created, created)
            )  # fmt: skip
            count += 1
        t_passport.flush()
        self.progress.add("passports_passport", count, time.perf_counter() - started)
        self.progress.report("passports_passport")
        started = time.perf_counter()
        for i in range(0, len(custody), CHUNK):
            t_custody.insert(custody[i : i + CHUNK])
        self.progress.add("passports_passportcustody", len(custody), time.perf_counter() - started)
        self.progress.report("passports_passportcustody")
        self.last_trip = {}

    # -- this year's plan -------------------------------------------------------------
    def plan(self) -> None:
        """This year's plan (open for entries; the one that exists, if any): PLAN_ENTRIES
        entries and the two quotas of every unit."""
        rng = self.rng
        started = time.perf_counter()
        year = self.now.year
        plan = plm.PlanYear.objects.filter(year=year).first() or plm.PlanYear.objects.create(
            year=year, deadline=dt.date(year, 12, 31), opened_by_id=self.fao_user
        )
        t_entry = Table(
            plm.PlanEntry,
            ["plan_id", "unit_id", "title", "purpose", "countries", "size", "ranks",
             "expected_month", "budget_estimate", "category", "state", "created_by_id",
             "created_at", "state_changed_at"],
        )  # fmt: skip
        t_quota = Table(
            plm.Quota,
            ["plan_id", "unit_id", "category", "batches", "person_trips", "updated_at"],
        )
        states = [plm.EntryState.DRAFT, plm.EntryState.SUBMITTED, plm.EntryState.SUBMITTED,
                  plm.EntryState.ACCEPTED, plm.EntryState.RETURNED]  # fmt: skip
        categories = list(plm.Category.values)
        now = _ts(self.now)
        entries, quotas = [], []
        for i, uid in enumerate(self.units):
            for k in range(PLAN_ENTRIES):
                size = rng.randint(2, 6)
                entries.append(
                    (plan.pk, uid, f"赴{rng.choice(COUNTRIES)}交流团组{uid}-{k + 1}", "虚构的任务",
                     json.dumps(rng.sample(COUNTRIES, 2)), size,
                     json.dumps([Rank.SECTION_BELOW] * size), rng.randint(1, 12),
                     f"{rng.randint(50, 400) * 1000}.00", categories[(i + k) % len(categories)],
                     states[(i + k) % len(states)], self.clerk[uid], now, now)
                )  # fmt: skip
            for category in plm.QUOTA_CATEGORIES:
                quotas.append((plan.pk, uid, category, 5, 20, now))
        for i in range(0, len(entries), CHUNK):
            t_entry.insert(entries[i : i + CHUNK])
        for i in range(0, len(quotas), CHUNK):
            t_quota.insert(quotas[i : i + CHUNK])
        self.plan_id = plan.pk
        self.progress.add(
            "plans_planentry", len(entries) + len(quotas), time.perf_counter() - started
        )
        self.progress.report("plans_planentry")

    def _steps(self, mid, uid, state, submitted, decided, empty) -> Iterable[tuple]:
        if submitted is None:
            return []
        leader, fao = self.leader[uid], self.fao_user
        s1 = s2 = None
        if state == State.SUBMITTED:
            s1, s2 = ("pending", None), ("waiting", None)
        elif state == State.IN_REVIEW:
            s1, s2 = ("approved", leader), ("pending", None)
        elif state == State.RETURNED:
            s1, s2 = ("returned", leader), ("cancelled", None)
        elif state == State.REJECTED:
            s1, s2 = ("approved", leader), ("rejected", fao)
        elif state in (State.CANCELLED, State.WITHDRAWN):
            s1, s2 = ("cancelled", None), ("cancelled", None)
        else:
            s1, s2 = ("approved", leader), ("approved", fao)
        out = []
        for seq, ((st, who), role) in enumerate(
            ((s1, Role.UNIT_LEADER), (s2, Role.FAO_REVIEWER)), start=1
        ):
            started = submitted if st != "waiting" and st != "cancelled" else None
            is_decided = st in ("approved", "returned", "rejected")
            out.append(
                ("missions.mission", mid, uid, 1, seq, empty, role, st, _ts(submitted),
                 _ts(started), _date((submitted + dt.timedelta(days=5)).date()),
                 _ts(decided) if is_decided else None, who if is_decided else None,
                 "同意" if st == "approved" else "")
            )  # fmt: skip
        return out

    # -- audit chain ----------------------------------------------------------------
    def audit(self) -> None:
        """Invented history of the trips, written through ``record_many``: the chain
        continues the current head, as ``record`` would continue it."""
        n, rng = self.n, self.rng
        started = time.perf_counter()
        total = n["audit"]
        step = SPAN / total
        missions = self.n["missions"]

        def events():
            for i in range(total):
                mid = self.first_mission + (i // 2) % missions
                uid = self.units[(mid - self.first_mission) % len(self.units)]
                action = AUDIT_ACTIONS[0] if i % 2 == 0 else rng.choice(AUDIT_ACTIONS[1:])
                yield {
                    "action": action,
                    "at": START + step * i,
                    "actor": self.clerk_account[uid],
                    "actor_name": f"scale_unit_clerk_{uid}",
                    "ip": "10.0.0.1",
                    "object_type": "missions.mission",
                    "object_id": str(mid),
                    "object_repr": f"团组{mid}",
                    "data": {"seeded": True},
                }

        written = record_many(events(), chunk=CHUNK)
        self.progress.add("audit_auditevent", written, time.perf_counter() - started)
        self.progress.report("audit_auditevent")

    # -- arrivals -------------------------------------------------------------------
    def arrivals(self) -> None:
        n, rng = self.n, self.rng
        started = time.perf_counter()
        plan = current_plans().get("7+3") or next(iter(current_plans().values()))
        districts = sorted(set(self.unit_district.values()))
        table = Table(
            am.Arrival,
            ["id", "category", "name", "nationality", "passport_enc", "passport_index",
             "passport_masked", "origin_country", "origin_city", "route", "departs_on",
             "arrival_date", "port", "address", "district_id", "purpose", "plan_id", "state",
             "declared_at", "created_at", "updated_at", "closed_at"],
        )  # fmt: skip
        total = n["arrivals"]
        first = _next_id(am.Arrival)
        per = SPAN / total
        today = self.now.date()
        t_step = Table(
            am.Step,
            ["arrival_id", "sequence", "kind", "label", "day", "due_at", "done_at", "done_by_id",
             "note"],
        )  # fmt: skip
        specs = [
            (n, spec, step.label, step.day)
            for n, (spec, step) in enumerate(
                zip(plan.steps, build_steps(am.Arrival(arrival_date=today), plan), strict=True),
                start=1,
            )
        ]
        recent = today - dt.timedelta(days=STEP_DAYS)
        rows, steps, step_count = [], [], 0
        for i in range(total):
            number = f"E{first + i:08d}"
            # The arrivals of the last ten years up to today (the recent ones still open).
            when = self.now - SPAN + per * i
            day = when.date()
            state = (
                am.ArrivalState.CLOSED
                if day < today - dt.timedelta(days=30)
                else rng.choice(list(am.ArrivalState))
            )
            rows.append(
                (first + i, "returnee", _name(rng)[0], "CN",
                 crypto.encrypt(number, associated=am.PASSPORT_AAD), am.passport_index(number),
                 am.mask_passport(number), rng.choice(COUNTRIES), "虚构市", f"XX{i % 9000:04d}",
                 _date(day - dt.timedelta(days=1)), _date(day), "虚构口岸", "虚构路1号",
                 districts[i % len(districts)], "home", plan.pk, state, _ts(when), _ts(when),
                 _ts(when), _ts(when + dt.timedelta(days=14)) if state == "closed" else None)
            )  # fmt: skip
            if day >= recent:
                probe = am.Arrival(arrival_date=day)
                for seq, spec, label, offset in specs:
                    due = due_at(probe, spec)
                    done = due < self.now and (state == "closed" or rng.random() < 0.85)
                    steps.append(
                        (first + i, seq, spec["kind"], label, offset, _ts(due),
                         _ts(min(due, self.now)) if done else None,
                         self.fao_user if done else None, "")
                    )  # fmt: skip
            if len(rows) >= CHUNK:
                table.insert(rows)
                t_step.insert(steps)
                step_count += len(steps)
                rows, steps = [], []
        table.insert(rows)
        t_step.insert(steps)
        step_count += len(steps)
        self.progress.add("arrivals_arrival", total, time.perf_counter() - started)
        self.progress.report("arrivals_arrival")
        self.progress.out.write(f"  of which arrival steps: {step_count:,} rows\n")

    STAGES = ("orgs", "missions", "passports", "plan", "audit", "arrivals", "tasks")

    def run(self, stages: tuple[str, ...] = STAGES) -> dict[str, tuple[int, float]]:
        """Every stage in order, or the ones named (the organisation always first: the
        others build on its units, people and accounts)."""
        started = time.perf_counter()
        with transaction.atomic():
            self.orgs()
            for stage in self.STAGES[1:]:
                if stage in stages:
                    getattr(self, stage)()
            sql = connection.ops.sequence_reset_sql(
                no_style(),
                [
                    District,
                    Unit,
                    User,
                    Person,
                    Mission,
                    Member,
                    Stop,
                    ApprovalStep,
                    am.Arrival,
                    am.Step,
                    fm.Outcome,
                    pm.Passport,
                    pm.PassportCustody,
                    plm.PlanYear,
                    plm.PlanEntry,
                    plm.Quota,
                ],
            )
            if sql:
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)
            # The accounts, trips, quotas and passports made here are the application's:
            # their watched state goes on the chain, so that `waishi audit verify` finds
            # them as recorded (waishi.audit.state).
            record_state(actor_name="waishi seed-scale")
        total = sum(n for n, _ in self.progress.figures.values())
        seconds = time.perf_counter() - started
        self.progress.out.write(f"total: {total:,} rows in {seconds:.1f} s\n")
        return self.progress.figures
