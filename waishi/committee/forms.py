"""Forms of the committee's pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from waishi.committee.models import (
    AttendanceStatus,
    DocumentKind,
    MeetingKind,
    Opinion,
    Position,
    Secrecy,
)
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.lib.roles import CITY_ROLES, UNIT_ROLES
from waishi.orgs.fields import PersonChoiceField, UnitChoiceField
from waishi.orgs.models import Person, Unit


def _units():
    return Unit.objects.filter(is_active=True).order_by("name")


def _people():
    return (
        Person.objects.filter(is_active=True).select_related("unit").order_by("name_pinyin", "pk")
    )


def _reader_accounts():
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=sorted(CITY_ROLES | UNIT_ROLES))
        .order_by("full_name", "username")
    )


class _Styled(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class MeetingFilterForm(_Styled):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Kind of meeting"), required=False, choices=[("", _("All")), *MeetingKind.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class MeetingForm(_Styled):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=100)
    convener = PersonChoiceField(label=_("Convener"), queryset=None, required=False)
    title = forms.CharField(label=_("Subject"), max_length=200, required=False)
    attendees_extra = forms.CharField(
        label=_("Also attending"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The units and people who attend without being members (列席), one a line."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = _people()
        if editing:
            del self.fields["kind"]


class AttendanceForm(_Styled):
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)
    reason = forms.CharField(label=_("Reason for leave"), max_length=200, required=False)
    represented_by = forms.CharField(label=_("Represented by"), max_length=100, required=False)


class ItemForm(_Styled):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    submitting_unit = UnitChoiceField(label=_("Submitting unit"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submitting_unit"].queryset = _units()


class OpinionForm(_Styled):
    opinion = forms.ChoiceField(label=_("Opinion of the meeting"), choices=Opinion.choices)
    note = forms.CharField(
        label=_("Note on the opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(_Styled):
    title = forms.CharField(label=_("Document"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("A Word (.docx) or PDF file."))
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    internal = forms.BooleanField(
        label=_("Internal (内部): only the named readers, the office and the auditor"),
        required=False,
    )
    readers = forms.ModelMultipleChoiceField(
        label=_("Named readers"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = _reader_accounts()
        self.fields["readers"].label_from_instance = lambda u: u.full_name or u.get_username()


class AccessForm(_Styled):
    internal = forms.BooleanField(
        label=_("Internal (内部): only the named readers, the office and the auditor"),
        required=False,
    )
    readers = forms.ModelMultipleChoiceField(
        label=_("Named readers"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = _reader_accounts()
        self.fields["readers"].label_from_instance = lambda u: u.full_name or u.get_username()


class VersionForm(_Styled):
    file = forms.FileField(label=_("File"), help_text=_("A Word (.docx) or PDF file."))
    reason = forms.CharField(
        label=_("What was revised, and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompareForm(_Styled):
    old = forms.TypedChoiceField(label=_("Earlier version"), coerce=int, choices=())
    new = forms.TypedChoiceField(label=_("Later version"), coerce=int, choices=())

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.pk, _("Version %(n)s") % {"n": v.number}) for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices


class MinutesForm(_Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One decision a line; each may become a supervised task once issued."),
    )
    copy_no = forms.CharField(
        label=_("Copy number"), max_length=6, required=False, help_text=_("Six digits, if used.")
    )
    secrecy = forms.ChoiceField(label=_("Classification"), choices=Secrecy.choices, required=False)


class ReasonForm(_Styled):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(_Styled):
    title = forms.CharField(label=_("Task"), max_length=200)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=None)
    responsible_person = PersonChoiceField(label=_("Responsible person"), queryset=None)
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("Supporting units"), queryset=None, required=False
    )
    due_date = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the default for decisions of minutes, in working days from issue."),
    )
    major = forms.BooleanField(label=_("Major task (monthly progress reports)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _units()
        self.fields["supporting_units"].queryset = _units()
        self.fields["responsible_person"].queryset = _people()


class MemberForm(_Styled):
    person = PersonChoiceField(label=_("Person"), queryset=None)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    office_role = forms.CharField(
        label=_("Office in the committee"), max_length=100, required=False
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()
        if editing:
            del self.fields["person"]
        else:
            del self.fields["active"]


class SettingsForm(_Styled):
    office_unit = UnitChoiceField(label=_("Committee office"), queryset=None, required=False)
    issuer_mark = forms.CharField(label=_("Issuing authority mark"), max_length=60)
    number_prefix = forms.CharField(label=_("Document number prefix"), max_length=20)
    printer = forms.CharField(label=_("Printed by"), max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_unit"].queryset = _units()
