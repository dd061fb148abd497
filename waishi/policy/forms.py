"""The policy pages' forms: rule parameters as typed fields, hot destinations, the trial."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.policy.countries import CountryField

# A two-country trip one day too long, so that the trial page shows findings at once.
SAMPLE_TRIP = {
    "category": "general",
    "departure_date": "2026-05-10",
    "return_date": "2026-05-18",
    "in_annual_plan": True,
    "invitation": {"source": "foreign_counterpart", "inviter": "Stadt München"},
    "stops": [
        {"country": "DE", "city": "München", "arrive": "2026-05-10", "depart": "2026-05-14"},
        {"country": "FR", "city": "Paris", "arrive": "2026-05-14", "depart": "2026-05-18"},
    ],
    "members": [
        {"name": "张三", "rank": "county_division", "task": "洽谈友好城市交流项目"},
        {"name": "李四", "rank": "section_below", "task": "翻译"},
    ],
}


class TryForm(Form):
    trip = forms.CharField(
        label=_("Trip (JSON)"),
        widget=forms.Textarea(attrs={"rows": 22, "class": "font-monospace", "spellcheck": "false"}),
        max_length=200_000,
        initial=lambda: json.dumps(SAMPLE_TRIP, ensure_ascii=False, indent=2),
    )
    on = forms.DateField(
        label=_("Judge as of"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the submission date in the trip, else today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_trip(self):
        try:
            return json.loads(self.cleaned_data["trip"])
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("Not valid JSON (line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None


class HotDestinationForm(Form):
    """Add one destination and/or take some off the list; each save is a new version."""

    add_country = CountryField(label=_("Add a country or region"), required=False, blank="—")
    add_city = forms.CharField(
        label=_("City (optional)"),
        required=False,
        max_length=100,
        help_text=_("Empty: the whole country or region is on the list."),
    )
    remove = forms.MultipleChoiceField(
        label=_("Take off the list"), required=False, widget=forms.CheckboxSelectMultiple
    )
    effective_from = forms.DateField(
        label=_("Effective from"), initial=timezone.localdate, widget=DateInput()
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, destinations: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.destinations = destinations
        self.fields["remove"].choices = [
            (str(i), place_label(entry)) for i, entry in enumerate(destinations)
        ]
        style_fields(self)

    def clean(self):
        data = super().clean()
        if data.get("add_city") and not data.get("add_country"):
            self.add_error("add_country", _("Choose the country of the city."))
        if not data.get("add_country") and not data.get("remove"):
            raise ValidationError(_("Add a destination or take one off the list."))
        # The list as it will be: removals first, then the addition.
        removed = {int(i) for i in data.get("remove") or []}
        entries = [e for i, e in enumerate(self.destinations) if i not in removed]
        if data.get("add_country"):
            entry = {"country": data["add_country"]}
            city = (data.get("add_city") or "").strip()
            if city:
                entry["city"] = city
            if entry in entries:
                self.add_error("add_country", _("This destination is on the list already."))
            entries.append(entry)
        data["destinations"] = entries
        return data


def place_label(entry: dict) -> str:
    from waishi.policy import reference

    found = reference.country(entry["country"])
    name = f"{found.name_zh}（{entry['country']}）" if found else entry["country"]
    return f"{name} {entry['city']}" if entry.get("city") else name


# Fields whose list values come from a fixed set of choices.
_CHOICE_LISTS = {
    "applies_to": "CATEGORIES",
    "forbidden": "INVITATION_SOURCES",
    "far_regions": "REGION_FLAGS",
}
PREFIX = "p__"


def _choices(name: str) -> list[tuple[str, str]]:
    from waishi.policy import params, types

    values = getattr(types, name, None) or getattr(params, name)
    return [(value, value) for value in values]


class RuleChangeForm(Form):
    """One rule's parameters as typed fields (numbers, yes/no, ticks, comma lists), built
    from the values in force; structured values (windows, destination lists) stay JSON.
    ``changed_values()`` gives only what differs, which the service merges."""

    rule = forms.CharField(widget=forms.HiddenInput)
    effective_from = forms.DateField(
        label=_("Effective from"), initial=timezone.localdate, widget=DateInput()
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, rule: str, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["rule"].initial = rule
        fields = {}
        for key, value in current.items():
            fields[PREFIX + key] = self._field_for(key, value)
        # The parameters first, then the date and the reason.
        self.fields = {
            **{"rule": self.fields["rule"]},
            **fields,
            **{name: field for name, field in self.fields.items() if name != "rule"},
        }
        style_fields(self)

    def _field_for(self, key: str, value):
        label = key
        if isinstance(value, bool):
            return forms.BooleanField(label=label, required=False, initial=value)
        if isinstance(value, int):
            return forms.IntegerField(label=label, initial=value)
        if key == "max_rank":
            return forms.ChoiceField(label=label, choices=_choices("RANKS"), initial=value)
        if key in _CHOICE_LISTS:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=_choices(_CHOICE_LISTS[key]),
                initial=value,
                widget=forms.CheckboxSelectMultiple,
            )
        if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
            return forms.CharField(
                label=label,
                required=False,
                initial=", ".join(str(v) for v in value),
                help_text=_("Separate the values with commas."),
            )
        return forms.CharField(
            label=label,
            initial=json.dumps(value, ensure_ascii=False),
            widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
            help_text=_("A structured value, written as JSON."),
        )

    def _parsed(self, key: str, raw):
        value = self.current[key]
        field = self.fields[PREFIX + key]
        if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                raise ValidationError({PREFIX + key: _("Not valid JSON.")}) from None
        if isinstance(field, forms.CharField) and isinstance(value, list):
            items = [item.strip() for item in (raw or "").replace("，", ",").split(",")]
            items = [item for item in items if item]
            if all(isinstance(v, int) for v in value) and value:
                try:
                    return [int(item) for item in items]
                except ValueError:
                    raise ValidationError(
                        {PREFIX + key: _("Give whole numbers separated by commas.")}
                    ) from None
            return [item.upper() if key.endswith("countries") else item for item in items]
        return raw

    def clean(self):
        data = super().clean()
        values = {}
        for key in self.current:
            name = PREFIX + key
            if name not in data:
                continue  # the field's own error is shown already
            try:
                values[key] = self._parsed(key, data[name])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        data["values"] = {k: v for k, v in values.items() if v != self.current[k]}
        return data
