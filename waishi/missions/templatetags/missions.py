"""Display helpers for trip applications (no logic beyond display)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from waishi.missions.core.forms import COMMENT_FIELD_LABELS
from waishi.missions.core.selectors import countries_of, country_names
from waishi.missions.models import State
from waishi.policy import reference

register = template.Library()

BADGES = {
    State.DRAFT: "secondary",
    State.SUBMITTED: "primary",
    State.IN_REVIEW: "info",
    State.RETURNED: "warning",
    State.APPROVED: "success",
    State.REJECTED: "danger",
    State.CANCELLED: "dark",
    State.WITHDRAWN: "dark",
}


@register.simple_tag
def state_badge(state: str):
    label = State(state).label if state in State.values else state
    return format_html(
        '<span class="badge text-bg-{}" data-state="{}">{}</span>',
        BADGES.get(state, "secondary"),
        state,
        label,
    )


@register.simple_tag
def countries(mission) -> str:
    english = (get_language() or "").startswith("en")
    return country_names(countries_of(mission), english) or "—"


@register.filter
def country_name(code: str) -> str:
    info = reference.country(code or "")
    if info is None:
        return code or "—"
    return info.name_en if (get_language() or "").startswith("en") else info.name_zh


@register.filter
def duration_text(value) -> str:
    """A time span as days, hours and minutes ("2 d 3 h", "45 min")."""
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def comment_field_label(name: str) -> str:
    return str(COMMENT_FIELD_LABELS.get(name, name))
