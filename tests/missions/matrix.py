"""A foreign trip application for the access matrix: the foreign unit's, with the
foreign person as its member and as its title, so that any leak shows the marker."""

from __future__ import annotations

from tests.conftest import FOREIGN_MARKER


def _foreign_mission(world):
    from tests.missions.conftest import letter
    from waishi.missions.models import Member, Mission

    mission = Mission.objects.create(
        unit=world.foreign_unit, title=f"{FOREIGN_MARKER}的团组", created_by=world.cast["outsider"]
    )
    mission.invitation_letter.save("letter.pdf", letter(), save=True)
    Member.objects.create(mission=mission, person=world.foreign_person, task=FOREIGN_MARKER)
    return mission


def _foreign_member(world):
    """A member of a foreign trip (for the pre-departure education URL)."""
    from waishi.missions.models import Member

    found = Member.objects.filter(mission__unit=world.foreign_unit).first()
    return found or _foreign_mission(world).members.get()


def _foreign_change(world):
    """A change request of a foreign trip (approved, with its first itinerary version)."""
    import datetime as dt

    from waishi.missions.models import ChangeRequest, ItineraryVersion, Mission

    mission = _foreign_mission(world)
    today = dt.date.today()
    Mission.objects.filter(pk=mission.pk).update(
        state="approved", departure_date=today, return_date=today, itinerary_version=1
    )
    ItineraryVersion.objects.get_or_create(
        mission=mission,
        number=1,
        defaults={"departure_date": today, "return_date": today, "stops": [], "members": []},
    )
    return ChangeRequest.objects.create(
        mission=mission,
        number=1,
        base_number=1,
        reason=FOREIGN_MARKER,
        proposed={
            "departure_date": str(today),
            "return_date": str(today),
            "stops": [],
            "members": [],
        },
        created_by=world.cast["outsider"],
    )


def _foreign_version(world):
    from waishi.missions.models import ItineraryVersion

    found = ItineraryVersion.objects.filter(mission__unit=world.foreign_unit).first()
    return found or _foreign_change(world).mission.itineraries.get()


def _foreign_incident(world):
    import datetime as dt

    from django.utils import timezone

    from waishi.missions.models import Incident, Mission

    mission = _foreign_mission(world)
    Mission.objects.filter(pk=mission.pk).update(state="abroad", actual_departure=dt.date.today())
    return Incident.objects.create(
        mission=mission,
        kind="media",
        occurred_at=timezone.now(),
        place=FOREIGN_MARKER,
        report=FOREIGN_MARKER,
        recorded_by=world.cast["outsider"],
    )


BUILDERS = {
    "missions.mission": _foreign_mission,
    "missions.member": _foreign_member,
    "missions.changerequest": _foreign_change,
    "missions.itineraryversion": _foreign_version,
    "missions.incident": _foreign_incident,
}
