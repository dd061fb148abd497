"""Policy checks per second on one core, for realistic generated trips.

    .venv/bin/python bench/policy_bench.py [--trips 2000] [--seconds 3]

Trips: 2-6 members with 0-3 earlier trips each, 1-3 stops (sometimes an airside
transit), a day-by-day schedule, a budget line per stop. Prints checks/s for ``check``
alone (parsed trips) and for the whole path the command line and API take (parse, check,
render the JSON with messages)."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waishi.settings")

import django

django.setup()

from django.utils import translation  # noqa: E402

from waishi.policy.check import check  # noqa: E402
from waishi.policy.output import result_json  # noqa: E402
from waishi.policy.params import default_policy  # noqa: E402
from waishi.policy.parse import parse_trip  # noqa: E402

PLACES = [
    ("JP", "东京", "JPY"),
    ("JP", "大阪", "JPY"),
    ("KR", "首尔", "USD"),
    ("DE", "München", "EUR"),
    ("FR", "巴黎", "EUR"),
    ("US", "纽约", "USD"),
    ("AE", "迪拜", "USD"),
    ("EG", "开罗", "USD"),
    ("BR", "圣保罗", "USD"),
    ("PK", "伊斯兰堡", "USD"),
    ("MN", "乌兰巴托", "USD"),
]
RANKS = ["bureau", "county_division", "county_division", "section_below", "none"]


def make_trip(rng: random.Random) -> dict:
    departure = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    stops, budget, day = [], [], departure
    for _ in range(rng.randint(1, 3)):
        country, city, currency = rng.choice(PLACES)
        length = rng.randint(1, 4)
        stops.append(
            {
                "country": country,
                "city": city,
                "arrive": day.isoformat(),
                "depart": (day + timedelta(days=length)).isoformat(),
                "transit_airside": rng.random() < 0.1,
            }
        )
        budget.append(
            {
                "country": country,
                "city": city,
                "currency": currency,
                "lodging_per_day": rng.choice([90, 150, 180, 9000, 20000, 21000]),
                "meals_per_day": rng.choice([30, 50, 70, 10000]),
                "incidentals_per_day": rng.choice([30, 35, 5000]),
            }
        )
        day += timedelta(days=length)
    kinds = (
        ["travel"]
        + [rng.choice(["official"] * 5 + ["rest"]) for _ in range((day - departure).days - 1)]
        + ["travel"]
    )
    members = []
    for i in range(rng.randint(2, 6)):
        trips = [
            {
                "departure_date": (departure - timedelta(days=rng.randrange(30, 1000))).isoformat(),
                "return_date": departure.isoformat(),
                "category": rng.choice(["general", "general", "econ_tech"]),
            }
            for _ in range(rng.randint(0, 3))
        ]
        members.append(
            {
                "name": f"成员{i}",
                "unit": rng.choice(["市商务局", "市科技局"]),
                "title": "处长",
                "rank": rng.choice(RANKS),
                "is_unit_leadership": rng.random() < 0.3,
                "task": "洽谈合作",
                "party_member": rng.random() < 0.7,
                "econ_tech": rng.random() < 0.5,
                "trips": trips,
            }
        )
    return {
        "category": rng.choice(["general", "general", "econ_tech", "academic"]),
        "submitted_on": (departure - timedelta(days=rng.randint(20, 120))).isoformat(),
        "departure_date": departure.isoformat(),
        "return_date": day.isoformat(),
        "in_annual_plan": rng.random() < 0.8,
        "invitation": {"source": "foreign_counterpart", "inviter": "对口单位"},
        "stops": stops,
        "members": members,
        "budget": budget,
        "days": [
            {"date": (departure + timedelta(days=i)).isoformat(), "kind": kind}
            for i, kind in enumerate(kinds)
        ],
    }


def rate(work, items, seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            work(item)
        done += len(items)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(20260101)  # noqa: S311 (test data, not secrets)
    raw = [make_trip(rng) for _ in range(args.trips)]
    parsed = [parse_trip(item) for item in raw]
    policy, on = default_policy(), date(2026, 1, 1)
    with translation.override("zh-hans"):
        findings = sum(len(check(t, policy, on).findings) for t in parsed)
        check_rate = rate(lambda t: check(t, policy, on), parsed, args.seconds)
        full_rate = rate(lambda d: result_json(check(parse_trip(d), policy, on)), raw, args.seconds)
    print(f"{args.trips} trips, {findings / len(parsed):.1f} findings each on average")
    print(f"check only:                  {check_rate:,.0f} checks/s on one core")
    print(f"parse + check + JSON output: {full_rate:,.0f} checks/s on one core")


if __name__ == "__main__":
    main()
