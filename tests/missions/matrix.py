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


BUILDERS = {"missions.mission": _foreign_mission, "missions.member": _foreign_member}
