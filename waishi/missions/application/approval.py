"""Trip applications as subjects of approval chains (``waishi.approvals.subjects``).

Nobody approves a step of an application they drafted or travel on: ``core.exclusion``
names those accounts. ``decide`` is the decision template with the trip's hooks
(``services.decisions.MissionDecision``: locking the mission, deciding the step and
applying the workflow's transition, with the policy, publicity and quota checks of a
final approval), the same path as the decision page and the API.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from waishi.approvals.deciding import decider
from waishi.approvals.subjects import Subject
from waishi.missions.application.services.decisions import DECISION
from waishi.missions.core.exclusion import excluded_for, excluded_user_ids
from waishi.missions.core.publicity import earliest_final_approval
from waishi.missions.models import Mission


def _titles(ids) -> dict[int, str]:
    return {m.pk: str(m) for m in Mission.objects.filter(pk__in=list(ids))}


def _url(pk: int) -> str:
    return reverse("missions:detail", kwargs={"mission_pk": pk})


def subject():
    return Subject(
        label=gettext_lazy("Trip application"),
        title=_titles,
        url=_url,
        decide=decider(DECISION),
        excluded_user_ids=excluded_user_ids,
        excluded_for=excluded_for,
        earliest_final=earliest_final_approval,
    )
