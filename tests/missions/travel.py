"""Builders for trips after approval: ready to leave, abroad, back.

The approval chain is tested elsewhere (tests/missions/test_decisions.py); here an approved
trip is given (state set directly), then everything after it goes through the services:
the head's acknowledgment, education, passports issued, departure, return.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.missions.conftest import build_mission
from waishi.missions.models import Mission, Publicity, State
from waishi.missions.trip import predeparture
from waishi.missions.trip import services as trip_services
from waishi.passports import services as passport_services
from waishi.passports.models import Kind

_NUMBERS = iter(f"EJ{n:07d}" for n in range(1000001, 9999999))


def approved(cast, people, *, departs_in: int = 0, days: int = 4, title: str = "赴日本经贸交流"):
    """An approved trip of ``people`` (built by the home unit's clerk) whose approved
    departure is ``departs_in`` days from today and which lasts ``days`` days."""
    mission = build_mission(cast["unit_clerk"], people, title=title)
    start = timezone.localdate() + dt.timedelta(days=departs_in)
    end = start + dt.timedelta(days=days - 1)
    mission.stops.update(arrive=start, depart=end)
    Mission.objects.filter(pk=mission.pk).update(
        state=State.APPROVED,
        # Submitted in good time (LEAD_TIME), approved since.
        submitted_at=timezone.now() + dt.timedelta(days=departs_in - 60),
        approved_at=timezone.now(),
        departure_date=start,
        return_date=end,
        version=mission.version + 1,
    )
    Publicity.objects.create(
        mission=mission, exemption="emergency", exemption_reason="紧急任务（测试）"
    )
    return Mission.objects.get(pk=mission.pk)


def prepare(cast, mission: Mission) -> Mission:
    """Acknowledged, every member educated, every member's passport issued: nothing left
    on the pre-departure checklist."""
    clerk, fao = cast["unit_clerk"], cast["fao_reviewer"]
    today = timezone.localdate()
    predeparture.leader_acknowledge(actor=clerk, mission=mission, acknowledged_on=today)
    members = list(mission.members.select_related("person").order_by("pk"))
    for member in members:
        predeparture.education_record(
            actor=clerk,
            mission=mission,
            member=member,
            given_on=today,
            method="group",
            given_by="市外办",
        )
    for member in members:
        passport = passport_services.passport_register(
            actor=fao,
            holder=member.person,
            kind=Kind.SERVICE,
            number=next(_NUMBERS),
            issued_on=today - dt.timedelta(days=365),
            expires_on=today + dt.timedelta(days=5 * 365),
        )
        passport_services.passport_issue(actor=fao, passport=passport, mission=mission)
    return Mission.objects.get(pk=mission.pk)


def ready(cast, people, **kwargs) -> Mission:
    return prepare(cast, approved(cast, people, **kwargs))


def abroad(cast, people, **kwargs) -> Mission:
    mission = ready(cast, people, **kwargs)
    return trip_services.mission_depart(
        actor=cast["unit_clerk"], mission=mission, on=mission.departure_date
    )


def back(cast, people, *, days_ago: int = 0, days: int = 4, **kwargs) -> Mission:
    """A trip that left ``days - 1 + days_ago`` days ago and came back ``days_ago`` days
    ago, as approved; its report is open."""
    mission = abroad(cast, people, departs_in=-(days - 1 + days_ago), days=days, **kwargs)
    return trip_services.mission_come_back(
        actor=cast["unit_clerk"], mission=mission, on=mission.return_date
    )
