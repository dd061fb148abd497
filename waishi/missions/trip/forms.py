"""Forms of the trip: the pre-departure records (the head's acknowledgment, education,
the temporary Party branch), the actual dates and incidents."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput
from waishi.missions.core.forms import _Styled
from waishi.missions.models import EducationMethod, IncidentKind


class LeaderAcknowledgmentForm(_Styled):
    acknowledged_on = forms.DateField(label=_("Acknowledged on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EducationForm(_Styled):
    given_on = forms.DateField(label=_("Date of the education"), widget=DateInput())
    method = forms.ChoiceField(label=_("Form"), choices=[])
    given_by = forms.CharField(label=_("Given by"), max_length=200)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [("", "—"), *EducationMethod.choices]


class BulkEducationForm(EducationForm):
    """One education session for several members of the delegation at once."""

    members = forms.TypedMultipleChoiceField(
        label=_("Members who attended"),
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one member of the delegation.")},
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, str(m.person)) for m in members]
        self.fields["members"].widget.attrs["class"] = "form-check-input"


class PartyBranchForm(_Styled):
    secretary = forms.TypedChoiceField(label=_("Secretary"), coerce=int, choices=[])
    members_count = forms.IntegerField(
        label=_("Number of Party members"), min_value=1, max_value=32767
    )
    approved_by = forms.CharField(label=_("Approved by"), max_length=200)
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secretary"].choices = [("", "—")] + [(m.pk, str(m.person)) for m in members]


# -- during and after the trip ------------------------------------------------------------------


class ActualDateForm(_Styled):
    """The actual day of departure or return (confirmed once it happened); for a date
    that deviates from the approved itinerary, the second step: the reason and its
    confirmation."""

    day = forms.DateField(label=_("Actual date"), widget=DateInput())
    deviation_reason = forms.CharField(
        label=_("Reason for the deviation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deviation_confirmed = forms.BooleanField(
        label=_(
            "I confirm that this date deviates from the approved itinerary and that the reason "
            "given is true."
        ),
        required=False,
    )


class IncidentForm(_Styled):
    kind = forms.ChoiceField(label=_("What happened"), choices=[])
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("Where"), max_length=200)
    member = forms.ChoiceField(label=_("Member concerned"), choices=[], required=False)
    report = forms.CharField(
        label=_("Report"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *IncidentKind.choices]
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.person.name) for m in members]
