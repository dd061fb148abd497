"""What the district may do on an arrival's page: the forms of ``_step_actions.html`` and
``_handover_actions.html``, decided here so that the partials only display.

The arrival's first open step and its pending hand-over are read once per arrival and
kept on the instance, so a page with many step rows asks the database once."""

from __future__ import annotations

from django import template

from waishi.arrivals import action_forms as forms
from waishi.arrivals.action_views import COMMAND, DISTRICT, next_open_step, step_refusal
from waishi.arrivals.models import Arrival, ArrivalState, Handover, Step
from waishi.lib import roles
from waishi.orgs import permissions

register = template.Library()

_NO_STEP = object()


def _first_open(arrival: Arrival) -> Step | None:
    cached = arrival.__dict__.get("_actions_first_open", _NO_STEP)
    if cached is _NO_STEP:
        cached = next_open_step(arrival)
        arrival.__dict__["_actions_first_open"] = cached
    return cached


def _pending(arrival: Arrival) -> Handover | None:
    cached = arrival.__dict__.get("_actions_pending", _NO_STEP)
    if cached is _NO_STEP:
        cached = (
            Handover.objects.filter(arrival=arrival, state=Handover.State.PENDING)
            .select_related("to_district", "from_district", "requested_by")
            .first()
        )
        arrival.__dict__["_actions_pending"] = cached
    return cached


def _owns(user, arrival: Arrival) -> bool:
    return permissions.may(user, DISTRICT, arrival)


@register.simple_tag
def step_actions(step: Step, arrival: Arrival, user):
    """The confirm form, or None. Only the officer of the arrival's district gets it, and
    only on the first open step: the later ones say nothing (the page shows them open;
    a hint on each would repeat one sentence down the whole plan)."""
    if step.done_at is not None or not _owns(user, arrival):
        return None
    if step_refusal(step, _first_open(arrival)):
        return None
    return forms.StepConfirmForm(step=step)


@register.simple_tag
def handover_actions(arrival: Arrival, user) -> dict:
    """What the user may do about the arrival's hand-over: ask (the owning district, none
    pending), withdraw (the district that asked), answer (the district asked), reassign
    (the city command)."""
    pending = _pending(arrival)
    closed = arrival.state == ArrivalState.CLOSED
    in_district = roles.has(user, DISTRICT)
    return {
        "pending": pending,
        "can_request": _owns(user, arrival) and pending is None and not closed,
        "request_form": (
            forms.HandoverRequestForm(arrival=arrival)
            if _owns(user, arrival) and pending is None and not closed
            else None
        ),
        "can_withdraw": bool(
            pending and permissions.may_for_district(user, DISTRICT, pending.from_district_id)
        ),
        "can_answer": bool(
            pending and permissions.may_for_district(user, DISTRICT, pending.to_district_id)
        ),
        "decision_form": forms.HandoverDecisionForm() if pending and in_district else None,
        "can_reassign": roles.has(user, COMMAND),
    }
