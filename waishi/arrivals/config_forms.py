"""Forms of the city command's configuration pages and of the foreign residents' list."""

from __future__ import annotations

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waishi.arrivals import plans
from waishi.arrivals.config_services import SETTINGS_LIMITS
from waishi.arrivals.models import Category, ManagementPlan, StepKind
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.orgs.models import District
from waishi.policy.reference import COUNTRIES


def plan_choices(*, in_force_only: bool) -> list[tuple[str, str]]:
    """(code, "code · name") of every plan (its latest version)."""
    choices = []
    for code, plan in sorted(plans.current_plans().items()):
        if in_force_only and plan.retired:
            continue
        label = f"{code} · {plan.name}"
        if plan.retired:
            label = f"{label} ({gettext('retired')})"
        choices.append((code, label))
    return choices


CHANGE_REASON = _("Reason for the change")


def _reason_field(label=CHANGE_REASON) -> forms.CharField:
    return forms.CharField(label=label, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(Form):
    declare_lead_hours = forms.IntegerField(
        label=_("Declaration lead time (hours before departure)"),
        min_value=1,
        max_value=SETTINGS_LIMITS["declare_lead_hours"],
        help_text=_("A declaration made later is accepted and flagged as late."),
    )
    retention_days = forms.IntegerField(
        label=_("Days health details are kept"),
        min_value=1,
        max_value=SETTINGS_LIMITS["retention_days"],
        help_text=_(
            "After an arrival closes (and after a resident's declaration) this many days, "
            "health declarations and test results are deleted; their counts are kept."
        ),
    )
    resident_interval_days = forms.IntegerField(
        label=_("Days between a resident's health declarations"),
        min_value=1,
        max_value=SETTINGS_LIMITS["resident_interval_days"],
    )
    default_plan_code = forms.ChoiceField(label=_("Plan when no rule applies"))
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_plan_code"].choices = plan_choices(in_force_only=True)
        style_fields(self)


class PlanForm(Form):
    """What a plan version holds besides its steps; ``code`` only when creating."""

    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_("Short and fixed, e.g. 7+3 or 14+7; rules and the settings name it."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = _reason_field()
    # The latest version the editor saw: a save over a later one is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]
        else:
            del self.fields["expected_version"]
        style_fields(self)


class StepRowForm(Form):
    # A blank first choice: an empty row (to add a step) must submit nothing.
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *StepKind.choices])
    day = forms.IntegerField(
        label=_("Day"),
        min_value=0,
        max_value=plans.MAX_DAY,
        help_text=_("0 is the arrival date."),
    )
    within_hours = forms.IntegerField(
        label=_("Within hours"),
        required=False,
        min_value=1,
        max_value=24 * 30,
        help_text=_("Due this many hours after arrival; empty: by the end of the day."),
    )
    label = forms.CharField(label=_("Name of the step"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def as_step(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "day": data["day"],
            "within_hours": data.get("within_hours"),
            "label": data.get("label") or "",
        }


class BaseStepFormSet(forms.BaseFormSet):
    def steps(self) -> list[dict]:
        """The rows kept (not removed, not left blank), in their order."""
        rows = []
        for form in self.forms:
            # An extra row left blank has no cleaned data; a removed row is skipped.
            if not getattr(form, "cleaned_data", None) or self._should_delete_form(form):
                continue
            rows.append(form.as_step())
        return rows


StepFormSet = forms.formset_factory(
    StepRowForm,
    formset=BaseStepFormSet,
    extra=2,
    can_delete=True,
    max_num=plans.MAX_STEPS,
    validate_max=True,
    absolute_max=plans.MAX_STEPS + 20,
)


def steps_initial(plan: ManagementPlan | None) -> list[dict]:
    return [
        {
            "kind": s.get("kind"),
            "day": s.get("day", 0),
            "within_hours": s.get("within_hours"),
            "label": s.get("label", ""),
        }
        for s in (plan.steps if plan else [])
    ]


class StepsJSONForm(Form):
    """The steps as a JSON list, for those who paste a plan in."""

    steps_json = forms.CharField(
        label=_("Steps (JSON)"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "font-monospace"}),
        help_text=_(
            'A list of {"kind", "day", "within_hours", "label"}; kinds: %(kinds)s. '
            "The last step is the release."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps_json"].help_text = self.fields["steps_json"].help_text % {
            "kinds": ", ".join(StepKind.values)
        }
        style_fields(self)

    def clean_steps_json(self) -> list[dict]:
        try:
            raw = json.loads(self.cleaned_data["steps_json"])
        except ValueError as exc:
            raise ValidationError(
                gettext("This is not valid JSON (line %(line)d): %(error)s")
                % {"line": getattr(exc, "lineno", 1), "error": getattr(exc, "msg", str(exc))}
            ) from None
        return plans.clean_steps(raw)


def steps_as_json(steps: list[dict]) -> str:
    return json.dumps(steps, ensure_ascii=False, indent=2)


class RetireForm(Form):
    reason = _reason_field(_("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


def parse_country_codes(value: str) -> list[str]:
    codes = sorted({c.upper() for c in re.split(r"[\s,，、;；]+", value or "") if c})
    unknown = [c for c in codes if c not in COUNTRIES]
    if unknown:
        raise ValidationError(
            gettext("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    return codes


class RuleForm(Form):
    sequence = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=9999,
        help_text=_("Rules are tried in this order; the first that applies gives the plan."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Everyone")), *Category.choices],
    )
    origin_countries = forms.CharField(
        label=_("Countries of origin"),
        required=False,
        max_length=2000,
        help_text=_(
            "ISO codes separated by commas, e.g. US, GB, JP; empty: arrivals from anywhere."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    arrives_from = forms.DateField(label=_("Arriving from"), required=False, widget=DateInput())
    arrives_until = forms.DateField(label=_("Arriving until"), required=False, widget=DateInput())
    plan_code = forms.ChoiceField(label=_("Plan"))
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_code"].choices = plan_choices(in_force_only=False)
        style_fields(self)

    def clean_origin_countries(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("origin_countries", ""))

    def clean(self):
        data = super().clean()
        start, end = data.get("arrives_from"), data.get("arrives_until")
        if start and end and start > end:
            self.add_error("arrives_until", gettext("The end date comes before the start date."))
        return data


class ResidentSearchForm(Form):
    SHOW = [
        ("", _("Living in the city")),
        ("overdue", _("Overdue only")),
        ("all", _("All, including those who left")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, employer or passport number"), "type": "search"}
        ),
    )
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW)
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.none(),
        empty_label=_("Any district"),
    )

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is None:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts
        style_fields(self)
