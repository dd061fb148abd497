"""The FAO head's form for a parameter change."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, style_fields
from waishi.policy.params import SCHEMA


class ParameterChangeForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), choices=[(code, code) for code in SCHEMA])
    values = forms.CharField(
        label=_("New parameter values (JSON)"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text=_('Only the keys that change, e.g. {"max": 5}.'),
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        initial=timezone.localdate,
        widget=DateInput(),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_values(self) -> dict:
        try:
            values = json.loads(self.cleaned_data["values"])
        except json.JSONDecodeError:
            raise ValidationError(_("Not valid JSON.")) from None
        if not isinstance(values, dict):
            raise ValidationError(_('Expected an object such as {"max": 5}.'))
        return values
