"""Seeds a deploy test's database; run by the harness in a subprocess with the cluster's
environment (``python -m tests.deploy.seed MISSIONS``), prints what it made as JSON.

The cast: the FAO (市外办) with its head and a reviewer (both with the test TOTP key),
the home unit (市商务局) with its clerk, an approved plan for the trips' year with
enough general quota, and MISSIONS trips of the home unit, each submitted with a single
approval step -- the FAO head's, pending, the final approval -- and publicity exempted.
What the factories wrote is recorded in the audit chain at the end, as the demo does.
The first trip is built through the services; the others copy its rows (as in
tests/missions/test_concurrency.py) for speed.
"""

from __future__ import annotations

import json
import os
import sys


def seed(count: int, quota: int) -> dict:
    from django.db import transaction

    from tests.factories import DistrictFactory, UnitFactory, UserFactory
    from tests.missions.decisions import awaiting_final_approval
    from tests.plans.builders import approved_plan
    from waishi.audit.services import record_state
    from waishi.lib.roles import Role
    from waishi.orgs.models import UnitKind

    with transaction.atomic():
        district = DistrictFactory(code="370199", name="示范区")
        fao = UnitFactory(code="FAO", name="市外办", kind=UnitKind.FAO)
        home = UnitFactory(code="U-HOME", name="市商务局", short_name="商务局", district=district)
        clerk = UserFactory(username="unit_clerk", role=Role.UNIT_CLERK, unit=home)
        head = UserFactory(
            username="fao_head", role=Role.FAO_HEAD, unit=fao, otp=True, language="en"
        )
        UserFactory(
            username="fao_reviewer", role=Role.FAO_REVIEWER, unit=fao, otp=True, language="en"
        )
        missions = awaiting_final_approval(clerk, head, home, count)
        year = missions[0].departure_date.year
        approved_plan(home, year=year, general=(quota, quota * 5))
        # The factories write rows as the demo does, past the services: their state goes
        # into the audit chain as the demo's does, or `waishi audit verify` (which the
        # tests run at the end) reports them as made outside the application.
        record_state(actor_name="tests.deploy.seed")
    return {"missions": [m.pk for m in missions], "year": year, "unit": home.pk}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waishi.settings")
    import django

    django.setup()
    count = int(sys.argv[1])
    quota = int(sys.argv[2]) if len(sys.argv) > 2 else count + 10
    print(json.dumps(seed(count, quota)))


if __name__ == "__main__":
    main()
