"""Display helpers of the supervised tasks' pages (no logic beyond display)."""

from __future__ import annotations

from django import template

from waishi.followups.models import Colour

register = template.Library()


@register.filter
def colour_label(value) -> str:
    """A colour's words ("红色警告"); none for no colour or an unknown value."""
    value = value or ""
    return str(Colour(value).label) if value in Colour.values else ""
