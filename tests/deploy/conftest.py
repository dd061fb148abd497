"""Deploy tests: two instances of ``waishi serve`` on loopback sharing PostgreSQL and Redis
(``tests/deploy/cluster.py``). Marked ``deploy``: ``make test-deploy`` runs them, the
other suites leave them out. They need PostgreSQL on 127.0.0.1:5432 and Redis on
127.0.0.1:6379, as ``.ci/run`` starts them.

Every process a cluster starts is stopped after its tests, pass or fail. Its database
and its logs (``serve-A.log``, ``serve-B.log`` in the test's temporary folder) stay for
a look after a failure; the next run replaces them."""

from __future__ import annotations

import contextlib

import pytest

from tests.deploy.cluster import Cluster


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/deploy/" in str(item.fspath):
            item.add_marker(pytest.mark.deploy)


@contextlib.contextmanager
def running(base, *, db: str, redis_db: int, ports: tuple[int, int], missions: int, quota=None):
    cluster = Cluster(base / db, db=db, redis_db=redis_db, ports=ports)
    try:
        cluster.start(missions, quota)
        print(
            f"\ncluster {db} ready: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in cluster.timings.items())
        )
        yield cluster
    finally:
        cluster.stop()
