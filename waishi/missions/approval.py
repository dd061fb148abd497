"""Trip applications as subjects of approval chains (``waishi.approvals.subjects``).

Nobody approves a step of an application they drafted or travel on: ``excluded_*`` name
those accounts. ``decide`` is ``services.mission_decide`` (locking the mission, deciding
the step and applying the workflow's transition, with the policy, publicity and quota
checks of a final approval).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _titles(ids) -> dict[int, str]:
    from waishi.missions.models import Mission

    return {m.pk: str(m) for m in Mission.objects.filter(pk__in=list(ids))}


def _url(pk: int) -> str:
    return reverse("missions:detail", kwargs={"mission_pk": pk})


def excluded_user_ids(pk: int) -> set[int]:
    """The drafter and the accounts of the members."""
    from waishi.missions.models import Mission

    mission = Mission.objects.filter(pk=pk).only("created_by_id").first()
    return excluded_users_of(mission) if mission is not None else set()


def excluded_users_of(mission) -> set[int]:
    """``excluded_user_ids`` of a trip already read (its drafter is on the row)."""
    from waishi.missions.models import Member
    from waishi.orgs.models import User

    people = Member.objects.filter(mission_id=mission.pk).values("person_id")
    users = set(User.objects.filter(person_id__in=people).values_list("pk", flat=True))
    if mission.created_by_id:
        users.add(mission.created_by_id)
    return users


def excluded_for(user):
    """Ids of the applications ``user`` drafted or travels on, as a subquery (the
    approvals queue excludes them in SQL)."""
    from waishi.missions.models import Member, Mission

    condition = Q(created_by_id=user.pk)
    if getattr(user, "person_id", None):
        travels = Member.objects.filter(person_id=user.person_id).values("mission_id")
        condition |= Q(pk__in=travels)
    return Mission.objects.filter(condition).values("pk")


def decide(
    *,
    actor,
    subject_id: int,
    decision: str,
    comment: str = "",
    ip: str = "",
    field_comments: dict | None = None,
    override_reason: str = "",
) -> str:
    """The approvals queue's (and bulk approval's) way in: the same service as the
    decision page and the API (``services.mission_decide``)."""
    from waishi.missions.models import Mission
    from waishi.missions.services import mission_decide

    mission = Mission.objects.filter(pk=subject_id).first()
    if mission is None:
        raise ValidationError(_("Not found."))
    return mission_decide(
        actor=actor,
        mission=mission,
        decision=decision,
        comment=comment,
        field_comments=field_comments,
        override_reason=override_reason,
        ip=ip,
    )


def subject():
    from waishi.approvals.subjects import Subject

    return Subject(
        label=gettext_lazy("Trip application"),
        title=_titles,
        url=_url,
        decide=decide,
        excluded_user_ids=excluded_user_ids,
        excluded_for=excluded_for,
    )
