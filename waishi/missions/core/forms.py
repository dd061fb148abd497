"""What the forms of several rooms share: the country choices, the styled base form, the
stop row (drafting and change requests) and the labels of the fields an approver may
comment on."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.policy import reference


def country_choices() -> list[tuple[str, str]]:
    """ISO codes with their names in the page's language, sorted by code."""
    english = (get_language() or "").startswith("en")
    return [("", "—")] + [
        (code, f"{code} {c.name_en if english else c.name_zh}")
        for code, c in sorted(reference.COUNTRIES.items())
    ]


class _Styled(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StopForm(_Styled):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    country = forms.ChoiceField(label=_("Country or region"), required=False, choices=())
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    arrive = forms.DateField(label=_("Arrive"), required=False, widget=DateInput)
    depart = forms.DateField(label=_("Depart"), required=False, widget=DateInput)
    transit_airside = forms.BooleanField(label=_("Airside transit only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()


# What the approver may comment on when returning, and how the form calls it.
COMMENT_FIELD_LABELS = {
    "title": _("Title"),
    "tasks": _("Tasks"),
    "invitation": _("Invitation"),
    "itinerary": _("Itinerary and schedule"),
    "members": _("Members"),
    "budget": _("Budget"),
}
