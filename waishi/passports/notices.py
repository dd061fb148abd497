"""What the passports' transition rows tell people (``waishi.notify.handoffs``), and the
notice kinds of the passports' daily sweep. Passports sit above missions, so they declare
their own notice on the trip's return: the passports issued for it are to come back."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.lib.roles import FAO, UNIT_ROLES, Role
from waishi.missions.core.workflow import MISSION
from waishi.notify import handoffs
from waishi.orgs.selectors import users_holding
from waishi.passports.models import PassportCustody
from waishi.passports.workflow import APPLICATION, PASSPORT

GROUP = gettext_lazy("Official passports")

TO_RETURN = handoffs.kind(
    "passports.return_reminder",
    gettext_lazy("Official passports to return"),
    group=GROUP,
    roles=UNIT_ROLES,
)
handoffs.kind(
    "passports.return_escalation",
    gettext_lazy("An official passport of your unit is overdue"),
    group=GROUP,
    roles=UNIT_ROLES,
)
handoffs.kind(
    "passports.unit_locked",
    gettext_lazy("New trip applications locked for an overdue passport"),
    group=GROUP,
    roles=UNIT_ROLES | FAO,
)
handoffs.kind(
    "passports.expiry", gettext_lazy("An official passport expires soon"), group=GROUP, roles=FAO
)
handoffs.kind(
    "passports.application",
    gettext_lazy("A passport application waits for you"),
    group=GROUP,
    roles=FAO,
)
DECIDED = handoffs.kind(
    "passports.application_decided",
    gettext_lazy("A decision on your passport application"),
    group=GROUP,
    roles=UNIT_ROLES | FAO,
)


def _out_for(mission):
    return (
        PassportCustody.objects.filter(mission_id=mission.pk, returned_at__isnull=True)
        .select_related("passport__holder")
        .order_by("due_back", "pk")
    )


def _holders_clerks(mission) -> list:
    """The clerks of the holders' units (the trip's unit, usually)."""
    units = {c.passport.holder.unit_id for c in _out_for(mission)}
    return [u for unit in sorted(units) for u in users_holding(Role.UNIT_CLERK, unit_id=unit)]


def _names(mission) -> str:
    return "、".join(c.passport.holder.name for c in _out_for(mission))


handoffs.handoff(
    MISSION,
    "come_back",
    kind=TO_RETURN,
    recipients=_holders_clerks,
    title=lambda m: _("Return the official passports of “%(trip)s”") % {"trip": m},
    body=lambda m: (
        _("The trip is back: hand the passports of %(names)s back to the FAO.")
        % {"names": _names(m)}
    ),
    url=lambda m: reverse("passports:list"),
    due=lambda m: getattr(_out_for(m).first(), "due_back", None),
)

handoffs.silent(PASSPORT, "issue", why="the FAO hands the passport out itself: nothing waits")
for action in ("return", "return_expired"):
    handoffs.silent(PASSPORT, action, why="the FAO takes the passport back itself")
handoffs.silent(PASSPORT, "lost", why="the FAO records the loss itself; nobody else acts")
handoffs.silent(PASSPORT, "cancelled", why="the FAO cancels the passport itself")
handoffs.silent(
    PASSPORT,
    "expired",
    why="the daily sweep's expiry notice ('passports.expiry') told the FAO before the date",
)
for action, title in (
    ("approve", gettext_lazy("Passport application for %(name)s approved")),
    ("reject", gettext_lazy("Passport application for %(name)s rejected")),
):
    handoffs.handoff(
        APPLICATION,
        action,
        kind=DECIDED,
        recipients=lambda a: [a.created_by],
        title=lambda a, t=title: str(t) % {"name": a.person.name},
        body=lambda a: a.decision_note,
        url=lambda a: reverse("passports:application-detail", kwargs={"application_pk": a.pk}),
    )
