"""The key points' registrations, made from the committee's ``AppConfig.ready()`` by
importing this module: who sees them (scoping), the supervised task's source
"committee.keypoint" (a leaf of the year's work key points), and their audit messages."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from waishi.committee import keypoint_audit_messages  # noqa: F401
from waishi.committee.keypoint_models import KeyPoint, KeyPointPlan
from waishi.committee.workflow import READERS
from waishi.followups import sources
from waishi.orgs import scoping
from waishi.orgs.scoping import Scope

# The key points are the committee's: its members, the office and the auditor read them;
# a unit sees the tasks it leads or supports on the tracker.
scoping.register(KeyPointPlan, Scope(only=READERS, url_kwarg="kplan_pk"))
scoping.register(KeyPoint, Scope(only=READERS, url_kwarg="keypoint_pk"))


def _titles(ids) -> dict[int, str]:
    rows = KeyPoint.objects.filter(pk__in=list(ids)).select_related("plan")
    return {p.pk: f"{p.plan.title}：{p.title[:80]}" for p in rows}


def _url(pk: int) -> str:
    plan_pk = KeyPoint.objects.filter(pk=pk).values_list("plan_id", flat=True).first()
    if plan_pk is None:
        return ""
    try:
        return reverse("committee:keypoint-plan", kwargs={"kplan_pk": plan_pk}) + f"#kp-{pk}"
    except NoReverseMatch:  # the pages not included: the title without a link
        return ""


def _can_see(user, pk: int) -> bool:
    return scoping.visible(user, KeyPoint).filter(pk=pk).exists()


sources.register(
    "committee.keypoint",
    sources.Source(
        label=_("Work key point of the year"),
        title=_titles,
        url=_url,
        can_see=_can_see,
    ),
)
