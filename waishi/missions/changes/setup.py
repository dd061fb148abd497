"""What change requests (the approvals subject ``missions.change``) registers with
other apps; called from ``MissionsConfig.ready()``: the approvals subject (how the queue
names, links and decides a change request, and who may not decide it) and the readable
sentences of its audit actions."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from waishi.approvals import subjects
from waishi.approvals.deciding import decider
from waishi.approvals.subjects import Subject
from waishi.audit.messages import register, register_saves
from waishi.missions.changes.services import DECISION, excluded_user_ids
from waishi.missions.models import ChangeRequest

SUBJECT = "missions.change"


def _titles(ids) -> dict[int, str]:
    rows = ChangeRequest.objects.filter(pk__in=list(ids)).select_related("mission")
    return {c.pk: str(c) for c in rows}


def _url(pk: int) -> str:
    mission_id = ChangeRequest.objects.filter(pk=pk).values_list("mission_id", flat=True).first()
    if mission_id is None:
        return ""
    return reverse("missions:change-detail", kwargs={"mission_pk": mission_id, "change_pk": pk})


def _urls(ids) -> dict[int, str]:
    rows = ChangeRequest.objects.filter(pk__in=list(ids)).values_list("pk", "mission_id")
    return {
        pk: reverse("missions:change-detail", kwargs={"mission_pk": mission_id, "change_pk": pk})
        for pk, mission_id in rows
    }


def _excluded(pk: int) -> set[int]:
    return excluded_user_ids(pk)


def subject():
    return Subject(
        label=gettext_lazy("Change request"),
        title=_titles,
        url=_url,
        decide=decider(DECISION),
        excluded_user_ids=_excluded,
        urls=_urls,
    )


AUDIT_MESSAGES = {
    "missions.changerequest.create": gettext_lazy("{actor} drafted {object}"),
    "missions.changerequest.update": gettext_lazy("{actor} edited {object}"),
    "missions.changerequest.submit": gettext_lazy("{actor} submitted {object}"),
    "missions.changerequest.resubmit": gettext_lazy("{actor} resubmitted {object}"),
    "missions.changerequest.withdraw": gettext_lazy("{actor} withdrew {object}"),
    "missions.changerequest.review": gettext_lazy("{actor} started reviewing {object}"),
    "missions.changerequest.return": gettext_lazy("{actor} returned {object} for changes"),
    "missions.changerequest.reject": gettext_lazy("{actor} rejected {object}"),
    "missions.changerequest.approve": gettext_lazy(
        "{actor} approved {object}: itinerary version {new_version} is in force"
    ),
}


def ready() -> None:
    """Register the approvals subject and the audit sentences."""
    register(AUDIT_MESSAGES)
    register_saves("missions.changerequest.update")
    subjects.register(SUBJECT, subject())
