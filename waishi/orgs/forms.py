from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import Form, ModelForm, style_fields
from waishi.orgs import idnumbers
from waishi.orgs.fields import UnitChoiceField
from waishi.orgs.models import Person, Unit, UnitKind
from waishi.orgs.services import PERSON_FIELDS


class UnitForm(ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "district", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Unit.objects.filter(is_active=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        style_fields(self)


class PersonForm(ModelForm):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        required=False,
        max_length=18,
        help_text=_("18 characters; checked by its check digit (GB 11643). Stored encrypted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if self.instance.pk and self.instance.has_id_number:
            self.fields["id_number"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": self.instance.id_number_masked}
        style_fields(self)

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        return idnumbers.validate(value) if value else ""


class PersonSearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Name, pinyin or initials (e.g. zs for 张三)"),
                "type": "search",
            }
        ),
    )
    unit = UnitChoiceField(
        label=_("Unit"), required=False, queryset=Unit.objects.none(), empty_label=_("All units")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.all()
        style_fields(self)


class IdNumberSearchForm(Form):
    """Sent by POST so that the number stays out of URLs, browser history and logs."""

    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("Exact 18-character number"),
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_id_number(self):
        return idnumbers.validate(self.cleaned_data["id_number"])


class UnitSearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or code"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *UnitKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
