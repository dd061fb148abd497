"""``waishi policy-check``: exit statuses, stdout/stderr, overrides, no database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.policy.trips import member, trip

# The contract's example input, with its // comments taken out (JSON has none).
CONTRACT_EXAMPLE = """
{
  "category": "general",
  "submitted_on": "2026-03-01",
  "departure_date": "2026-05-10",
  "return_date": "2026-05-17",
  "in_annual_plan": true,
  "invitation": {"source": "foreign_counterpart", "inviter": "Stadt München"},
  "stops": [
    {"country": "DE", "city": "München", "arrive": "2026-05-10", "depart": "2026-05-13",
     "transit_airside": false}
  ],
  "days": [
    {"date": "2026-05-11", "kind": "official", "activities": "..."}
  ],
  "members": [
    {"name": "张三", "unit": "市商务局", "title": "局长",
     "rank": "bureau",
     "is_unit_leadership": true, "is_city_leader": false,
     "task": "带队洽谈合作项目", "party_member": true, "retired": false,
     "relation": null,
     "econ_tech": false,
     "trips": [{"departure_date": "2025-06-01", "return_date": "2025-06-06",
                "category": "general"}]}
  ],
  "budget": [
    {"country": "JP", "city": "东京", "currency": "JPY",
     "lodging_per_day": 18000, "meals_per_day": 10000, "incidentals_per_day": 5000}
  ]
}
"""


def write(tmp_path: Path, data, name: str = "trip.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("policy-check", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_contract_example(tmp_path):
    status, out, err = command(write(tmp_path, CONTRACT_EXAMPLE))
    result = json.loads(out)
    assert status == 1
    assert err == ""
    assert result["policy"]["version"]
    assert (result["category"], result["days_abroad"], result["countries"]) == (
        "general",
        8,
        ["DE"],
    )
    assert result["verdict"] == "fail"
    # The example's one stop ends on 05-13 while the delegation enters China on 05-17:
    # the dates and the stops disagree (ITINERARY_GAP), besides the frequency and the stay.
    assert [(f["rule"], f["severity"], f["member"]) for f in result["findings"]] == [
        ("FREQUENCY", "error", 0),
        ("ITINERARY_GAP", "error", None),
        ("STAY_DAYS", "error", None),
    ]
    assert result["findings"][1]["data"].items() >= {"last_depart": "2026-05-13", "gap": 4}.items()
    assert result["findings"][2]["data"].items() >= {"limit": 5, "days_abroad": 8}.items()
    assert set(result["findings"][0]) == {
        "rule",
        "severity",
        "message",
        "citation",
        "data",
        "member",
    }


def test_pass_exits_0(tmp_path):
    status, out, _err = command(write(tmp_path, trip()))
    assert status == 0
    assert json.loads(out)["verdict"] == "pass"


def test_warnings_exit_0(tmp_path):
    status, out, _err = command(write(tmp_path, trip(in_annual_plan=False)))
    assert (status, json.loads(out)["verdict"]) == (0, "warn")


def test_policy_override_file(tmp_path):
    data = write(tmp_path, trip(members=[member() for _ in range(6)]))
    assert command(data)[0] == 0
    policy = write(tmp_path, {"GROUP_SIZE": {"max": 5}}, "policy.json")
    status, out, _err = command("--policy", policy, data)
    assert status == 1
    assert json.loads(out)["findings"][0]["data"] == {"max": 5, "count": 6}


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ('{"GROUP_SIZE": {"maxx": 5}}', "GROUP_SIZE.maxx"),
        ('{"NOPE": {}}', "NOPE"),
        ("not json", "--policy"),
    ],
)
def test_bad_policy_file_exits_2(tmp_path, policy, field):
    status, out, err = command(
        "--policy", write(tmp_path, policy, "p.json"), write(tmp_path, trip())
    )
    assert (status, out) == (2, "")
    assert field in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("{not json", "input"),
        (
            json.dumps(trip(members=[member(), member(), member(rank="minister")])),
            "members[2].rank",
        ),
        (json.dumps({k: v for k, v in trip().items() if k != "departure_date"}), "departure_date"),
        (json.dumps(trip(in_annual_plan="yes")), "in_annual_plan"),
    ],
)
def test_bad_input_exits_2_naming_the_field(tmp_path, data, field):
    status, out, err = command(write(tmp_path, data))
    assert (status, out) == (2, "")
    assert field in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_input_file_exits_2(tmp_path):
    status, out, err = command(str(tmp_path / "nope.json"))
    assert (status, out) == (2, "")
    assert "input" in err


def test_bad_on_date_exits_2(tmp_path):
    status, out, err = command("--on", "2026-13-01", write(tmp_path, trip()))
    assert (status, out) == (2, "")
    assert "--on" in err


def test_on_judges_lead_time_without_submission_date(tmp_path):
    data = {k: v for k, v in trip().items() if k != "submitted_on"}
    path = write(tmp_path, data)
    assert json.loads(command("--on", "2026-03-26", path)[1])["verdict"] == "pass"
    late = json.loads(command("--on", "2026-04-20", path)[1])
    assert [f["rule"] for f in late["findings"]] == ["LEAD_TIME"]


def test_language_option(tmp_path):
    path = write(tmp_path, trip(in_annual_plan=False))
    _status, out, _err = command("--language", "en", path)
    assert "annual plan" in json.loads(out)["findings"][0]["message"]


def test_stdin(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(trip())))
    status, out, _err = command("-")
    assert (status, json.loads(out)["verdict"]) == (0, "pass")


# -- through a real process, on a fresh var directory that was never migrated ----------


def _subprocess(tmp_path: Path, *args: str, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAISHI_")}
    env |= {"WAISHI_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "waishi.settings"}
    return subprocess.run(
        [sys.executable, "-m", "waishi", "policy-check", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_subprocess_contract_example_without_migrations(tmp_path):
    done = _subprocess(tmp_path, write(tmp_path, CONTRACT_EXAMPLE))
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["verdict"] == "fail"
    assert done.stderr == ""


def test_subprocess_stdin_pass(tmp_path):
    done = _subprocess(tmp_path, "-", stdin=json.dumps(trip()))
    assert (done.returncode, json.loads(done.stdout)["verdict"]) == (0, "pass")


def test_subprocess_bad_input(tmp_path):
    bad = json.dumps(trip(members=[member(), member(), member(rank="minister")]))
    done = _subprocess(tmp_path, "-", stdin=bad)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip().count("\n") == 0
    assert "members[2].rank" in done.stderr
