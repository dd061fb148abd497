"""The batch work over the API, through the pages' services and scoping: one education
session for several members, passports back in bulk, last year's plan copied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import error, ok, send
from tests.missions.conftest import build_mission
from tests.plans.builders import approved_plan, binding_entry
from waishi.audit.models import AuditEvent
from waishi.missions.models import Education, Mission, State
from waishi.passports import services as passport_services
from waishi.passports.models import Kind, PassportCustody
from waishi.plans import services as plan_services
from waishi.plans.models import PlanEntry, Quota

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()


@pytest.fixture
def people(home_unit):
    from tests.factories import PersonFactory

    return [
        PersonFactory(name="李雷", unit=home_unit),
        PersonFactory(name="韩梅梅", unit=home_unit),
    ]


@pytest.fixture
def trip(cast, people):
    mission = build_mission(cast["unit_clerk"], people)
    Mission.objects.filter(pk=mission.pk).update(
        state=State.APPROVED, approved_at=timezone.now(), submitted_at=timezone.now()
    )
    return Mission.objects.get(pk=mission.pk)


def _session(**changes) -> dict:
    return {"given_on": YESTERDAY, "method": "group", "given_by": "市外办", **changes}


# --- education ------------------------------------------------------------------------------


def test_one_session_for_every_member(api_as, trip):
    url = f"/api/v1/missions/{trip.pk}/education/"
    body = ok(send(api_as("unit_clerk"), "post", url, _session(), key="edu-1"))
    assert sorted(r["member"] for r in body["recorded"]) == sorted(
        trip.members.values_list("pk", flat=True)
    )
    assert body["not_recorded"] == []
    assert Education.objects.filter(member__mission=trip).count() == 2
    assert AuditEvent.objects.filter(action="missions.mission.education").count() == 2
    listed = ok(api_as("fao_reviewer").get(url))
    assert len(listed["recorded"]) == 2


def test_chosen_members_and_bad_input(api_as, trip, cast, home_unit):
    url = f"/api/v1/missions/{trip.pk}/education/"
    client = api_as("unit_clerk")
    other = build_mission(cast["unit_clerk"], [trip.members.first().person], title="另一团组")
    stranger = other.members.get().pk
    first = trip.members.order_by("pk").first().pk
    for data in (
        _session(members=[first, stranger]),  # not a member of this delegation
        _session(members=[]),
        _session(members=[0]),
        _session(given_on="2999-01-01"),
        _session(method="nope"),
    ):
        error(send(client, "post", url, data), 400)
    assert not Education.objects.exists()
    body = ok(send(client, "post", url, _session(members=[first])))
    assert [r["member"] for r in body["recorded"]] == [first]
    assert len(body["not_recorded"]) == 1


def test_education_refusals(api_as, trip):
    url = f"/api/v1/missions/{trip.pk}/education/"
    assert error(send(api_as("fao_reviewer"), "post", url, _session()), 403)
    assert error(send(api_as("auditor"), "post", url, _session()), 403)
    error(send(api_as("outsider"), "post", url, _session()), 404)
    assert not Education.objects.exists()


# --- passports ------------------------------------------------------------------------------


@pytest.fixture
def out(cast, trip, people):
    fao = cast["fao_reviewer"]
    for member in trip.members.all():
        Education.objects.create(
            member=member,
            given_on=timezone.localdate(),
            method="group",
            given_by="x",
            recorded_by=fao,
        )
    today = timezone.localdate()
    passports = [
        passport_services.passport_register(
            actor=fao,
            holder=person,
            kind=Kind.SERVICE,
            number=f"SE{n:07d}",
            issued_on=today - timedelta(days=365),
            expires_on=today + timedelta(days=5 * 365),
        )
        for n, person in enumerate(people, start=1000001)
    ]
    passport_services.passports_issue(actor=fao, mission=trip, passports=passports)
    return passports


def test_passports_back_in_bulk(api_as, out):
    body = ok(
        send(
            api_as("fao_reviewer"),
            "post",
            "/api/v1/passports/return/",
            {"passports": [p.pk for p in out], "note": "一并交回"},
            key="ret-1",
        )
    )
    assert [p["id"] for p in body] == [p.pk for p in out]
    assert not PassportCustody.objects.filter(returned_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="passports.passport.return").count() == 2


def test_passports_bulk_return_all_or_none(api_as, out, cast):
    passport_services.passport_return(
        actor=cast["fao_reviewer"], custody=PassportCustody.objects.get(passport=out[1])
    )
    client = api_as("fao_reviewer")
    body = error(
        send(client, "post", "/api/v1/passports/return/", {"passports": [p.pk for p in out]}),
        400,
    )
    assert out[1].holder.name in body["message"] + str(body["fields"])
    for data in ({"passports": []}, {"passports": [0]}, {"passports": [out[0].pk, 999999]}):
        error(send(client, "post", "/api/v1/passports/return/", data), 400)
    assert PassportCustody.objects.get(passport=out[0]).returned_at is None
    for name in ("unit_clerk", "auditor"):
        error(
            send(api_as(name), "post", "/api/v1/passports/return/", {"passports": [out[0].pk]}),
            403,
        )
    assert PassportCustody.objects.get(passport=out[0]).returned_at is None


# --- the plan -------------------------------------------------------------------------------


@pytest.fixture
def plans(cast, home_unit):
    old = approved_plan(home_unit, year=2044, general=(2, 6), econ_tech=None)
    binding_entry(old, home_unit, title="赴日本经贸交流团")
    new = plan_services.plan_open(
        actor=cast["fao_head"], year=2045, deadline=timezone.localdate() + timedelta(days=30)
    )
    return old, new


def test_copy_last_years_entries_and_quotas(api_as, plans):
    _old, new = plans
    base = f"/api/v1/plans/{new.pk}/"
    body = ok(send(api_as("unit_clerk"), "post", f"{base}entries/copy-last-year/", key="c1"), 201)
    assert [e["title"] for e in body] == ["赴日本经贸交流团"]
    assert PlanEntry.objects.filter(plan=new).count() == 1
    error(send(api_as("unit_clerk"), "post", f"{base}entries/copy-last-year/"), 400)
    assert PlanEntry.objects.filter(plan=new).count() == 1
    body = ok(send(api_as("fao_reviewer"), "post", f"{base}quotas/copy-last-year/"), 201)
    assert [(q["batches"], q["person_trips"]) for q in body] == [(2, 6)]
    error(send(api_as("fao_reviewer"), "post", f"{base}quotas/copy-last-year/"), 400)
    assert Quota.objects.filter(plan=new).count() == 1


def test_copy_refusals(api_as, plans):
    _old, new = plans
    base = f"/api/v1/plans/{new.pk}/"
    for name in ("fao_reviewer", "auditor", "unit_leader"):
        error(send(api_as(name), "post", f"{base}entries/copy-last-year/"), 403)
    for name in ("unit_clerk", "committee", "auditor"):
        error(send(api_as(name), "post", f"{base}quotas/copy-last-year/"), 403)
    assert not PlanEntry.objects.filter(plan=new).exists()
    assert not Quota.objects.filter(plan=new).exists()
