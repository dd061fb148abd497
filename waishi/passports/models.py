"""Official passports (因公护照) kept in the FAO's custody, handed out for one approved
trip at a time and brought back after it (policy-rules.md, ``PASSPORT_OFFICIAL`` and
``PASSPORT_RETURN``).

A ``Passport`` belongs to a person; its unit (for scoping) is the holder's. The number is
stored SM4-GCM encrypted with an HMAC-SM3 blind index (security.md P3), like the resident
ID number of ``orgs.Person``. Each hand-out is a ``PassportCustody`` row, open until the
passport is back; a passport has at most one open row (a database constraint). New or
renewed passports are asked for with a ``PassportApplication``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waishi.lib import crypto
from waishi.orgs.models import DataClass

# Chinese passports: one or two letters and seven or eight digits (E12345678, SE1234567,
# P1234567, DE1234567), eight or nine characters in all.
NUMBER_RE = re.compile(r"^[A-Z]{1,2}[0-9]{7,8}$")


def normalise_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_number(value: str) -> str:
    """The number in its stored form, or a ValidationError that says what is wrong."""
    number = normalise_number(value)
    if not NUMBER_RE.match(number) or not 8 <= len(number) <= 9:
        raise ValidationError(
            gettext(
                "A passport number is one or two letters followed by seven or eight digits, "
                "e.g. SE1234567."
            ),
            code="passport_number",
        )
    return number


def mask_number(number: str) -> str:
    """SE1234567 -> SE*****67: the letters and the last two digits."""
    if not number:
        return ""
    head = len(number) - len(number.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return number[:head] + "*" * (len(number) - head - 2) + number[-2:]


class Kind(models.TextChoices):
    OFFICIAL_ORDINARY = "official_ordinary", _("Official ordinary passport")  # 因公普通护照
    SERVICE = "service", _("Service passport")  # 公务护照
    DIPLOMATIC = "diplomatic", _("Diplomatic passport")  # 外交护照


class PassportState(models.TextChoices):
    IN_CUSTODY = "in_custody", _("In custody")
    ISSUED = "issued", _("Issued for a trip")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# A passport that can still travel (one per holder and kind).
USABLE_STATES = frozenset({PassportState.IN_CUSTODY, PassportState.ISSUED})


class Passport(models.Model):
    # P1: the data class of each personal field.
    DATA_CLASSES = {
        "holder": DataClass.IDENTITY,
        "kind": DataClass.IDENTITY,
        "number_enc": DataClass.SENSITIVE,
        "number_index": DataClass.SENSITIVE,
        "issued_on": DataClass.IDENTITY,
        "expires_on": DataClass.IDENTITY,
    }
    NUMBER_AAD = "passports.passport.number"

    holder = models.ForeignKey(
        "orgs.Person", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="passports"
    )
    kind = models.CharField(
        _("kind of passport"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.OFFICIAL_ORDINARY,
    )
    number_enc = models.TextField(_("passport number (encrypted)"), editable=False)
    number_index = models.CharField(_("passport number index"), max_length=64, editable=False)
    issued_on = models.DateField(_("date of issue"))
    expires_on = models.DateField(_("date of expiry"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PassportState.choices,
        default=PassportState.IN_CUSTODY,
        db_index=True,
    )
    state_reason = models.TextField(_("reason for the state"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["holder__unit__code", "holder__name_pinyin", "pk"]
        verbose_name = _("official passport")
        verbose_name_plural = _("official passports")
        indexes = [models.Index(fields=["expires_on"], name="passport_expires_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number_index"], name="passport_number_once_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="passport_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} {self.get_kind_display()} {self.number_masked}"

    @staticmethod
    def index_number(number: str) -> str:
        return crypto.blind_index(normalise_number(number), purpose=Passport.NUMBER_AAD)

    def set_number(self, number: str) -> None:
        number = validate_number(number)
        self.number_enc = crypto.encrypt(number, associated=self.NUMBER_AAD)
        self.number_index = self.index_number(number)

    def reveal_number(self) -> str:
        """The clear number. Callers outside ``passports.services`` must not use it."""
        if not self.number_enc:
            return ""
        return crypto.decrypt(self.number_enc, associated=self.NUMBER_AAD)

    @property
    def number_masked(self) -> str:
        return mask_number(self.reveal_number())


class PassportCustody(models.Model):
    """One hand-out of a passport for a trip: open (``returned_at`` empty) until it is back."""

    passport = models.ForeignKey(
        Passport, verbose_name=_("passport"), on_delete=models.PROTECT, related_name="custodies"
    )
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("trip"),
        on_delete=models.PROTECT,
        related_name="passport_custodies",
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_back = models.DateField(_("due back"))
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Closed because the passport was reported lost rather than handed back.
    lost = models.BooleanField(_("reported lost"), default=False)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the unit leader"), null=True, blank=True)
    locked_at = models.DateTimeField(_("unit locked"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("passport custody")
        verbose_name_plural = _("passport custody records")
        indexes = [models.Index(fields=["due_back"], name="custody_due_back_idx")]
        constraints = [
            # One trip at a time. A partial unique index: PostgreSQL and SQLite have them;
            # MariaDB has none (Django skips the constraint there, models.W036), so on
            # MariaDB only the passport's row lock in ``services.passport_issue`` holds
            # this invariant.
            models.UniqueConstraint(
                fields=["passport"],
                condition=Q(returned_at__isnull=True),
                name="custody_one_open_per_passport",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(received_by__isnull=False),
                name="custody_returned_has_receiver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.passport} → {self.mission}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def days_overdue(self, today) -> int:
        if not self.is_open or today <= self.due_back:
            return 0
        return (today - self.due_back).days


class ApplicationType(models.TextChoices):
    NEW = "new", _("New passport")
    RENEWAL = "renewal", _("Renewal")


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PassportApplication(models.Model):
    """A unit's request for a new official passport or the renewal of one."""

    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="passport_applications",
    )
    kind = models.CharField(
        _("kind of passport"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.OFFICIAL_ORDINARY,
    )
    application_type = models.CharField(
        _("new or renewal"), max_length=10, choices=ApplicationType.choices
    )
    replaces = models.ForeignKey(
        Passport,
        verbose_name=_("passport renewed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.SUBMITTED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("comment on the decision"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("passport application")
        verbose_name_plural = _("passport applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="submitted") | Q(decided_by__isnull=False),
                name="passport_application_decided_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_application_type_display()} {self.get_kind_display()}"
