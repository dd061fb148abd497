"""Display helpers for change requests and itinerary versions (no logic beyond display)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from waishi.missions.models import ChangeKind

register = template.Library()


@register.filter
def kind_label(value: str) -> str:
    return str(ChangeKind(value).label) if value in ChangeKind.values else value


@register.simple_tag
def kind_badges(kinds):
    """Each kind of change as a labelled badge (the text says it; colour is extra)."""
    kinds = [k for k in kinds or [] if k]
    if not kinds:
        return "—"
    return format_html_join(
        " ",
        '<span class="badge text-bg-warning" data-kind="{}">{}</span>',
        ((k, kind_label(k)) for k in kinds),
    )


@register.simple_tag
def row_status(status: str):
    """A compare row's status in words: same, changed, added, removed."""
    labels = {
        "same": ("", _("Unchanged")),
        "changed": ("text-bg-warning", _("Changed")),
        "added": ("text-bg-success", _("Added")),
        "removed": ("text-bg-danger", _("Removed")),
    }
    css, label = labels.get(status, ("", status))
    if not css:
        return format_html(
            '<span class="text-muted small" data-status="{}">{}</span>', status, label
        )
    return format_html('<span class="badge {}" data-status="{}">{}</span>', css, status, label)


@register.filter
def differs(row, name: str) -> bool:
    """True when the compare row's field ``name`` differs (to mark that cell)."""
    return row.status == "changed" and name in (row.fields or [])
