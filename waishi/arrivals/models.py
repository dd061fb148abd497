"""Arrivals from abroad (入境人员): declarations, lists from outside, the district that
owns each arrival, hand-overs between districts, and the steps of its management plan.

Requirements R6; issue 6. The numbers of this public-health module (how long before
departure a traveller declares, what a plan holds, how long health details are kept)
are rows the city command edits, never code:

- ``ArrivalSettings``: the declaration lead time, the retention period, the default plan,
  the interval of residents' periodic declarations; each change is a new row (the
  latest one is in force), with who and why.
- ``ManagementPlan``: a plan ("7+3", "none") as a list of steps; editing a plan saves a
  new version, and arrivals keep the version (and the steps) they were given, so a plan
  change applies to new arrivals only.
- ``PlanRule``: which plan an arrival gets, by category, origin and arrival date.

An ``Arrival`` is one person arriving on one date (one row however many sources report
it: the passport number's blind index and the date are unique together); each report
is an ``ArrivalSource``. It belongs to exactly one district at a time (the column is
NOT NULL); a ``Handover`` moves it to another, asked for and then accepted or refused.
Its ``Step`` rows are the plan made concrete, each confirmed by the district.

Health data live in their own tables (``HealthDeclaration``, ``TestResult``), visible
only to the arrivals roles, purged after the retention period with ``HealthTally``
keeping the counts (security.md P2).
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from waishi.lib import crypto
from waishi.orgs.models import DataClass

# Passports of every country: letters and digits, 5 to 20 of them once spaces and
# hyphens are gone.
PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")
PASSPORT_AAD = "arrivals.passport"
CODE_AAD = "arrivals.confirmation"
# Confirmation codes: ten characters from an alphabet without 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def normalise_passport(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def validate_passport(value: str) -> str:
    number = normalise_passport(value)
    if not PASSPORT_RE.match(number):
        raise ValidationError(
            gettext("A passport number is 5 to 20 letters and digits."), code="passport"
        )
    return number


def passport_index(number: str) -> str:
    return crypto.blind_index(normalise_passport(number), purpose=PASSPORT_AAD)


def mask_passport(number: str) -> str:
    """E12345678 -> E******78."""
    if len(number) <= 4:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 3) + number[-2:]


def new_confirmation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def code_index(code: str) -> str:
    return crypto.blind_index(normalise_code(code), purpose=CODE_AAD)


class Category(models.TextChoices):
    RETURNEE = "returnee", _("Chinese citizen returning")
    FOREIGN = "foreign", _("Foreign national")


class Purpose(models.TextChoices):
    HOME = "home", _("Returning home")
    WORK = "work", _("Work")
    STUDY = "study", _("Study")
    BUSINESS = "business", _("Business")
    FAMILY = "family", _("Visiting family")
    OTHER = "other", _("Other")


class SourceKind(models.TextChoices):
    DECLARATION = "declaration", _("Self-declaration")
    PORT = "port", _("Port of entry list")
    AIRLINE = "airline", _("Airline list")
    PROVINCE = "province", _("Provincial list")


class ArrivalState(models.TextChoices):
    EXPECTED = "expected", _("Expected")  # 待落地
    MANAGED = "managed", _("Under management")  # 管控中
    CLOSED = "closed", _("Closed")  # 已解除


class StepKind(models.TextChoices):
    LANDING_CHECK = "landing_check", _("Landing check")  # 落地查人
    TRANSFER = "transfer", _("Transfer")  # 转运
    DISINFECTION = "disinfection", _("Disinfection")  # 消杀
    TEST = "test", _("Test")  # 检测
    QUARANTINE = "quarantine", _("Quarantine at a site")  # 集中隔离
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")  # 居家健康监测
    DAILY_NEEDS = "daily_needs", _("Daily needs")  # 生活保障
    RELEASE = "release", _("Release")  # 解除


class ArrivalSettings(models.Model):
    """The numbers of the module in force: the latest row. Changed by the city command."""

    declare_lead_hours = models.PositiveIntegerField(
        _("declaration lead time (hours before departure)"), default=48
    )
    retention_days = models.PositiveIntegerField(
        _("days health details are kept after an arrival closes"), default=180
    )
    resident_interval_days = models.PositiveIntegerField(
        _("days between a resident's health declarations"), default=7
    )
    default_plan_code = models.CharField(
        _("plan when no rule applies"), max_length=30, default="7+3"
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("arrival settings")
        verbose_name_plural = _("arrival settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(declare_lead_hours__gte=1)
                & Q(retention_days__gte=1)
                & Q(resident_interval_days__gte=1),
                name="arrival_settings_positive",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Arrival settings of %(when)s") % {
            "when": timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")
        }

    @classmethod
    def current(cls) -> ArrivalSettings:
        """The row in force, or the defaults when none was ever saved (not stored)."""
        return cls.objects.order_by("-pk").first() or cls()


class ManagementPlan(models.Model):
    """One version of a management plan. ``steps`` is a list of
    ``{"kind": StepKind, "day": int, "within_hours": int | null, "label": str}``:
    a step is due ``within_hours`` after the arrival's moment when given, else by the end
    of day ``day`` (day 0 = the arrival date). ``waishi.arrivals.plans`` checks the list."""

    code = models.CharField(_("code"), max_length=30)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    steps = models.JSONField(_("steps"), default=list)
    retired = models.BooleanField(_("retired"), default=False)
    created_at = models.DateTimeField(_("saved"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason for the change"), blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("management plan")
        verbose_name_plural = _("management plans")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="plan_version_once"),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s (version %(version)d)") % {
            "name": self.name,
            "version": self.version,
        }

    @classmethod
    def current(cls, code: str) -> ManagementPlan | None:
        return cls.objects.filter(code=code).order_by("-version").first()


class PlanRule(models.Model):
    """Which plan an arrival gets: the first active rule in ``sequence`` order whose
    conditions all hold (an empty condition holds for everyone)."""

    sequence = models.PositiveIntegerField(_("order"), default=10)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    origin_countries = models.JSONField(_("countries of origin"), default=list, blank=True)
    arrives_from = models.DateField(_("arriving from"), null=True, blank=True)
    arrives_until = models.DateField(_("arriving until"), null=True, blank=True)
    plan_code = models.CharField(_("plan"), max_length=30)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["sequence", "pk"]
        verbose_name = _("plan rule")
        verbose_name_plural = _("plan rules")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A link (and its QR code) to the public declaration form. ``token`` is the part of
    the URL; a campaign switched off or past its end date takes no declarations."""

    class Variant(models.TextChoices):
        ARRIVAL = "arrival", _("Arrival declaration")
        RESIDENT = "resident", _("Foreign resident health declaration")

    token = models.CharField(_("link token"), max_length=32, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    variant = models.CharField(
        _("form"), max_length=10, choices=Variant.choices, default=Variant.ARRIVAL
    )
    active = models.BooleanField(_("active"), default=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("declaration campaign")
        verbose_name_plural = _("declaration campaigns")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(16)[:22]
        super().save(*args, **kwargs)

    def open_on(self, day) -> bool:
        return self.active and (self.ends_on is None or day <= self.ends_on)


class Arrival(models.Model):
    """One person arriving on one date, owned by one district."""

    DATA_CLASSES = {
        "category": DataClass.IDENTITY,
        "name": DataClass.IDENTITY,
        "nationality": DataClass.IDENTITY,
        "passport_enc": DataClass.SENSITIVE,
        "passport_index": DataClass.SENSITIVE,
        "passport_masked": DataClass.IDENTITY,
        "birth_date": DataClass.IDENTITY,
        "phone": DataClass.CONTACT,
        "email": DataClass.CONTACT,
        "origin_country": DataClass.SENSITIVE,  # whereabouts (行踪轨迹), PIPL art. 28
        "origin_city": DataClass.SENSITIVE,
        "route": DataClass.SENSITIVE,
        "departs_on": DataClass.SENSITIVE,
        "arrival_date": DataClass.SENSITIVE,
        "arrival_time": DataClass.SENSITIVE,
        "port": DataClass.SENSITIVE,
        "address": DataClass.CONTACT,
    }

    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.RETURNEE
    )
    name = models.CharField(_("name"), max_length=100)
    nationality = models.CharField(_("nationality"), max_length=2, default="CN")
    passport_enc = models.TextField(_("passport number (encrypted)"), editable=False)
    passport_index = models.CharField(_("passport number index"), max_length=64, editable=False)
    passport_masked = models.CharField(
        _("passport number"), max_length=24, editable=False, blank=True
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    origin_country = models.CharField(_("coming from (country)"), max_length=2)
    origin_city = models.CharField(_("coming from (city)"), max_length=100, blank=True)
    route = models.CharField(_("flight or route"), max_length=100, blank=True)
    departs_on = models.DateField(pgettext_lazy("arrival", "departure date"), null=True, blank=True)
    arrival_date = models.DateField(_("arrival date"))
    arrival_time = models.TimeField(_("arrival time"), null=True, blank=True)
    port = models.CharField(_("port of entry"), max_length=100, blank=True)
    address = models.CharField(_("address in the city"), max_length=300, blank=True)
    # The owner. NOT NULL: nobody can leave an arrival without a district.
    district = models.ForeignKey(
        "orgs.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="arrivals",
    )
    purpose = models.CharField(
        pgettext_lazy("arrival", "purpose"),
        max_length=10,
        choices=Purpose.choices,
        default=Purpose.HOME,
    )
    plan = models.ForeignKey(
        ManagementPlan,
        verbose_name=_("management plan"),
        on_delete=models.PROTECT,
        related_name="arrivals",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ArrivalState.choices,
        default=ArrivalState.EXPECTED,
        db_index=True,
    )
    # Declared less than the lead time before departure (accepted, flagged).
    late_declaration = models.BooleanField(_("declared late"), default=False)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-arrival_date", "pk"]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        indexes = [
            models.Index(fields=["district", "state", "arrival_date"], name="arrival_queue_idx"),
            models.Index(fields=["arrival_date"], name="arrival_date_idx"),
            # The latest change, which keys the board's cached counts (one index read).
            models.Index(fields=["updated_at"], name="arrival_updated_idx"),
        ]
        constraints = [
            # The same person on the same date is one record, however many report it.
            models.UniqueConstraint(
                fields=["passport_index", "arrival_date"], name="arrival_once_per_person_date"
            ),
            models.CheckConstraint(
                condition=Q(departs_on__isnull=True) | Q(departs_on__lte=models.F("arrival_date")),
                name="arrival_departs_before_arriving",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.arrival_date:%Y-%m-%d}"

    def set_passport(self, number: str) -> None:
        number = validate_passport(number)
        self.passport_enc = crypto.encrypt(number, associated=PASSPORT_AAD)
        self.passport_index = passport_index(number)
        self.passport_masked = mask_passport(number)

    def reveal_passport(self) -> str:
        return crypto.decrypt(self.passport_enc, associated=PASSPORT_AAD)


class ImportBatch(models.Model):
    """One .xlsx list from outside; imported completely or not at all."""

    class State(models.TextChoices):
        CHECKED = "checked", _("Checked, not imported")
        IMPORTED = "imported", _("Imported")
        REFUSED = "refused", _("Refused")

    kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    file_sm3 = models.CharField(_("file SM3"), max_length=64)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CHECKED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new arrivals"), default=0)
    rows_merged = models.PositiveIntegerField(_("matched existing arrivals"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("arrival list import")
        verbose_name_plural = _("arrival list imports")

    def __str__(self) -> str:
        return self.file_name


class ArrivalSource(models.Model):
    """One report of an arrival: a declaration or a row of an imported list."""

    arrival = models.ForeignKey(
        Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="sources"
    )
    kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
    )
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    # What this source said (flight, port, date, district as given; the passport number
    # masked only), for comparison, and for a declaration what the traveller sees again.
    details = models.JSONField(_("as reported"), default=dict, blank=True)
    # A declaration's confirmation code (its blind index): the traveller sees and corrects
    # what they declared with it, and nothing any other source said.
    code_index = models.CharField(  # noqa: DJ001 -- NULL for the many sources without a code
        _("confirmation code index"), max_length=64, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["reported_at", "pk"]
        verbose_name = _("arrival source")
        verbose_name_plural = _("arrival sources")
        constraints = [
            models.UniqueConstraint(
                fields=["arrival", "batch"],
                condition=Q(batch__isnull=False),
                name="arrival_source_once_per_batch",
            ),
            models.UniqueConstraint(fields=["code_index"], name="arrival_source_code_once"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Handover(models.Model):
    """A district asks another to take an arrival over; the other accepts or refuses."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting the other district")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    arrival = models.ForeignKey(
        Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="handovers"
    )
    from_district = models.ForeignKey(
        "orgs.District",
        verbose_name=_("from district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_district = models.ForeignKey(
        "orgs.District", verbose_name=_("to district"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(pgettext_lazy("hand-over", "reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_district=models.F("to_district")),
                name="handover_between_two_districts",
            ),
            # One open request per arrival (MariaDB has no partial index: the arrival's
            # row lock in the service holds it there).
            models.UniqueConstraint(
                fields=["arrival"],
                condition=Q(state="pending"),
                name="handover_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(arrival)s: %(from)s to %(to)s") % {
            "arrival": self.arrival,
            "from": self.from_district,
            "to": self.to_district,
        }


class Step(models.Model):
    """One step of an arrival's plan, confirmed by the district with time and person."""

    arrival = models.ForeignKey(
        Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="steps"
    )
    sequence = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    label = models.CharField(_("step"), max_length=100)
    day = models.IntegerField(_("day"), default=0)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["arrival", "sequence"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        indexes = [
            models.Index(fields=["done_at", "due_at"], name="step_open_due_idx"),
            # "Has this arrival an open step past due?" for each row of the board: by the
            # arrival first (without it SQLite scanned every late step for every row).
            models.Index(fields=["arrival", "done_at", "due_at"], name="step_arrival_open_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["arrival", "sequence"], name="step_once_per_arrival"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                name="step_done_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()


class Resident(models.Model):
    """A foreign national living in the city, registered once, declaring periodically."""

    DATA_CLASSES = {
        "name": DataClass.IDENTITY,
        "nationality": DataClass.IDENTITY,
        "passport_enc": DataClass.SENSITIVE,
        "passport_index": DataClass.SENSITIVE,
        "passport_masked": DataClass.IDENTITY,
        "phone": DataClass.CONTACT,
        "email": DataClass.CONTACT,
        "address": DataClass.CONTACT,
        "employer": DataClass.EMPLOYMENT,
    }

    name = models.CharField(_("name"), max_length=100)
    nationality = models.CharField(_("nationality"), max_length=2)
    passport_enc = models.TextField(_("passport number (encrypted)"), editable=False)
    passport_index = models.CharField(
        _("passport number index"), max_length=64, unique=True, editable=False
    )
    passport_masked = models.CharField(
        _("passport number"), max_length=24, editable=False, blank=True
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address in the city"), max_length=300)
    employer = models.CharField(_("employer or school"), max_length=200, blank=True)
    district = models.ForeignKey(
        "orgs.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="residents",
    )
    code_index = models.CharField(
        _("confirmation code index"), max_length=64, unique=True, editable=False
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    last_declared_at = models.DateTimeField(_("last declaration"), null=True, blank=True)
    next_due = models.DateField(_("next declaration due"), db_index=True)
    active = models.BooleanField(_("living in the city"), default=True)

    class Meta:
        ordering = ["next_due", "pk"]
        verbose_name = _("foreign resident")
        verbose_name_plural = _("foreign residents")

    def __str__(self) -> str:
        return self.name

    def set_passport(self, number: str) -> None:
        number = validate_passport(number)
        self.passport_enc = crypto.encrypt(number, associated=PASSPORT_AAD)
        self.passport_index = passport_index(number)
        self.passport_masked = mask_passport(number)


# -- health data: own tables, arrivals roles only (security.md P2) -----------------


class TestOutcome(models.TextChoices):
    NOT_TAKEN = "none", _("Not taken")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    PENDING = "pending", _("Awaiting the result")


class HealthDeclaration(models.Model):
    """What a traveller or resident declared about their health, on one day."""

    DATA_CLASSES = {
        "symptoms": DataClass.SENSITIVE,
        "symptoms_note": DataClass.SENSITIVE,
        "test_on": DataClass.SENSITIVE,
        "test_outcome": DataClass.SENSITIVE,
    }

    class Symptom(models.TextChoices):
        FEVER = "fever", _("Fever (37.3 °C or more)")
        COUGH = "cough", _("Cough")
        BREATH = "breath", _("Shortness of breath")
        THROAT = "throat", _("Sore throat")
        TASTE = "taste", _("Loss of taste or smell")
        OTHER = "other", _("Other")

    arrival = models.ForeignKey(
        Arrival,
        verbose_name=_("arrival"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="health_declarations",
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="health_declarations",
    )
    # The declaration it came with (a confirmation code reaches it through this).
    source = models.ForeignKey(
        ArrivalSource,
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="health_declarations",
    )
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    symptoms_note = models.CharField(_("symptoms (details)"), max_length=300, blank=True)
    test_on = models.DateField(_("test taken on"), null=True, blank=True)
    test_outcome = models.CharField(
        _("test result"), max_length=10, choices=TestOutcome.choices, default=TestOutcome.NOT_TAKEN
    )
    purged_at = models.DateTimeField(_("details purged"), null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "-pk"]
        verbose_name = _("health declaration")
        verbose_name_plural = _("health declarations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(arrival__isnull=False) & Q(resident__isnull=True))
                | (Q(arrival__isnull=True) & Q(resident__isnull=False)),
                name="health_declaration_of_one_person",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Health declaration of %(when)s") % {
            "when": timezone.localtime(self.declared_at).strftime("%Y-%m-%d")
        }


class TestResult(models.Model):
    """A test taken under the plan (a step of kind ``test``), recorded by the district."""

    DATA_CLASSES = {
        "sampled_on": DataClass.SENSITIVE,
        "outcome": DataClass.SENSITIVE,
    }

    arrival = models.ForeignKey(
        Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="test_results"
    )
    step = models.OneToOneField(
        Step,
        verbose_name=_("step"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="test_result",
    )
    sampled_on = models.DateField(_("sampled on"))
    outcome = models.CharField(
        _("result"), max_length=10, choices=TestOutcome.choices, default=TestOutcome.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["sampled_on", "pk"]
        verbose_name = _("test result")
        verbose_name_plural = _("test results")

    def __str__(self) -> str:
        return f"{self.sampled_on:%Y-%m-%d} {self.get_outcome_display()}"


class HealthTally(models.Model):
    """Counts kept when health details are purged: per district, month and what."""

    class What(models.TextChoices):
        DECLARATIONS = "declarations", _("Health declarations")
        SYMPTOMS = "symptoms", _("Declarations with symptoms")
        TESTS = "tests", _("Tests")
        POSITIVE = "positive", _("Positive tests")

    district = models.ForeignKey(
        "orgs.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))  # the first day of the month
    what = models.CharField(_("what"), max_length=12, choices=What.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["month", "district", "what"]
        verbose_name = _("health count")
        verbose_name_plural = _("health counts")
        constraints = [
            models.UniqueConstraint(fields=["district", "month", "what"], name="health_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.month:%Y-%m} {self.get_what_display()} {self.count}"
