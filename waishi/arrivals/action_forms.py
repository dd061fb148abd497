"""Forms of the district's actions on an arrival: confirming a step, asking another
district to take it over, answering such a request, and the city command's reassignment.

Times typed into a ``datetime-local`` field are Beijing time (Asia/Shanghai, the
project's time zone): Django makes them aware in the current time zone."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.arrivals.models import Handover, Step, StepKind, TestOutcome
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.orgs.models import District

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# What a district records for a test it confirms: the step is confirmed once the result
# is in ("not taken" and "awaiting the result" are no confirmation).
TEST_OUTCOMES = [
    (TestOutcome.NEGATIVE, TestOutcome.NEGATIVE.label),
    (TestOutcome.POSITIVE, TestOutcome.POSITIVE.label),
]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; its value is ISO whatever the page's language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def now_to_the_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class StepConfirmForm(Form):
    """When a step was done (now by default), a note, and for a test its result and the
    day the sample was taken."""

    done_at = forms.DateTimeField(
        label=_("Done at (Beijing time)"),
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_FORMATS,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.ChoiceField(
        label=_("Test result"),
        choices=[("", "—"), *TEST_OUTCOMES],
        error_messages={"required": _("Give the result of the test.")},
    )
    sampled_on = forms.DateField(
        label=_("Sample taken on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when the sample was taken on the day the step was done."),
    )

    def __init__(self, *args, step: Step, **kwargs):
        kwargs.setdefault("auto_id", f"step{step.pk}-%s")
        kwargs.setdefault("initial", {"done_at": now_to_the_minute()})
        super().__init__(*args, **kwargs)
        self.step = step
        if step.kind != StepKind.TEST:
            del self.fields["outcome"]
            del self.fields["sampled_on"]
        style_fields(self)

    def clean_done_at(self) -> dt.datetime:
        done_at = self.cleaned_data["done_at"]
        if done_at > timezone.now():
            raise forms.ValidationError(_("A step cannot be confirmed for a time to come."))
        previous = (
            Step.objects.filter(
                arrival_id=self.step.arrival_id,
                sequence__lt=self.step.sequence,
                done_at__isnull=False,
            )
            .order_by("-sequence")
            .values_list("done_at", flat=True)
            .first()
        )
        if previous is not None and done_at < previous:
            raise forms.ValidationError(
                _("The previous step was done at %(when)s: this one cannot be earlier.")
                % {"when": timezone.localtime(previous).strftime("%Y-%m-%d %H:%M")}
            )
        return done_at

    def clean(self):
        data = super().clean()
        sampled_on = data.get("sampled_on")
        done_at = data.get("done_at")
        if sampled_on and done_at and sampled_on > timezone.localdate(done_at):
            self.add_error(
                "sampled_on", _("The sample is taken before the test is confirmed, not after.")
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"done_at": data["done_at"], "note": data["note"]}
        if self.step.kind == StepKind.TEST:
            kwargs["outcome"] = data["outcome"]
            kwargs["sampled_on"] = data.get("sampled_on")
        return kwargs


class HandoverRequestForm(Form):
    to_district = forms.ModelChoiceField(
        label=_("Hand over to"), queryset=District.objects.none(), empty_label="—"
    )
    reason = forms.CharField(
        label=pgettext_lazy("hand-over", "Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the other district should take the arrival over (e.g. the address)."),
    )

    def __init__(self, *args, arrival, **kwargs):
        kwargs.setdefault("auto_id", "handover-%s")
        super().__init__(*args, **kwargs)
        self.fields["to_district"].queryset = District.objects.exclude(pk=arrival.district_id)
        style_fields(self)


class HandoverDecisionForm(Form):
    """The asked district accepts or refuses; the asking district withdraws."""

    ACTIONS = [
        ("accept", _("Accept")),
        ("refuse", _("Refuse")),
        ("withdraw", _("Withdraw")),
    ]

    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when your district refuses."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "decide-%s")
        super().__init__(*args, **kwargs)
        style_fields(self)


class ReassignForm(Form):
    district = forms.ModelChoiceField(
        label=_("Move to district"), queryset=District.objects.none(), empty_label="—"
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, arrival, **kwargs):
        kwargs.setdefault("auto_id", "reassign-%s")
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.exclude(pk=arrival.district_id)
        style_fields(self)


class HandoverSearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name of the arrival")}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *Handover.State.choices],
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[
            ("", _("To and from my district")),
            ("in", _("Asked of my district")),
            ("out", _("Asked by my district")),
        ],
    )

    def __init__(self, *args, district_officer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not district_officer:
            del self.fields["direction"]
        style_fields(self)
