"""Forms of the key points pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.committee.keypoint_services import MAX_YEAR, MIN_YEAR, UnitNames
from waishi.lib import outline
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.orgs.fields import UnitChoiceField
from waishi.orgs.models import Unit


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=pgettext_lazy("key points", "Year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        initial=lambda: timezone.localdate().year,
    )


class ImportForm(Form):
    year = _year_field()
    file = forms.FileField(
        label=pgettext_lazy("key points", "Outline"),
        help_text=_(
            "The office's Word (.docx) or Excel (.xlsx) outline. Word: items numbered "
            "一、 (areas), （一） (key points) and 1. (tasks), or heading levels; "
            "“牵头单位：…；配合单位：…” and a date such as 2027年6月底前 in an item. Excel: the "
            "columns 领域, 工作要点, 具体任务, 牵头单位, 配合单位, 完成时限; a blank or merged "
            "领域 or 工作要点 is the one above."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ConfirmForm(Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    assign = forms.BooleanField(
        label=_("Send the tasks to their lead units at once (交办)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class PlanForm(Form):
    year = _year_field()
    title = forms.CharField(label=pgettext_lazy("key points", "Title"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class PointForm(Form):
    parent = forms.ModelChoiceField(
        label=pgettext_lazy("key points", "Under"),
        queryset=None,
        required=False,
        empty_label=_("— none: a new area —"),
    )
    title = forms.CharField(label=pgettext_lazy("key points", "Title"), max_length=500)
    detail = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(
        label=pgettext_lazy("key points", "Deadline"), required=False, widget=DateInput()
    )
    lead_unit = UnitChoiceField(
        label=pgettext_lazy("key points", "Lead unit"), queryset=None, required=False
    )
    supporting_units = forms.CharField(
        label=pgettext_lazy("key points", "Supporting units"),
        required=False,
        max_length=2000,
        help_text=_("Unit names separated by 、"),
    )

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is None:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parents
            self.fields["parent"].label_from_instance = lambda p: (
                f"{p.get_level_display()}：{p.title[:60]}"
            )
        self.fields["lead_unit"].queryset = Unit.objects.filter(is_active=True)
        style_fields(self)

    def clean_supporting_units(self) -> list[Unit]:
        names = outline.units_of(self.cleaned_data.get("supporting_units") or "")
        units = UnitNames()
        found, unknown = [], []
        for name in names:
            unit = units.find(name)
            if unit is None:
                unknown.append(name)
            elif unit not in found:
                found.append(unit)
        if unknown:
            raise forms.ValidationError(
                _("No unit is called %(names)s.") % {"names": "、".join(f"“{n}”" for n in unknown)}
            )
        return found
