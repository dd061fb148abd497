"""Outbound delegations (因公临时出国团组): the application and its rows.

A ``Mission`` is drafted by a unit clerk over several steps (basics, invitation,
itinerary, members, budget) and saved at every step, complete or not: the rules that
block (a missing date, a policy error) bite only at submission. From submission on the
workflow (``missions.core.workflow``) owns ``state``, and rows are no longer edited.

What the policy checker reads is built from these rows by ``missions.core.checking.trip_data``
in the contract's input shape (shared/contracts/policy-check.md); the result of the check
taken at submission is stored on the mission (``check_input``, ``check_result``,
``policy_version``) so that an old decision can be re-explained.

Members point at ``orgs.Person``: ranks and flags are read from the person while the
application is edited and frozen into ``Member.snapshot`` at submission.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.lib import uploads
from waishi.policy.types import INVITATION_SOURCES


class Category(models.TextChoices):
    GENERAL = "general", _("Ordinary")
    ECON_TECH = "econ_tech", _("Economic, trade and technology")
    ACADEMIC = "academic", _("Teaching and research")


class InvitationSource(models.TextChoices):
    FOREIGN_COUNTERPART = "foreign_counterpart", _("Foreign counterpart")
    OVERSEAS_CHINESE = "overseas_chinese", _("Overseas Chinese organisation")
    FOREIGN_MISSION_IN_CHINA = "foreign_mission_in_china", _("Foreign mission in China")
    AGENCY = "agency", _("Agency or intermediary")
    CHINESE_ENTERPRISE_ABROAD = "chinese_enterprise_abroad", _("Chinese enterprise abroad")
    NONE = "none", _("No invitation")


assert tuple(InvitationSource.values) == INVITATION_SOURCES  # the policy's enumeration


class State(models.TextChoices):
    """The workflow's states (labels for lists and filters; the table is in workflow.py)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # After approval (issue 5): departure and return confirmed, then closed once the
    # report is accepted and every passport is back.
    ABROAD = "abroad", _("Abroad")
    BACK = "back", _("Back home")
    CLOSED = "closed", _("Closed")


# The states in which the clerk edits the application (the rest belongs to the workflow).
EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
# States of a trip that was approved and not called off: an earlier trip for FREQUENCY.
TRAVELLED_STATES = frozenset({State.APPROVED, State.ABROAD, State.BACK, State.CLOSED})


def invitation_upload_to(instance, filename: str) -> str:
    """A random name: the uploader's file name never reaches the file system."""
    return uploads.random_name("missions/invitations", filename)


class Mission(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="missions"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    tasks = models.TextField(_("tasks"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.GENERAL
    )
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    return_date = models.DateField(_("return date"), null=True, blank=True)

    invitation_source = models.CharField(
        _("invitation from"), max_length=40, choices=InvitationSource.choices, blank=True
    )
    inviter = models.CharField(_("inviter"), max_length=200, blank=True)
    # Served only through the scoped download view; never a public URL (security.md).
    invitation_letter = models.FileField(
        _("invitation letter"), upload_to=invitation_upload_to, blank=True, max_length=200
    )
    invitation_letter_name = models.CharField(
        _("invitation letter file name"), max_length=200, blank=True
    )
    invitation_letter_type = models.CharField(
        _("invitation letter type"), max_length=100, blank=True
    )
    invitation_letter_size = models.PositiveIntegerField(
        _("invitation letter size"), null=True, blank=True
    )

    # The binding annual-plan entry this trip carries out; or 计划外 with a written reason.
    plan_entry = models.ForeignKey(
        "plans.PlanEntry",
        verbose_name=_("plan entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="missions",
    )
    out_of_plan = models.BooleanField(_("not in the annual plan"), default=False)
    out_of_plan_reason = models.TextField(_("reason for a trip outside the plan"), blank=True)
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    # The approval form's 经费预算总额 (yuan): the lines are in the currencies of the
    # standards, and no exchange rate is kept here, so the clerk states the total.
    budget_total_cny = models.DecimalField(
        _("total budget (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    step = models.PositiveSmallIntegerField(_("step of the form reached"), default=1)
    # Optimistic concurrency: every write names the version it was based on and bumps it,
    # so two browser tabs cannot silently overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    # The last check stored (at submission): the input judged, the policy version and
    # the contract's output, so that a decision can be re-explained later.
    policy_version = models.CharField(_("policy version"), max_length=64, blank=True)
    check_input = models.JSONField(_("checked input"), null=True, blank=True)
    check_result = models.JSONField(_("check result"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    # finding key (``checking.finding_key``) -> the clerk's written justification.
    justifications = models.JSONField(_("justifications"), default=dict, blank=True)

    # A *principle* error (原则上, e.g. SAME_UNIT_LEADERS) overridden by the FAO head or the
    # committee when deciding: the rules, the reason and who (also in the audit event).
    override_rules = models.JSONField(_("rules overridden"), default=list, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for the cancellation"), blank=True)

    # During and after the trip: the actual dates as confirmed by the unit, and the number
    # of the itinerary version in force (1 = as approved; each approved change adds one).
    actual_departure = models.DateField(_("actual departure"), null=True, blank=True)
    actual_return = models.DateField(_("actual return"), null=True, blank=True)
    itinerary_version = models.PositiveIntegerField(_("itinerary version"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("trip abroad")
        verbose_name_plural = _("trips abroad")
        indexes = [
            models.Index(fields=["unit", "state"], name="mission_unit_state_idx"),
            models.Index(fields=["departure_date"], name="mission_departure_idx"),
            # The lists' order (-created_at, -pk), read backwards: for everyone and per unit.
            models.Index(fields=["created_at", "id"], name="mission_created_idx"),
            models.Index(fields=["unit", "created_at", "id"], name="mission_unit_created_idx"),
        ]
        # No constraint on the order of the dates: a draft keeps what was typed, and
        # ITINERARY_INCONSISTENT (an error) stops a wrong order at submission.

    def __str__(self) -> str:
        return self.title or str(_("Untitled trip #%(pk)s") % {"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def days_abroad(self) -> int | None:
        if self.departure_date and self.return_date:
            return (self.return_date - self.departure_date).days + 1
        return None


class Stop(models.Model):
    """One place of the itinerary; ``country`` may be empty while drafting."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="stops"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    country = models.CharField(_("country or region"), max_length=2, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    arrive = models.DateField(_("arrive"), null=True, blank=True)
    depart = models.DateField(_("depart"), null=True, blank=True)
    transit_airside = models.BooleanField(_("airside transit only"), default=False)

    class Meta:
        ordering = ["mission", "order", "pk"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"{self.country} {self.city}".strip() or str(_("stop"))


class DayKind(models.TextChoices):
    OFFICIAL = "official", _("Official business")
    TRAVEL = "travel", _("Travel")
    REST = "rest", _("Rest")
    SIGHTSEEING = "sightseeing", _("Sightseeing")


class ScheduleDay(models.Model):
    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), null=True, blank=True)
    kind = models.CharField(
        _("kind of day"), max_length=20, choices=DayKind.choices, default=DayKind.OFFICIAL
    )
    activities = models.TextField(_("activities"), blank=True)

    class Meta:
        ordering = ["mission", "date", "pk"]
        verbose_name = _("day of the schedule")
        verbose_name_plural = _("days of the schedule")

    def __str__(self) -> str:
        return f"{self.date or ''} {self.get_kind_display()}".strip()


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")


class Member(models.Model):
    """A person in the delegation. Rank, post and flags come from ``person`` while the
    application is edited; ``snapshot`` freezes them (the contract's member object,
    earlier trips included) at submission."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    task = models.TextField(_("task on this trip"), blank=True)
    is_leader = models.BooleanField(_("head of delegation"), default=False)
    role = models.CharField(_("role in the delegation"), max_length=100, blank=True)
    relation = models.CharField(
        _("family relation"), max_length=10, choices=Relation.choices, blank=True
    )
    snapshot = models.JSONField(_("as submitted"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["mission", "order", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["mission", "person"], name="member_once_per_mission"),
            models.UniqueConstraint(
                fields=["mission"], condition=Q(is_leader=True), name="member_one_leader"
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)


class BudgetLine(models.Model):
    """Per person per day costs at one place (财行〔2013〕516号), plus optional fares."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    stop = models.ForeignKey(
        Stop,
        verbose_name=_("stop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_lines",
    )
    country = models.CharField(_("country or region"), max_length=2, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    lodging_per_day = models.DecimalField(
        _("lodging per person and day"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    meals_per_day = models.DecimalField(
        _("meals per person and day"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    incidentals_per_day = models.DecimalField(
        _("incidentals per person and day"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    international_fares = models.DecimalField(
        _("international fares (total)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    other_costs = models.DecimalField(
        _("other costs (total)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["mission", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.country} {self.city} {self.currency}".strip() or str(_("budget line"))


# -- publicity (公示) -----------------------------------------------------------------------


class Exemption(models.TextChoices):
    """When no pre-trip publicity is required (policy-rules.md, ``PUBLICITY_BEFORE``)."""

    NATIONAL_LEADERS = "national_leaders", _("Accompanying national leaders")
    CENTRAL_TASK = "central_task", _("Central temporary task")
    EMERGENCY = "emergency", _("Emergency")
    DIPLOMATIC = "diplomatic", _("Special diplomatic mission")
    SECRET = "secret", _("Secret matter")


class Publicity(models.Model):
    """The pre-trip notice (公示) of a trip: published by its unit for ``working_days``
    working days (``starts_on`` .. ``ends_on`` inclusive), or exempted by the FAO head
    with a reason. Final approval waits until the period has run (or the exemption)."""

    mission = models.OneToOneField(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="publicity"
    )
    starts_on = models.DateField(_("publicity from"), null=True, blank=True)
    ends_on = models.DateField(_("publicity until"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(
        _("working days of publicity"), null=True, blank=True
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    exemption = models.CharField(
        _("exemption"), max_length=30, choices=Exemption.choices, blank=True
    )
    exemption_reason = models.TextField(_("reason for the exemption"), blank=True)
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exempted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exempted_at = models.DateTimeField(_("exempted"), null=True, blank=True)

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicity notices")
        constraints = [
            # Either published with its period, or exempted with a reason (or both).
            models.CheckConstraint(
                condition=Q(starts_on__isnull=False, ends_on__isnull=False)
                | (~Q(exemption="") & ~Q(exemption_reason="")),
                name="publicity_published_or_exempted",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="publicity_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Publicity of %(trip)s") % {"trip": self.mission})

    @property
    def is_published(self) -> bool:
        return self.starts_on is not None

    @property
    def is_exempt(self) -> bool:
        return bool(self.exemption)

    def has_run(self, today) -> bool:
        """True when the period is over (today after its last day) or it is exempted."""
        return self.is_exempt or (self.ends_on is not None and today > self.ends_on)


# -- before departure (出发前准备) ------------------------------------------------------------
#
# Recorded by the unit (its clerk or leader) once the trip is approved; the checklist of
# what still blocks departure is ``missions.core.readiness``.


class LeaderAcknowledgment(models.Model):
    """The head of the delegation (团长, the member flagged ``is_leader``) acknowledged
    their responsibility. The head is a person, not an account: the unit records it on
    their behalf, with the day it was given."""

    mission = models.OneToOneField(
        Mission,
        verbose_name=_("trip"),
        on_delete=models.CASCADE,
        related_name="leader_acknowledgment",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("head of delegation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_on = models.DateField(_("acknowledged on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgment of the head of delegation")
        verbose_name_plural = _("acknowledgments of the head of delegation")

    def __str__(self) -> str:
        return str(_("%(name)s acknowledged") % {"name": self.member})


class EducationMethod(models.TextChoices):
    GROUP = "group", _("Group training (集中培训)")
    TALK = "talk", _("Individual talk (个别谈话)")
    READING = "reading", _("Written study (书面学习)")
    OTHER = "other", _("Other")


class Education(models.Model):
    """One member's pre-departure discipline education (policy-rules.md ``EDUCATION``):
    one record per member, corrected in place (every change is audited)."""

    member = models.OneToOneField(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="education"
    )
    given_on = models.DateField(_("date of the education"))
    method = models.CharField(_("form"), max_length=20, choices=EducationMethod.choices)
    given_by = models.CharField(_("given by"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("pre-departure education")
        verbose_name_plural = _("pre-departure education records")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=EducationMethod.values), name="education_method_known"
            ),
            models.CheckConstraint(condition=~Q(given_by=""), name="education_given_by_named"),
        ]

    def __str__(self) -> str:
        return str(_("Education of %(name)s") % {"name": self.member})


class PartyBranch(models.Model):
    """The temporary Party branch (临时党支部) of a delegation with enough Party members
    (policy-rules.md ``PARTY_BRANCH``): its secretary, its size, who approved it, when."""

    mission = models.OneToOneField(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="party_branch"
    )
    secretary = models.ForeignKey(
        Member, verbose_name=_("secretary"), on_delete=models.PROTECT, related_name="+"
    )
    members_count = models.PositiveSmallIntegerField(_("number of Party members"))
    approved_by = models.CharField(_("approved by"), max_length=200)
    approved_on = models.DateField(_("approved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("temporary Party branch")
        verbose_name_plural = _("temporary Party branches")
        constraints = [
            models.CheckConstraint(
                condition=Q(members_count__gte=1), name="party_branch_has_members"
            ),
            models.CheckConstraint(condition=~Q(approved_by=""), name="party_branch_approved_by"),
        ]

    def __str__(self) -> str:
        return str(_("Temporary Party branch of %(trip)s") % {"trip": self.mission})


# -- during the trip (出访期间) ----------------------------------------------------------------


class ItineraryVersion(models.Model):
    """The itinerary in force, frozen: number 1 is the itinerary as approved, each approved
    change request adds the next number. ``stops`` and ``members`` keep plain data (what a
    reader needs to compare two versions), not references that later edits could move.

    ``stops``: ``[{"country", "city", "arrive", "depart", "transit_airside"}]`` (ISO dates);
    ``members``: ``[{"person_id", "name", "unit", "post", "task", "is_leader"}]``."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="itineraries"
    )
    number = models.PositiveIntegerField(_("version"))
    departure_date = models.DateField(_("departure date"))
    return_date = models.DateField(_("return date"))
    stops = models.JSONField(_("stops"), default=list)
    members = models.JSONField(_("members"), default=list)
    change_request = models.OneToOneField(
        "missions.ChangeRequest",
        verbose_name=_("change request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applied_version",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["mission", "number"]
        verbose_name = _("itinerary version")
        verbose_name_plural = _("itinerary versions")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="itinerary_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="itinerary_version_from_1"),
            models.CheckConstraint(
                condition=Q(return_date__gte=models.F("departure_date")),
                name="itinerary_version_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Itinerary v%(number)s of %(trip)s") % {"number": self.number, "trip": self.mission}
        )


class ChangeKind(models.TextChoices):
    """What a change request changes (policy-rules.md ``ITINERARY_CHANGE``)."""

    ADDED_COUNTRY = "added_country", _("Added country")
    DETOUR = "detour", _("Detour or changed route")
    LONGER_STAY = "longer_stay", _("Longer stay")
    MEMBER_CHANGE = "member_change", _("Member change")
    OTHER = "other", _("Other change")


class ChangeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChangeRequest(models.Model):
    """A change to an approved trip's itinerary or members (变更申请). It takes effect --
    becomes the next ``ItineraryVersion`` -- only when its own approval chain approves it
    (subject type ``missions.change``), after the policy check ran again on the trip as
    it would be. ``proposed`` holds the whole itinerary as proposed, in the shape of
    ``ItineraryVersion`` (``departure_date``, ``return_date``, ``stops``, ``members``);
    ``kinds`` is what differs from the version it was based on (``base_number``)."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.PROTECT, related_name="change_requests"
    )
    number = models.PositiveIntegerField(_("number"))
    base_number = models.PositiveIntegerField(_("based on itinerary version"))
    kinds = models.JSONField(_("what changes"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    proposed = models.JSONField(_("proposed itinerary"), default=dict)
    state = models.CharField(
        _("state"), max_length=20, choices=ChangeState.choices, default=ChangeState.DRAFT
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)
    policy_version = models.CharField(_("policy version"), max_length=64, blank=True)
    check_input = models.JSONField(_("checked input"), null=True, blank=True)
    check_result = models.JSONField(_("check result"), null=True, blank=True)
    justifications = models.JSONField(_("justifications"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["mission", "-number"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="change_request_number"),
            # One change in flight per trip: a second waits until the first is decided.
            # MariaDB has no partial unique index (Django skips it there, models.W036): on
            # MariaDB the mission's row lock in ``changes.services`` holds it alone.
            models.UniqueConstraint(
                fields=["mission"],
                condition=Q(state__in=["draft", "submitted", "in_review", "returned"]),
                name="change_request_one_open",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Change request %(number)s of %(trip)s")
            % {"number": self.number, "trip": self.mission}
        )


class IncidentKind(models.TextChoices):
    LEFT_GROUP = "left_group", _("A member left the group")
    MEDIA = "media", _("Media interview")
    EMERGENCY = "emergency", _("Emergency")
    LOST_PASSPORT = "lost_passport", _("Lost passport")
    OTHER = "other", _("Other")


class Incident(models.Model):
    """Something that happened during the trip and must be on the record (出访期间重要情况):
    when, where, what was reported, and what follows from it."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("trip"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    report = models.TextField(_("report"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    closed_at = models.DateTimeField(_("follow-up closed"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        ordering = ["mission", "-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IncidentKind.values), name="incident_kind_known"
            ),
            models.CheckConstraint(condition=~Q(report=""), name="incident_report_given"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


# -- after the trip (回国后) -------------------------------------------------------------------


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")


def report_upload_to(instance, filename: str) -> str:
    return uploads.random_name("missions/reports", filename)


class TripReport(models.Model):
    """The trip report (出访报告) the unit owes the FAO after the return (``REPORT_DUE``):
    structured fields, the signed document, the post-trip publicity inside the unit, and
    the FAO's acceptance. Created when the return is confirmed, with its due date."""

    mission = models.OneToOneField(
        Mission, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="report"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    due_date = models.DateField(_("due"))
    version = models.PositiveIntegerField(_("version"), default=1)

    tasks_done = models.TextField(_("tasks carried out"), blank=True)
    meetings = models.TextField(_("meetings held"), blank=True)
    agreements = models.TextField(_("agreements signed"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    costs = models.TextField(_("costs"), blank=True)
    actual_cost_cny = models.DecimalField(
        _("actual cost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    problems = models.TextField(_("problems and suggestions"), blank=True)

    # The signed report as filed (Word or PDF), served only through a scoped view.
    document = models.FileField(
        _("signed report"), upload_to=report_upload_to, blank=True, max_length=200
    )
    document_name = models.CharField(_("file name"), max_length=200, blank=True)
    document_type = models.CharField(_("file type"), max_length=100, blank=True)
    document_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)

    # Post-trip publicity inside the unit (出访后公示).
    publicity_starts_on = models.DateField(_("post-trip publicity from"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("post-trip publicity until"), null=True, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_comment = models.TextField(_("reason for returning"), blank=True)
    # The sweep's marks, so that each reminder and escalation is sent once.
    reminded_on = models.DateField(_("reminded"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trip report")
        verbose_name_plural = _("trip reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(publicity_ends_on__isnull=True)
                | Q(publicity_ends_on__gte=models.F("publicity_starts_on")),
                name="report_publicity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_comment=""),
                name="report_returned_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Report of %(trip)s") % {"trip": self.mission})
