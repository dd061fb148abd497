"""Forms of the follow-up pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.followups import sources
from waishi.followups.models import Kind, State
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.lib.roles import UNIT_ROLES
from waishi.orgs import scoping
from waishi.orgs.fields import PersonChoiceField, UnitChoiceField
from waishi.orgs.models import Person, Unit


def people_for(user, unit_id: int | None = None):
    qs = scoping.visible(user, Person).filter(is_active=True).select_related("unit")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("unit__name", "name_pinyin", "pk")


def units():
    return Unit.objects.filter(is_active=True).order_by("name")


class OutcomeForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    title = forms.CharField(label=_("Outcome"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), queryset=None)
    responsible_person = PersonChoiceField(label=_("Responsible person"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    source_type = forms.CharField(required=False, widget=forms.HiddenInput)
    source_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, outcome=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_id = outcome.responsible_unit_id if outcome else None
        if outcome is not None or (user.unit_id and user.role in UNIT_ROLES):
            # The unit is fixed: the unit's own staff, or an outcome's (reassign is apart).
            del self.fields["responsible_unit"]
            unit_id = unit_id or user.unit_id
        else:
            self.fields["responsible_unit"].queryset = units()
        self.fields["responsible_person"].queryset = people_for(user, unit_id)
        if outcome is not None:
            del self.fields["source_type"]
            del self.fields["source_id"]
        style_fields(self)

    def clean_source_type(self) -> str:
        value = (self.cleaned_data.get("source_type") or "").strip()
        if value and sources.get(value) is None:
            raise forms.ValidationError(_("Unknown kind of source record."))
        return value


class ProgressForm(Form):
    text = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Optional: a PDF, a JPEG or PNG image, or a Word (.docx) document."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class DropForm(Form):
    reason = forms.CharField(
        label=_("Reason for dropping"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CompleteForm(Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ReassignForm(Form):
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), queryset=None)
    responsible_person = PersonChoiceField(label=_("Responsible person"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units()
        self.fields["responsible_person"].queryset = people_for(user)
        style_fields(self)


class FilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title, source or person")
        self.fields["state"].choices = [("", _("All states")), *State.choices]
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        if scoping.is_reader_of_everything(user):
            self.fields["unit"].queryset = units()
            self.fields["unit"].empty_label = _("All units")
        else:
            del self.fields["unit"]
        style_fields(self)


class UnitPickForm(Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units()
        self.fields["unit"].empty_label = _("Choose a unit")
        style_fields(self)
