"""The form of the API token page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from waishi.api.services import DEFAULT_DAYS
from waishi.lib.forms import Form


class TokenForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or system that uses it."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the limit per form, not at import, so that settings can change it.
        maximum = settings.API_TOKEN_MAX_DAYS
        field = self.fields["days"]
        field.max_value = maximum
        field.validators.append(MaxValueValidator(maximum))
        field.widget.attrs["max"] = maximum
        field.initial = min(DEFAULT_DAYS, maximum)
        field.help_text = _("At most %(max)d days. The token stops working after that.") % {
            "max": maximum
        }
