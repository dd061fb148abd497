"""A unit or a person chosen in a form: a drop-down while the choices are few, a search box
when a province's 2,000 units or 100,000 people are offered.

Rendering 2,000 ``<option>``s cost more than the rest of the trip list or the plan put
together (docs/performance.md), and nobody scrolls 2,000 names. With more than
``SELECT_LIMIT`` choices the field shows a text box instead and takes what is typed
there: the id (links from other pages), or a name as the field's ``_matches`` finds it;
exactly one match is taken, several or none are a clear error naming the candidates.
Nothing is guessed.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import FastSelect, html_attrs

SELECT_LIMIT = 100  # more choices than this: a search box
CANDIDATES_SHOWN = 5


class SearchOrSelect(FastSelect):
    """A ``<select>`` of the field's choices, or a search box when there are more than
    ``SELECT_LIMIT``; one query either way (the first ``SELECT_LIMIT + 1``), plus one for
    the chosen object's label in a search box."""

    placeholder = _("Name or code")

    def render(self, name, value, attrs=None, renderer=None):
        field = self.choices.field
        queryset = self.choices.queryset
        first = list(queryset[: SELECT_LIMIT + 1])
        if len(first) <= SELECT_LIMIT:
            options = [] if field.empty_label is None else [("", field.empty_label)]
            options += [(field.prepare_value(o), field.label_from_instance(o)) for o in first]
            iterator, self.choices = self.choices, options
            try:
                return super().render(name, value, attrs, renderer)
            finally:
                self.choices = iterator
        final = self.build_attrs(self.attrs, attrs)
        classes = [c for c in final.get("class", "").split() if c != "form-select"]
        final["class"] = " ".join(["form-control", *classes])
        final.setdefault("placeholder", self.placeholder)
        final["autocomplete"] = "off"
        shown = _shown(field, queryset, first, value)
        return format_html(
            '<input type="search" name="{}" value="{}"{}>', name, shown, html_attrs(final)
        )


def _shown(field, queryset, first: list, value) -> str:
    """What the search box shows: the chosen object's label for an id, else what was typed."""
    if value in (None, ""):
        return ""
    text = str(value)
    if not text.isdigit():
        return text
    found = next((o for o in first if o.pk == int(text)), None)
    if found is None:
        found = queryset.filter(pk=int(text)).first()
    return field.label_from_instance(found) if found is not None else text


class _SearchChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that also takes a typed name (``_matches``)."""

    widget = SearchOrSelect
    placeholder = SearchOrSelect.placeholder  # what the search box says when empty
    none_found = _("Nothing matches “%(text)s”.")
    several_found = _("Several match “%(text)s”: %(names)s. Type more of the name.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.placeholder = self.placeholder

    def _matches(self, text: str) -> list:
        """The choices ``text`` names, best first; at most ``CANDIDATES_SHOWN + 1``."""
        raise NotImplementedError

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
        matches = self._matches(text)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(self.none_found, code="invalid_choice", params={"text": text})
        names = "、".join(self.label_from_instance(m) for m in matches[:CANDIDATES_SHOWN])
        if len(matches) > CANDIDATES_SHOWN:
            names += "……"
        raise ValidationError(
            self.several_found,
            code="invalid_choice",
            params={"text": text, "names": names},
        )


def _one_or_all(queryset, conditions, text_condition) -> list:
    """The first condition that picks exactly one object, else every object (up to the
    candidates shown, and one more) that ``text_condition`` matches."""
    for condition in conditions:
        exact = list(queryset.filter(condition)[:2])
        if len(exact) == 1:
            return exact
    return list(queryset.filter(text_condition)[: CANDIDATES_SHOWN + 1])


class UnitChoiceField(_SearchChoiceField):
    """A unit by its id, code, full name, short name, or a part of its name that only one
    unit has."""

    placeholder = _("Unit name or code")
    none_found = _("No unit is named or coded “%(text)s”.")
    several_found = _(
        "Several units match “%(text)s”: %(names)s. Type more of the name, or the code."
    )

    def _matches(self, text: str) -> list:
        return _one_or_all(
            self.queryset.order_by("code"),
            (Q(code=text), Q(name=text), Q(short_name=text)),
            Q(name__icontains=text) | Q(short_name__icontains=text),
        )


# "张三（商务局）", as a person's label reads: the name and the unit's (short) name.
LABELLED = re.compile(r"^(?P<name>[^（(]+)[（(](?P<unit>[^）)]+)[）)]$")


class PersonChoiceField(_SearchChoiceField):
    """A person, shown as "name（unit）", by id, by that label, by full name, or by the
    start of the name, its pinyin or its initials, when only one person matches."""

    placeholder = _("Name (unit), pinyin or initials")
    none_found = _("Nobody is called “%(text)s”.")
    several_found = _(
        "Several people match “%(text)s”: %(names)s. Type the name with the unit, as shown."
    )

    def label_from_instance(self, person) -> str:
        unit = person.unit.short_name or person.unit.name
        return f"{person.name}（{unit}）"

    def _matches(self, text: str) -> list:
        people = self.queryset.select_related("unit")
        labelled = LABELLED.match(text)
        if labelled:
            name, unit = labelled["name"].strip(), labelled["unit"].strip()
            people = people.filter(Q(unit__short_name=unit) | Q(unit__name=unit))
            text = name
        lowered = text.lower().replace(" ", "")
        starts = Q(name__startswith=text)
        if lowered.isascii() and lowered.isalpha():
            starts |= Q(name_pinyin__startswith=lowered) | Q(name_initials__startswith=lowered)
        return _one_or_all(people, (Q(name=text),), starts)
