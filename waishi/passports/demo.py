"""Invented official passports for the demo city (after the trips demo): one in custody for
every member of the demo trips, registered by the demo FAO reviewer through the service
(so into the audit chain). Numbers are invented (E + 8 digits from the person's id) and
valid for five years from 2024. Idempotent: a person who holds one is left alone."""

from __future__ import annotations

from datetime import date
from typing import IO


def seed_passports(stdout: IO[str] | None = None) -> int:
    from waishi.missions.models import Member
    from waishi.orgs.models import Person, User
    from waishi.passports import services
    from waishi.passports.models import Kind, Passport

    reviewer = User.objects.filter(username="reviewer").first()
    if reviewer is None:
        return 0
    holders = Person.objects.filter(pk__in=Member.objects.values("person_id")).exclude(
        pk__in=Passport.objects.values("holder_id")
    )
    created = 0
    for person in holders.order_by("pk"):
        services.passport_register(
            actor=reviewer,
            holder=person,
            kind=Kind.OFFICIAL_ORDINARY,
            number=f"E{90000000 + person.pk:08d}",
            issued_on=date(2024, 3, 1),
            expires_on=date(2029, 2, 28),
        )
        created += 1
    if stdout is not None:
        stdout.write(f"passports: {created} demo official passports registered\n")
    return created


def seed_travel(stdout: IO[str] | None = None) -> int:
    """Take the demo trips that were approved and whose dates are past through what came
    after (through the services, so into the audit chain): the head's acknowledgment and
    every member's education three days before departure, passports issued, departure and
    return on the approved dates, passports taken back. The trip report is then owed (and,
    a month after the return, overdue: the unit's obligations page shows it). A trip
    already past ``approved`` is left alone. Lives here because passports sit above
    missions; the steps are the missions' and passports' own services."""
    from datetime import timedelta

    from django.utils import timezone

    from waishi.missions.models import Mission, State
    from waishi.missions.trip import predeparture
    from waishi.missions.trip import services as trip_services
    from waishi.orgs.models import User
    from waishi.passports import services
    from waishi.passports.models import Passport, PassportCustody

    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "reviewer"])}
    if len(users) < 2:
        return 0
    clerk, reviewer = users["clerk"], users["reviewer"]
    today = timezone.localdate()
    done = 0
    trips_past = Mission.objects.filter(
        state=State.APPROVED, unit=clerk.unit, return_date__lt=today
    ).order_by("pk")
    for mission in trips_past:
        before = mission.departure_date - timedelta(days=3)
        predeparture.leader_acknowledge(actor=clerk, mission=mission, acknowledged_on=before)
        members = list(mission.members.select_related("person").order_by("pk"))
        for member in members:
            predeparture.education_record(
                actor=clerk,
                mission=mission,
                member=member,
                given_on=before,
                method="group",
                given_by="市外办外事纪律教育（演示）",
            )
        passports = list(
            Passport.objects.filter(holder_id__in=[m.person_id for m in members]).order_by("pk")
        )
        services.passports_issue(actor=reviewer, mission=mission, passports=passports)
        mission = trip_services.mission_depart(
            actor=clerk, mission=mission, on=mission.departure_date
        )
        mission = trip_services.mission_come_back(
            actor=clerk, mission=mission, on=mission.return_date
        )
        for custody in PassportCustody.objects.filter(mission=mission, returned_at__isnull=True):
            services.passport_return(actor=reviewer, custody=custody, note="演示：回国后交回")
        done += 1
    if stdout is not None:
        stdout.write(f"passports: {done} demo trips taken through departure and return\n")
    return done
