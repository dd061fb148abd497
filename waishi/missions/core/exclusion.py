"""Who may not decide on a trip (or on what hangs off it: its change requests, its
report): the account that drafted the application and the accounts of its members.
``excluded_*`` name those accounts; the approvals queue, the decision services and the
report's workflow all ask here."""

from __future__ import annotations

from django.db.models import Q

from waishi.missions.models import Member, Mission
from waishi.orgs.models import User


def excluded_user_ids(pk: int) -> set[int]:
    """The drafter and the accounts of the members."""

    mission = Mission.objects.filter(pk=pk).only("created_by_id").first()
    return excluded_users_of(mission) if mission is not None else set()


def excluded_users_of(mission) -> set[int]:
    """``excluded_user_ids`` of a trip already read (its drafter is on the row)."""

    people = Member.objects.filter(mission_id=mission.pk).values("person_id")
    users = set(User.objects.filter(person_id__in=people).values_list("pk", flat=True))
    if mission.created_by_id:
        users.add(mission.created_by_id)
    return users


def excluded_for(user):
    """Ids of the applications ``user`` drafted or travels on, as a subquery (the
    approvals queue excludes them in SQL)."""

    condition = Q(created_by_id=user.pk)
    if getattr(user, "person_id", None):
        travels = Member.objects.filter(person_id=user.person_id).values("mission_id")
        condition |= Q(pk__in=travels)
    return Mission.objects.filter(condition).values("pk")
