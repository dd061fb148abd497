"""Foreign passports, custody and applications for the access matrix: the foreign
person's, so that any leak shows the marker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _passport(world, number: str = "SE7000001"):
    from waishi.passports.models import Kind, Passport

    today = timezone.localdate()
    passport = Passport(
        holder=world.foreign_person,
        kind=Kind.SERVICE,
        issued_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=2000),
    )
    passport.set_number(number)
    passport.save()
    return passport


def _custody(world):
    from tests.missions.matrix import _foreign_mission
    from waishi.passports.models import PassportCustody, PassportState

    passport = _passport(world, "SE7000002")
    passport.state = PassportState.ISSUED
    passport.save(update_fields=["state"])
    return PassportCustody.objects.create(
        passport=passport,
        mission=_foreign_mission(world),
        issued_by=world.cast["fao_head"],
        due_back=timezone.localdate() - dt.timedelta(days=3),
    )


def _application(world):
    from waishi.passports.models import ApplicationType, PassportApplication

    return PassportApplication.objects.create(
        person=world.foreign_person,
        kind="service",
        application_type=ApplicationType.NEW,
        reason="外单位申请",
        created_by=world.cast["outsider"],
    )


BUILDERS = {
    "passports.passport": _passport,
    "passports.passportcustody": _custody,
    "passports.passportapplication": _application,
}
