"""Trip applications as subjects of approval chains (``waishi.approvals.subjects``).

Nobody approves a step of an application they drafted or travel on: ``core.exclusion``
names those accounts. ``decide`` is ``services.mission_decide`` (locking the mission, deciding
the step and applying the workflow's transition, with the policy, publicity and quota
checks of a final approval).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.approvals.subjects import Subject
from waishi.missions.application.services import mission_decide
from waishi.missions.core.exclusion import excluded_for, excluded_user_ids
from waishi.missions.models import Mission


def _titles(ids) -> dict[int, str]:
    return {m.pk: str(m) for m in Mission.objects.filter(pk__in=list(ids))}


def _url(pk: int) -> str:
    return reverse("missions:detail", kwargs={"mission_pk": pk})


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
    return Subject(
        label=gettext_lazy("Trip application"),
        title=_titles,
        url=_url,
        decide=decide,
        excluded_user_ids=excluded_user_ids,
        excluded_for=excluded_for,
    )
