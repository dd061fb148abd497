"""``waishi serve``: gunicorn and the huey consumer start, answer, and stop together.

Each test runs the real command in a subprocess against a temporary var directory with a
migrated SQLite database, on a free port, and follows the child processes by their PIDs
through /proc (Linux).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="follows processes through /proc"
)

DEADLINE = 60.0
PIDS = re.compile(r"gunicorn pid (\d+), task consumer pid (\d+)")


def serve_env(var_dir: Path) -> dict[str, str]:
    env = os.environ.copy()
    for name in ("WAISHI_DATABASE_URL", "WAISHI_REDIS_URL", "PORT"):
        env.pop(name, None)  # always the SQLite database and queue of var_dir
    env.update(WAISHI_VAR_DIR=str(var_dir), WAISHI_MODE="dev", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve-var")
    subprocess.run(
        [sys.executable, "-m", "waishi", "migrate", "--noinput", "-v", "0"],
        env=serve_env(path),
        cwd=path,
        check=True,
        timeout=300,
    )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after ")".
    return raw[raw.rindex(")") + 2 :].split()


def running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in {"Z", "X"}


def processes_where(index: int, value: int) -> list[int]:
    """Running PIDs whose /proc stat field (after comm: 1 = ppid, 2 = pgrp) equals value."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0] not in {"Z", "X"} and int(fields[index]) == value:
                found.append(int(entry.name))
    return found


class Server:
    def __init__(self, var_dir: Path, log: Path, port: int):
        self.port = port
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "waishi", "serve", "--port", str(port), "--workers", "2"],
            env=serve_env(var_dir),
            cwd=var_dir,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our signals go to it alone, as a terminal's would
        )
        self.pids: tuple[int, int] | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def eventually(self, what: str, predicate: Callable[[], bool], *, alive: bool = True):
        """Poll until ``predicate`` holds; with ``alive``, fail as soon as serve exits."""
        deadline = time.monotonic() + DEADLINE
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; output:\n{self.output()}")
            try:
                self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            if alive:
                pytest.fail(
                    f"serve exited ({self.process.returncode}) before {what}:\n{self.output()}"
                )

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/healthz", timeout=2
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def start(self) -> tuple[int, int]:
        self.eventually("the child PIDs", lambda: PIDS.search(self.output()) is not None)
        gunicorn, consumer = (int(p) for p in PIDS.search(self.output()).groups())
        self.pids = (gunicorn, consumer)
        self.eventually("GET /healthz", self.healthy)
        self.eventually("the banner", lambda: "waishi is running at" in self.output())
        return gunicorn, consumer

    def leftovers(self) -> list[int]:
        """Every running process of the children's process groups (workers included)."""
        if self.pids is None:
            return []
        return [pid for group in self.pids for pid in processes_where(2, group)]

    def cleanup(self) -> None:
        # Only what this test started: serve itself and its children's process groups.
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for group in self.pids or ():
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def server(var_dir, tmp_path):
    made = []

    def make() -> Server:
        made.append(Server(var_dir, tmp_path / "serve.log", free_port()))
        return made[-1]

    yield make
    for server in made:
        server.cleanup()


def test_serves_and_stops_everything_on_sigint(server):
    srv = server()
    gunicorn, consumer = srv.start()
    workers = processes_where(1, gunicorn)
    assert len(workers) == 2
    assert running(consumer)
    assert "waishi is running at http://127.0.0.1:" in srv.output()
    assert "Demo accounts" not in srv.output()  # dev mode: no demo logins

    srv.process.send_signal(signal.SIGINT)
    assert srv.process.wait(timeout=DEADLINE) == 0
    for pid in (gunicorn, consumer, *workers):
        assert not running(pid), pid
    assert srv.leftovers() == []
    assert "waishi stopped." in srv.output()


def test_sigterm_stops_everything_too(server):
    srv = server()
    gunicorn, _consumer = srv.start()
    workers = processes_where(1, gunicorn)
    srv.process.send_signal(signal.SIGTERM)
    assert srv.process.wait(timeout=DEADLINE) == 0
    assert not any(running(pid) for pid in (*srv.pids, *workers))
    assert srv.leftovers() == []


def test_a_dying_child_stops_the_other(server):
    srv = server()
    gunicorn, consumer = srv.start()
    os.kill(consumer, signal.SIGKILL)  # the consumer this test's server started
    srv.eventually("serve to exit", lambda: srv.process.poll() is not None, alive=False)
    assert srv.process.returncode != 0
    assert "task consumer stopped unexpectedly" in srv.output()
    assert not running(gunicorn)
    assert srv.leftovers() == []


def test_refuses_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "waishi", "serve", "--port", str(port)],
            env=serve_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "gunicorn pid" not in result.stdout  # nothing was started


def test_demo_banner_lists_every_login():
    from waishi.ops.management.commands.serve import Command
    from waishi.orgs.demo import TOTP_SECRET, demo_logins

    text = "\n".join(Command._demo_lines())
    for login in demo_logins():
        assert re.search(rf"^  {login.username} ", text, re.MULTILINE)
    assert TOTP_SECRET in text
    assert "totp(base64.b32decode(" in text
