"""The daily summary of arrivals (issue 6, deliverable 6): each morning, each district's
officers hear what their district has to do, and the city command hears the whole city.

Per district: the arrivals registered yesterday, the open arrivals by state, the steps
due today and those already overdue, the hand-overs waiting for its answer. A district
with nothing to report gets no message. Sent in-app and by e-mail
(``waishi.notify.services.notify``), once per district and day however often the job
runs (``dedupe_key``). The job itself is ``tasks.arrivals_daily_summary``.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals.models import ArrivalState
from waishi.arrivals.selectors import OPEN_STATES, Figures, district_figures
from waishi.lib.roles import Role
from waishi.notify.services import notify
from waishi.orgs.models import District, User


def _lines(figures: Figures) -> list[str]:
    """The summary's lines, in the active language (called per recipient)."""
    states = "; ".join(
        f"{ArrivalState(state).label}: {figures.by_state.get(state, 0)}" for state in OPEN_STATES
    )
    return [
        _("New arrivals registered yesterday: %(n)d") % {"n": figures.new_yesterday},
        _("Open arrivals: %(n)d (%(states)s)") % {"n": figures.open, "states": states},
        _("Steps due by the end of today: %(n)d") % {"n": figures.due_today},
        _("Overdue steps not yet confirmed: %(n)d") % {"n": figures.overdue},
        _("Hand-overs awaiting your district's answer: %(n)d") % {"n": figures.handovers_pending},
    ]


def _district_body(figures: Figures) -> str:
    return "\n".join(_lines(figures))


def _city_body(per_district: list[tuple[District, Figures]], total: Figures) -> str:
    lines = [
        _("The whole city:"),
        *_lines(total)[:4],
        _("Hand-overs awaiting an answer: %(n)d") % {"n": total.handovers_pending},
        "",
        _("By district:"),
    ]
    for district, figures in per_district:
        lines.append(
            _(
                "%(district)s: %(new)d new, %(open)d open, %(due)d steps due today, "
                "%(late)d overdue, %(handovers)d hand-overs unanswered"
            )
            % {
                "district": district.name,
                "new": figures.new_yesterday,
                "open": figures.open,
                "due": figures.due_today,
                "late": figures.overdue,
                "handovers": figures.handovers_pending,
            }
        )
    return "\n".join(lines)


def _total(all_figures: list[Figures]) -> Figures:
    total = Figures()
    for figures in all_figures:
        total.new_yesterday += figures.new_yesterday
        total.due_today += figures.due_today
        total.overdue += figures.overdue
        total.handovers_pending += figures.handovers_pending
        for state, n in figures.by_state.items():
            total.by_state[state] = total.by_state.get(state, 0) + n
    return total


def daily_summary(today: dt.date | None = None) -> int:
    """Send the day's summaries; the number of notices created (a re-run the same day
    creates none)."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    figures = district_figures(today=today, now=now)
    districts = {d.pk: d for d in District.objects.filter(pk__in=figures)}
    officers: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=Role.DISTRICT_OFFICER, is_active=True, district_id__in=districts
    ).order_by("pk"):
        officers.setdefault(user.district_id, []).append(user)
    day = today.isoformat()
    sent = 0
    reported: list[tuple[District, Figures]] = []
    for district_id in sorted(
        districts, key=lambda pk: (districts[pk].sort_order, districts[pk].code)
    ):
        district, found = districts[district_id], figures[district_id]
        if not found.anything:
            continue
        reported.append((district, found))
        sent += len(
            notify(
                officers.get(district_id, []),
                kind="arrivals.summary",
                title=lambda d=district: (
                    _("Arrivals in %(district)s: the summary of %(day)s")
                    % {"district": d.name, "day": day}
                ),
                body=lambda f=found: _district_body(f),
                url=reverse("arrivals:queue"),
                dedupe_key=f"arrivals.summary.{district_id}.{day}",
            )
        )
    if reported:
        total = _total([f for _d, f in reported])
        command = User.objects.filter(role=Role.CITY_COMMAND, is_active=True).order_by("pk")
        sent += len(
            notify(
                command,
                kind="arrivals.summary",
                title=lambda: _("Arrivals in the city: the summary of %(day)s") % {"day": day},
                body=lambda: _city_body(reported, total),
                url=reverse("arrivals:board"),
                dedupe_key=f"arrivals.summary.city.{day}",
            )
        )
    return sent
