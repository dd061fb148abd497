"""Forms of the supervised tasks' pages (督办事项): the filters of the list, the office's
register form, and one form per action of the flow. The forms only parse; the services
(``supervision``) decide and refuse."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.followups import sources
from waishi.followups.forms import people_for, units
from waishi.followups.models import Colour, SourceKind, State, UrgeMethod, Urgency
from waishi.lib.forms import DateInput, Form, SearchableSelectMultiple, style_fields
from waishi.orgs import scoping
from waishi.orgs.fields import PersonChoiceField, UnitChoiceField

# The states a supervised task goes through (the outcome's own OPEN and OVERDUE are not
# among them), in the order of the flow.
TASK_STATES = (
    State.REGISTERED,
    State.ASSIGNED,
    State.REDIRECT_ASKED,
    State.IN_PROGRESS,
    State.FEEDBACK,
    State.RETURNED,
    State.DONE,
    State.ARCHIVED,
    State.DROPPED,
)


def _text(label, *, rows: int = 4, required: bool = True, max_length: int = 5000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _evidence():
    return forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Optional: a PDF, a JPEG or PNG image, or a Word (.docx) document."),
    )


class _Styled(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TaskFilterForm(_Styled):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    colour = forms.ChoiceField(label=pgettext_lazy("task page", "Warning"), required=False)
    source_kind = forms.ChoiceField(label=pgettext_lazy("task page", "Source"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False)
    lead = forms.BooleanField(label=_("Only the tasks the unit leads"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title, number, source or person")
        self.fields["state"].choices = [
            ("", _("All states")),
            ("open", _("Open (not closed)")),
            *[(s.value, s.label) for s in TASK_STATES],
        ]
        self.fields["colour"].choices = [
            ("", _("All")),
            *[(c.value, c.label) for c in Colour if c.value],
            ("none", _("No warning")),
        ]
        self.fields["source_kind"].choices = [("", _("All sources")), *SourceKind.choices]
        if scoping.is_reader_of_everything(user):
            self.fields["unit"].queryset = units()
            self.fields["unit"].empty_label = _("All units")
        else:
            del self.fields["unit"]
            del self.fields["lead"]
        style_fields(self)


class TaskRegisterForm(_Styled):
    """立项: what the office registers, and to whom it goes."""

    title = forms.CharField(label=pgettext_lazy("task page", "Task"), max_length=200)
    source_kind = forms.ChoiceField(
        label=pgettext_lazy("task page", "Source"), choices=SourceKind.choices
    )
    source_title = forms.CharField(
        label=_("Source document"),
        max_length=200,
        required=False,
        help_text=_("The minutes, document or instruction the task comes from."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency of the instruction"),
        required=False,
        help_text=_("For a leader's written instruction only: it sets the default deadline."),
    )
    instructed_by = forms.CharField(
        label=_("Instructed by"),
        max_length=100,
        required=False,
        help_text=_("For a leader's written instruction: the leader who wrote it."),
    )
    description = _text(_("Requirements"), required=False)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=None)
    responsible_person = PersonChoiceField(label=_("Responsible person"), queryset=None)
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("Supporting units"),
        queryset=None,
        required=False,
        widget=SearchableSelectMultiple,
    )
    due_date = forms.DateField(
        label=pgettext_lazy("task page", "Deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the default deadline of the source, in working days."),
    )
    major = forms.BooleanField(label=_("Major task (reports progress every month)"), required=False)
    assign = forms.BooleanField(
        label=_("Send it to the lead unit now (交办)"), required=False, initial=True
    )
    source_type = forms.CharField(required=False, widget=forms.HiddenInput)
    source_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].choices = [("", "—"), *Urgency.choices]
        self.fields["lead_unit"].queryset = units()
        self.fields["supporting_units"].queryset = units()
        self.fields["responsible_person"].queryset = people_for(user)
        style_fields(self)

    def clean_source_type(self) -> str:
        value = (self.cleaned_data.get("source_type") or "").strip()
        if value and sources.get(value) is None:
            # A hidden field: said at the top of the form.
            self.add_error(None, _("Unknown kind of source record."))
            return ""
        return value

    def clean(self):
        data = super().clean()
        lead = data.get("lead_unit")
        supporting = data.get("supporting_units")
        if lead is not None and supporting is not None and lead in supporting:
            self.add_error("supporting_units", _("The lead unit cannot also be a supporting unit."))
        return data


class EmptyForm(_Styled):
    """An action that takes nothing but the click (交办, 承办, 归档)."""


class ReasonForm(_Styled):
    reason = _text(pgettext_lazy("task page", "Reason"), rows=3, max_length=2000)


class CommentForm(_Styled):
    comment = _text(_("Comment"), rows=2, required=False, max_length=2000)


class ReportForm(_Styled):
    """Progress, a supporting unit's report, or the feedback: a text and its evidence."""

    text = _text(pgettext_lazy("task page", "Report"))
    evidence = _evidence()


class UrgeForm(_Styled):
    method = forms.ChoiceField(label=_("How the unit was urged"), choices=UrgeMethod.choices)
    text = _text(_("What the unit was told"), rows=3, max_length=2000)


class RedirectForm(_Styled):
    lead_unit = UnitChoiceField(label=_("New lead unit"), queryset=None)
    responsible_person = PersonChoiceField(label=_("Responsible person"), queryset=None)
    reason = _text(pgettext_lazy("task page", "Reason"), rows=3, required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units()
        self.fields["responsible_person"].queryset = people_for(user)
        style_fields(self)


class ConfirmMixin(Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class CloseForm(ConfirmMixin, CommentForm):
    pass


class ArchiveForm(ConfirmMixin, EmptyForm):
    pass


class DropForm(ConfirmMixin, ReasonForm):
    pass


class ExtensionAskForm(_Styled):
    requested_date = forms.DateField(label=_("New deadline asked for"), widget=DateInput())
    reason = _text(pgettext_lazy("task page", "Reason"), rows=3, max_length=2000)


class ExtensionDecideForm(_Styled):
    decision = forms.ChoiceField(
        label=pgettext_lazy("task page", "Decision"),
        choices=(("grant", _("Grant the new deadline")), ("refuse", _("Refuse"))),
        widget=forms.RadioSelect,
    )
    reason = _text(pgettext_lazy("task page", "Reason"), rows=3, required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class YearForm(_Styled):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def year_or_this(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year


class UnitPickForm(_Styled):
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units()
        self.fields["unit"].empty_label = _("Choose a unit")
        style_fields(self)
