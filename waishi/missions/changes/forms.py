"""Forms of change requests: the proposed itinerary (dates and reason, stop rows, member
rows, a person to add), the decision of an approver, the withdrawal. Every field of the
proposal is optional here: a draft saves whatever was typed, and what is missing is
named at submission (``changes.services.completeness``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.missions.core.forms import StopForm
from waishi.orgs.models import Person


class _Styled(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ChangeForm(_Styled):
    departure_date = forms.DateField(
        label=_("Departure date (leaving China)"), required=False, widget=DateInput
    )
    return_date = forms.DateField(
        label=_("Return date (entering China)"), required=False, widget=DateInput
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the itinerary or the delegation must change, and what it is for."),
    )


class ChangeMemberForm(_Styled):
    person_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    task = forms.CharField(
        label=_("Task on this trip"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    is_leader = forms.BooleanField(label=_("Head of delegation (团长)"), required=False)


# One blank stop row at the end: fill it in to add a stop.
ChangeStopFormSet = forms.formset_factory(StopForm, extra=1, max_num=30)
ChangeMemberFormSet = forms.formset_factory(ChangeMemberForm, extra=0, max_num=60)


class AddPersonForm(Form):
    """A person of the unit to add to the delegation (only people the clerk may pick
    and who are not in the proposal yet)."""

    add_person = forms.ModelChoiceField(
        label=_("Add a member"),
        required=False,
        queryset=None,
        empty_label=_("— choose a person of your unit —"),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["add_person"]
        field.queryset = people if people is not None else Person.objects.none()
        field.label_from_instance = lambda p: f"{p.name} · {p.post or '—'}"
        style_fields(self)


class WithdrawForm(_Styled):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.TextInput()
    )
