"""Every page of the demo, as every demo role, reads as a government product: no internal
name (tests/leaks.py) in what a person sees.

The demo city is seeded once for the module (in a transaction rolled back at its end).
Each role starts at its home page and follows the links breadth-first: same-origin GET
links, never logout, a download or the API's machine pages; at most ``PER_PATTERN``
pages per URL pattern and ``PER_ROLE`` pages in all, so the crawl stays quick. Then the
forms' error pages: the trip wizard's steps posted empty or wrong.

Not a browser: the HTML as the server sends it, its visible text and the attributes a
person reads (title, aria-label, placeholder, alt, a button's value). The browser crawl
(axe) runs the same ``find_leaks`` on the rendered page."""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from tests.conftest import login
from tests.leaks import find_leaks, visible_lines
from waishi.arrivals.models import Arrival, ManagementPlan, Resident
from waishi.missions.models import Mission
from waishi.orgs import demo
from waishi.orgs.models import User

PER_ROLE = 150
PER_PATTERN = 3
ROLES = [account.username for account in demo.ACCOUNTS]

# Links never followed, and why.
SKIPPED_PREFIXES = (
    "/accounts/logout/",  # ends the session
    "/accounts/language/",  # a POST form's target
    "/api/schema/",  # the API's description for programs (JSON/YAML, English by design)
    "/api/docs/",  # the same, as Swagger's page
    "/api/v1/",  # the API answers programs in JSON
    "/static/",
    "/media/",
)
# Files, not pages: spreadsheets, Word documents, QR images, uploaded evidence.
SKIPPED_SUFFIXES = (".xlsx", ".docx", ".png", ".pdf", "/download/", "/evidence/")

# Pages read but not judged, and why: their text is a machine format on purpose.
UNJUDGED_PAGES = {
    r"^/policy/try/$": (
        "the policy trial takes a trip in the API's JSON, for those who script the API"
    ),
    r"^/arrivals/plans/(new|\d+/edit)/\?as=json$": (
        "the plan editor's JSON mode, chosen on purpose, edits the steps in the import format"
    ),
}

# The allowlist: (leak, a piece of the line it stands in) -> why it is no leak.
ALLOWED = {
    ("English word: English", "English"): (
        "the language switcher names English in English, as every bilingual site does"
    ),
    ("English word: zs", "“zs”"): "the people search's example of initials to type (张三)",
    ("English word: meiguo", "美国：meiguo"): (
        "the country picker's example of pinyin to type (美国)"
    ),
    ("English word: mg", "美国：meiguo、mg"): "the country picker's example of initials",
    ("English word: Authorization", "Authorization: Bearer"): (
        "the header a program sends with a personal API token, to be typed exactly"
    ),
    ("English word: Bearer", "Authorization: Bearer"): "the same header",
    ("English word: token", "Authorization: Bearer <token>"): "the same header",
    ("English word: Ctrl", "Ctrl"): "a key named as its keycap reads",
    ("English word: Mac", "Mac"): "the computer the ⌘ key is on, as its maker writes it",
}


def _allowed(leak: str, line: str, data_words: frozenset[str]) -> bool:
    _kind, _sep, word = leak.partition(": ")
    if word in data_words:
        return True
    return any(leak == known and piece in line for known, piece in ALLOWED)


def page_leaks(html: str, data_words: frozenset[str] = frozenset()) -> list[str]:
    """``find_leaks`` on each visible line, English words counting as the page is Chinese;
    ``data_words``: Latin words the demo's people typed (names), which are no leak."""
    lang = (lxml.html.document_fromstring(html).get("lang") or "").lower()
    chinese = lang.startswith("zh")
    out = []
    for line in visible_lines(html):
        out.extend(
            f"{leak}   «{line[:120]}»"
            for leak in find_leaks(line, chinese=chinese)
            if not _allowed(leak, line, data_words)
        )
    return out


def demo_data_words() -> frozenset[str]:
    """The Latin words of what people entered in the demo, read from the database: login
    names (the audit names the account exactly), foreign travellers' and residents'
    names, cities, routes and employers, the codes the office gave its arrival plans.
    They are data, not the program's names."""
    texts = list(User.objects.values_list("username", flat=True))
    texts += ManagementPlan.objects.values_list("code", flat=True)
    for row in Arrival.objects.values_list("name", "origin_city", "route", "port", "address"):
        texts += row
    for name, employer in Resident.objects.values_list("name", "employer"):
        texts += [name, employer]
    return frozenset(word for text in texts for word in re.findall(r"[\w'-]+", text))


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


def _wanted(url: str) -> str | None:
    """The path (with query) to visit for a link, or None to skip it."""
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    if path.endswith(SKIPPED_SUFFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, data_words: frozenset[str]) -> tuple[dict[str, list[str]], int]:
    """{page: leaks} over the pages reachable from home, and how many pages were read."""
    seen = {"/"}
    queue = deque(["/"])
    per_pattern: Counter = Counter()
    found: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < PER_ROLE:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code >= 500:
            found[path] = [f"answered {response.status_code}"]
            continue
        if response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        judged = not any(re.match(pattern, path) for pattern in UNJUDGED_PAGES)
        leaks = page_leaks(html, data_words) if judged else []
        if leaks:
            found[path] = leaks
        root = lxml.html.document_fromstring(html)
        for href in root.xpath("//a/@href"):
            target = _wanted(urljoin(path, href))
            if target is None or target in seen:
                continue
            seen.add(target)
            pattern = _pattern(urlsplit(target).path)
            if pattern is None:
                continue
            key = (
                pattern,
                tuple(sorted(k.split("=")[0] for k in urlsplit(target).query.split("&") if k)),
            )
            if per_pattern[key] >= PER_PATTERN:
                continue
            per_pattern[key] += 1
            queue.append(target)
    return found, visited


def report(found: dict[str, list[str]]) -> str:
    lines = []
    for page, leaks in found.items():
        lines.append(page)
        lines.extend(f"    {leak}" for leak in dict.fromkeys(leaks))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, seeded once for this module and rolled back after it."""
    tmp = tmp_path_factory.mktemp("demo")
    fast = override_settings(
        PASSWORD_HASHERS=["tests.lib.hashers.FastArgon2PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        MEDIA_ROOT=tmp / "media",
        AUDIT_CHECKPOINT_FILE=tmp / "audit-checkpoints.log",
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("seed_demo", force=True, stdout=io.StringIO(), stderr=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def as_demo(demo_city, db):
    def make(username: str) -> Client:
        return login(Client(), User.objects.get(username=username))

    return make


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_an_internal_name(as_demo, role):
    found, visited = crawl(as_demo(role), demo_data_words())
    assert visited > 3, f"{role} reached only {visited} pages from home"
    assert not found, f"{role}: internal names on {len(found)} page(s):\n{report(found)}"


def form_data(html: str, selector: str = "//form[@data-mission-form]") -> dict:
    """What a browser sends for the page's form as it stands (buttons left out)."""
    form = lxml.html.document_fromstring(html).xpath(selector)[0]
    data = {}
    for element in form.xpath(".//input|.//select|.//textarea"):
        name, kind = element.get("name"), element.get("type", "text")
        if not name or kind in {"submit", "button", "file"}:
            continue
        if element.tag == "select":
            chosen = element.xpath(".//option[@selected]") or element.xpath(".//option")[:1]
            data[name] = chosen[0].get("value", "") if chosen else ""
        elif kind in {"checkbox", "radio"}:
            if element.get("checked") is not None:
                data[name] = element.get("value", "on")
        elif element.tag == "textarea":
            data[name] = element.text or ""
        else:
            data[name] = element.get("value", "")
    return data


def step_post(client: Client, path: str, **changes) -> None:
    data = form_data(client.get(path).content.decode()) | changes
    response = client.post(path, data)
    assert response.status_code in {200, 302}, response.status_code


def test_form_errors_name_the_fields_in_words(as_demo):
    """A stop without its country, a budget line without its currency and an empty
    title: what the pages then say names the place in words ("第1站 国家"), never a
    field path ("stops[0].country")."""
    client = as_demo("clerk")
    mission = (
        Mission.objects.filter(state="draft", unit__code="HB-COM", stops__isnull=False)
        .order_by("pk")
        .first()
    )
    assert mission is not None, "the demo has no draft trip with stops for the clerk"
    base = f"/missions/{mission.pk}"
    pages = [f"{base}/itinerary/", f"{base}/budget/", f"{base}/review/", f"{base}/"]
    country = mission.stops.order_by("pk").first().country

    def leaks_on_pages() -> dict[str, list[str]]:
        found = {}
        for path in pages:
            leaks = page_leaks(client.get(path).content.decode(), demo_data_words())
            if leaks:
                found[path] = leaks
        return found

    step_post(client, f"{base}/itinerary/", **{"stops-0-country": "", "goto": "itinerary"})
    review = client.get(f"{base}/review/").content.decode()
    assert "第1站" in review
    assert not (found := leaks_on_pages()), report(found)

    step_post(client, f"{base}/itinerary/", **{"stops-0-country": country, "goto": "itinerary"})
    line = {
        "lines-TOTAL_FORMS": "1",
        "lines-0-country": country,
        "lines-0-currency": "",
        "lines-0-lodging_per_day": "100",
        "goto": "budget",
    }
    step_post(client, f"{base}/budget/", **line)
    review = client.get(f"{base}/review/").content.decode()
    assert "预算第1行" in review, re.findall(r"尚未核查[^<]*", review)
    assert not (found := leaks_on_pages()), report(found)

    basics = form_data(client.get(f"{base}/basics/").content.decode())
    response = client.post(f"{base}/basics/", basics | {"title": "", "goto": "basics"}, follow=True)
    assert not (leaks := page_leaks(response.content.decode(), demo_data_words())), leaks
