"""``waishi serve``: the web server (gunicorn) and the task consumer (huey) together.

Both run as child processes with this process's environment, each in its own process
group, so that a Ctrl-C in the terminal reaches only this command, which then stops
both in order: a polite signal, a few seconds' grace, then SIGKILL to the whole group
(gunicorn's workers included). If either child dies on its own, the other is stopped
too and the command exits non-zero, so a supervisor or ``make`` sees the failure.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from waishi.orgs.demo import TOTP_SECRET, demo_logins

GRACE_SECONDS = 5.0
READY_SECONDS = 60.0
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    stop_signal: int


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None when it is free."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As gunicorn does: a socket left in TIME_WAIT does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "is already in use"
            return f"cannot be used ({exc.strerror})"
    return None


def _death_signal():
    """Linux: a function for the forked child that asks the kernel to send it SIGTERM when
    this process dies without a chance to clean up (e.g. SIGKILL). None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:  # pragma: no cover - runs in the child before exec
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return set_death_signal


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and the task consumer (huey) until Ctrl-C."
    requires_system_checks = []  # the children run Django's checks themselves

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, help="default: $PORT, else 8000")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")

    def handle(self, *args, port: int | None, host: str, workers: int, **options):
        if port is None:
            try:
                port = int(os.environ.get("PORT") or 8000)
            except ValueError:
                raise CommandError(f"PORT must be a number, got {os.environ['PORT']!r}") from None
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, got {port}")
        if not 1 <= workers <= 32:
            raise CommandError(f"--workers must be between 1 and 32, got {workers}")
        problem = port_problem(host, port)
        if problem:
            raise CommandError(
                f"Port {port} on {host} {problem}: stop whatever is listening there, "
                f"or choose another port (waishi serve --port N, or make demo PORT=N)."
            )
        self.children: list[Child] = []
        self.death_signal = _death_signal()
        self.stop_requested: int | None = None
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            failure = self._run(host, port, workers)
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failure:
            raise CommandError(failure)
        self._say("waishi stopped.")

    # --- running --------------------------------------------------------------------------

    def _on_signal(self, signum, frame) -> None:
        if self.stop_requested is not None:
            # A second Ctrl-C: no more patience for a slow shutdown.
            for child in self.children:
                self._signal_group(child, signal.SIGKILL)
        self.stop_requested = signum

    def _run(self, host: str, port: int, workers: int) -> str | None:
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "waishi.settings")
        # The children find the same database, keys and queue whatever their cwd.
        env["WAISHI_VAR_DIR"] = str(settings.VAR_DIR)
        env["PYTHONUNBUFFERED"] = "1"
        self._start("gunicorn", self._gunicorn_command(host, port, workers), env, signal.SIGTERM)
        # SIGINT lets the consumer finish the task in hand; SIGKILL follows after the grace.
        self._start(
            "task consumer", [sys.executable, "-m", "waishi", "run_huey"], env, signal.SIGINT
        )
        self._say(
            "waishi serve: "
            + ", ".join(f"{c.name} pid {c.process.pid}" for c in self.children)
            + f" (this process {os.getpid()})"
        )
        # Listening on every interface: the probe and the printed URL use the loopback.
        local = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        url = f"http://[{local}]:{port}/" if ":" in local else f"http://{local}:{port}/"
        deadline = time.monotonic() + READY_SECONDS
        ready = False
        while self.stop_requested is None:
            dead = self._dead_child()
            if dead is not None:
                return (
                    f"{dead.name} stopped unexpectedly (exit code {dead.process.returncode}); "
                    "the other processes were stopped too."
                )
            if not ready and self._answers(url + "healthz"):
                ready = True
                self._banner(url)
            elif not ready and time.monotonic() > deadline:
                self._say(f"warning: {url}healthz has not answered after {READY_SECONDS:.0f} s")
                ready = True
            time.sleep(POLL_SECONDS)
        self._say(f"\nwaishi serve: {signal.Signals(self.stop_requested).name} received, stopping")
        return None

    def _gunicorn_command(self, host: str, port: int, workers: int) -> list[str]:
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "waishi.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",  # stdout
            "--error-logfile",
            "-",  # stderr
            "--graceful-timeout",
            str(int(GRACE_SECONDS) - 1),
            "--timeout",
            "60",
            # Load Django once in the master: no worker makes its first user wait for it.
            "--preload",
        ]
        import gunicorn.config

        if hasattr(gunicorn.config, "ControlSocketDisable"):
            # gunicorn >= 25 opens a control socket in $HOME shared by every instance.
            command.append("--no-control-socket")
        return command

    def _start(self, name: str, command: list[str], env: dict, stop_signal: int) -> None:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            env=env,
            start_new_session=True,  # its own process group: Ctrl-C reaches only us
            preexec_fn=self.death_signal,
        )
        self.children.append(Child(name, process, stop_signal))

    def _dead_child(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return response.status < 500
        except urllib.error.HTTPError as exc:
            return exc.code < 500  # e.g. 400 for a host name not allowed: it is up
        except (OSError, ValueError):
            return False

    # --- stopping -------------------------------------------------------------------------

    @staticmethod
    def _signal_group(child: Child, sig: int) -> None:
        # The group id is the child's pid (start_new_session); while the child has not
        # been reaped its pid cannot have been reused.
        try:
            os.killpg(child.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _stop_children(self) -> None:
        running = [c for c in self.children if c.process.poll() is None]
        for child in running:
            self._signal_group(child, child.stop_signal)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in running:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"waishi serve: {child.name} did not stop in time, killing it")
                self._signal_group(child, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            # Grandchildren (gunicorn workers) orphaned by a crashed master share its group.
            self._signal_group(child, signal.SIGKILL)
            child.process.wait()

    # --- output ---------------------------------------------------------------------------

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _banner(self, url: str) -> None:
        lines = ["", f"waishi is running at {url}  (Ctrl-C stops it)"]
        if settings.DEMO:
            lines += self._demo_lines()
        lines.append("")
        self._say("\n".join(lines))

    @staticmethod
    def _demo_lines() -> list[str]:
        logins = demo_logins()
        rows = [("account", "role", "password", "second factor (TOTP secret)")]
        rows += [(d.username, d.role_label, d.password, d.totp_secret or "-") for d in logins]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(3)]
        table = ["  " + "".join(_pad(row[i], widths[i]) for i in range(3)) + row[3] for row in rows]
        code = (
            f'{sys.executable} -c "import base64; from django_otp.oath import totp; '
            f"print('%06d' % totp(base64.b32decode('{TOTP_SECRET}')))\""
        )
        return [
            "",
            "Demo accounts (invented city 海滨市; every name and ID number is made up):",
            *table,
            "",
            "The six-digit code: add the secret to any TOTP app (FreeOTP, Google Authenticator,",
            "Microsoft Authenticator ...), or compute it with",
            f"  {code}",
            "A code is accepted once: wait for the next one (30 s) before logging in again.",
        ]
