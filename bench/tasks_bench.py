"""Supervised tasks (督办) at scale: the office's board and a unit's task page with
100,000 tasks over 2,000 units, on SQLite and PostgreSQL (issue 17).

    .venv/bin/python bench/tasks_bench.py [--scale 1.0] [--small 0.01] [--db sqlite postgres]
        [--requests 30] [--reuse] [--no-docs] [--work DIR]

For each database and for two scales: a fresh database, migrated, filled by
``waishi seed-scale --only tasks`` (2,000 units, 100,000 people, 100,000 tasks at scale
1.0); then, in a process of its own, each page requested through ``django.test.Client``
(the whole middleware stack, signed in with the second factor passed): a few warm-up
requests, then ``--requests`` timed ones: median and p95 of the wall time and the number
of queries of one request. The query count must be the same at both scales (no query per
row or per unit). Writes the section "Supervised tasks at scale" of docs/performance.md
unless ``--no-docs``. The databases, the runs and the sign-in are those of
``bench/pages_bench.py``; the PostgreSQL databases are ``waishi_tb_full`` and
``waishi_tb_small``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pages_bench as pb
from benchdocs import machine, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Supervised tasks at scale (`bench/tasks_bench.py`)"
GOAL_P95_MS = 50
# This benchmark's own PostgreSQL databases (the pages benchmark keeps its own).
pb.PG_NAMES.update({"full": "waishi_tb_full", "small": "waishi_tb_small"})


def seed(db: str, size: str, scale: float, work: Path) -> dict:
    pb.fresh(db, size, work)
    env = pb.environment(db, size, work)
    pb.waishi(env, "migrate", "--noinput", "-v", "0")
    started = time.perf_counter()
    done = pb.waishi(env, "seed-scale", "--scale", str(scale), "--only", "tasks", capture=True)
    out = {
        "scale": scale,
        "seconds": time.perf_counter() - started,
        "lines": [line for line in done.stderr.splitlines() if "rows" in line],
    }
    (work / f"{db}-{size}" / "seed.json").write_text(json.dumps(out))
    return out


def child(db: str, size: str, work: Path, requests: int) -> dict:
    env = pb.environment(db, size, work, settings="bench.bench_settings")
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", str(requests)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the child run ({db}, {size}) failed")
    sys.stderr.write(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- in the child --------------------------------------------------------------------------


def pages(requests: int) -> dict:
    pb._setup()
    from django.db.models import Count
    from django.urls import reverse

    from waishi.followups.models import Outcome, Track
    from waishi.lib.roles import Role
    from waishi.orgs.models import User

    users = _users(User, Role, Outcome, Track, Count)
    clients = {name: pb._client(user) for name, user in users.items()}
    unit_id = users["clerk"].unit_id
    cases = [
        ("the office's board", "fao", reverse("followups:board")),
        ("every task, the office", "fao", reverse("followups:task-list")),
        ("red tasks, the office", "fao", reverse("followups:task-list") + "?colour=red"),
        ("a unit's task page", "clerk", reverse("followups:unit-tasks")),
        ("a unit's task list", "clerk", reverse("followups:task-list")),
        ("on-time table of the year", "fao", reverse("followups:on-time")),
    ]
    out = []
    for name, who, url in cases:
        row = {"page": name, **pb._measure(clients[who], url, requests)}
        print(
            f"{name}: {row['median']:.0f}/{row['p95']:.0f} ms, {row['queries']} q", file=sys.stderr
        )
        out.append(row)
    tasks = Outcome.objects.filter(track=Track.TASK)
    counts = {
        "tasks": tasks.count(),
        "units": tasks.values("responsible_unit").distinct().count(),
        "unit_tasks": tasks.filter(responsible_unit_id=unit_id).count(),
    }
    return {"pages": out, "counts": counts, "vendor": pb._vendor()}


def _users(User, Role, Outcome, Track, Count) -> dict:
    """The FAO reviewer and the clerk of the unit that leads the most tasks."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waishi.orgs.models import Unit, UnitKind

    fao_unit = Unit.objects.filter(kind=UnitKind.FAO).order_by("pk").first()
    busiest = (
        Outcome.objects.filter(track=Track.TASK)
        .values("responsible_unit")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("responsible_unit", flat=True)
        .first()
    )
    users = {}
    for name, role, unit in (
        ("fao", Role.FAO_REVIEWER, fao_unit.pk),
        ("clerk", Role.UNIT_CLERK, busiest),
    ):
        user, _created = User.objects.get_or_create(
            username=f"bench_tasks_{name}",
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


# --- the report ------------------------------------------------------------------------------


def report(results: dict, small: float) -> str:
    lines = [
        SECTION,
        "",
        "Measured by `make bench` (`bench/tasks_bench.py`): each page requested in-process "
        "through the whole middleware stack, signed in; median and p95 of the timed "
        f"requests, queries of one request; the goal is p95 under {GOAL_P95_MS} ms and the "
        f"same number of queries at scale 1.0 and at {small}.",
        "",
        machine(),
        "",
    ]
    for run in results.values():
        full, little = run["full"], run["small"]
        lines += [
            f"### {full['vendor']}: {full['counts']['tasks']:,} tasks over "
            f"{full['counts']['units']:,} units (the unit's page: "
            f"{full['counts']['unit_tasks']:,} tasks it leads); seeded in "
            f"{run['seed']['seconds']:.0f} s",
            "",
            f"| page | median ms | p95 ms | queries | queries at {small} | goal met |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for row, other in zip(full["pages"], little["pages"], strict=True):
            met = row["p95"] < GOAL_P95_MS and row["queries"] == other["queries"]
            lines.append(
                f"| {row['page']} | {row['median']:.1f} | {row['p95']:.1f} | "
                f"{row['queries']} | {other['queries']} | {'yes' if met else '**no**'} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--small", type=float, default=0.01)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-tasks")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(pages(int(args.child))))
        return
    results = {}
    for db in args.db:
        run = {}
        for size, scale in (("full", args.scale), ("small", args.small)):
            marker = args.work / f"{db}-{size}" / "seed.json"
            if args.reuse and marker.exists():
                seeded = json.loads(marker.read_text())
            else:
                print(f"{db}: seeding at scale {scale}", file=sys.stderr)
                seeded = seed(db, size, scale, args.work)
            pb.prepare(db, size, args.work)
            run[size] = child(db, size, args.work, args.requests)
            if size == "full":
                run["seed"] = seeded
        results[db] = run
    text = report(results, args.small)
    print(text)
    if not args.no_docs:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
