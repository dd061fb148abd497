"""The Foreign Affairs Committee (市委外事工作委员会): its members and office, its meetings
with attendance and agenda items, the documents under review with their versions, the
meetings' minutes (会议纪要) and their decisions, each of which may become a supervised task
on the one tracker (``waishi.followups``).

Numbers are given under a row lock (``services``) and backed by unique constraints: a
meeting is the N-th of its kind in its year (第N次); issued minutes carry a 发文字号
("外委办纪〔2026〕3号": prefix, year, sequence in the year)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.lib import uploads


class Position(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    MEMBER = "member", _("Member")


class CommitteeMember(models.Model):
    person = models.OneToOneField(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="committee_seat",
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    office_role = models.CharField(_("office in the committee"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.person.name


class CommitteeSettings(models.Model):
    """One row (pk 1), kept by the FAO; its row lock serialises the numbering."""

    office_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("committee office"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    issuer_mark = models.CharField(
        _("issuing authority mark"), max_length=60, default="市委外事工作委员会会议纪要"
    )
    number_prefix = models.CharField(_("document number prefix"), max_length=20, default="外委纪")
    printer = models.CharField(_("printed by"), max_length=60, default="市委外事工作委员会办公室")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("committee settings")
        verbose_name_plural = _("committee settings")

    def __str__(self) -> str:
        return str(self.issuer_mark)


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary meeting")
    DIRECTORS = "directors", _("Directors' meeting")
    TOPIC = "topic", _("Meeting on one subject")


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")


class Meeting(models.Model):
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=MeetingKind.choices)
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number in the year"))
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    convener = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("convener"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    title = models.CharField(_("subject"), max_length=200, blank=True)
    attendees_extra = models.TextField(_("also attending"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=MeetingState.choices, default=MeetingState.SCHEDULED
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "number"], name="committee_meeting_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s No. %(number)s %(kind)s") % {
            "year": self.year,
            "number": self.number,
            "kind": self.get_kind_display(),
        }


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    REPRESENTED = "represented", _("Represented")


class Attendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        CommitteeMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("attendance"),
        max_length=20,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    represented_by = models.CharField(_("represented by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["member__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="committee_attendance_once"),
            models.CheckConstraint(
                condition=~Q(status="leave") | ~Q(reason=""),
                name="committee_attendance_leave_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="represented") | ~Q(represented_by=""),
                name="committee_attendance_represented_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class Opinion(models.TextChoices):
    AGREE = "agree", _("Agreed")
    AGREE_REVISE = "agree_revise", _("Agreed in principle, to be revised")
    RESUBMIT = "resubmit", _("To be revised and submitted again")
    DISAGREE = "disagree", _("Not agreed")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("agenda item"), max_length=200)
    submitting_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("submitting unit"),
        on_delete=models.PROTECT,
        related_name="committee_items",
    )
    opinion = models.CharField(
        _("opinion of the meeting"), max_length=20, choices=Opinion.choices, blank=True
    )
    opinion_note = models.TextField(_("note on the opinion"), blank=True)
    approved_version = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("approved version"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="committee_item_order"),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentKind(models.TextChoices):
    POLICY = "policy", _("Draft policy")
    PLAN = "plan", _("Plan")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class Document(models.Model):
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("document"), max_length=200)
    kind = models.CharField(
        _("kind of document"),
        max_length=20,
        choices=DocumentKind.choices,
        default=DocumentKind.OTHER,
    )
    # 内部: shown only to the readers named here, the office (FAO) and the auditor.
    internal = models.BooleanField(_("internal"), default=False)
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named readers"),
        related_name="committee_documents",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("document under review")
        verbose_name_plural = _("documents under review")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    REVISION = "revision", _("Revised after the meeting")


def version_upload_to(instance, filename: str) -> str:
    """A random name: the uploader's file name never reaches the file system."""
    return uploads.random_name("committee/documents", filename)


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    # Served only through the permission-checked, audited download view.
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="committee_version_number"),
        ]

    def __str__(self) -> str:
        return _("%(document)s, version %(number)s") % {
            "document": self.document.title,
            "number": self.number,
        }

    @property
    def is_docx(self) -> bool:
        return self.name.lower().endswith(".docx") or self.content_type.endswith("document")


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Under review")
    ISSUED = "issued", _("Issued")


class Secrecy(models.TextChoices):
    NONE = "", _("Not classified")
    SECRET = "secret", _("Secret")
    CONFIDENTIAL = "confidential", _("Confidential")


class Minutes(models.Model):
    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="minutes"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    copy_no = models.CharField(_("copy number"), max_length=6, blank=True)
    secrecy = models.CharField(
        _("classification"), max_length=20, choices=Secrecy.choices, blank=True, default=""
    )
    number = models.CharField(_("document number"), max_length=60, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["-meeting__date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "seq"],
                condition=Q(seq__isnull=False),
                name="committee_minutes_number_unique",
            ),
            models.CheckConstraint(
                condition=~Q(state="issued") | (Q(seq__isnull=False) & ~Q(number="")),
                name="committee_minutes_issued_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="decisions"
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        related_name="decisions",
        null=True,
        blank=True,
    )
    order = models.PositiveIntegerField(_("order"))
    text = models.TextField(_("decision of the minutes"))
    task = models.ForeignKey(
        "followups.Outcome",
        verbose_name=_("supervised task"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("decision of the minutes")
        verbose_name_plural = _("decisions of the minutes")
        ordering = ["minutes", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "order"], name="committee_decision_order"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


from waishi.committee.keypoint_models import KeyPoint, KeyPointLevel, KeyPointPlan  # noqa: E402, F401
