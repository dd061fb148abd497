from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.orgs.fields import UnitChoiceField
from waishi.orgs.models import Rank, Unit
from waishi.plans.models import QUOTA_CATEGORIES, Category, EntryState
from waishi.policy import reference
from waishi.policy.countries import CountriesField
from waishi.policy.types import RANKS


def month_choices() -> list[tuple[int, str]]:
    return [(m, gettext("Month %(month)d") % {"month": m}) for m in range(1, 13)]


def country_names(codes) -> str:
    names = []
    for code in codes or []:
        found = reference.country(code)
        names.append(found.name_zh if found else code)
    return "、".join(names)


class PlanForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("Deadline for entries"), widget=DateInput())

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]
        style_fields(self)


def _rank_field(rank: str) -> str:
    return f"rank_{rank}"


class EntryForm(Form):
    title = forms.CharField(
        label=_("Delegation"),
        max_length=100,
        help_text=_("A short name, e.g. 赴日本经贸交流团."),
    )
    purpose = forms.CharField(
        label=_("Purpose and tasks"), widget=forms.Textarea(attrs={"rows": 4})
    )
    countries = CountriesField(
        label=_("Countries and regions"),
        exclude=("CN",),
        help_text=_("Type a name, its pinyin or initials (美国: meiguo, mg) to find one."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    expected_month = forms.TypedChoiceField(label=_("Expected month"), choices=(), coerce=int)
    budget_estimate = forms.DecimalField(
        label=_("Budget estimate (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args, entry=None, **kwargs):
        if entry is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "title": entry.title,
                "purpose": entry.purpose,
                "countries": entry.countries,
                "category": entry.category,
                "expected_month": entry.expected_month,
                "budget_estimate": entry.budget_estimate,
                **{_rank_field(r): entry.ranks.count(r) for r in RANKS},
            }
        super().__init__(*args, **kwargs)
        self.fields["expected_month"].choices = month_choices()
        labels = dict(Rank.choices)
        for rank in RANKS:
            self.fields[_rank_field(rank)] = forms.IntegerField(
                label=gettext("Members: %(rank)s") % {"rank": labels.get(rank, rank)},
                min_value=0,
                max_value=99,
                initial=0,
                required=False,
            )
        style_fields(self)

    def clean(self):
        data = super().clean()
        ranks: list[str] = []
        for rank in RANKS:
            ranks.extend([rank] * (data.get(_rank_field(rank)) or 0))
        if not ranks:
            raise forms.ValidationError(_("Give the number of members at each rank."))
        data["ranks"] = ranks
        data["size"] = len(ranks)
        return data

    def values(self) -> dict:
        keys = ("title", "purpose", "countries", "category", "expected_month", "budget_estimate")
        return {
            **{k: self.cleaned_data[k] for k in keys},
            "ranks": self.cleaned_data["ranks"],
            "size": self.cleaned_data["size"],
        }

    def rank_fields(self):
        return [self[_rank_field(r)] for r in RANKS]

    def main_fields(self):
        return [self[name] for name in ("title", "purpose", "countries", "category")]

    def tail_fields(self):
        return [self[name] for name in ("expected_month", "budget_estimate")]


class EntryFilterForm(Form):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
        self.fields["state"].choices = [("", _("All states")), *EntryState.choices]
        self.fields["category"].choices = [("", _("All categories")), *Category.choices]
        style_fields(self)


class QuotaForm(Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    category = forms.ChoiceField(
        label=_("Category"), choices=[(c.value, c.label) for c in QUOTA_CATEGORIES]
    )
    batches = forms.IntegerField(label=_("Batches"), min_value=0, max_value=9999)
    person_trips = forms.IntegerField(label=_("Person-trips"), min_value=0, max_value=99999)

    def __init__(self, *args, quota=None, **kwargs):
        if quota is not None and not kwargs.get("initial"):
            kwargs["initial"] = {"batches": quota.batches, "person_trips": quota.person_trips}
        super().__init__(*args, **kwargs)
        if quota is not None:
            del self.fields["unit"]
            del self.fields["category"]
        else:
            self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("code")
        style_fields(self)


class ActionForm(Form):
    action = forms.CharField(max_length=20)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
