# ruff: noqa: S311 - the simulated users' choices, not secrets
"""The simulated civil servants of ``bench/load_bench.py`` (locust).

Environment: ``WAISHI_LOAD_ACCOUNTS`` (the JSON file of bench accounts the bench made)
and ``WAISHI_LOAD_HOSTS`` (comma-separated base URLs; each user takes the next one,
round-robin). Each user takes the next account, logs in through the login form and,
except clerks, the second-factor page (a TOTP code computed from its own device's
secret), loads the page's static files, then works through the pages of its role with a
think time of 3-10 s. A response other than 2xx/3xx, a page that ends anywhere but where
it was asked for (the login form, say), or a page without its expected content is a
failure.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events
from locust.exception import StopUser

HOSTS = [h for h in os.environ.get("WAISHI_LOAD_HOSTS", "").split(",") if h]
_DATA = json.loads(open(os.environ["WAISHI_LOAD_ACCOUNTS"], encoding="utf-8").read())
PASSWORD = _DATA["password"]
ACCOUNTS = _DATA["accounts"]
_NEXT = itertools.count()

SEARCHES = ["zs", "li", "wang", "张", "陈", "liu", "zh", "王"]
MISSION_FILTERS = ["", "", "", "?q=考察", "?state=draft", "?state=approved", "?category=ordinary"]


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret)
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.digest(key, struct.pack(">Q", counter), "sha1")
    offset = digest[-1] & 15
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Forms(HTMLParser):
    """The fields of every form of a page: [(form attributes, {name: value})]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, dict]] = []
        self._fields: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.forms.append((a, self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._fields[self._textarea] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._first_option = None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if self._fields is not None:
                self._fields.setdefault(self._select, self._first_option or "")
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data


def form_fields(html: str, marker: str) -> dict | None:
    parser = Forms()
    parser.feed(html)
    for attrs, fields in parser.forms:
        if marker in attrs:
            return fields
    return None


def ids(html: str, pattern: str) -> list[int]:
    return sorted({int(n) for n in re.findall(pattern, html)})


STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class CivilServant(HttpUser):
    wait_time = between(3, 10)

    def __init__(self, environment):
        self.number = next(_NEXT)
        if HOSTS:
            self.host = HOSTS[self.number % len(HOSTS)]
        super().__init__(environment)
        self.account = ACCOUNTS[self.number % len(ACCOUNTS)]
        self.role = self.account["role"]
        self.static: list[str] = []
        self.seen: dict[str, list[int]] = {}
        self.draft_version: str | None = None
        self.fields: dict = {}
        self.tasks = [
            getattr(CivilServant, name)
            for name, weight in ROLE_TASKS[self.role].items()
            for _ in range(weight)
        ]

    # --- helpers ----------------------------------------------------------------------------

    def page(self, path: str, name: str | None = None, expect: str = "</html>", **kwargs):
        """GET a page; a failure unless it answers 200 at the same path with ``expect``."""
        with self.client.get(path, name=name or path, catch_response=True, **kwargs) as r:
            wanted = urlsplit(path).path
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif urlsplit(r.url).path != wanted:
                r.failure(f"ended at {urlsplit(r.url).path}")
            elif expect not in r.text:
                r.failure(f"no {expect!r} in the page")
            else:
                r.success()
            return r.text if r.status_code == 200 else ""

    def remember(self, key: str, html: str, pattern: str) -> None:
        found = ids(html, pattern)
        if found:
            self.seen[key] = found

    def detail(self, key: str, list_path: str, pattern: str, path: str, name: str) -> None:
        """A record picked from its list (the list is loaded first when none is known)."""
        if not self.seen.get(key):
            self.remember(key, self.page(list_path), pattern)
        if self.seen.get(key):
            self.page(path.format(random.choice(self.seen[key])), name=name)

    # --- login ------------------------------------------------------------------------------

    def on_start(self):
        try:
            self.log_in()
        finally:
            _logged_in(self.environment)

    def log_in(self):
        with self.client.get("/accounts/login/", name="/accounts/login/", catch_response=True) as r:
            token = CSRF.search(r.text)
            if r.status_code != 200 or not token:
                r.failure(f"login page: status {r.status_code}")
                raise StopUser
            self.static = sorted(set(STATIC.findall(r.text)))
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "username": self.account["username"],
            "password": PASSWORD,
            "next": "/",
        }
        with self.client.post(
            "/accounts/login/", data=data, name="POST /accounts/login/", catch_response=True
        ) as r:
            landed = urlsplit(r.url).path
            wanted = "/accounts/otp/" if self.account["totp"] else "/"
            if r.status_code != 200 or landed != wanted:
                r.failure(f"login: status {r.status_code}, ended at {landed}")
                raise StopUser
            r.success()
            page = r.text
        if self.account["totp"]:
            token = CSRF.search(page)
            data = {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "token": totp(self.account["totp"]),
                "next": "/",
            }
            with self.client.post(
                "/accounts/otp/", data=data, name="POST /accounts/otp/", catch_response=True
            ) as r:
                landed = urlsplit(r.url).path
                if r.status_code != 200 or landed != "/":
                    r.failure(f"second factor: status {r.status_code}, ended at {landed}")
                    raise StopUser
                r.success()
        self.load_static()

    def load_static(self):
        for path in self.static:
            with self.client.get(path, name="/static/[asset]", catch_response=True) as r:
                if r.status_code != 200 or not r.content:
                    r.failure(f"status {r.status_code}")

    # --- the work (each role's weights in ROLE_TASKS, below) -------------------------------

    def home(self):
        self.page("/")

    def notifications(self):
        self.page("/notifications/")

    def static_again(self):
        # A new tab or an emptied browser cache now and then.
        self.load_static()

    def missions(self):
        query = random.choice(MISSION_FILTERS)
        html = self.page(f"/missions/{query}", name=f"/missions/{query and '?filter'}")
        if not query:
            self.remember("missions", html, r'href="/missions/(\d+)/"')

    def mission(self):
        self.detail(
            "missions", "/missions/", r'href="/missions/(\d+)/"', "/missions/{}/", "/missions/[id]/"
        )

    def approvals(self):
        self.page("/approvals/")

    def plan(self):
        html = self.page("/plans/")
        self.remember("plans", html, r'href="/plans/(\d+)/"')
        if self.seen.get("plans"):
            html = self.page(f"/plans/{random.choice(self.seen['plans'])}/", name="/plans/[id]/")
            self.remember("entries", html, r'href="/plans/entries/(\d+)/"')

    def plan_entry(self):
        if self.seen.get("entries"):
            entry = random.choice(self.seen["entries"])
            self.page(f"/plans/entries/{entry}/", name="/plans/entries/[id]/")
        else:
            self.plan()

    def passports(self):
        html = self.page("/passports/")
        self.remember("passports", html, r'href="/passports/(\d+)/"')

    def passport(self):
        self.detail(
            "passports",
            "/passports/",
            r'href="/passports/(\d+)/"',
            "/passports/{}/",
            "/passports/[id]/",
        )

    def followups(self):
        html = self.page("/followups/")
        self.remember("followups", html, r'href="/followups/(\d+)/"')

    def obligations(self):
        self.page("/followups/unit/")

    def reports(self):
        self.page("/missions/reports/")

    def search(self):
        self.page(f"/orgs/people/?q={random.choice(SEARCHES)}", name="/orgs/people/?q=")

    def arrivals_board(self):
        html = self.page("/arrivals/")
        self.remember("arrivals", html, r'href="/arrivals/(\d+)/"')

    def arrivals_queue(self):
        html = self.page("/arrivals/queue/")
        self.remember("arrivals", html, r'href="/arrivals/(\d+)/"')

    def arrival(self):
        board = "/arrivals/queue/" if self.role == "district_officer" else "/arrivals/"
        self.detail(
            "arrivals", board, r'href="/arrivals/(\d+)/"', "/arrivals/{}/", "/arrivals/[id]/"
        )

    def handovers(self):
        self.page("/arrivals/handovers/")

    def audit_log(self):
        self.page("/audit/")

    def autosave(self):
        """A clerk typing in its draft: the form now and then, and its htmx autosave (the
        policy check re-run, the new version back in X-Mission-Version)."""
        path = f"/missions/{self.account['draft']}/basics/"
        if self.draft_version is None or random.random() < 0.25:
            html = self.page(path, name="/missions/[id]/basics/")
            self.fields = form_fields(html, "data-mission-form") or {}
            if "version" not in self.fields:
                return
            self.draft_version = self.fields["version"]
        data = dict(self.fields)
        data["version"] = self.draft_version
        data["tasks"] = f"拜会友好城市政府，洽谈港口合作（第{random.randint(1, 999)}稿）"
        with self.client.post(
            path,
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": data.get("csrfmiddlewaretoken", "")},
            name="POST /missions/[id]/basics/ (autosave)",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif 'data-testid="autosaved"' not in r.text:
                r.failure("not saved: " + re.sub(r"<[^>]+>", " ", r.text)[:120].strip())
                self.draft_version = None
            else:
                self.draft_version = r.headers.get("X-Mission-Version", self.draft_version)
                r.success()

    tasks = [home]


_BASE = {"home": 4, "notifications": 2, "static_again": 1}
_UNIT = {"missions": 4, "mission": 4, "plan": 1, "plan_entry": 1, "passports": 2}
_UNIT |= {"followups": 1, "obligations": 1, "reports": 1, "search": 2}
# Page weights by role (relative; each task is one or two page views, then a think time).
ROLE_TASKS = {
    "unit_clerk": _BASE | _UNIT | {"autosave": 5},
    "unit_leader": _BASE | _UNIT | {"approvals": 3},
    "fao_reviewer": _BASE
    | _UNIT
    | {"missions": 5, "mission": 5, "approvals": 3, "passport": 2, "obligations": 0},
    "fao_head": _BASE | _UNIT | {"approvals": 4, "passport": 1, "obligations": 0},
    "committee": _BASE | _UNIT | {"approvals": 4, "plan": 3, "obligations": 0},
    "auditor": _BASE | _UNIT | {"arrivals_board": 1, "audit_log": 2, "obligations": 0},
    # A district officer's board is its queue (/arrivals/ redirects there).
    "district_officer": _BASE | {"arrivals_queue": 8, "arrival": 6, "handovers": 1, "search": 1},
    "city_command": _BASE
    | {"arrivals_board": 6, "arrivals_queue": 3, "arrival": 5, "handovers": 1},
}


# The steady state: once every user has logged in (WAISHI_LOAD_USERS), the statistics are
# reset and the run stops WAISHI_LOAD_STEADY seconds later. The login steps' times are
# kept apart, for the ramp-up's report.
USERS = int(os.environ.get("WAISHI_LOAD_USERS", "0"))
STEADY = float(os.environ.get("WAISHI_LOAD_STEADY", "0"))
LOGIN_STEPS = ("GET /accounts/login/", "POST /accounts/login/", "POST /accounts/otp/")
_logins: dict[str, list] = {step: [] for step in LOGIN_STEPS}
_phase = {"started": time.monotonic(), "done": 0, "steady_from": None, "ended": None}


def _logged_in(environment) -> None:
    _phase["done"] += 1
    if USERS and STEADY and _phase["done"] == USERS:
        environment.runner.stats.reset_all()
        _phase["steady_from"] = time.monotonic()
        target = os.environ.get("WAISHI_LOAD_LOGINS")
        if target:  # tells the bench to take its CPU sample
            with open(target + ".steady", "w") as mark:
                mark.write("steady\n")
        gevent.spawn_later(STEADY, environment.runner.quit)


@events.test_start.add_listener
def _started(environment, **kwargs):
    _phase["started"] = time.monotonic()


@events.request.add_listener
def _login_time(request_type, name, response_time, exception=None, **kwargs):
    step = name if name.startswith("POST ") else f"{request_type} {name}"
    if step in _logins:
        _logins[step].append([round(response_time), exception is not None])


@events.quitting.add_listener
def _write_logins(environment, **kwargs):
    target = os.environ.get("WAISHI_LOAD_LOGINS")
    if target:
        now = time.monotonic()
        steady = _phase["steady_from"]
        phase = {
            "logins_s": (steady or now) - _phase["started"],
            "steady_s": now - steady if steady else 0.0,
            "logged_in": _phase["done"],
        }
        with open(target, "w", encoding="utf-8") as out:
            json.dump({"steps": _logins, "phase": phase}, out)
