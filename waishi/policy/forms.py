"""The policy pages' forms: rule parameters as typed fields, hot destinations, the trial."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.policy import labels
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


PREFIX = "p__"
SEP = "__"


def _help(param, extra: str = "") -> str:
    return " ".join(str(text) for text in (param.help, extra) if text)


def _labelled(param, label: str | None = None) -> str:
    """The field's label with its unit: "Most members (people)"."""
    text = str(label or param.label)
    if not param.unit:
        return text
    return gettext("%(label)s (%(unit)s)") % {"label": text, "unit": param.unit}


class RuleChangeForm(Form):
    """One rule's parameters as typed fields (numbers, yes/no, ticks, comma lists), each
    with its label, help and unit (``policy.labels``), built from the values in force. A
    structured value (a window per rank) is one pair of number fields per part; the hot
    destinations are changed on their own page. ``changed_values()`` gives only what
    differs, which the service merges."""

    rule = forms.CharField(widget=forms.HiddenInput)
    effective_from = forms.DateField(
        label=_("Effective from"), initial=timezone.localdate, widget=DateInput()
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, rule: str, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_code = rule
        self.current = {k: v for k, v in current.items() if k != "destinations"}
        self.fields["rule"].initial = rule
        fields = {}
        for key, value in self.current.items():
            fields.update(self._fields_for(key, value))
        # The parameters first, then the date and the reason.
        self.fields = {
            **{"rule": self.fields["rule"]},
            **fields,
            **{name: field for name, field in self.fields.items() if name != "rule"},
        }
        style_fields(self)

    def _fields_for(self, key: str, value) -> dict:
        param = labels.parameter(self.rule_code, key)
        if isinstance(value, dict):
            return self._window_fields(key, param, value)
        return {PREFIX + key: self._field_for(param, key, value)}

    def _window_fields(self, key: str, param, value: dict) -> dict:
        """A window ({"max": 1, "years": 2}) or windows by rank, as number fields."""
        fields = {}
        windows = value if "max" not in value else {"": value}
        for name, window in windows.items():
            head = labels.RANK_LABELS.get(name, "") if name else ""
            for part, number in window.items():
                sub = param.parts[part]
                label = gettext("%(parameter)s: %(part)s") % {
                    "parameter": param.label,
                    "part": f"{head} {sub.label}" if head else sub.label,
                }
                path = SEP.join(p for p in (key, name, part) if p)
                fields[PREFIX + path] = forms.IntegerField(
                    label=_labelled(sub, label), initial=number, min_value=1
                )
        return fields

    def _field_for(self, param, key: str, value):
        label = _labelled(param)
        if isinstance(value, bool):
            return forms.BooleanField(
                label=label, required=False, initial=value, help_text=_help(param)
            )
        if isinstance(value, int):
            return forms.IntegerField(label=label, initial=value, help_text=_help(param))
        if param.choices and not isinstance(value, list):
            return forms.ChoiceField(
                label=label,
                choices=[(code, str(text)) for code, text in param.choices.items()],
                initial=value,
                help_text=_help(param),
            )
        if param.choices:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(code, str(text)) for code, text in param.choices.items()],
                initial=value,
                widget=forms.CheckboxSelectMultiple,
                help_text=_help(param),
            )
        return forms.CharField(
            label=label,
            required=False,
            initial=", ".join(str(v) for v in value),
            help_text=_help(param, _("Separate the values with commas.")),
        )

    def _parsed(self, key: str, raw):
        value = self.current[key]
        field = self.fields[PREFIX + key]
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

    def _window_value(self, key: str, data: dict):
        """The window(s) of ``key`` rebuilt from their number fields, or None when one of
        them has its own error."""
        current = self.current[key]
        windows = current if "max" not in current else {"": current}
        rebuilt = {}
        for name, window in windows.items():
            parts = {}
            for part in window:
                path = PREFIX + SEP.join(p for p in (key, name, part) if p)
                if data.get(path) is None:
                    return None
                parts[part] = data[path]
            rebuilt[name] = parts
        return rebuilt[""] if "" in rebuilt else rebuilt

    def clean(self):
        data = super().clean()
        values = {}
        for key in self.current:
            if isinstance(self.current[key], dict):
                window = self._window_value(key, data)
                if window is not None:
                    values[key] = window
                continue
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
