"""What the forms of several rooms share: the styled base form, the stop row (drafting and
change requests, its country a searchable picker) and the labels of the fields an approver
may comment on."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.policy.countries import CountryField


class _Styled(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StopForm(_Styled):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    country = CountryField(label=_("Country or region"), required=False, blank="—")
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    arrive = forms.DateField(label=_("Arrive"), required=False, widget=DateInput)
    depart = forms.DateField(label=_("Depart"), required=False, widget=DateInput)
    transit_airside = forms.BooleanField(label=_("Airside transit only"), required=False)


# What the approver may comment on when returning, and how the form calls it.
COMMENT_FIELD_LABELS = {
    "title": _("Title"),
    "tasks": _("Tasks"),
    "invitation": _("Invitation"),
    "itinerary": _("Itinerary and schedule"),
    "members": _("Members"),
    "budget": _("Budget"),
}
