"""A small production layout on loopback for the deploy tests (docs/deploy.md).

``Cluster`` makes a fresh PostgreSQL database (a copy of a migrated template, rebuilt
when the migrations change), flushes one Redis database, seeds the data the test needs
(``tests/deploy/seed.py``) and starts two instances of ``waishi serve`` -- each a
gunicorn master with two workers and one huey consumer -- on two ports. The instances
share the database, Redis (cache, sessions, queue) and the uploaded files; each has its
own ``WAISHI_VAR_DIR``, as two machines would, and the keys come from the environment.
``stop()`` ends every process it started (process groups, then SIGKILL), also after a
failed test; every wait is bounded and says what it waited for.

``Browser`` is a small HTTP client that behaves like one behind nginx: every request
carries the same ``Host`` (and ``Origin`` for posts), whichever instance it reaches.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import django
import psycopg
import redis
from django.test import override_settings

from waishi.audit.chain import head_seal
from waishi.audit.models import GENESIS
from waishi.ops.management.commands.serve import _death_signal

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
HOST = "waishi.test"
SCHEME = "https"  # what nginx tells the app servers (X-Forwarded-Proto)
TEMPLATE_DB = "waishi_deploy_template"
# collectstatic takes about 35 s: its result is kept here, by the fingerprint of the files.
STATIC_CACHE = Path(os.environ.get("WAISHI_VAR_DIR") or ROOT / "var") / "deploy-static"
START_SECONDS = 60.0
STOP_SECONDS = 15.0


def _admin() -> psycopg.Connection:
    return psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=10)


def _fingerprint() -> str:
    """What the migrated template depends on: Django's version, every migration file and
    what the data migrations read (the policy's data and code, the arrivals' plans)."""
    digest = hashlib.sha256(django.get_version().encode())
    package = ROOT / "waishi"
    paths = [
        *package.glob("*/migrations/*.py"),
        *package.glob("policy/*.py"),
        *package.glob("policy/data/*"),
        package / "arrivals" / "plans.py",
    ]
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _static_fingerprint() -> str:
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def _environment(db: str, redis_db: int, var_dir: Path, media: Path, keys: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAISHI_")}
    env.update(keys)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "waishi.settings",
            "PYTHONUNBUFFERED": "1",
            # Production: keys from the environment, HTTPS as nginx reports it
            # (X-Forwarded-Proto), secure cookies, hashed static files.
            "WAISHI_MODE": "production",
            "WAISHI_DATABASE_URL": f"{PG}/{db}",
            "WAISHI_REDIS_URL": f"{REDIS}/{redis_db}",
            # 127.0.0.1: the health probe of `waishi serve` itself.
            "WAISHI_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "WAISHI_VAR_DIR": str(var_dir),
            "WAISHI_MEDIA_DIR": str(media),
            "WAISHI_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "WAISHI_WORKERS": "2",
            "WAISHI_DECLARE_LOOKUP_RATE": "3/600",
        }
    )
    return env


def _processes() -> list[tuple[int, list[str]]]:
    """(pid, the fields of /proc/PID/stat after the command name) of every process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        found.append((int(stat.parent.name), text[text.rindex(")") + 2 :].split()))
    return found


def _children(pid: int) -> list[int]:
    return [child for child, fields in _processes() if int(fields[1]) == pid]


def _in_group(pgid: int) -> list[int]:
    return [p for p, fields in _processes() if fields[0] != "Z" and int(fields[2]) == pgid]


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Instance:
    name: str
    port: int
    var_dir: Path
    log: Path
    process: subprocess.Popen | None = None
    groups: list[int] = field(default_factory=list)  # the serve command's children

    def children(self) -> dict[str, int]:
        """{"gunicorn": master pid, "consumer": pid} of this instance's serve command."""
        found = {}
        for pid in _children(self.process.pid):
            line = _cmdline(pid)
            if "gunicorn" in line:
                found["gunicorn"] = pid
            elif "run_huey" in line:
                found["consumer"] = pid
        return found

    def workers(self) -> list[int]:
        master = self.children().get("gunicorn")
        return sorted(_children(master)) if master else []

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Cluster:
    def __init__(self, base: Path, *, db: str, redis_db: int, ports: tuple[int, int]):
        assert db.startswith("waishi_deploy"), db
        assert 1 <= redis_db <= 5, redis_db
        assert all(8101 <= p <= 8110 for p in ports), ports
        self.base, self.db, self.redis_db = base, db, redis_db
        self.media = base / "shared-media"
        self.keys = {
            "WAISHI_SECRET_KEY": secrets.token_urlsafe(50),
            "WAISHI_FIELD_KEYS": "k1:" + secrets.token_hex(16),
            "WAISHI_BLIND_INDEX_KEY": secrets.token_hex(32),
            "WAISHI_AUDIT_KEY": secrets.token_hex(32),
        }
        self.instances = [
            Instance(name, port, base / f"var-{name}", base / f"serve-{name}.log")
            for name, port in zip("AB", ports, strict=True)
        ]
        self.tool_env = self.env(base / "var-tools")
        self.seeded: dict = {}
        # Seconds: database, seed, static, serve (until both instances answer), total.
        self.timings: dict[str, float] = {}

    def env(self, var_dir: Path) -> dict:
        return _environment(self.db, self.redis_db, var_dir, self.media, self.keys)

    # --- setting up -------------------------------------------------------------------

    def start(self, missions: int, quota: int | None = None) -> None:
        began = time.monotonic()
        self.media.mkdir(parents=True, exist_ok=True)
        self._fresh_database()
        redis.Redis.from_url(f"{REDIS}/{self.redis_db}").flushdb()
        self.timings["database"] = time.monotonic() - began
        args = [str(missions)] + ([str(quota)] if quota is not None else [])
        self.seeded = json.loads(self.run_python(["-m", "tests.deploy.seed", *args]).stdout)
        self.timings["seed"] = time.monotonic() - began - self.timings["database"]
        static = self._collected_static()
        self.timings["static"] = time.monotonic() - began - sum(self.timings.values())
        for instance in self.instances:
            instance.var_dir.mkdir(parents=True, exist_ok=True)
            (instance.var_dir / "static").symlink_to(static)
            self._serve(instance)
        deadline = time.monotonic() + START_SECONDS
        for instance in self.instances:
            self._wait_ready(instance, deadline)
        total = time.monotonic() - began
        self.timings["serve"] = total - sum(self.timings.values())
        self.timings["total"] = total

    def _collected_static(self) -> Path:
        """The output of `waishi collectstatic` (what each app server or nginx holds),
        made once for these static files and kept."""
        folder = STATIC_CACHE / _static_fingerprint()
        if not (folder / "static" / "staticfiles.json").exists():
            if STATIC_CACHE.exists():
                shutil.rmtree(STATIC_CACHE)  # older fingerprints
            env = {**self.tool_env, "WAISHI_VAR_DIR": str(folder)}
            command = [sys.executable, "-m", "waishi", "collectstatic", "--noinput", "-v", "0"]
            self._check(command, env, 300)
        return folder / "static"

    def _fresh_database(self) -> None:
        wanted = _fingerprint()
        with _admin() as admin:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [TEMPLATE_DB],
            ).fetchone()
            if row is None or row[0] != wanted:
                admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
                env = _environment(
                    TEMPLATE_DB, self.redis_db, self.base / "var-template", self.media, self.keys
                )
                self._check(
                    [sys.executable, "-m", "waishi", "migrate", "--noinput", "-v", "0"], env, 300
                )
                admin.execute(f"COMMENT ON DATABASE \"{TEMPLATE_DB}\" IS '{wanted}'")
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{TEMPLATE_DB}"')
        # The migrations sealed the empty chain's head under the audit key of the cluster
        # that made the template; this cluster has its own key, as another installation
        # would, and its head is sealed under it (else every event after it stays unsealed
        # and `waishi audit verify` rightly fails).
        with override_settings(AUDIT_KEY=self.keys["WAISHI_AUDIT_KEY"]):
            seal = head_seal(0, GENESIS)
        with psycopg.connect(f"{PG}/{self.db}", autocommit=True, connect_timeout=10) as db:
            updated = db.execute(
                "UPDATE audit_audithead SET seal = %s WHERE id = 1 AND seq = 0 AND hash = %s",
                [seal, GENESIS],
            ).rowcount
        assert updated == 1, "the template's audit head is not the empty chain's"

    def _check(self, command: list[str], env: dict, timeout: float):
        try:
            result = subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{' '.join(command)} did not finish in {timeout:.0f} s") from None
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}"
            )
        return result

    def run_python(self, args: list[str], timeout: float = 120):
        return self._check([sys.executable, *args], self.tool_env, timeout)

    def waishi(self, *args: str, timeout: float = 120):
        return self.run_python(["-m", "waishi", *args], timeout)

    def _serve(self, instance: Instance) -> None:
        with instance.log.open("ab") as log:
            instance.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "waishi",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(instance.port),
                    "--workers",
                    "2",
                ],
                cwd=ROOT,
                env=self.env(instance.var_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                # Should this test process die (CI's timeout), serve gets SIGTERM and stops
                # its children: nothing is left running.
                preexec_fn=_death_signal(),
            )

    def _wait_ready(self, instance: Instance, deadline: float) -> None:
        browser = Browser()
        while True:
            if instance.process.poll() is not None:
                raise AssertionError(
                    f"instance {instance.name} (port {instance.port}) exited with "
                    f"{instance.process.returncode}:\n{instance.log_text()[-3000:]}"
                )
            children = instance.children()
            instance.groups = sorted(set(instance.groups) | set(children.values()))
            try:
                if (
                    len(children) == 2
                    and len(instance.workers()) == 2
                    and browser.get(instance.port, "/healthz", timeout=5).status == 200
                ):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"instance {instance.name} (port {instance.port}) not ready after "
                    f"{START_SECONDS:.0f} s:\n{instance.log_text()[-3000:]}"
                )
            time.sleep(0.2)

    # --- looking at it ----------------------------------------------------------------

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with psycopg.connect(f"{PG}/{self.db}", autocommit=True, connect_timeout=10) as conn:
            return conn.execute(query, params or []).fetchall()

    def terminate_backends(self) -> int:
        """pg_terminate_backend on every connection to the cluster's database (the app's
        gunicorn workers and consumers); how many were ended."""
        with _admin() as admin:
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.db],
            ).fetchall()
        return sum(1 for (ok,) in rows if ok)

    # --- tearing down -----------------------------------------------------------------

    def stop(self) -> None:
        """Stop every process started, however the test ended; never raises."""
        for instance in self.instances:
            if instance.process is not None and instance.process.poll() is None:
                instance.groups = sorted(set(instance.groups) | set(instance.children().values()))
                os.kill(instance.process.pid, signal.SIGTERM)  # serve stops its children
        deadline = time.monotonic() + STOP_SECONDS
        for instance in self.instances:
            if instance.process is None:
                continue
            try:
                instance.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                instance.process.kill()
                instance.process.wait()
            # Whatever serve left behind (it was killed, or a child did not stop).
            for pgid in instance.groups:
                if _in_group(pgid):
                    try:
                        os.killpg(pgid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    """Cookies kept by name (the path and expiry of Django's cookies do not matter here);
    every request says ``Host: waishi.test``, as nginx passes it to either instance."""

    CSRF = "waishi_csrftoken"
    SESSION = "waishi_session"

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    def request(
        self, port: int, method: str, path: str, data: dict | None = None, timeout: float = 30
    ) -> Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": SCHEME, "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            fields = dict(data or {})
            if self.CSRF in self.cookies:
                fields.setdefault("csrfmiddlewaretoken", self.cookies[self.CSRF])
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"{SCHEME}://{HOST}"
            headers["Referer"] = f"{SCHEME}://{HOST}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
        finally:
            conn.close()
        for cookie in raw.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip('"')
        return Response(raw.status, raw.headers, text)

    def get(self, port: int, path: str, **kwargs) -> Response:
        return self.request(port, "GET", path, **kwargs)

    def post(self, port: int, path: str, data: dict | None = None, **kwargs) -> Response:
        return self.request(port, "POST", path, data, **kwargs)

    def log_in(self, port: int, username: str, password: str, totp_key: str) -> None:
        """The real login: the form, then the second factor (one code per 30 s step)."""
        from django_otp.oath import totp

        assert self.get(port, "/accounts/login/").status == 200
        answer = self.post(port, "/accounts/login/", {"username": username, "password": password})
        assert answer.status == 302, f"login refused ({answer.status}): {answer.body[-500:]}"
        # Roles with a second factor are sent to it by the next page they ask for.
        landing = self.get(port, answer.location)
        if landing.status == 302 and landing.location.startswith("/accounts/otp/"):
            code = f"{totp(bytes.fromhex(totp_key)):06d}"
            answer = self.post(port, "/accounts/otp/", {"token": code})
            assert answer.status == 302, f"second factor refused: {answer.body[-500:]}"
            landing = self.get(port, answer.location)
        assert landing.status == 200, (landing.status, landing.location)
