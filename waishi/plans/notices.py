"""What the annual plan's transition rows tell people (``waishi.notify.handoffs``): an
entry submitted waits for the FAO; a returned or approved entry goes back to its unit;
a consolidated plan waits for the committee, a plan sent back for the FAO head; an
approved plan tells the units that its quotas bind."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.lib.roles import COMMITTEE, FAO, FAO_HEAD, UNIT_ROLES
from waishi.notify import handoffs
from waishi.orgs.selectors import users_holding
from waishi.plans.workflow import ENTRY, PLAN

GROUP = gettext_lazy("Annual plans")

ENTRY_REVIEW = handoffs.kind(
    "plans.entry_submitted", gettext_lazy("A plan entry waits for review"), group=GROUP, roles=FAO
)
ENTRY_DECIDED = handoffs.kind(
    "plans.entry_decided",
    gettext_lazy("A plan entry of your unit was returned or approved"),
    group=GROUP,
    roles=UNIT_ROLES,
)
PLAN_WAITS = handoffs.kind(
    "plans.plan_waiting",
    gettext_lazy("The annual plan waits for you"),
    group=GROUP,
    roles=COMMITTEE | FAO_HEAD,
)
PLAN_APPROVED = handoffs.kind(
    "plans.plan_approved",
    gettext_lazy("The annual plan was approved"),
    group=GROUP,
    roles=UNIT_ROLES | FAO,
)


def _entry_url(entry) -> str:
    return reverse("plans:entry-detail", kwargs={"entry_pk": entry.pk})


def _plan_url(plan) -> str:
    return reverse("plans:plan-detail", kwargs={"plan_pk": plan.pk})


def _unit(entry) -> list:
    return list(users_holding(UNIT_ROLES, unit_id=entry.unit_id))


handoffs.handoff(
    ENTRY,
    "submit",
    kind=ENTRY_REVIEW,
    recipients=lambda e: users_holding(FAO),
    title=lambda e: (
        _("Plan entry to review: “%(entry)s” (%(unit)s)") % {"entry": e, "unit": e.unit}
    ),
    body=lambda e: _("Accept the entry or return it with a comment."),
    url=_entry_url,
)
handoffs.silent(
    ENTRY,
    "accept",
    why="an accepted entry waits for the plan's consolidation, which the FAO head does "
    "for the whole plan (its page lists what is still submitted)",
)
handoffs.handoff(
    ENTRY,
    "return",
    kind=ENTRY_DECIDED,
    recipients=_unit,
    title=lambda e: _("Plan entry returned for changes: “%(entry)s”") % {"entry": e},
    body=lambda e: _("Correct the entry as the comment asks and submit it again."),
    url=_entry_url,
)


def _amended_unit(entry) -> list:
    """An amendment approved on its own tells its unit; the entries approved with the
    whole plan (frozen at its version 1) are told by the plan's own 'approve' notice.
    Read from the version the approval froze, not from the plan now (a later amendment
    in the same transaction has raised it by the time the notice goes)."""
    frozen = entry.bound_version
    return _unit(entry) if frozen is not None and frozen.plan_version > 1 else []


handoffs.handoff(
    ENTRY,
    "approve",
    kind=ENTRY_DECIDED,
    recipients=_amended_unit,
    title=lambda e: _("Plan entry approved: “%(entry)s”") % {"entry": e},
    url=_entry_url,
)
handoffs.silent(ENTRY, "amend", why="the unit re-opens its own entry: its submission tells the FAO")
handoffs.silent(ENTRY, "discard", why="the unit drops its own amendment: nothing waits")
handoffs.handoff(
    PLAN,
    "consolidate",
    kind=PLAN_WAITS,
    recipients=lambda p: users_holding(COMMITTEE),
    title=lambda p: _("%(plan)s waits for the committee's approval") % {"plan": p},
    url=_plan_url,
)
handoffs.handoff(
    PLAN,
    "reopen",
    kind=PLAN_WAITS,
    recipients=lambda p: users_holding(FAO_HEAD),
    title=lambda p: _("%(plan)s was sent back to the FAO") % {"plan": p},
    body=lambda p: _("Review the entries again and send the plan to the committee."),
    url=_plan_url,
)
handoffs.handoff(
    PLAN,
    "approve",
    kind=PLAN_APPROVED,
    recipients=lambda p: users_holding(UNIT_ROLES | FAO),
    title=lambda p: _("%(plan)s was approved") % {"plan": p},
    body=lambda p: _("Its entries and quotas bind the trips of the year."),
    url=_plan_url,
)
