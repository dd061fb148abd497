"""Seeds a deploy test's database; run by the harness in a subprocess with the cluster's
environment (``python -m tests.deploy.seed MISSIONS``), prints what it made as JSON.

The cast: the FAO (市外办) with its head and a reviewer (both with the test TOTP key),
the home unit (市商务局) with its clerk, an approved plan for the trips' year with
enough general quota, and MISSIONS trips of the home unit, each submitted with a single
approval step -- the FAO head's, pending, the final approval -- and publicity exempted.
The first trip is built through the services; the others copy its rows (as in
tests/missions/test_concurrency.py) for speed.
"""

from __future__ import annotations

import json
import os
import sys


def _copy(model, row, **changes):
    values = {
        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return model(**values)


def seed(count: int, quota: int) -> dict:
    from django.db import transaction

    from tests.factories import DistrictFactory, PersonFactory, UnitFactory, UserFactory
    from tests.missions.conftest import build_mission
    from tests.plans.builders import approved_plan
    from waishi.approvals import services as approvals
    from waishi.approvals.models import ApprovalRule
    from waishi.lib.roles import Role
    from waishi.missions import services
    from waishi.missions.models import BudgetLine, Member, Mission, Publicity, Stop
    from waishi.orgs.models import UnitKind

    subject = "missions.mission"
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
        ApprovalRule.objects.filter(applies_to=subject).exclude(approver_role="fao_head").update(
            active=False
        )
        person = PersonFactory(unit=home, name="赵六", rank="section_below")
        base = services.mission_submit(actor=clerk, mission=build_mission(clerk, [person]))
        missions = [base]
        stop, member, line = base.stops.get(), base.members.get(), base.budget_lines.get()
        for i in range(1, count):
            m = _copy(Mission, base, title=f"{base.title}{i}")
            m.save()
            new_stop = _copy(Stop, stop, mission_id=m.pk)
            new_stop.save()
            Member.objects.create(
                mission=m, person=person, task=member.task, is_leader=True, snapshot=member.snapshot
            )
            _copy(BudgetLine, line, mission_id=m.pk, stop_id=new_stop.pk).save()
            approvals.chain_start(
                actor=clerk, subject_type=subject, subject_id=m.pk, unit=home, facts={}
            )
            missions.append(m)
        for m in missions:
            Publicity.objects.create(
                mission=m,
                exemption="emergency",
                exemption_reason="紧急任务（测试）",
                exempted_by=head,
            )
        year = base.departure_date.year
        approved_plan(home, year=year, general=(quota, quota * 5))
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
