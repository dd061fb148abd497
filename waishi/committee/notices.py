"""What the committee's transition rows tell people (``waishi.notify.handoffs``), and the
notice of an item's opinion to the unit that submitted it (no transition: the service
sends it)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.committee.workflow import ISSUERS, MEETING, MINUTES, OFFICE, READERS
from waishi.lib.roles import COMMITTEE, UNIT_ROLES
from waishi.notify import handoffs
from waishi.orgs.selectors import users_holding

GROUP = gettext_lazy("Foreign Affairs Committee")

MINUTES_REVIEW = handoffs.kind(
    "committee.minutes_review",
    gettext_lazy("Committee minutes to review"),
    group=GROUP,
    roles=ISSUERS,
)
MINUTES_RETURNED = handoffs.kind(
    "committee.minutes_returned",
    gettext_lazy("Committee minutes returned to draft"),
    group=GROUP,
    roles=OFFICE,
)
MINUTES_ISSUED = handoffs.kind(
    "committee.minutes_issued",
    gettext_lazy("Committee minutes issued"),
    group=GROUP,
    roles=READERS,
)
OPINION = handoffs.kind(
    "committee.opinion",
    gettext_lazy("The committee's opinion on your unit's item"),
    group=GROUP,
    roles=UNIT_ROLES,
)


def _minutes_url(minutes) -> str:
    return reverse("committee:minutes-detail", kwargs={"minutes_pk": minutes.pk})


handoffs.handoff(
    MINUTES,
    "submit",
    kind=MINUTES_REVIEW,
    recipients=lambda m: users_holding(ISSUERS),
    title=lambda m: _("Minutes to review: %(title)s") % {"title": m.title},
    body=lambda m: _("Issue the minutes, or return them to the office with a reason."),
    url=_minutes_url,
)
handoffs.handoff(
    MINUTES,
    "return",
    kind=MINUTES_RETURNED,
    recipients=lambda m: [m.drafted_by, *users_holding(OFFICE)],
    title=lambda m: _("Minutes returned: %(title)s") % {"title": m.title},
    body=lambda m: m.return_reason,
    url=_minutes_url,
)
handoffs.handoff(
    MINUTES,
    "issue",
    kind=MINUTES_ISSUED,
    recipients=lambda m: [*users_holding(COMMITTEE), *users_holding(OFFICE)],
    title=lambda m: (
        _("Minutes issued: %(number)s %(title)s") % {"number": m.number, "title": m.title}
    ),
    body=lambda m: _("The office now turns the decisions into supervised tasks."),
    url=_minutes_url,
)
handoffs.silent(
    MEETING,
    "hold",
    why="the office records that its own meeting took place; the submitting units are told "
    "of each item's opinion (committee.opinion) and the members of the issued minutes",
)


def _item_url(item) -> str:
    return reverse("committee:item-detail", kwargs={"item_pk": item.pk})


OPINION_GIVEN = handoffs.notice(
    kind=OPINION,
    recipients=lambda item: users_holding(UNIT_ROLES, unit_id=item.submitting_unit_id),
    title=lambda item: (
        _("Opinion on “%(title)s”: %(opinion)s")
        % {"title": item.title, "opinion": item.get_opinion_display()}
    ),
    body=lambda item: (
        item.opinion_note or _("Upload the revised version of the document as the meeting asked.")
    ),
    url=_item_url,
)
