"""Foreign arrivals objects for the access matrix (tests/test_access_matrix.py): each in a
district other than the matrix's ``district`` (the district officer's), so that the
officer must be refused everywhere; configuration (plans, rules) is the seeded one,
readable by the arrivals roles; campaigns and import batches belong to no district and
are the city command's alone.

Arrivals are not named with FOREIGN_MARKER: the matrix's name check is about
``orgs.Person`` visibility (an arrival's name shown to the city command is no leak).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

_NUMBERS = itertools.count(1)


def _foreign_district():
    from tests.factories import DistrictFactory

    return DistrictFactory(code="370291", name="矩阵外区")


def _second_foreign_district():
    from tests.factories import DistrictFactory

    return DistrictFactory(code="370292", name="矩阵外区二")


def foreign_arrival(world=None, *, district=None, name: str = "外区入境人员"):
    """An arrival of another district than the matrix's, registered by the service."""
    from waishi.arrivals import services
    from waishi.arrivals.models import SourceKind

    data = {
        "category": "foreign",
        "name": name,
        "nationality": "GB",
        "phone": "13900000000",
        "origin_country": "GB",
        "route": "BA39",
        "arrival_date": timezone.localdate(),
        "arrival_time": dt.time(9, 30),
        "port": "首都国际机场",
        "address": "外区路9号",
        "purpose": "work",
    }
    return services.arrival_register(
        data=data,
        passport=f"M{next(_NUMBERS):08d}",
        district=district or _foreign_district(),
        kind=SourceKind.PORT,
    ).arrival


def _step(world):
    return foreign_arrival(world).steps.order_by("sequence").first()


def _source(world):
    return foreign_arrival(world).sources.first()


def _handover(world):
    """Between two districts, neither of them the officer's."""
    from waishi.arrivals.models import Handover

    arrival = foreign_arrival(world)
    return Handover.objects.create(
        arrival=arrival,
        from_district_id=arrival.district_id,
        to_district=_second_foreign_district(),
        reason="住址在外区二",
        requested_by=world.cast["city_command"],
    )


def _batch(world):
    from waishi.arrivals.models import ImportBatch, SourceKind

    return ImportBatch.objects.create(
        kind=SourceKind.AIRLINE,
        file_name="航班名单.xlsx",
        file_sm3="0" * 64,
        rows_total=1,
        uploaded_by=world.cast["city_command"],
    )


def _declaration(world):
    from waishi.arrivals.models import HealthDeclaration

    arrival = foreign_arrival(world)
    return HealthDeclaration.objects.create(
        arrival=arrival, source=arrival.sources.first(), symptoms=["cough"]
    )


def _resident(world):
    from waishi.arrivals.models import Resident, code_index, new_confirmation_code

    resident = Resident(
        name="外区居民",
        nationality="DE",
        address="外区路10号",
        district=_foreign_district(),
        code_index=code_index(new_confirmation_code()),
        next_due=timezone.localdate() + dt.timedelta(days=3),
    )
    resident.set_passport(f"R{next(_NUMBERS):08d}")
    resident.save()
    return resident


def _plan(world):
    from waishi.arrivals.models import ManagementPlan

    return ManagementPlan.current("7+3")


def _plan_rule(world):
    from waishi.arrivals.models import PlanRule

    return PlanRule.objects.order_by("pk").first()


def _campaign(world):
    from waishi.arrivals.models import Campaign

    return Campaign.objects.create(name="矩阵申报活动", created_by=world.cast["city_command"])


BUILDERS = {
    "arrivals.arrival": foreign_arrival,
    "arrivals.step": _step,
    "arrivals.arrivalsource": _source,
    "arrivals.handover": _handover,
    "arrivals.importbatch": _batch,
    "arrivals.healthdeclaration": _declaration,
    "arrivals.resident": _resident,
    "arrivals.managementplan": _plan,
    "arrivals.planrule": _plan_rule,
    "arrivals.campaign": _campaign,
}
