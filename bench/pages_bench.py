"""The main pages at scale, side by side with Django's admin changelist of the same model
and data; the .xlsx export of 100,000 rows; ``waishi audit verify`` over the whole chain.

    .venv/bin/python bench/pages_bench.py [--scale 1.0] [--small 0.01] [--db sqlite postgres]
        [--requests 30] [--reuse] [--no-docs] [--work DIR]

For each database (a SQLite file under ``--work``; PostgreSQL ``waishi_pb_full`` and
``waishi_pb_small`` on 127.0.0.1) and for two scales (``--scale``, ``--small``): a fresh
database, migrated, filled by ``waishi seed-scale``; then, each in a process of its own:

1. pages: every main page requested in-process through ``django.test.Client`` (the whole
   middleware stack; signed in as the tests do, second factor passed), a few warm-up
   requests and then ``--requests`` timed ones: median and p95 of the wall time, and the
   number of queries of one request (``CaptureQueriesContext``); each list next to the
   admin changelist of its model (``bench/bench_admin.py``, under ``bench_settings``);
2. export (full scale only): ``missions.exports.write_xlsx`` of 100,000 trips, the path
   of the list's export; wall time and the process's peak RSS (getrusage maxrss);
3. verify (full scale only): ``waishi audit verify --no-record``, wall time.

``--reuse`` keeps a database seeded earlier at the same scale (``--work`` keeps them;
its default is ``var/bench-pages``). Writes the section "Pages at scale" of
docs/performance.md unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchdocs import DOCS, machine, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Pages at scale (`bench/pages_bench.py`)"
PG = "postgres://postgres@127.0.0.1:5432/"
PG_NAMES = {"full": "waishi_pb_full", "small": "waishi_pb_small"}
EXPORT_ROWS = 100_000
GOAL_P95_MS = 150
GOAL_QUERIES = 15
GOAL_RATIO = 2.0
GOAL_EXPORT_S, GOAL_EXPORT_MB = 15, 200
GOAL_VERIFY_S = 60
WARMUP = 3


# --- databases and child processes -----------------------------------------------------------


def environment(db: str, size: str, work: Path, settings: str = "waishi.settings") -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings, PYTHONPATH=str(ROOT))
    env.pop("WAISHI_MODE", None)
    env["WAISHI_CACHE"] = "locmem"
    env["WAISHI_VAR_DIR"] = str(work / f"{db}-{size}")
    if db == "postgres":
        env["WAISHI_DATABASE_URL"] = PG + PG_NAMES[size]
    else:
        env.pop("WAISHI_DATABASE_URL", None)
    return env


def waishi(env: dict, *arguments: str, capture: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "waishi", *arguments],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=capture,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr or "")
        raise SystemExit(f"waishi {' '.join(arguments)} failed")
    return done


def _tool(name: str) -> str:
    return shutil.which(name) or name


def fresh(db: str, size: str, work: Path) -> None:
    var = work / f"{db}-{size}"
    if var.exists():
        shutil.rmtree(var)
    var.mkdir(parents=True)
    if db == "postgres":
        name = PG_NAMES[size]
        base = ["-h", "127.0.0.1", "-U", "postgres"]
        for command in (
            [_tool("dropdb"), *base, "--if-exists", "--force", name],
            [_tool("createdb"), *base, name],
        ):
            subprocess.run(command, check=True)  # noqa: S603 - fixed arguments


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def seed(db: str, size: str, scale: float, work: Path) -> dict:
    """Migrate and seed; the seed's wall time, CPU time and its per-table lines."""
    fresh(db, size, work)
    env = environment(db, size, work)
    waishi(env, "migrate", "--noinput", "-v", "0")
    started, cpu = time.perf_counter(), _cpu()
    done = waishi(env, "seed-scale", "--scale", str(scale), capture=True)
    seconds = time.perf_counter() - started
    lines = [line for line in done.stderr.splitlines() if "rows" in line]
    out = {
        "scale": scale,
        "seconds": seconds,
        "cpu_seconds": _cpu() - cpu,
        "lines": lines,
    }
    (work / f"{db}-{size}" / "seed.json").write_text(json.dumps(out))
    return out


def prepare(db: str, size: str, work: Path) -> None:
    """The migrations added since the seeding (indexes), and PostgreSQL's statistics and
    visibility map as autovacuum leaves them after a bulk load (since PostgreSQL 13 it
    vacuums insert-only tables too): without the visibility map no index-only scan."""
    env = environment(db, size, work)
    waishi(env, "migrate", "--noinput", "-v", "0")
    if db == "postgres":
        psql = [_tool("psql"), "-h", "127.0.0.1", "-U", "postgres", "-d", PG_NAMES[size]]
        subprocess.run([*psql, "-qc", "VACUUM ANALYZE"], check=True)  # noqa: S603 - fixed arguments


def child_json(db: str, size: str, work: Path, mode: str, *extra: str) -> dict:
    env = environment(db, size, work, settings="bench.bench_settings")
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", mode, *extra],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the child run {mode} ({db}, {size}) failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def verify(db: str, size: str, work: Path) -> dict:
    env = environment(db, size, work)
    started = time.perf_counter()
    done = waishi(env, "audit", "verify", "--no-record", capture=True)
    return {"seconds": time.perf_counter() - started, "output": done.stdout.strip()}


# --- in the child: the pages -------------------------------------------------------------------


def _setup():
    import django

    django.setup()


def _bench_users() -> dict:
    """Accounts to sign in as, in the seeded data (second factor confirmed)."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waishi.lib.roles import Role
    from waishi.missions.models import Mission
    from waishi.orgs.models import Unit, UnitKind, User

    fao_unit = Unit.objects.filter(kind=UnitKind.FAO).order_by("pk").first()
    # The unit of the latest trip: a seeded unit with a unit's share of everything.
    unit_id = Mission.objects.order_by("-pk").values_list("unit_id", flat=True).first()
    wanted = {
        "fao": (Role.FAO_REVIEWER, fao_unit.pk),
        "clerk": (Role.UNIT_CLERK, unit_id),
        "command": (Role.CITY_COMMAND, None),
        "auditor": (Role.AUDITOR, None),
    }
    users = {}
    for name, (role, unit) in wanted.items():
        user, _created = User.objects.get_or_create(
            username=f"bench_{name}",
            defaults={
                "role": role,
                "unit_id": unit,
                "full_name": f"bench {name}",
                "password": "!",
                "password_changed_at": timezone.now(),
            },
        )
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        users[name] = user
    return users


def _client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _measure(client, url: str, requests: int, warmup: int = WARMUP) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The queries of the warm-up requests, the fewest: a session's activity stamp is
    # written once a minute, on whichever request comes then.
    counts = []
    for _ in range(warmup):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            location = response.get("Location", "")
            raise SystemExit(f"{url}: HTTP {response.status_code} {location}")
        counts.append(len(captured.captured_queries))
    queries = min(counts)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "url": url,
        "median": statistics.median(times),
        "p95": p95,
        "queries": queries,
        "bytes": len(response.content),
    }


def pages(requests: int) -> dict:
    _setup()
    from waishi.missions.models import Mission
    from waishi.plans.models import PlanYear

    users = _bench_users()
    clients = {name: _client(user) for name, user in users.items()}
    clerk_unit = users["clerk"].unit_id
    mission = Mission.objects.filter(unit_id=clerk_unit).order_by("-pk").first()
    plan = PlanYear.objects.order_by("-year").first()
    history = f"object_type=missions.mission&object_id={mission.pk}"
    middle = Mission.objects.count() // 2  # a page half way down the list, for both
    deep, admin_deep = middle // 25 + 1, middle // 100 + 1
    # (name, who, the page, who on the admin, the admin's page)
    cases = [
        ("home (FAO reviewer)", "fao", "/", None, None),
        ("home (unit clerk)", "clerk", "/", None, None),
        ("application list, FAO", "fao", "/missions/", "fao", "/bench-admin/missions/mission/"),
        (
            "application list, FAO, half way down",
            "fao",
            f"/missions/?page={deep}",
            "fao",
            f"/bench-admin/missions/mission/?p={admin_deep}",
        ),
        (
            "application list, a unit",
            "clerk",
            "/missions/",
            "fao",
            f"/bench-admin/missions/mission/?unit__id__exact={clerk_unit}",
        ),
        (
            "application detail",
            "fao",
            f"/missions/{mission.pk}/",
            "fao",
            f"/bench-admin/missions/mission/{mission.pk}/change/",
        ),
        (
            "plan (every unit's entries and quotas)",
            "fao",
            f"/plans/{plan.pk}/",
            "fao",
            f"/bench-admin/plans/planentry/?plan__id__exact={plan.pk}",
        ),
        ("passport register", "fao", "/passports/", "fao", "/bench-admin/passports/passport/"),
        ("follow-ups", "fao", "/followups/", "fao", "/bench-admin/followups/outcome/"),
        ("arrivals board", "command", "/arrivals/", "command", "/bench-admin/arrivals/arrival/"),
        (
            "an object's history (audit log)",
            "auditor",
            f"/audit/?{history}",
            "auditor",
            f"/bench-admin/audit/auditevent/?{history}",
        ),
    ]
    out = []
    for name, who, url, admin_who, admin_url in cases:
        row = {"page": name, **_measure(clients[who], url, requests)}
        if admin_url:
            row["admin"] = _measure(clients[admin_who], admin_url, requests)
        print(
            f"{name}: {row['median']:.0f}/{row['p95']:.0f} ms, {row['queries']} q", file=sys.stderr
        )
        out.append(row)
    return {"pages": out, "counts": _counts(), "vendor": _vendor()}


def _vendor() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _counts() -> dict:
    from waishi.approvals.models import ApprovalStep
    from waishi.arrivals.models import Arrival, Step
    from waishi.audit.models import AuditEvent
    from waishi.followups.models import Outcome
    from waishi.missions.models import Member, Mission, Stop
    from waishi.orgs.models import Person, Unit
    from waishi.passports.models import Passport, PassportCustody
    from waishi.plans.models import PlanEntry

    models = {
        "units": Unit,
        "people": Person,
        "trips": Mission,
        "members": Member,
        "stops": Stop,
        "approval steps": ApprovalStep,
        "audit rows": AuditEvent,
        "arrivals": Arrival,
        "arrival steps": Step,
        "passports": Passport,
        "passport hand-outs": PassportCustody,
        "follow-ups": Outcome,
        "plan entries": PlanEntry,
    }
    return {name: model.objects.count() for name, model in models.items()}


def export() -> dict:
    _setup()
    import tempfile

    from django.utils import translation

    from waishi.missions.application import exports
    from waishi.missions.core import selectors

    users = _bench_users()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    translation.activate("zh-hans")
    rows = selectors.mission_list(users["fao"])[:EXPORT_ROWS]
    started = time.perf_counter()
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        count = exports.write_xlsx(rows, handle)
        size = handle.tell()
    return {
        "rows": count,
        "seconds": time.perf_counter() - started,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "base_rss_mb": base,
        "file_mb": size / 2**20,
    }


# --- the report ------------------------------------------------------------------------------


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min)"


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def table(result: dict, small: dict | None) -> str:
    small_q = {row["page"]: row["queries"] for row in (small or {}).get("pages", [])}
    lines = [
        "| page | median ms | p95 ms | queries | queries, small scale | admin median / p95 ms "
        "| admin queries | admin / page (median) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["pages"]:
        admin = row.get("admin")
        ratio = f"{admin['median'] / row['median']:.1f}x" if admin else "—"
        lines.append(
            f"| {row['page']} | {_ms(row['median'])} | {_ms(row['p95'])} | {row['queries']} "
            f"| {small_q.get(row['page'], '—')} "
            f"| {_ms(admin['median']) + ' / ' + _ms(admin['p95']) if admin else '—'} "
            f"| {admin['queries'] if admin else '—'} | {ratio} |"
        )
    return "\n".join(lines)


def verdicts(results: dict) -> list[str]:
    out = []
    for db, res in results.items():
        full, small = res["full"], res.get("small")
        slow = [r["page"] for r in full["pages"] if r["p95"] >= GOAL_P95_MS]
        many = [r["page"] for r in full["pages"] if r["queries"] > GOAL_QUERIES]
        pairs = list(zip(full["pages"], (small or full)["pages"], strict=True))
        grows = [r["page"] for r, s in pairs if r["queries"] > s["queries"]]
        # Above 100,000 rows PostgreSQL's estimate replaces the exact count (lib.pages):
        # one query fewer at full scale, not more.
        fewer = [r["page"] for r, s in pairs if r["queries"] < s["queries"]]
        lists = [r for r in full["pages"] if r.get("admin") and "detail" not in r["page"]]
        not_faster = [
            f"{r['page']} ({r['admin']['median'] / r['median']:.1f}x)"
            for r in lists
            if r["admin"]["median"] / r["median"] < GOAL_RATIO
        ]
        out.append(
            f"- {db}: p95 under {GOAL_PROSE['p95']} "
            + ("met for every page" if not slow else f"MISSED for {', '.join(slow)}")
            + f"; at most {GOAL_QUERIES} queries "
            + ("met" if not many else f"MISSED for {', '.join(many)}")
            + "; query count independent of the data size "
            + ("met" if not grows else f"MISSED for {', '.join(grows)}")
            + (
                f" (one query fewer at full scale for {', '.join(fewer)}: the planner's "
                "estimate replaces the exact count above 100,000 rows)"
                if fewer
                else ""
            )
            + f"; every list at least {GOAL_RATIO:.0f}x faster than the admin changelist "
            + ("met" if not not_faster else f"MISSED for {', '.join(not_faster)}")
            + "."
        )
        ex, ve = res.get("export"), res.get("verify")
        if ex:
            ok = ex["seconds"] < GOAL_EXPORT_S and ex["maxrss_mb"] < GOAL_EXPORT_MB
            out.append(
                f"- {db}: export of {ex['rows']:,} rows in {ex['seconds']:.1f} s, "
                f"peak RSS {ex['maxrss_mb']:.0f} MB (goal < {GOAL_EXPORT_S} s, "
                f"< {GOAL_EXPORT_MB} MB): {'met' if ok else 'MISSED'}."
            )
        if ve:
            ok = ve["seconds"] < GOAL_VERIFY_S
            out.append(
                f"- {db}: `waishi audit verify` in {ve['seconds']:.1f} s "
                f"(goal < {GOAL_VERIFY_S} s): {'met' if ok else 'MISSED'} — {ve['output']}"
            )
    return out


GOAL_PROSE = {"p95": f"{GOAL_P95_MS} ms"}


def section(results: dict, args, notes: str) -> str:
    parts = [
        SECTION,
        "",
        f"Measured {dt.date.today():%Y-%m-%d} with `bench/pages_bench.py` (run by `make bench`) "
        f"on {machine()}; {_load_note}. Pages are requested in-process through "
        "`django.test.Client` (every middleware, a session signed in with the second factor "
        f"passed, DEBUG off, the locmem cache): {WARMUP} warm-up requests, then "
        f"{args.requests} timed ones; median and p95 of the wall time of a request; the "
        "queries of one request. Each list is compared with the admin changelist of the same "
        "model on the same data (`bench/bench_admin.py`: a bench-only admin site, stock "
        "`ModelAdmin`s with a few columns and filters, 100 rows a page, Django's full "
        "count), the detail page with the admin's change page (read only).",
        "",
    ]
    for res in results.values():
        full = res["full"]
        counts = ", ".join(f"{name} {n:,}" for name, n in full["counts"].items())
        seeded = res.get("seed")
        seeded_text = (
            f" Seeded (`waishi seed-scale --scale {seeded['scale']}`) in "
            f"{int(seeded['seconds'] // 60)} min {seeded['seconds'] % 60:.0f} s."
            if seeded
            else ""
        )
        parts += [
            f"### {full['vendor']} (scale {res['scales']['full']}; "
            f"query counts also at {res['scales']['small']})",
            "",
            f"Data: {counts}.{seeded_text}",
            "",
            table(full, res.get("small")),
            "",
        ]
    parts += ["Goals (issue 7):", "", *verdicts(results), ""]
    if notes:
        parts += [notes.strip(), ""]
    return "\n".join(parts)


_load_note = ""


def write_docs(text: str) -> None:
    write_section(SECTION, text)


NOTES = Path(__file__).with_name("pages_bench_notes.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--small", type=float, default=0.01)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep databases seeded earlier")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument("--seed-only", action="store_true", help="seed (or keep), measure nothing")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-pages")
    parser.add_argument("--report-only", action="store_true", help="write the kept results")
    parser.add_argument("--child", choices=["pages", "export"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "pages":
        print(json.dumps(pages(args.requests)))
        return
    if args.child == "export":
        print(json.dumps(export()))
        return
    dbs = args.db or ["sqlite", "postgres"]
    if args.report_only:
        report(args, dbs)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    loads = []
    for db in dbs:
        res = results[db] = {"scales": {"small": args.small, "full": args.scale}}
        for size, scale in (("small", args.small), ("full", args.scale)):
            marker = args.work / f"{db}-{size}" / "seed.json"
            kept = json.loads(marker.read_text()) if marker.exists() else None
            if args.reuse and kept and kept["scale"] == scale:
                print(f"{db} {size}: reusing the database seeded at {scale}", file=sys.stderr)
                seeded = kept
            else:
                print(f"{db} {size}: seeding at {scale} ...", file=sys.stderr)
                seeded = seed(db, size, scale, args.work)
                print(f"  seeded in {seeded['seconds']:.0f} s", file=sys.stderr)
            if size == "full":
                res["seed"] = seeded
            if args.seed_only:
                continue
            prepare(db, size, args.work)
            loads.append(_load())
            print(f"{db} {size}: pages ({loads[-1]}) ...", file=sys.stderr)
            res[size] = child_json(
                db,
                size,
                args.work,
                "pages",
                "--requests",
                str(args.requests if size == "full" else 3),
            )
        if args.seed_only:
            continue
        print(f"{db}: export ...", file=sys.stderr)
        res["export"] = child_json(db, "full", args.work, "export")
        print(f"  {res['export']}", file=sys.stderr)
        print(f"{db}: audit verify ...", file=sys.stderr)
        res["verify"] = verify(db, "full", args.work)
        print(f"  {res['verify']}", file=sys.stderr)
    if args.seed_only:
        return
    for db, res in results.items():
        res["loads"] = loads
        (args.work / f"results-{db}.json").write_text(json.dumps(res, indent=1))
    report(args, dbs)


def report(args, dbs: list[str]) -> None:
    """The section from the results kept under ``--work`` (each database may have been
    measured by a run of its own)."""
    global _load_note
    results, loads = {}, []
    for db in dbs:
        kept = args.work / f"results-{db}.json"
        if kept.exists():
            results[db] = json.loads(kept.read_text())
            loads += results[db].get("loads", [])
    if not results:
        raise SystemExit(f"no results under {args.work}")
    _load_note = (
        "the load when each measurement started, the benchmark itself counting for about 1 ("
        + "; ".join(dict.fromkeys(loads))
        + ")"
    )
    notes = NOTES.read_text(encoding="utf-8") if NOTES.exists() else ""
    text = section(results, args, notes)
    print(text)
    if not args.no_docs:
        write_docs(text)
        print(f"written to {DOCS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
