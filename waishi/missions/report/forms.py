"""Forms of the trip report pages (parse and show; the rules are in services/report.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import DateInput, Form, style_fields
from waishi.missions.models import ReportState
from waishi.missions.report.selectors import OVERDUE
from waishi.orgs.fields import UnitChoiceField


def _area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReportForm(Form):
    """The structured fields, saved as typed (the required ones bite only at submission);
    ``version`` is the report's version when the page was loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    tasks_done = forms.CharField(
        label=_("Tasks carried out"), required=False, max_length=20000, widget=_area()
    )
    meetings = forms.CharField(
        label=_("Meetings held"), required=False, max_length=20000, widget=_area()
    )
    agreements = forms.CharField(
        label=_("Agreements signed"), required=False, max_length=20000, widget=_area(3)
    )
    outcomes = forms.CharField(
        label=_("Outcomes achieved"), required=False, max_length=20000, widget=_area()
    )
    costs = forms.CharField(
        label=_("Costs"),
        required=False,
        max_length=20000,
        widget=_area(3),
        help_text=_("How the budget was spent, by item, against the approved budget."),
    )
    actual_cost_cny = forms.DecimalField(
        label=_("Actual cost (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    problems = forms.CharField(
        label=_("Problems and suggestions"), required=False, max_length=20000, widget=_area(3)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class DocumentForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    document = forms.FileField(
        label=_("Signed report"),
        help_text=_("The report as signed and sealed: a PDF or a Word (.docx) document."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class PublishForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    starts_on = forms.DateField(label=_("Published inside the unit from"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the report")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=_area(3),
        help_text=_("Required when the report is returned: say what the unit must change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs["class"] = "form-control"


class ReportSearchForm(Form):
    q = forms.CharField(label=_("Trip title"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All states")),
            (OVERDUE, _("Overdue")),
            *ReportState.choices,
        ]
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
            self.fields["unit"].empty_label = _("All units")
        style_fields(self)
