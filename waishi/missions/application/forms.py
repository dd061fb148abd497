"""Forms of the trip application. Every field is optional here: a draft saves whatever
was typed, and what is missing is named at submission (``services._completeness``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form
from waishi.missions.core.forms import StopForm, _Styled
from waishi.missions.models import Category, DayKind, Exemption, InvitationSource, Relation, State
from waishi.orgs.fields import UnitChoiceField
from waishi.orgs.models import Unit
from waishi.plans.models import PlanEntry
from waishi.policy.countries import CountryField


class BasicsForm(_Styled):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, required=False)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tasks = forms.CharField(
        label=_("Tasks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the delegation will do, institution by institution (因事定人)."),
    )
    departure_date = forms.DateField(
        label=_("Departure date (leaving China)"), required=False, widget=DateInput
    )
    return_date = forms.DateField(
        label=_("Return date (entering China)"), required=False, widget=DateInput
    )
    plan_entry = forms.ModelChoiceField(
        label=_("Annual plan entry"),
        required=False,
        queryset=None,
        empty_label=_("— none (计划外) —"),
        help_text=_("The entry of your unit's approved annual plan that this trip carries out."),
    )
    out_of_plan = forms.BooleanField(label=_("Not in the annual plan (计划外)"), required=False)
    out_of_plan_reason = forms.CharField(
        label=_("Reason for a trip outside the plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    funding_source = forms.CharField(label=_("Funding source"), max_length=200, required=False)

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_entry"].queryset = (
            entries if entries is not None else PlanEntry.objects.none()
        )
        self.fields["plan_entry"].label_from_instance = lambda e: (
            f"{e.plan.year} · {e.title} ({e.get_category_display()})"
        )


class InvitationForm(_Styled):
    invitation_source = forms.ChoiceField(
        label=_("Invitation from"),
        choices=[("", "—"), *InvitationSource.choices],
        required=False,
    )
    inviter = forms.CharField(label=_("Inviter"), max_length=200, required=False)
    invitation_letter = forms.FileField(
        label=_("Invitation letter"),
        required=False,
        help_text=_("PDF, JPEG, PNG or Word (.docx), up to %(mb)s MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}),
    )
    remove_letter = forms.BooleanField(label=_("Remove the letter on file"), required=False)

    def __init__(self, *args, max_mb: str = "10", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["invitation_letter"]
        field.help_text = field.help_text % {"mb": max_mb}


class DayForm(_Styled):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind of day"), choices=DayKind.choices, required=False)
    activities = forms.CharField(
        label=_("Activities"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )


class MemberForm(_Styled):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    task = forms.CharField(
        label=_("Task on this trip"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    role = forms.CharField(label=_("Role in the delegation"), max_length=100, required=False)
    is_leader = forms.BooleanField(label=_("Head of delegation (团长)"), required=False)
    relation = forms.ChoiceField(
        label=_("Family relation"),
        choices=[("", "—"), *Relation.choices],
        required=False,
    )


class BudgetForm(_Styled):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    stop = forms.ChoiceField(label=_("Stop"), required=False, choices=())
    country = CountryField(label=_("Country or region"), required=False, blank="—")
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        widget=forms.TextInput(attrs={"size": 4, "placeholder": "USD"}),
    )
    lodging_per_day = forms.DecimalField(
        label=_("Lodging per day"), required=False, min_value=0, decimal_places=2
    )
    meals_per_day = forms.DecimalField(
        label=_("Meals per day"), required=False, min_value=0, decimal_places=2
    )
    incidentals_per_day = forms.DecimalField(
        label=_("Incidentals per day"), required=False, min_value=0, decimal_places=2
    )
    days = forms.IntegerField(label=_("Days"), required=False, min_value=0, max_value=366)
    international_fares = forms.DecimalField(
        label=_("International fares (total)"), required=False, min_value=0, decimal_places=2
    )
    other_costs = forms.DecimalField(
        label=_("Other costs (total)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args, stops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stop"].choices = [("", "—")] + [(str(s.pk), f"{s.order}. {s}") for s in stops]


class BudgetTotalForm(_Styled):
    budget_total_cny = forms.DecimalField(
        label=_("Total budget (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("The whole trip in yuan, as the approval form states it (经费预算总额)."),
    )


StopFormSet = forms.formset_factory(StopForm, extra=0)
DayFormSet = forms.formset_factory(DayForm, extra=0)
MemberFormSet = forms.formset_factory(MemberForm, extra=0)
BudgetFormSet = forms.formset_factory(BudgetForm, extra=0)


class PersonPickForm(Form):
    q = forms.CharField(
        label=_("Find a person"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": _("Name, pinyin or initials (e.g. zs for 张三)"),
                "autocomplete": "off",
            }
        ),
    )


class MissionSearchForm(_Styled):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Title or member's name")}),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *State.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    unit = UnitChoiceField(
        label=_("Unit"), required=False, queryset=None, empty_label=_("All units")
    )
    country = CountryField(label=_("Country or region"), required=False, blank=_("All countries"))
    month = forms.RegexField(
        label=_("Departure month"),
        required=False,
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


# -- decisions, cancellation, publicity ------------------------------------------------------


class CancelForm(_Styled):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExemptionForm(_Styled):
    exemption = forms.ChoiceField(label=_("Ground for the exemption"), choices=[])
    exemption_reason = forms.CharField(
        label=_("Reason for the exemption"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exemption"].choices = [("", "—"), *Exemption.choices]
