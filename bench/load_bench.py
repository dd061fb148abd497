"""Load test of two app instances with 200 simulated civil servants (locust, headless).

Two app instances on loopback share PostgreSQL and Redis; 200 users for 2 minutes of
steady state; p50/p95/p99 and errors per endpoint.

    .venv/bin/python bench/load_bench.py [--users 200] [--time 2m] [--spawn-rate R]
                                         [--workers 3] [--no-docs] [--keep] [--context TEXT]
    .venv/bin/python bench/load_bench.py --report DIR   # the docs again from a --keep run

1. Prepares PostgreSQL database ``waishi_load`` (dropped and created), migrated, with the
   demo city (``WAISHI_MODE=demo waishi seed_demo``), then one invented bench account per
   simulated user (``loadNNN``, spread over the demo's units, districts and roles, the demo
   password, each with its own TOTP device and secret) and a draft trip for every bench
   clerk (what its autosave writes to). Redis database 10 is flushed: with
   ``WAISHI_REDIS_URL`` the cache, the huey queue (and the sessions, when the settings put
   them there) live in Redis.
2. Starts two ``waishi serve`` (gunicorn with ``--workers`` sync workers and one huey
   consumer each) on ports 8201 and 8202, and waits until both answer ``/healthz``.
3. Runs ``locust -f bench/locustfile.py --headless`` with the users spread round-robin
   over both instances, all started within a minute; each logs in through the real login
   form and second-factor page, then works through a mix of pages chosen by its role with
   a think time of 3-10 s. Once every user is logged in, the statistics are reset and the
   steady state runs for ``--time``; the logins are reported apart. The CPU time of the
   app, the database backends and locust over the steady state is read from /proc.
   Locust is bounded (-t) and killed if it overruns.
4. Stops everything (process groups, also on Ctrl-C or a failure), reads locust's CSV
   statistics and writes the section "Load: two app instances, 200 users" of
   docs/performance.md unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchdocs import DOCS, machine, write_section

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Load: two app instances, 200 users"
DATABASE = "waishi_load"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/10"
PORTS = (8201, 8202)
GOAL_P95_MS = 500
LOGIN_GRACE_S = 180  # how much longer than the ramp-up the logins may take
# The demo's password (README "Demo logins"); the bench accounts share it.
PASSWORD = "Demo#2026waishi"  # noqa: S105 - published demo password

# Roles of the simulated users, per 200 (the rest, when --users is not a multiple, clerks).
ROLE_MIX = [
    ("unit_clerk", 70),
    ("unit_leader", 30),
    ("fao_reviewer", 20),
    ("fao_head", 5),
    ("committee", 5),
    ("auditor", 10),
    ("district_officer", 40),
    ("city_command", 20),
]


def _environment(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WAISHI_MODE="demo",
        WAISHI_VAR_DIR=str(var),
        WAISHI_DATABASE_URL=f"{PG_SERVER}/{DATABASE}",
        WAISHI_REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="waishi.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def _waishi(env: dict, *arguments: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "waishi", *arguments], env=env, cwd=ROOT, check=True
    )


# --- preparing ------------------------------------------------------------------------------


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def roles_for(users: int) -> list[str]:
    out: list[str] = []
    for role, per200 in ROLE_MIX:
        out += [role] * (users * per200 // 200)
    out += ["unit_clerk"] * (users - len(out))
    # Interleaved, so that the first users locust starts are of every role.
    by_role: dict[str, list[str]] = {}
    for role in out:
        by_role.setdefault(role, []).append(role)
    mixed: list[str] = []
    while any(by_role.values()):
        for queue in by_role.values():
            if queue:
                mixed.append(queue.pop())
    return mixed


def make_accounts(users: int, out: Path) -> None:
    """Child process (Django set up): the bench accounts, their devices and drafts."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waishi.missions.application.services import mission_create_draft
    from waishi.orgs.models import District, Unit, User

    # Units with a clerk or leader in the demo first: they have trips, plans, passports.
    demo_units = list(Unit.objects.filter(users__role__in=["unit_clerk", "unit_leader"]).distinct())
    other_units = list(
        Unit.objects.filter(is_active=True, district__isnull=True)
        .exclude(pk__in=[u.pk for u in demo_units])
        .order_by("code")
    )
    units = demo_units * 4 + other_units
    districts = list(District.objects.order_by("code"))
    hashed = make_password(PASSWORD)  # one Argon2 hash for all, as the demo loader does
    now = timezone.now()
    accounts = []
    counters: dict[str, int] = {}
    with transaction.atomic():
        for number, role in enumerate(roles_for(users), start=1):
            n = counters[role] = counters.get(role, 0) + 1
            username = f"load{number:03d}"
            unit = units[n % len(units)] if role in ("unit_clerk", "unit_leader") else None
            district = districts[n % len(districts)] if role == "district_officer" else None
            user = User.objects.create(
                username=username,
                role=role,
                unit=unit,
                district=district,
                full_name=f"压测用户{number:03d}",
                email=f"{username}@load.example",
                password=hashed,
                password_changed_at=now,
            )
            secret = ""
            if role != "unit_clerk":
                key = secrets.token_bytes(20)
                TOTPDevice.objects.create(
                    user=user, name="load", key=key.hex(), confirmed=True, step=30, digits=6
                )
                secret = base64.b32encode(key).decode()
            draft = None
            if role == "unit_clerk":
                draft = mission_create_draft(
                    actor=user,
                    title=f"压测草稿：{unit.short_name or unit.name}赴外考察（{number:03d}）",
                    purpose="负载测试生成的虚构出访草稿，用于自动保存。",
                ).pk
            accounts.append(
                {
                    "username": username,
                    "role": role,
                    "totp": secret,
                    "draft": draft,
                    "unit": unit.code if unit else "",
                    "district": district.code if district else "",
                }
            )
    out.write_text(json.dumps({"password": PASSWORD, "accounts": accounts}, ensure_ascii=False))


def prepare(var: Path, users: int) -> tuple[dict, Path]:
    env = _environment(var)
    started = time.monotonic()
    print(f"preparing {DATABASE} and Redis db 10 ...", file=sys.stderr)
    fresh_database()
    flush_redis()
    _waishi(env, "migrate", "--noinput", "-v", "0")
    _waishi(env, "seed_demo")
    _waishi(env, "collectstatic", "--noinput", "-v", "0")
    accounts = var / "accounts.json"
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child-accounts", str(accounts), "--users", str(users)],
        env=env,
        cwd=ROOT,
        check=True,
    )
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.conf import settings as s;"
            "import json;print(json.dumps({'session':s.SESSION_ENGINE,"
            "'cache':s.CACHES['default']['BACKEND'],'huey':s.HUEY['huey_class']}))",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    setup = json.loads(probe.stdout.strip().splitlines()[-1])
    setup["prepare_s"] = time.monotonic() - started
    print(f"prepared in {setup['prepare_s']:.0f} s: {setup}", file=sys.stderr)
    return setup, accounts


# --- processes ------------------------------------------------------------------------------


class Processes:
    """Children in their own process groups, all stopped by ``stop()``."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen, int]] = []

    def start(self, name: str, command: list[str], env: dict, log: Path, stop_signal: int):
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.children.append((name, process, stop_signal))
        return process

    @staticmethod
    def _signal(process: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        for _name, process, sig in self.children:
            if process.poll() is None:
                self._signal(process, sig)
        deadline = time.monotonic() + 15
        for name, process, _sig in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in time, killing it", file=sys.stderr)
        for _name, process, _sig in self.children:
            self._signal(process, signal.SIGKILL)  # stragglers of the group
            if process.poll() is None:
                process.wait()
        self.children.clear()


def healthy(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def start_servers(procs: Processes, var: Path, workers: int) -> None:
    env = _environment(var)
    for port in PORTS:
        procs.start(
            f"waishi serve :{port}",
            [
                sys.executable,
                "-m",
                "waishi",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env,
            var / f"serve-{port}.log",
            signal.SIGINT,
        )
    deadline = time.monotonic() + 90
    waiting = set(PORTS)
    while waiting:
        for name, process, _sig in procs.children:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited ({process.returncode}); see {var}")
        waiting = {port for port in waiting if not healthy(port)}
        if waiting and time.monotonic() > deadline:
            raise SystemExit(f"no answer from /healthz on {sorted(waiting)} after 90 s")
        time.sleep(0.5)
    print(f"both instances answer on {PORTS}", file=sys.stderr)


TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used) of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return table


def _database_backends() -> set[int]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DATABASE]
        ).fetchall()
    return {pid for (pid,) in rows}


def cpu_sample(procs: Processes) -> dict:
    """CPU seconds used so far by the app (both serve commands and their children:
    gunicorn, its workers, the huey consumers), the PostgreSQL backends of the load
    database and locust, with the time of the sample."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in table.items():
        children.setdefault(parent, []).append(pid)

    def tree(root: int) -> set[int]:
        found, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in table and pid not in found:
                found.add(pid)
                todo += children.get(pid, [])
        return found

    app, tester = set(), set()
    for name, process, _sig in procs.children:
        (tester if name == "locust" else app).update(tree(process.pid))
    try:
        database = _database_backends()
    except Exception:
        database = set()
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return {
        "at": time.monotonic(),
        # Every process of the machine: all CPU time but idle and iowait.
        "machine": (sum(ticks) - ticks[3] - ticks[4]) / TICK,
        "app": {pid: table[pid][1] for pid in app},
        "database": {pid: table[pid][1] for pid in database if pid in table},
        "locust": {pid: table[pid][1] for pid in tester},
    }


def cpu_used(usage: dict) -> dict:
    """CPU seconds of each group between the steady state's start and the end."""
    start, end = usage.get("steady"), usage.get("end")
    if not start or not end:
        return {}
    out = {"seconds": end["at"] - start["at"], "machine": end["machine"] - start["machine"]}
    for group in ("app", "database", "locust"):
        # Processes born after the first sample count from zero.
        out[group] = sum(cpu - start[group].get(pid, 0.0) for pid, cpu in end[group].items())
    return out


def seconds_of(text: str) -> int:
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not match or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 2m, 90s, 1m30s)")
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


def run_locust(procs: Processes, var: Path, accounts: Path, args, load: list, usage: dict) -> Path:
    prefix = var / "locust"
    env = dict(
        os.environ,
        WAISHI_LOAD_HOSTS=",".join(f"http://127.0.0.1:{port}" for port in PORTS),
        WAISHI_LOAD_ACCOUNTS=str(accounts),
        WAISHI_LOAD_LOGINS=str(var / "logins.json"),
        WAISHI_LOAD_USERS=str(args.users),
        WAISHI_LOAD_STEADY=str(args.seconds),
    )
    ramp = math.ceil(args.users / args.spawn_rate)
    # The locustfile stops the run after the steady state; -t only bounds it, in case
    # the logins take far longer than the ramp-up.
    bound = ramp + args.seconds + LOGIN_GRACE_S
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{PORTS[0]}",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{bound}s",
        "--stop-timeout",
        "15",
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    started = time.monotonic()
    print(
        f"locust: {args.users} users, {ramp} s of logins, then {args.seconds} s ...",
        file=sys.stderr,
    )
    import resource

    def reaped_children_cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    before = reaped_children_cpu()
    process = procs.start("locust", command, env, var / "locust.log", signal.SIGINT)
    mark = var / "logins.json.steady"
    deadline = time.monotonic() + bound + 30
    while process.poll() is None and time.monotonic() < deadline:
        if mark.exists() and "steady" not in usage:
            usage["steady"] = cpu_sample(procs)
            load.append(os.getloadavg()[0])  # every user logged in
        time.sleep(0.5)
    if process.poll() is None:
        print("locust overran its time: killed", file=sys.stderr)
        procs._signal(process, signal.SIGKILL)
        process.wait()
    usage["end"] = cpu_sample(procs)
    # Locust has exited: its CPU time is that of the children reaped since it started.
    usage["end"]["locust"] = {process.pid: reaped_children_cpu() - before}
    print(
        f"locust finished in {time.monotonic() - started:.0f} s (exit {process.returncode})",
        file=sys.stderr,
    )
    return prefix


# --- the report -----------------------------------------------------------------------------


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def read_stats(prefix: Path) -> dict:
    rows = []
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "method": row["Type"],
                    "name": row["Name"],
                    "count": int(_num(row["Request Count"])),
                    "failures": int(_num(row["Failure Count"])),
                    "p50": _num(row["50%"]),
                    "p95": _num(row["95%"]),
                    "p99": _num(row["99%"]),
                    "max": _num(row["Max Response Time"]),
                    "rps": _num(row["Requests/s"]),
                }
            )
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                failures.append(
                    {
                        "method": row["Method"],
                        "name": row["Name"],
                        "error": row["Error"],
                        "count": int(_num(row["Occurrences"])),
                    }
                )
    total = next(r for r in rows if r["name"] == "Aggregated")
    # Requests seen only before the reset (the logins) stay in the file with no count.
    endpoints = [r for r in rows if r["name"] != "Aggregated" and r["count"]]
    return {"total": total, "endpoints": endpoints, "failures": failures}


def versions() -> str:
    import importlib.metadata as md

    import psycopg
    import redis

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
        info = redis.Redis.from_url(REDIS_URL).info("server")
        rd = info.get("redis_version", "?")
    except Exception:
        pg, rd = "?", "?"
    return (
        f"PostgreSQL {pg}, Redis {rd}, gunicorn {md.version('gunicorn')}, "
        f"locust {md.version('locust')}"
    )


def _ms(value: float) -> str:
    return f"{value:,.0f}"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def read_logins(var: Path) -> dict:
    path = var / "logins.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    out = {"phase": data["phase"], "steps": {}}
    for step, times in data["steps"].items():
        ms = [t for t, _failed in times]
        out["steps"][step] = {
            "count": len(times),
            "failures": sum(1 for _t, failed in times if failed),
            "p50": percentile(ms, 0.5),
            "p95": percentile(ms, 0.95),
            "max": max(ms, default=0.0),
        }
    return out


def _row(label: str, e: dict) -> str:
    return (
        f"| {label} | {e['count']:,} | {e['failures']:,} | {_ms(e['p50'])} | {_ms(e['p95'])} "
        f"| {_ms(e['p99'])} | {_ms(e['max'])} | {e['rps']:.1f} |"
    )


def cpu_text(cpu: dict, requests: int) -> str:
    if not cpu or not requests:
        return ""
    span = cpu["seconds"]

    def part(seconds: float) -> str:
        per_request = seconds * 1000 / requests
        return f"{seconds:.0f} s ({seconds / span:.2f} cores, {per_request:.0f} ms a request)"

    others = cpu["machine"] - cpu["app"] - cpu["database"] - cpu["locust"]
    cores = os.cpu_count() or 1
    saturated = ""
    if cpu["machine"] / span >= 0.95 * cores:
        own = (cpu["app"] + cpu["database"] + cpu["locust"]) / span
        saturated = (
            f" The CPU was saturated: requests waited for a free worker, which is why every "
            f"request, static files included, shows much the same latency. The load test "
            f"itself (app, database, locust) took {own:.2f} cores; the other "
            f"{others / span:.2f} went to other work on the machine."
        )
    return (
        f"CPU time in the steady state ({span:.0f} s, from /proc): the app (both gunicorns "
        f"and their workers, both huey consumers) {part(cpu['app'])}; the PostgreSQL "
        f"backends of the load database alive at the end at least {cpu['database']:.1f} s "
        f"(Django renews its connections every 60 s, and a backend gone is not counted); "
        f"locust "
        f"{cpu['locust']:.0f} s; everything else on the machine {others:.0f} s "
        f"({others / span:.2f} cores); the machine in all {cpu['machine'] / span:.2f} of its "
        f"{os.cpu_count()} cores.{saturated}"
    )


def section(
    args, setup: dict, stats: dict, logins: dict, load: list[float], cpu: dict, context: str
) -> str:
    total = stats["total"]
    errors = total["failures"]
    steps = logins.get("steps", {})
    phase = logins.get("phase", {"logins_s": 0.0, "steady_s": 0.0, "logged_in": 0})
    login_errors = sum(step["failures"] for step in steps.values())
    verdict = "met" if total["p95"] < GOAL_P95_MS and errors + login_errors == 0 else "MISSED"
    over = [e for e in stats["endpoints"] if e["p95"] >= GOAL_P95_MS]
    rows = [
        _row(f"{e['method']} {e['name']}".replace("POST POST", "POST"), e)
        for e in sorted(stats["endpoints"], key=lambda e: -e["count"])
    ]
    login_rows = [
        f"| {step} | {e['count']:,} | {e['failures']:,} | {_ms(e['p50'])} | {_ms(e['p95'])} "
        f"| {_ms(e['max'])} |"
        for step, e in steps.items()
        if e["count"]
    ]
    failures = "\n".join(
        f"{f['method']} {f['name']}: {f['error'][:200]} ({f['count']}x)" for f in stats["failures"]
    )
    session = setup["session"].rsplit(".", 1)[-1]
    mix = ", ".join(f"{role} {n * args.users // 200}" for role, n in ROLE_MIX)
    ramp = math.ceil(args.users / args.spawn_rate)
    if over and len(over) == len(stats["endpoints"]):
        over_text = "Every request's p95 is over the goal."
    elif over:
        over_text = "Requests whose p95 is at or over the goal: " + ", ".join(
            f"{e['method']} {e['name']}".replace("POST POST", "POST") for e in over
        )
    else:
        over_text = ""
    static = next((e for e in stats["endpoints"] if e["name"] == "/static/[asset]"), None)
    queued = ""
    if static and total["p50"] and static["p50"] > total["p50"] / 2:
        queued = (
            f"Static files, which take well under a millisecond to serve, waited "
            f"{_ms(static['p50'])} ms at the median like every page: requests queued for a "
            f"free worker, the CPU being short."
        )
    paragraphs = [
        f"`bench/load_bench.py` (`make load`), measured {dt.date.today():%Y-%m-%d} on "
        f"{machine()}; {versions()}. Everything on one machine over loopback: two app "
        f"instances (`waishi serve --workers {args.workers}` on ports {PORTS[0]} and "
        f"{PORTS[1]}: gunicorn with {args.workers} sync workers and a huey consumer each) "
        f"sharing one PostgreSQL database and Redis (cache, huey queue; session engine "
        f"`{session}`), and locust generating the load on the same cores. {context}",
        f"The users: {args.users} invented accounts (`loadNNN`: {mix}) over the demo city's "
        f"units and districts, each with its own TOTP device, on the demo city of `waishi "
        f"seed_demo` (each clerk with a draft trip of its own). Locust starts "
        f"{args.spawn_rate:g} users a second, round-robin over the two instances (all "
        f"{args.users} started in {ramp} s); each logs in through the login form and the "
        f"second-factor page (clerks have no second factor) and loads the page's static "
        f"files, then works with a think time of 3-10 s. When the last user has logged in "
        f"({phase['logins_s']:.0f} s after the start), the statistics are reset and the "
        f"steady state, every user working, is measured for {phase['steady_s']:.0f} s; the "
        f"logins are reported apart (below).",
        "The mix, weighted by role: the home page, notifications, the trip list (the FAO's "
        "and a unit's, a quarter with filters), trip records, the approval queue, the annual "
        "plan and its entries, the passport register and passports (FAO), follow-ups and a "
        "unit's obligations, trip reports, people search by initials or name, the arrivals "
        "board, queue, hand-overs and arrival records (city command, district officers), the "
        "audit log (auditors), and the clerk's draft trip: its form, then an htmx autosave "
        "(saved, policy check re-run); static files again now and then. A response other "
        "than 2xx/3xx, a page that ends elsewhere than asked (the login form, say) or lacks "
        "its content, or an autosave not saved is an error.",
        f"Steady state: {total['count']:,} requests in {phase['steady_s']:.0f} s, "
        f"{total['rps']:.1f} a second, {errors:,} errors; p50 {_ms(total['p50'])} ms, "
        f"**p95 {_ms(total['p95'])} ms**, p99 {_ms(total['p99'])} ms, max "
        f"{_ms(total['max'])} ms. Goal (issue 7): p95 under {GOAL_P95_MS} ms and no error: "
        f"**{verdict}**. Load average (1 min) at the start, when all were logged in and at "
        f"the end: {' / '.join(f'{x:.1f}' for x in load)} ({os.cpu_count()} cores). "
        f"{cpu_text(cpu, total['count'])} {queued}",
    ]
    text = "\n\n".join(textwrap.fill(p.strip(), 92) for p in paragraphs)
    tail = "\n\n".join(
        textwrap.fill(p, 92)
        for p in [
            (("Errors: " + "; ".join(failures.splitlines())) if failures else "No errors.")
            + (" " + over_text if over_text else ""),
            f"The logins ({phase['logged_in']} users in {phase['logins_s']:.0f} s, while the "
            "users already in work; a password check is one Argon2 hash, some 0.3 s of CPU "
            "here, on purpose; each POST includes the redirects that follow, up to the home "
            "page):",
        ]
    )
    return f"""{SECTION}

{text}

| request | count | errors | p50 ms | p95 ms | p99 ms | max ms | per s |
| --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}
{_row("**all**", total)}

{tail}

| step | count | errors | p50 ms | p95 ms | max ms |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(login_rows)}
"""


def write_docs(text: str) -> None:
    write_section(SECTION, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--time", type=seconds_of, default="2m", help="steady state after the logins: 2m, 90s"
    )
    parser.add_argument(
        "--spawn-rate", type=float, help="users started per second (default: all in 60 s)"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per instance")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the logs and CSV files")
    parser.add_argument(
        "--context", default="", help="a sentence on the machine's other load, for the docs"
    )
    parser.add_argument(
        "--report", type=Path, metavar="DIR", help="only rewrite the docs from a --keep run's DIR"
    )
    parser.add_argument("--child-accounts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_accounts:
        make_accounts(args.users, args.child_accounts)
        return
    if args.report:
        run = json.loads((args.report / "run.json").read_text())
        saved = argparse.Namespace(**run["args"])
        stats, logins = read_stats(args.report / "locust"), read_logins(args.report)
        write_docs(
            section(saved, run["setup"], stats, logins, run["load"], run["cpu"], run["context"])
        )
        print(f"written to {DOCS.relative_to(ROOT)}")
        return
    # One run at a time: a second would drop the first one's database under it.
    import fcntl

    lock = (Path(tempfile.gettempdir()) / "waishi-load-bench.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit("another load_bench.py is running (it holds the lock)") from None
    args.seconds = args.time
    args.spawn_rate = args.spawn_rate or max(1.0, round(args.users / 60, 2))
    var = Path(tempfile.mkdtemp(prefix="waishi-load-"))
    procs = Processes()

    def terminated(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    load = [os.getloadavg()[0]]
    usage: dict = {}
    try:
        setup, accounts = prepare(var, args.users)
        start_servers(procs, var, args.workers)
        load[0] = os.getloadavg()[0]
        prefix = run_locust(procs, var, accounts, args, load, usage)
        load.append(os.getloadavg()[0])
    except BaseException:
        print(f"stopping everything; logs kept in {var}", file=sys.stderr)
        raise
    finally:
        procs.stop()
        signal.signal(signal.SIGTERM, previous)
    stats = read_stats(prefix)
    logins = read_logins(var)
    total = stats["total"]
    print(
        f"{total['count']:,} requests, {total['rps']:.1f}/s, {total['failures']} errors; "
        f"p50 {total['p50']:.0f} ms, p95 {total['p95']:.0f} ms, p99 {total['p99']:.0f} ms"
    )
    for e in sorted(stats["endpoints"], key=lambda e: -e["p95"]):
        print(
            f"  {e['method']:4} {e['name'][:44]:44} n={e['count']:5} err={e['failures']:3} "
            f"p50={e['p50']:5.0f} p95={e['p95']:5.0f} p99={e['p99']:5.0f}"
        )
    for f in stats["failures"]:
        print(f"  error: {f['method']} {f['name']}: {f['error'][:160]} ({f['count']}x)")
    cpu = cpu_used(usage)
    print(f"  phases: {logins.get('phase')}; CPU s in the steady state: {cpu}")
    context = args.context or (
        "Other work may run on the machine at the same time (tests, other benchmarks)."
    )
    (var / "run.json").write_text(
        json.dumps(
            {
                "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "setup": setup,
                "load": load,
                "cpu": cpu,
                "context": context,
            }
        )
    )
    for step, e in logins.get("steps", {}).items():
        print(
            f"  login {step:22} n={e['count']:4} err={e['failures']:3} "
            f"p50={e['p50']:5.0f} p95={e['p95']:5.0f} max={e['max']:5.0f}"
        )
    if not args.no_docs:
        write_docs(section(args, setup, stats, logins, load, cpu, context))
        print(f"written to {DOCS.relative_to(ROOT)}")
    if args.keep:
        print(f"kept {var}", file=sys.stderr)
    else:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
