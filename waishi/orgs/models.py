"""Districts, units, people (officials) and the user accounts linked to them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.lib import crypto
from waishi.lib.roles import DISTRICT_ROLES, UNIT_ROLES, Role
from waishi.orgs import idnumbers


class DataClass(models.TextChoices):
    """PIPL art. 6: every personal field says what kind of data it holds."""

    IDENTITY = "identity", _("identity")
    SENSITIVE = "sensitive", _("sensitive personal information")
    EMPLOYMENT = "employment", _("employment")
    POLITICAL = "political", _("political affiliation")
    CONTACT = "contact", _("contact")
    ACCOUNT = "account", _("account")


class District(models.Model):
    """A county-level district (县/市/区) with its GB/T 2260-style six-digit code."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="district_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    FAO = "fao", _("Foreign Affairs Office")
    PARTY = "party", _("Party organ")
    BUREAU = "bureau", _("Government bureau")
    DISTRICT_GOV = "district_gov", _("District government")
    SOE = "soe", _("State-owned enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """A member unit (成员单位): sends delegations, receives guests, or both."""

    code = models.CharField(_("unit code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Rank(models.TextChoices):
    """Administrative ranks as the policy rules name them (policy-rules.md)."""

    PROVINCIAL_MINISTERIAL = "provincial_ministerial", _("Provincial/ministerial")
    BUREAU = "bureau", _("Bureau (department) level")
    COUNTY_DIVISION = "county_division", _("County/division level")
    SECTION_BELOW = "section_below", _("Section level and below")
    NONE = "none", _("No administrative rank")


class PersonQuerySet(models.QuerySet):
    def with_id_number(self, number: str) -> PersonQuerySet:
        return self.filter(id_number_index=Person.index_id_number(number))


class Person(models.Model):
    """An official or employee who may travel, host, or be named in a record."""

    # P1: the data class of each personal field (tests hold every field to this list).
    DATA_CLASSES = {
        "name": DataClass.IDENTITY,
        "name_pinyin": DataClass.IDENTITY,
        "name_initials": DataClass.IDENTITY,
        "id_number_enc": DataClass.SENSITIVE,
        "id_number_index": DataClass.SENSITIVE,
        "unit": DataClass.EMPLOYMENT,
        "post": DataClass.EMPLOYMENT,
        "rank": DataClass.EMPLOYMENT,
        "is_unit_leadership": DataClass.EMPLOYMENT,
        "is_city_leader": DataClass.EMPLOYMENT,
        "is_econ_tech": DataClass.EMPLOYMENT,
        "is_retired": DataClass.EMPLOYMENT,
        "is_party_member": DataClass.POLITICAL,
        "phone": DataClass.CONTACT,
    }

    name = models.CharField(_("full name"), max_length=50)
    # Up to six letters a character (zhuang): 50 characters need 300.
    name_pinyin = models.CharField(_("pinyin"), max_length=400, blank=True, editable=False)
    name_initials = models.CharField(
        _("pinyin initials"), max_length=50, blank=True, editable=False
    )
    # Resident ID: SM4-GCM ciphertext plus an HMAC-SM3 blind index for exact search.
    id_number_enc = models.TextField(
        _("resident ID number (encrypted)"), blank=True, editable=False
    )
    id_number_index = models.CharField(
        _("resident ID number index"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("post"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=30, choices=Rank.choices, default=Rank.NONE)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    is_unit_leadership = models.BooleanField(
        _("member of the unit's leadership team"), default=False
    )
    is_city_leader = models.BooleanField(_("city leader"), default=False)
    is_econ_tech = models.BooleanField(_("trade/technology staff"), default=False)
    is_retired = models.BooleanField(_("retired"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "name_pinyin", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            models.Index(fields=["name_initials"], name="person_initials_idx"),
            models.Index(fields=["unit", "name_pinyin"], name="person_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    ID_AAD = "orgs.person.id_number"

    @staticmethod
    def index_id_number(number: str) -> str:
        return crypto.blind_index(idnumbers.normalise(number), purpose=Person.ID_AAD)

    def set_id_number(self, number: str) -> None:
        """Store a validated number: ciphertext and blind index, never clear text."""
        if not number:
            self.id_number_enc, self.id_number_index = "", None
            return
        number = idnumbers.validate(number)
        self.id_number_enc = crypto.encrypt(number, associated=self.ID_AAD)
        self.id_number_index = self.index_id_number(number)

    def reveal_id_number(self) -> str:
        """The clear number. Callers outside ``orgs.services`` must not use it."""
        if not self.id_number_enc:
            return ""
        return crypto.decrypt(self.id_number_enc, associated=self.ID_AAD)

    @property
    def id_number_masked(self) -> str:
        return idnumbers.mask(self.reveal_id_number())

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number_enc)


class User(AbstractUser):
    """An account: one role, tied to a unit or a district where the role needs one."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    expires_at = models.DateTimeField(_("account expires"), null=True, blank=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            # A unit role without a unit, or a district role without a district, would
            # either see nothing or, worse, be mistaken for a city-wide role.
            models.CheckConstraint(
                condition=~Q(role__in=sorted(UNIT_ROLES)) | Q(unit__isnull=False),
                name="user_unit_role_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(DISTRICT_ROLES)) | Q(district__isnull=False),
                name="user_district_role_has_district",
            ),
            models.CheckConstraint(condition=~Q(role=""), name="user_has_role"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """Earlier password hashes, so that a change cannot go back to a recent password."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
