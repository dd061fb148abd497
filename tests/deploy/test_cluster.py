"""Two app instances (gunicorn, two workers each) and two huey consumers on loopback,
sharing PostgreSQL and Redis (issue 7, item 3): a session opened through one instance
works through the other, a change made through one is seen through the other (data and
cache), and a periodic job runs once per period however many consumers run it."""

from __future__ import annotations

import http.client
import re
import time

import pytest
import redis

from tests.factories import PASSWORD, TOTP_KEY

from .cluster import HOST, REDIS, Browser
from .conftest import running

pytestmark = pytest.mark.deploy

DB = "waishi_deploy"
REDIS_DB = 1
PORTS = (8101, 8102)
JOB = "waishi.notify.tasks.nightly_audit_verification"
COPIES = 20
JOB_SECONDS = 45.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with running(
        tmp_path_factory.mktemp("cluster"), db=DB, redis_db=REDIS_DB, ports=PORTS, missions=2
    ) as started:
        yield started


def test_sessions_data_and_cache_are_shared_between_instances(cluster):
    a, b = (i.port for i in cluster.instances)
    first, second = cluster.seeded["missions"]

    # The real login form and second factor, through A.
    browser = Browser()
    browser.log_in(a, "fao_head", PASSWORD, TOTP_KEY)
    session = browser.cookies[Browser.SESSION]
    # No session row in the database: the session lives in Redis.
    assert cluster.sql("SELECT count(*) FROM django_session") == [(0,)]
    store = redis.Redis.from_url(f"{REDIS}/{REDIS_DB}")
    assert store.exists(f":1:django.contrib.sessions.cache{session}")

    # The same cookie is a logged-in, second-factor-verified session on B.
    page = browser.get(b, f"/missions/{first}/")
    assert page.status == 200, (page.status, page.location)
    assert "Submitted" in page.body

    # Uploads are on the shared storage (WAISHI_MEDIA_DIR), not in an instance's var
    # folder: the invitation letter the seed uploaded is served by both.
    for port in (a, b):
        letter = browser.get(port, f"/missions/{first}/letter/")
        assert letter.status == 200 and letter.body.startswith("%PDF"), letter.status
    assert list(cluster.media.rglob("*.pdf"))
    assert not [i.name for i in cluster.instances if (i.var_dir / "media").exists()]

    # A decision posted through B (a form post that changes data) is seen through A.
    assert browser.get(b, f"/missions/{first}/decide/").status == 200
    answer = browser.post(
        b, f"/missions/{first}/decide/", {"decision": "approve", "confirm": "yes"}
    )
    assert answer.status == 302 and answer.location == f"/missions/{first}/", answer.body[-800:]
    assert cluster.sql("SELECT state FROM missions_mission WHERE id = %s", [first]) == [
        ("approved",)
    ]
    page = browser.get(a, f"/missions/{first}/")
    assert page.status == 200
    assert re.search(r"\bApproved\b", page.body)
    # The other trip is still waiting, on both.
    for port in (a, b):
        assert "Submitted" in browser.get(port, f"/missions/{second}/").body

    # Something cached: the public lookup's rate limit (3 posts per address here) counts
    # across instances, because both count in Redis.
    anonymous = Browser()
    for _ in range(3):
        assert anonymous.post(a, "/declare/check/", {"code": "X", "passport": "E1"}).status != 429
    assert anonymous.post(b, "/declare/check/", {"code": "X", "passport": "E1"}).status == 429

    # Production settings behind nginx: a request that did not come over HTTPS is sent
    # there; the health check answers over plain HTTP (load balancers ask that way).
    for path, status in (("/accounts/login/", 301), ("/healthz", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", b, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": HOST})
            answer = conn.getresponse()
        finally:
            conn.close()
        assert answer.status == status, (path, answer.status)
        if status == 301:
            assert answer.headers["Location"] == f"https://{HOST}{path}"

    # Logging out through A ends the session on B too.
    assert browser.post(a, "/accounts/logout/").status == 302
    stale = Browser({Browser.SESSION: session})
    page = stale.get(b, f"/missions/{first}/")
    assert page.status == 302 and page.location.startswith("/accounts/login/"), page.location


def _executions(cluster) -> list[int]:
    """How many times each instance's consumer has finished the job (huey's log line)."""
    return [
        len(re.findall(rf"{re.escape(JOB)}: \S+ executed in", i.log_text()))
        for i in cluster.instances
    ]


def test_a_periodic_job_runs_once_per_period_with_two_consumers(cluster):
    # Both consumers' schedulers would enqueue the job once a day each; here the job is put
    # in the shared queue COPIES times at once, and the four worker threads of the two
    # consumers race for it.
    cluster.run_python(
        [
            "-c",
            "import django; django.setup(); from waishi.notify import tasks; "
            f"[tasks.nightly_audit_verification() for _ in range({COPIES})]",
        ]
    )
    deadline = time.monotonic() + JOB_SECONDS
    while sum(_executions(cluster)) < COPIES:
        assert time.monotonic() < deadline, (
            f"the consumers finished {_executions(cluster)} of {COPIES} copies "
            f"in {JOB_SECONDS:.0f} s"
        )
        time.sleep(0.3)
    executions = _executions(cluster)
    # Both consumers took copies of the job ...
    assert all(n > 0 for n in executions), executions
    # ... and exactly one ran it: one claim, one effect.
    runs = cluster.sql(
        "SELECT worker, finished_at IS NOT NULL FROM notify_periodicrun WHERE task = %s", [JOB]
    )
    assert len(runs) == 1 and runs[0][1], runs
    consumers = {str(i.children()["consumer"]) for i in cluster.instances}
    assert runs[0][0].rsplit(":", 1)[1] in consumers, (runs, consumers)
    assert cluster.sql("SELECT count(*) FROM audit_auditevent WHERE action = 'audit.verified'") == [
        (1,)
    ]
    skipped = sum(
        i.log_text().count(f"{JOB}: this period's run belongs to another consumer")
        for i in cluster.instances
    )
    # (more than COPIES if a scheduler's own run of the job came by at 02:17 UTC meanwhile)
    assert skipped == sum(_executions(cluster)) - 1
    cluster.waishi("audit", "verify")
