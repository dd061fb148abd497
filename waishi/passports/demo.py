"""Invented official passports for the demo city: one in custody for each person given
(the staff the demo trips are drawn from), registered by the demo FAO reviewer through
the service (so into the audit chain). Numbers are invented (E + 8 digits from the
person's id), issued two years before the demo's day and valid for five years. The trips
take them out and back in ``waishi.ops.demo``. Idempotent: a person who holds one is
left alone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import IO


def seed_passports(stdout: IO[str] | None = None, people=(), today: date | None = None) -> int:
    from django.utils import timezone

    from waishi.orgs.models import User
    from waishi.passports import services
    from waishi.passports.models import Kind, Passport

    reviewer = User.objects.filter(username="reviewer").first()
    if reviewer is None:
        return 0
    today = today or timezone.localdate()
    issued = today - timedelta(days=730)
    have = set(Passport.objects.values_list("holder_id", flat=True))
    created = 0
    for person in sorted(people, key=lambda p: p.pk):
        if person.pk in have:
            continue
        services.passport_register(
            actor=reviewer,
            holder=person,
            kind=Kind.OFFICIAL_ORDINARY,
            number=f"E{90000000 + person.pk:08d}",
            issued_on=issued,
            expires_on=issued + timedelta(days=5 * 365),
        )
        created += 1
    if stdout is not None:
        stdout.write(f"passports: {created} demo official passports registered\n")
    return created
