from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.orgs.fields import PersonChoiceField, UnitChoiceField
from waishi.orgs.models import Person, Unit
from waishi.passports.models import (
    ApplicationState,
    ApplicationType,
    Kind,
    Passport,
    PassportState,
)


class PassportSearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Holder's name, pinyin or initials"), "type": "search"}
        ),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *PassportState.choices]
    )
    unit = UnitChoiceField(
        label=_("Unit"), required=False, queryset=Unit.objects.none(), empty_label=_("Any unit")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        style_fields(self)


class PassportForm(Form):
    # Every person the FAO may see: 100,000 in a province, a search box above 100.
    holder = PersonChoiceField(label=_("Holder"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Kind of passport"), choices=Kind.choices)
    number = forms.CharField(
        label=_("Passport number"),
        max_length=20,
        required=False,
        help_text=_("Stored encrypted; shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    issued_on = forms.DateField(label=_("Date of issue"), widget=DateInput())
    expires_on = forms.DateField(label=_("Date of expiry"), widget=DateInput())

    def __init__(self, *args, people=None, passport: Passport | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = people if people is not None else Person.objects.none()
        if passport is not None:
            del self.fields["holder"]
            self.fields["number"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": passport.number_masked}
        else:
            self.fields["number"].required = True
        style_fields(self)


class MarkForm(Form):
    state = forms.ChoiceField(
        label=_("Mark as"),
        choices=[(PassportState.LOST, _("Lost")), (PassportState.CANCELLED, _("Cancelled"))],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class IssueForm(Form):
    passports = forms.TypedMultipleChoiceField(
        label=_("Passports to issue"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passports"].choices = list(choices)
        style_fields(self)


class ReturnManyForm(Form):
    custody = forms.TypedMultipleChoiceField(
        label=_("Passports back"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one passport.")},
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custody"].choices = list(choices)
        style_fields(self)


class ApplicationForm(Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Kind of passport"), choices=Kind.choices)
    application_type = forms.ChoiceField(label=_("New or renewal"), choices=ApplicationType.choices)
    replaces = forms.ModelChoiceField(
        label=_("Passport renewed"), required=False, queryset=Passport.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people=None, passports=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people if people is not None else Person.objects.none()
        self.fields["replaces"].queryset = (
            passports if passports is not None else Passport.objects.none()
        )
        style_fields(self)


class DecideForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ApplicationFilterForm(Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *ApplicationState.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
