"""The "my work" cards of arrivals: a district officer's open arrivals, overdue steps and
hand-overs to answer; the city command's overdue and escalated steps. The work items: a
district officer's steps due by tomorrow (and those late) and hand-overs to answer; the
city command's steps escalated to it. The lead imports this module from ``apps.py`` (the
cards and items register themselves)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.lib.roles import ARRIVALS_ROLES, COMMAND, DISTRICT_OFFICERS, Role, has
from waishi.lib.work import ITEM_LIMIT, Card, Item, register, register_items


@register
def _arrivals(user) -> list[Card]:
    if not has(user, ARRIVALS_ROLES):
        return []
    from waishi.arrivals import selectors
    from waishi.arrivals.models import Arrival
    from waishi.orgs import scoping

    now = timezone.now()
    late = selectors.overdue_steps(user, now=now)
    overdue = late.count()
    open_count = scoping.visible(user, Arrival).filter(state__in=selectors.OPEN_STATES).count()
    if user.role == Role.DISTRICT_OFFICER:
        queue = reverse("arrivals:queue")
        cards = [
            Card(
                _("Arrivals under your district's management"),
                open_count,
                queue,
                _("%(count)d steps overdue") % {"count": overdue},
            ),
            Card(_("Overdue arrival steps"), overdue, f"{queue}?overdue=on"),
        ]
        waiting = selectors.incoming_handovers(user).count()
        if waiting:
            cards.append(
                Card(
                    _("Hand-overs awaiting your answer"), waiting, reverse("arrivals:handover-list")
                )
            )
        return cards
    board = reverse("arrivals:board")
    escalated = late.filter(escalated_at__isnull=False).count()
    return [
        Card(
            _("Overdue arrival steps in the city"),
            overdue,
            board,
            _("%(count)d escalated to the city command") % {"count": escalated},
        ),
        Card(_("Open arrivals in the city"), open_count, board),
    ]


@register_items
def _arrival_items(user) -> list[Item]:
    from waishi.arrivals import selectors
    from waishi.arrivals.models import Step
    from waishi.orgs import scoping

    now = timezone.now()
    if has(user, DISTRICT_OFFICERS):
        # The open steps of the district's arrivals due by the end of tomorrow (a plan's
        # later steps come onto the list as their day nears), the late ones first.
        until = timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=2), dt.time.min)
        )
        steps = (
            scoping.visible(user, Step)
            .filter(
                done_at__isnull=True, due_at__lt=until, arrival__state__in=selectors.OPEN_STATES
            )
            .select_related("arrival")
            .order_by("due_at", "pk")
        )
        state = _("To confirm")
    elif has(user, COMMAND):
        steps = selectors.overdue_steps(user, now=now).filter(escalated_at__isnull=False)
        state = _("Escalated to the city command")
    else:
        return []
    items = [
        Item(
            f"{step.arrival.name}：{step.label}",
            reverse("arrivals:arrival-detail", kwargs={"arrival_pk": step.arrival_id}),
            timezone.localdate(step.due_at),
            _("Arrival step"),
            state,
            overdue=step.due_at < now,
        )
        for step in steps[:ITEM_LIMIT]
    ]
    if has(user, DISTRICT_OFFICERS):
        items += [
            Item(
                str(handover.arrival),
                reverse("arrivals:handover-detail", kwargs={"handover_pk": handover.pk}),
                None,
                _("Hand-over"),
                _("Awaiting your district's answer"),
            )
            for handover in selectors.incoming_handovers(user)[:ITEM_LIMIT]
        ]
    return items
