"""The public declaration form and its relatives (lookup, correction, the resident's
registration and periodic declaration). Every field is checked on the server: lengths,
dates in a sane window and in order, countries from the reference list, districts from
the table, phone numbers, passport numbers (security.md I1). Messages are English msgids
shown in Chinese by the catalogue."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from waishi.arrivals import models
from waishi.arrivals.models import Category, HealthDeclaration, Purpose, TestOutcome
from waishi.lib.forms import DateInput, Form, style_fields
from waishi.orgs.models import District
from waishi.policy import countries, reference

# The window of arrival dates the form takes, around today.
ARRIVAL_DAYS_AHEAD = 60
ARRIVAL_DAYS_BEHIND = 30
# The longest journey, departure to arrival, and the oldest pre-boarding test.
JOURNEY_DAYS = 30
TEST_DAYS_BEFORE = 30
# Domestic or international: an optional +, then 6 to 15 digits, spaces and hyphens apart.
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}[0-9]$")
RETURNEE_NATIONALITY = "CN"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def country_name(code: str) -> str:
    found = reference.country(code or "")
    if found is None:
        return code or ""
    return found.name_en if _english() else found.name_zh


def clean_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 6 <= len(digits) <= 15:
        raise ValidationError(
            gettext("Give a phone number of 6 to 15 digits, e.g. 13800138000 or +44 20 7946 0000."),
            code="phone",
        )
    return ("+" if value.startswith("+") else "") + digits


def _text(label, *, max_length: int, required: bool = True, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"maxlength": max_length, **attrs}),
    )


class DistrictField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=District.objects.order_by("sort_order", "code"),
            label=_("District where you will stay"),
            empty_label=_("Choose a district"),
            **kwargs,
        )

    def label_from_instance(self, obj) -> str:
        return obj.name


class CountryField(countries.CountryField):
    """A country or region of the declaration: searchable, in the page's language and
    order (``policy.countries``), "choose one" first."""

    def __init__(self, *, label, first: str = "", **kwargs):
        super().__init__(label=label, first=first, blank=_("Choose a country or region"), **kwargs)


class PublicForm(Form):
    """Sections for the template, Bootstrap classes, country lists in the page's
    language, and the health fields' checks."""

    SECTIONS: tuple[tuple, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors are listed, and fields checked, in the order the page shows them.
        self.order_fields([name for _title, names in self.SECTIONS for name in names])
        style_fields(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"

    def sections(self) -> list[tuple[str, list]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.SECTIONS
        ]

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_passport(self) -> str:
        return models.validate_passport(self.cleaned_data.get("passport", ""))

    def _check_health(self, cleaned: dict) -> None:
        if "test_outcome" not in self.fields:
            return
        outcome = cleaned.get("test_outcome")
        test_on = cleaned.get("test_on")
        today = timezone.localdate()
        if outcome and outcome != TestOutcome.NOT_TAKEN and test_on is None:
            self.add_error("test_on", gettext("Give the date the test was taken."))
        if test_on is not None:
            if outcome == TestOutcome.NOT_TAKEN:
                self.add_error("test_outcome", gettext("Give the result of the test you took."))
            if test_on > today:
                self.add_error("test_on", gettext("The test date cannot be in the future."))
            elif (today - test_on).days > TEST_DAYS_BEFORE:
                self.add_error(
                    "test_on",
                    gettext("Give a test taken in the last %(days)d days.")
                    % {"days": TEST_DAYS_BEFORE},
                )
        symptoms = cleaned.get("symptoms") or []
        if HealthDeclaration.Symptom.OTHER in symptoms and not cleaned.get("symptoms_note"):
            self.add_error("symptoms_note", gettext("Say which other symptoms you have."))

    def health(self) -> dict:
        data = self.cleaned_data
        return {
            "symptoms": list(data.get("symptoms") or []),
            "symptoms_note": data.get("symptoms_note", ""),
            "test_on": data.get("test_on"),
            "test_outcome": data.get("test_outcome") or TestOutcome.NOT_TAKEN,
        }


class HealthFields(Form):
    """The health section, the same in every variant of the form."""

    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms in the last 14 days"),
        choices=HealthDeclaration.Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every symptom you have had; leave all unticked if none."),
    )
    symptoms_note = forms.CharField(
        label=_("Other symptoms or details"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300}),
    )
    test_outcome = forms.ChoiceField(
        label=_("Test before boarding (nucleic acid or antigen)"),
        choices=TestOutcome.choices,
        initial=TestOutcome.NOT_TAKEN,
    )
    test_on = forms.DateField(label=_("Date of the test"), required=False, widget=DateInput())


HEALTH = ("symptoms", "symptoms_note", "test_outcome", "test_on")


class DeclarationForm(PublicForm, HealthFields):
    """An arrival: identity, contact, journey, destination, health, consent."""

    category = forms.ChoiceField(
        label=_("I am"),
        choices=Category.choices,
        initial=Category.RETURNEE,
        widget=forms.RadioSelect,
    )
    name = _text(_("Full name (as in the passport)"), max_length=100, autocomplete="name")
    nationality = CountryField(label=_("Nationality"), first=RETURNEE_NATIONALITY)
    passport = _text(
        _("Passport number"),
        max_length=24,
        autocomplete="off",
        spellcheck="false",
        autocapitalize="characters",
    )
    phone = _text(_("Mobile phone"), max_length=30, autocomplete="tel", inputmode="tel")
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": 254}),
    )
    origin_country = CountryField(label=_("Coming from (country or region)"))
    origin_city = _text(_("Coming from (city)"), max_length=100, required=False)
    route = _text(
        _("Flight number or route"),
        max_length=100,
        placeholder=_("e.g. CA936, or Frankfurt–Beijing–here by train"),
    )
    departs_on = forms.DateField(label=_("Date of departure"), widget=DateInput())
    arrival_date = forms.DateField(label=_("Planned arrival date"), widget=DateInput())
    arrival_time = forms.TimeField(
        label=_("Planned arrival time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    port = _text(_("Port of entry (airport, port or border crossing)"), max_length=100)
    district = DistrictField()
    address = _text(_("Address where you will stay"), max_length=300, autocomplete="street-address")
    purpose = forms.ChoiceField(label=_("Purpose of the journey"), choices=Purpose.choices)
    consent = forms.BooleanField(
        label=_(
            "I have read the notice above and agree to the processing of my personal "
            "information, including my health information, for this purpose."
        ),
        error_messages={"required": _("Your consent is needed to send the declaration.")},
    )

    SECTIONS = (
        (_("Who you are"), ("category", "name", "nationality", "passport")),
        (_("How to reach you"), ("phone", "email")),
        (
            _("Your journey"),
            (
                "origin_country",
                "origin_city",
                "route",
                "departs_on",
                "arrival_date",
                "arrival_time",
                "port",
            ),
        ),
        (_("Where you will stay"), ("district", "address", "purpose")),
        (_("Your health"), HEALTH),
    )

    def clean_origin_country(self) -> str:
        code = self.cleaned_data.get("origin_country", "")
        if code == RETURNEE_NATIONALITY:
            raise ValidationError(
                gettext("Give the country or region abroad you are coming from."), code="origin"
            )
        return code

    def clean(self) -> dict:
        cleaned = super().clean()
        category = cleaned.get("category")
        nationality = cleaned.get("nationality")
        if category and nationality:
            if category == Category.RETURNEE and nationality != RETURNEE_NATIONALITY:
                self.add_error(
                    "nationality", gettext("A returning Chinese citizen's nationality is China.")
                )
            if category == Category.FOREIGN and nationality == RETURNEE_NATIONALITY:
                self.add_error(
                    "nationality", gettext("A foreign national's nationality is not China.")
                )
        _check_journey(self, cleaned, cleaned.get("arrival_date"))
        self._check_health(cleaned)
        return cleaned

    def arrival_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "category",
                "name",
                "nationality",
                "phone",
                "email",
                "origin_country",
                "origin_city",
                "route",
                "departs_on",
                "arrival_date",
                "arrival_time",
                "port",
                "address",
                "purpose",
            )
        }


def _check_journey(form: forms.Form, cleaned: dict, arrival_date: dt.date | None) -> None:
    """The arrival date in the window around today; the departure not after it and not
    more than a journey's length before it. Only differences of dates: a far date must
    not overflow into a server error."""
    today = timezone.localdate()
    departs_on = cleaned.get("departs_on")
    if arrival_date is not None and "arrival_date" in form.fields:
        if (arrival_date - today).days > ARRIVAL_DAYS_AHEAD:
            form.add_error(
                "arrival_date",
                gettext("Declare an arrival at most %(days)d days ahead.")
                % {"days": ARRIVAL_DAYS_AHEAD},
            )
        elif (today - arrival_date).days > ARRIVAL_DAYS_BEHIND:
            form.add_error(
                "arrival_date",
                gettext("The arrival date is more than %(days)d days ago.")
                % {"days": ARRIVAL_DAYS_BEHIND},
            )
    if departs_on is not None and arrival_date is not None:
        if departs_on > arrival_date:
            form.add_error(
                "departs_on", gettext("The departure date cannot be after the arrival date.")
            )
        elif (arrival_date - departs_on).days > JOURNEY_DAYS:
            form.add_error(
                "departs_on",
                gettext("The departure is more than %(days)d days before the arrival.")
                % {"days": JOURNEY_DAYS},
            )


class CorrectionForm(PublicForm, HealthFields):
    """What a traveller may correct: contact, journey (not the arrival date), address,
    health."""

    phone = DeclarationForm.base_fields["phone"]
    email = DeclarationForm.base_fields["email"]
    origin_city = DeclarationForm.base_fields["origin_city"]
    route = DeclarationForm.base_fields["route"]
    departs_on = DeclarationForm.base_fields["departs_on"]
    arrival_time = DeclarationForm.base_fields["arrival_time"]
    port = DeclarationForm.base_fields["port"]
    district = DistrictField()
    address = DeclarationForm.base_fields["address"]
    purpose = DeclarationForm.base_fields["purpose"]

    SECTIONS = (
        (_("How to reach you"), ("phone", "email")),
        (_("Your journey"), ("origin_city", "route", "departs_on", "arrival_time", "port")),
        (_("Where you will stay"), ("district", "address", "purpose")),
        (_("Your health"), HEALTH),
    )

    def __init__(self, *args, arrival_date: dt.date, **kwargs):
        self.arrival_date = arrival_date
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_journey(self, cleaned, self.arrival_date)
        self._check_health(cleaned)
        return cleaned

    def corrected(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in CORRECTION_FIELDS}


CORRECTION_FIELDS = (
    "phone",
    "email",
    "origin_city",
    "route",
    "departs_on",
    "arrival_time",
    "port",
    "address",
    "purpose",
)


class LookupForm(PublicForm):
    code = _text(
        _("Confirmation code"),
        max_length=40,
        autocomplete="off",
        spellcheck="false",
        autocapitalize="characters",
    )
    passport = DeclarationForm.base_fields["passport"]

    SECTIONS = ((None, ("code", "passport")),)

    def clean_passport(self) -> str:
        # Any text: a malformed number is simply one that does not match (one message).
        return self.cleaned_data.get("passport", "")


class ResidentRegisterForm(PublicForm, HealthFields):
    """A foreign national living in the city: once, with a first health declaration."""

    name = DeclarationForm.base_fields["name"]
    nationality = CountryField(label=_("Nationality"))
    passport = DeclarationForm.base_fields["passport"]
    phone = DeclarationForm.base_fields["phone"]
    email = DeclarationForm.base_fields["email"]
    district = DistrictField()
    address = _text(_("Address in the city"), max_length=300, autocomplete="street-address")
    employer = _text(_("Employer or school (optional)"), max_length=200, required=False)
    consent = DeclarationForm.base_fields["consent"]

    SECTIONS = (
        (_("Who you are"), ("name", "nationality", "passport")),
        (_("How to reach you"), ("phone", "email")),
        (_("Where you live"), ("district", "address", "employer")),
        (_("Your health"), HEALTH),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].label = gettext("District where you live")

    def clean_nationality(self) -> str:
        code = self.cleaned_data.get("nationality", "")
        if code == RETURNEE_NATIONALITY:
            raise ValidationError(
                gettext("This form is for foreign nationals living in the city."),
                code="nationality",
            )
        return code

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_health(cleaned)
        return cleaned

    def resident_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name) or ""
            for name in ("name", "nationality", "phone", "email", "address", "employer")
        }


class ResidentDeclareForm(PublicForm, HealthFields):
    """The periodic declaration: the code and the passport number, then health."""

    code = LookupForm.base_fields["code"]
    passport = DeclarationForm.base_fields["passport"]

    SECTIONS = (
        (_("Your registration"), ("code", "passport")),
        (_("Your health"), HEALTH),
    )

    def clean_passport(self) -> str:
        return self.cleaned_data.get("passport", "")

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_health(cleaned)
        return cleaned
