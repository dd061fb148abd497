"""Forms of the approval pages (rules, delegations, bulk approval) and the one decision
form of every subject's decision page."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.approvals import subjects
from waishi.approvals.conditions import validate as validate_conditions
from waishi.approvals.models import (
    APPROVER_ROLES,
    UNIT_APPROVER_ROLES,
    ApprovalRule,
    ApproverRole,
)
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.policy import labels, reference
from waishi.policy.params import SCHEMA


def subject_type_choices() -> list[tuple[str, str]]:
    types = {t: str(s.label) for t, s in subjects.registry().items()}
    for t in ApprovalRule.objects.values_list("applies_to", flat=True).distinct():
        types.setdefault(t, subjects.label(t))
    return sorted(types.items())


class RuleForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    applies_to = forms.ChoiceField(label=_("Applies to"))
    sequence = forms.IntegerField(
        label=_("Order"), min_value=1, help_text=_("Steps run from the lowest number up.")
    )
    approver_role = forms.ChoiceField(label=_("Approver"), choices=ApproverRole.choices)
    # The conditions (approvals.conditions), one field each; all given must hold.
    always = forms.BooleanField(label=_("Every record"), required=False)
    min_rank = forms.ChoiceField(label=_("A member of this rank or higher"), required=False)
    out_of_plan = forms.BooleanField(label=_("Not in the annual plan"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Trip category is one of"), required=False, widget=forms.CheckboxSelectMultiple
    )
    countries_any = forms.CharField(
        label=_("Itinerary touches one of these countries"),
        required=False,
        help_text=_("Country codes separated by commas, such as US, JP."),
    )
    budget_over = forms.IntegerField(label=_("Budget over (yuan)"), required=False, min_value=0)
    policy_flags_any = forms.MultipleChoiceField(
        label=_("The policy check flagged one of"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_working_days = forms.IntegerField(
        label=_("Working days to decide"), min_value=0, max_value=60, initial=3
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applies_to"].choices = subject_type_choices()
        self.fields["min_rank"].choices = [("", "—"), *labels.RANK_LABELS.items()]
        self.fields["categories"].choices = list(labels.CATEGORY_LABELS.items())
        self.fields["policy_flags_any"].choices = [
            (code, labels.rule_title(code)) for code in SCHEMA
        ]
        style_fields(self)

    @classmethod
    def initial_for(cls, rule: ApprovalRule) -> dict:
        return {
            "name": rule.name,
            "applies_to": rule.applies_to,
            "sequence": rule.sequence,
            "approver_role": rule.approver_role,
            **{
                key: ", ".join(value) if key == "countries_any" else value
                for key, value in rule.conditions.items()
            },
            "due_working_days": rule.due_working_days,
            "active": rule.active,
        }

    def clean(self):
        data = super().clean()
        conditions = {}
        for key in CONDITION_FIELDS:
            value = data.get(key)
            if key == "countries_any":
                value = [c.strip().upper() for c in (value or "").replace("，", ",").split(",")]
                value = [c for c in value if c]
            if value in (None, "", [], False):
                continue
            conditions[key] = value
        data["conditions"] = conditions
        if not conditions:
            self.add_error(None, _("Choose at least one condition (“Every record” for all)."))
            return data
        codes = conditions.get("countries_any", [])
        if any(reference.country(code) is None for code in codes):
            self.add_error("countries_any", _("Give two-letter country codes, such as DE."))
            return data
        try:
            data["conditions"] = validate_conditions(conditions)
        except ValidationError as exc:
            for message in exc.message_dict.get("conditions", []):
                self.add_error(None, message)
        return data


CONDITION_FIELDS = (
    "always",
    "min_rank",
    "out_of_plan",
    "categories",
    "countries_any",
    "budget_over",
    "policy_flags_any",
)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.full_name or user.username
        unit = f"，{user.unit}" if user.unit_id else ""
        return f"{name}（{user.get_role_display()}{unit}）"


def approver_accounts(for_user=None):
    """Accounts that can take part in a delegation; for a unit leader, their unit's."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, role__in=APPROVER_ROLES)
        .select_related("unit")
        .order_by("role", "username")
    )
    if for_user is not None and for_user.role in UNIT_APPROVER_ROLES:
        users = users.filter(role=for_user.role, unit_id=for_user.unit_id)
    elif for_user is not None:
        users = users.exclude(role__in=UNIT_APPROVER_ROLES)
    return users


class DelegationForm(Form):
    delegator = UserChoiceField(label=_("Delegator"), queryset=None)
    delegate = UserChoiceField(label=_("Delegate"), queryset=None)
    starts_on = forms.DateField(label=_("From"), widget=DateInput(), initial=timezone.localdate)
    ends_on = forms.DateField(label=_("To"), widget=DateInput())
    applies_to = forms.ChoiceField(label=_("Applies to"), required=False)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, user, for_anyone: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if for_anyone:
            self.fields["delegator"].queryset = approver_accounts()
            self.fields["delegate"].queryset = approver_accounts()
        else:
            del self.fields["delegator"]
            self.fields["delegate"].queryset = approver_accounts(user).exclude(pk=user.pk)
        self.fields["applies_to"].choices = [("", _("All records I approve"))] + [
            (t, label) for t, label in subject_type_choices()
        ]
        style_fields(self)


class DecisionForm(Form):
    """The decision on a subject's pending step, for every subject's decision page: the
    decision (without "approve" when something blocks the approval: ``approve``), a
    comment (required to return or reject, as the API's decision inputs require it), the
    reason for overriding a principle rule (shown when ``override``), and comments per
    part of the record (``comment_fields``: {name: label}; none when the subject takes
    none)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("return", _("Return for changes")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return or reject: say why, and what should change."),
    )
    override_reason = forms.CharField(
        label=_("Reason for overriding the principle rule"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        override: bool = False,
        comment_fields: dict | None = None,
        approve: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not approve:  # something blocks the approval: it is not offered
            self.fields["decision"].choices = [
                choice for choice in self.fields["decision"].choices if choice[0] != "approve"
            ]
        self.comment_fields = dict(comment_fields or {})
        for name, label in self.comment_fields.items():
            self.fields[f"field_{name}"] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if not override:
            del self.fields["override_reason"]
        style_fields(self)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("return", "reject") and not data.get("comment", "").strip():
            self.add_error("comment", _("Give a comment: say why, and what should change."))
        return data

    def field_comments(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"field_{name}", "").strip()
            for name in self.comment_fields
            if self.cleaned_data.get(f"field_{name}", "").strip()
        }

    def field_comment_fields(self):
        return [self[f"field_{name}"] for name in self.comment_fields]
