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
        stdout.write(f"passports: {created} demo official passports registered")
    return created
