"""A signed-in browser walks the pages reachable from the home page and the navigation,
and runs a list of checks on each page it reaches.

A check is a function ``check(page) -> list[str]``: the problems it finds on the page as
it stands, each a line a person can act on; an empty list when the page passes. The
crawl collects them per page. Add a check by appending it to the list a test passes.

The walk is breadth first from the home page, over the links of the navigation and of the
main content, within the site; it skips what is not a page (downloads, the API, static
files, logging out) and caps how many pages of one URL shape it opens (``/missions/7/`` and
``/missions/9/`` are one shape), so that it stays a few seconds a role.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

Check = Callable[[object], list[str]]

# Links that are not pages to look at: files, machine endpoints, leaving the session, and
# /api/docs/, Swagger UI's own page for programmers (its markup is drf-spectacular's
# template and the Swagger bundle's, in English, not the application's).
SKIP = re.compile(
    r"^/(static|media|api/v1|api/schema|api/docs|declare)/"
    r"|^/accounts/(logout|password|otp|reauth)"
    r"|\.(xlsx|docx|pdf|csv|zip|ics|json)$"
    r"|/(export|download|docx|xlsx|print)(/|$)"
)
# Numbers and long tokens in a path are one shape.
_ID = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9_-]{20,})(?=/|$)")
# The links worth following: the navigation and the page's own content.
LINKS = """() => [...document.querySelectorAll('#site-nav a[href], main a[href]')]
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.href)"""


def shape(path: str) -> str:
    return _ID.sub("/<id>", path)


@dataclass
class Visit:
    path: str
    problems: list[str] = field(default_factory=list)


@dataclass
class CrawlResult:
    visits: list[Visit]

    @property
    def failures(self) -> list[Visit]:
        return [v for v in self.visits if v.problems]

    def report(self) -> str:
        return "\n".join(
            f"{v.path}\n" + "\n".join(f"  {line}" for p in v.problems for line in p.splitlines())
            for v in self.failures
        )


def crawl(
    page,
    base: str,
    checks: list[Check],
    *,
    start: str = "/",
    max_pages: int = 20,
    per_shape: int = 1,
    seen_shapes: Counter | None = None,
) -> CrawlResult:
    """Walk from ``start`` and run ``checks`` on every page reached.

    ``seen_shapes`` may be shared between crawls (several roles) so that a URL shape one
    role has looked at is not opened again by the next, beyond ``per_shape``; the start
    page is always opened."""
    shapes = seen_shapes if seen_shapes is not None else Counter()
    host = urlsplit(base).netloc
    queue: deque[str] = deque([start])
    queued = {start}
    visits: list[Visit] = []
    while queue and len(visits) < max_pages:
        path = queue.popleft()
        if path != start:
            if shapes[shape(path)] >= per_shape:
                continue
        shapes[shape(path)] += 1
        response = page.goto(base + path)
        visit = Visit(path)
        visits.append(visit)
        if response is None or response.status >= 400:
            visit.problems.append(f"answered {response.status if response else 'nothing'}")
            continue
        if urlsplit(page.url).path != urlsplit(path).path:
            continue  # a redirect (to the login page, say): the target is crawled on its own
        for check in checks:
            visit.problems.extend(check(page))
        for href in page.evaluate(LINKS):
            url = urlsplit(urldefrag(href)[0])
            if url.netloc != host or url.query or SKIP.search(url.path):
                continue
            if url.path not in queued:
                queued.add(url.path)
                queue.append(url.path)
    return CrawlResult(visits)
