"""A unit chosen in a form: a drop-down while the units are few, a search box when a
province's 2,000 are offered.

Rendering 2,000 ``<option>``s cost more than the rest of the trip list or the plan put
together (docs/performance.md), and nobody scrolls 2,000 names. With more than
``SELECT_LIMIT`` units, ``UnitChoiceField`` shows a text box instead, and takes what is
typed there: the unit's id (links from other pages), its code, its full name, its short
name, or part of its name when exactly one unit matches. Several or no matches are a
clear error naming the candidates; nothing is guessed.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import FastSelect, html_attrs

SELECT_LIMIT = 100  # more units than this: a search box
CANDIDATES_SHOWN = 5


class UnitPicker(FastSelect):
    """A ``<select>`` of the field's units, or a search box when there are more than
    ``SELECT_LIMIT``; one query either way (the first ``SELECT_LIMIT + 1`` units), plus
    one for the chosen unit's name in a search box."""

    def render(self, name, value, attrs=None, renderer=None):
        field = self.choices.field
        queryset = self.choices.queryset
        first = list(queryset[: SELECT_LIMIT + 1])
        if len(first) <= SELECT_LIMIT:
            options = [] if field.empty_label is None else [("", field.empty_label)]
            options += [(field.prepare_value(u), field.label_from_instance(u)) for u in first]
            iterator, self.choices = self.choices, options
            try:
                return super().render(name, value, attrs, renderer)
            finally:
                self.choices = iterator
        return self._search_box(name, _shown(queryset, first, value), attrs)

    def _search_box(self, name, shown: str, attrs):
        final = self.build_attrs(self.attrs, attrs)
        classes = [c for c in final.get("class", "").split() if c != "form-select"]
        final["class"] = " ".join(["form-control", *classes])
        final.setdefault("placeholder", _("Unit name or code"))
        final["autocomplete"] = "off"
        return format_html(
            '<input type="search" name="{}" value="{}"{}>',
            name,
            shown,
            html_attrs(final),
        )


def _shown(queryset, first: list, value) -> str:
    """What the search box shows: the chosen unit's name for an id, else what was typed."""
    if value in (None, ""):
        return ""
    text = str(value)
    if not text.isdigit():
        return text
    for unit in first:
        if unit.pk == int(text):
            return unit.name
    name = queryset.filter(pk=int(text)).values_list("name", flat=True).first()
    return name or text


class UnitChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` of units (``UnitPicker``) that also takes a code or a name."""

    widget = UnitPicker

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        if text.isdigit():
            found = self.queryset.filter(pk=int(text)).first()
            if found is not None:
                return found
        for condition in (Q(code=text), Q(name=text), Q(short_name=text)):
            exact = list(self.queryset.filter(condition)[:2])
            if len(exact) == 1:
                return exact[0]
        matches = list(
            self.queryset.filter(Q(name__icontains=text) | Q(short_name__icontains=text)).order_by(
                "code"
            )[: CANDIDATES_SHOWN + 1]
        )
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(
                _("No unit is named or coded “%(text)s”."),
                code="invalid_choice",
                params={"text": text},
            )
        names = "、".join(u.name for u in matches[:CANDIDATES_SHOWN])
        if len(matches) > CANDIDATES_SHOWN:
            names += "……"
        raise ValidationError(
            _("Several units match “%(text)s”: %(names)s. Type more of the name, or the code."),
            code="invalid_choice",
            params={"text": text, "names": names},
        )
