"""Every change to the committee's records: keyword-only functions taking ``actor=``,
checking permission, writing exactly one audit event, in one transaction.

Numbers are given under the settings row's lock (``_lock_settings``) and backed by unique
constraints: a meeting's 第N次 within its year and kind, the minutes' 发文字号 within the
year of issue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from waishi.audit.services import diff, record, snapshot
from waishi.committee import uploads
from waishi.committee.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CommitteeMember,
    CommitteeSettings,
    Decision,
    Document,
    DocumentKind,
    DocumentVersion,
    Meeting,
    MeetingKind,
    MeetingState,
    Minutes,
    MinutesState,
    Opinion,
    Position,
    Secrecy,
    Stage,
)
from waishi.committee.notices import OPINION_GIVEN
from waishi.committee.workflow import MEETING, MINUTES, OFFICE, may_approve, may_upload
from waishi.lib.roles import has
from waishi.notify import handoffs

SETTINGS_FIELDS = ("office_unit", "issuer_mark", "number_prefix", "printer")
MEMBER_FIELDS = ("person", "position", "office_role", "order", "active")
MEETING_FIELDS = (
    "kind",
    "year",
    "number",
    "date",
    "place",
    "convener",
    "title",
    "attendees_extra",
    "state",
)
MEETING_EDITABLE = ("date", "place", "convener", "title", "attendees_extra")
ITEM_FIELDS = ("order", "title", "submitting_unit", "opinion", "opinion_note")
MINUTES_FIELDS = ("title", "body", "copy_no", "secrecy")
# The opinions whose item goes on (a decision to carry out, a version to approve).
GOES_ON = (Opinion.AGREE, Opinion.AGREE_REVISE)


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You are not allowed to do this."))


def _require_office(actor) -> None:
    if not has(actor, OFFICE):
        raise PermissionDenied(_("Only the committee office may do this."))


def _text(value) -> str:
    return (value or "").strip()


def settings_get() -> CommitteeSettings:
    found = CommitteeSettings.objects.filter(pk=1).first()
    return found if found is not None else CommitteeSettings(pk=1)


def _lock_settings() -> CommitteeSettings:
    """The settings row, locked: whoever numbers a meeting or minutes waits here."""
    CommitteeSettings.objects.get_or_create(pk=1)
    return CommitteeSettings.objects.select_for_update().get(pk=1)


# --- settings and members ------------------------------------------------------------------


def settings_update(
    *, actor, office_unit, issuer_mark: str, number_prefix: str, printer: str, ip: str = ""
) -> CommitteeSettings:
    _require_office(actor)
    errors = {}
    for name, value in (
        ("issuer_mark", issuer_mark),
        ("number_prefix", number_prefix),
        ("printer", printer),
    ):
        if not _text(value):
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = _lock_settings()
        before = snapshot(row, SETTINGS_FIELDS)
        row.office_unit = office_unit
        row.issuer_mark = _text(issuer_mark)
        row.number_prefix = _text(number_prefix)
        row.printer = _text(printer)
        row.save()
        old, new = diff(before, snapshot(row, SETTINGS_FIELDS))
        record(
            action="committee.settings.update", actor=actor, obj=row, ip=ip, before=old, after=new
        )
    return row


def member_add(
    *,
    actor,
    person,
    position: str = Position.MEMBER,
    office_role: str = "",
    order: int = 0,
    ip: str = "",
) -> CommitteeMember:
    _require_office(actor)
    if person is None:
        raise ValidationError({"person": _("Choose the person.")})
    if position not in Position.values:
        raise ValidationError({"position": _("Choose a position.")})
    if CommitteeMember.objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person is already a committee member.")})
    with transaction.atomic():
        member = CommitteeMember.objects.create(
            person=person, position=position, office_role=_text(office_role), order=order or 0
        )
        record(
            action="committee.member.add",
            actor=actor,
            obj=member,
            ip=ip,
            after=snapshot(member, MEMBER_FIELDS),
        )
    return member


def member_update(*, actor, member: CommitteeMember, ip: str = "", **values) -> CommitteeMember:
    unknown = set(values) - {"position", "office_role", "order", "active"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _require_office(actor)
    if "position" in values and values["position"] not in Position.values:
        raise ValidationError({"position": _("Choose a position.")})
    with transaction.atomic():
        locked = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        before = snapshot(locked, MEMBER_FIELDS)
        for name, value in values.items():
            setattr(locked, name, _text(value) if name == "office_role" else value)
        locked.save()
        old, new = diff(before, snapshot(locked, MEMBER_FIELDS))
        record(
            action="committee.member.update", actor=actor, obj=locked, ip=ip, before=old, after=new
        )
    return locked


# --- meetings ---------------------------------------------------------------------------------


def _clean_meeting(*, date, place: str) -> None:
    errors = {}
    if date is None:
        errors["date"] = _("Give the date of the meeting.")
    if not _text(place):
        errors["place"] = _("Give the place of the meeting.")
    if errors:
        raise ValidationError(errors)


def meeting_create(
    *,
    actor,
    kind: str,
    date: dt.date,
    place: str,
    convener=None,
    title: str = "",
    attendees_extra: str = "",
    ip: str = "",
) -> Meeting:
    """Schedule a meeting: it is the next 第N次 of its kind in the year of its date (given
    under the settings row's lock); every active member is invited, present by default."""
    _require_office(actor)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    _clean_meeting(date=date, place=place)
    with transaction.atomic():
        _lock_settings()
        last = Meeting.objects.filter(year=date.year, kind=kind).aggregate(n=Max("number"))["n"]
        meeting = Meeting.objects.create(
            kind=kind,
            year=date.year,
            number=(last or 0) + 1,
            date=date,
            place=_text(place),
            convener=convener,
            title=_text(title),
            attendees_extra=_text(attendees_extra),
            created_by=actor,
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=m)
            for m in CommitteeMember.objects.filter(active=True).order_by("order", "pk")
        )
        record(
            action="committee.meeting.create",
            actor=actor,
            obj=meeting,
            ip=ip,
            after=snapshot(meeting, MEETING_FIELDS),
        )
    return meeting


def _require_not_issued(meeting: Meeting) -> None:
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.state == MinutesState.ISSUED:
        raise ValidationError(
            _("The minutes of this meeting are issued; the meeting can no longer be changed."),
            code="issued",
        )


def meeting_update(*, actor, meeting: Meeting, ip: str = "", **values) -> Meeting:
    """Change the date (within the same year), place, convener, subject or who also attends."""
    unknown = set(values) - set(MEETING_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _require_office(actor)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_not_issued(locked)
        before = snapshot(locked, MEETING_FIELDS)
        date = values.get("date", locked.date)
        _clean_meeting(date=date, place=values.get("place", locked.place))
        if date.year != locked.year:
            raise ValidationError(
                {"date": _("A meeting keeps its year: its number is counted within it.")}
            )
        for name, value in values.items():
            setattr(locked, name, _text(value) if isinstance(value, str) else value)
        locked.save()
        old, new = diff(before, snapshot(locked, MEETING_FIELDS))
        record(
            action="committee.meeting.update", actor=actor, obj=locked, ip=ip, before=old, after=new
        )
    return locked


def meeting_hold(*, actor, meeting: Meeting, ip: str = "") -> Meeting:
    """Mark the meeting held; its items' opinions are recorded after this."""
    return MEETING.apply(meeting, "hold", actor=actor, ip=ip)


def attendance_set(
    *,
    actor,
    meeting: Meeting,
    member: CommitteeMember,
    status: str,
    reason: str = "",
    represented_by: str = "",
    ip: str = "",
) -> Attendance:
    _require_office(actor)
    reason, represented_by = _text(reason), _text(represented_by)
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose present, on leave or represented.")})
    if status == AttendanceStatus.LEAVE and not reason:
        raise ValidationError({"reason": _("Give the reason for the leave.")})
    if status == AttendanceStatus.REPRESENTED and not represented_by:
        raise ValidationError({"represented_by": _("Name who attends in the member's place.")})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_not_issued(locked)
        row, _created = Attendance.objects.get_or_create(meeting=locked, member=member)
        before = {"status": row.status, "reason": row.reason, "represented_by": row.represented_by}
        row.status = status
        row.reason = reason if status == AttendanceStatus.LEAVE else ""
        row.represented_by = represented_by if status == AttendanceStatus.REPRESENTED else ""
        row.save()
        after = {"status": row.status, "reason": row.reason, "represented_by": row.represented_by}
        old, new = diff(before, after)
        record(
            action="committee.attendance.set",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
            data={"member": member.person.name},
        )
    return row


# --- agenda items -------------------------------------------------------------------------------


def item_add(*, actor, meeting: Meeting, title: str, submitting_unit, ip: str = "") -> AgendaItem:
    """Put an item on the agenda, after the last one."""
    _require_office(actor)
    title = _text(title)
    errors = {}
    if not title:
        errors["title"] = _("Give the agenda item a title.")
    if submitting_unit is None:
        errors["submitting_unit"] = _("Choose the submitting unit.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_not_issued(locked)
        last = AgendaItem.objects.filter(meeting=locked).aggregate(n=Max("order"))["n"]
        item = AgendaItem.objects.create(
            meeting=locked, order=(last or 0) + 1, title=title, submitting_unit=submitting_unit
        )
        record(
            action="committee.item.add",
            actor=actor,
            obj=locked,
            ip=ip,
            after={"title": title, "order": item.order, "submitting_unit": submitting_unit.name},
            data={"item": item.pk, "title": title},
        )
    return item


def _lock_item(item: AgendaItem) -> AgendaItem:
    return AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)


def item_update(
    *, actor, item: AgendaItem, title: str, submitting_unit, ip: str = ""
) -> AgendaItem:
    _require_office(actor)
    title = _text(title)
    if not title:
        raise ValidationError({"title": _("Give the agenda item a title.")})
    if submitting_unit is None:
        raise ValidationError({"submitting_unit": _("Choose the submitting unit.")})
    with transaction.atomic():
        locked = _lock_item(item)
        _require_not_issued(locked.meeting)
        before = snapshot(locked, ITEM_FIELDS)
        locked.title, locked.submitting_unit = title, submitting_unit
        locked.save(update_fields=["title", "submitting_unit"])
        old, new = diff(before, snapshot(locked, ITEM_FIELDS))
        record(
            action="committee.item.update", actor=actor, obj=locked, ip=ip, before=old, after=new
        )
    return locked


def item_opinion(
    *, actor, item: AgendaItem, opinion: str, note: str = "", ip: str = ""
) -> AgendaItem:
    """The meeting's opinion on the item (同意, 原则同意并修改完善, 修改后再报, 不同意), once
    the meeting is held; the submitting unit is told."""
    _require_office(actor)
    if opinion not in Opinion.values:
        raise ValidationError({"opinion": _("Choose the meeting's opinion.")})
    with transaction.atomic():
        locked = _lock_item(item)
        if locked.meeting.state != MeetingState.HELD:
            raise ValidationError(
                {"opinion": _("The opinion is recorded once the meeting has been held.")}
            )
        _require_not_issued(locked.meeting)
        if locked.approved_version_id:
            raise ValidationError(
                {"opinion": _("A version of this item is signed off; its opinion stays.")}
            )
        before = snapshot(locked, ITEM_FIELDS)
        locked.opinion, locked.opinion_note = opinion, _text(note)
        locked.save(update_fields=["opinion", "opinion_note"])
        old, new = diff(before, snapshot(locked, ITEM_FIELDS))
        record(
            action="committee.item.opinion", actor=actor, obj=locked, ip=ip, before=old, after=new
        )
        handoffs.tell(OPINION_GIVEN, locked, actor=actor)
    return locked


def item_approve(*, actor, item: AgendaItem, version: DocumentVersion, ip: str = "") -> AgendaItem:
    """Sign off ``version`` as the approved one: by the office or the committee's chair.
    An item 同意 is approved as submitted (any version); one 原则同意并修改完善 only in a
    version revised after the meeting (which the office confirms matches the opinion)."""
    if not may_approve(actor):
        raise PermissionDenied(_("Only the committee office or the chair signs off a version."))
    with transaction.atomic():
        locked = _lock_item(item)
        version = DocumentVersion.objects.select_related("document").get(pk=version.pk)
        if version.document.item_id != locked.pk:
            raise ValidationError({"version": _("This version belongs to another item.")})
        if locked.opinion not in GOES_ON:
            raise ValidationError(
                {"version": _("Only an item the meeting agreed to has an approved version.")}
            )
        if locked.opinion == Opinion.AGREE_REVISE and version.stage != Stage.REVISION:
            raise ValidationError(
                {
                    "version": _(
                        "The meeting asked for a revision: sign off a version revised after "
                        "the meeting."
                    )
                }
            )
        before = snapshot(locked, ("approved_version",))
        locked.approved_version = version
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_version", "approved_by", "approved_at"])
        record(
            action="committee.item.approve",
            actor=actor,
            obj=locked,
            ip=ip,
            before=before,
            after=snapshot(locked, ("approved_version",)),
            data={"version": version.number, "document": version.document.title},
        )
    return locked


# --- documents and versions ---------------------------------------------------------------------


def _store(version: DocumentVersion, upload, stored: list) -> None:
    kind = uploads.detect(upload)
    name = getattr(upload, "name", "") or f"document{kind.extension}"
    version.name = str(name).replace("\\", "/").rsplit("/", 1)[-1][:200]
    version.content_type = kind.content_type
    version.size = getattr(upload, "size", 0) or 0
    version.file.save(f"document{kind.extension}", upload, save=False)
    stored.append((version.file.storage, version.file.name))


def _stage_of(item: AgendaItem) -> str:
    return Stage.REVISION if item.meeting.state == MeetingState.HELD else Stage.SUBMITTED


def _readers(readers: Iterable) -> list:
    from waishi.lib.roles import CITY_ROLES, UNIT_ROLES

    people = [u for u in readers or () if u is not None]
    for user in people:
        if not has(user, CITY_ROLES | UNIT_ROLES):
            raise ValidationError(
                {"readers": _("Name only accounts that work on committee items.")}
            )
    return people


def document_add(
    *,
    actor,
    item: AgendaItem,
    title: str,
    file,
    kind: str = DocumentKind.OTHER,
    internal: bool = False,
    readers: Iterable = (),
    reason: str = "",
    ip: str = "",
) -> Document:
    """A document of the item with its first version: by the office or the submitting unit."""
    if not may_upload(actor, item):
        raise _denied()
    title, reason = _text(title), _text(reason)
    errors = {}
    if not title:
        errors["title"] = _("Give the document a title.")
    if kind not in DocumentKind.values:
        errors["kind"] = _("Choose the kind of document.")
    if not file:
        errors["file"] = _("Choose the file to upload.")
    if errors:
        raise ValidationError(errors)
    people = _readers(readers)
    stored: list = []
    try:
        with transaction.atomic():
            locked = _lock_item(item)
            _require_not_issued(locked.meeting)
            document = Document.objects.create(
                item=locked, title=title, kind=kind, internal=bool(internal), created_by=actor
            )
            if people:
                document.readers.set(people)
            version = DocumentVersion(
                document=document,
                number=1,
                uploaded_by=actor,
                reason=reason,
                stage=_stage_of(locked),
            )
            _store(version, file, stored)
            version.save()
            record(
                action="committee.document.add",
                actor=actor,
                obj=document,
                ip=ip,
                after={
                    **snapshot(document, ("item", "title", "kind", "internal")),
                    "readers": [u.pk for u in people],
                    **snapshot(version, ("number", "name", "stage", "reason")),
                },
            )
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return document


def version_upload(
    *, actor, document: Document, file, reason: str = "", ip: str = ""
) -> DocumentVersion:
    """A new version of the document: before the meeting a corrected submission, after it a
    revision "按照会议研究意见修改完善" (the reason is then required)."""
    item = document.item
    if not may_upload(actor, item):
        raise _denied()
    reason = _text(reason)
    if not file:
        raise ValidationError({"file": _("Choose the file to upload.")})
    stored: list = []
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            item = AgendaItem.objects.select_related("meeting").get(pk=locked.item_id)
            if item.approved_version_id:
                raise ValidationError(
                    {"file": _("A version of this item is signed off; no new version is taken.")}
                )
            if item.opinion == Opinion.DISAGREE:
                raise ValidationError({"file": _("The meeting did not agree to this item.")})
            stage = _stage_of(item)
            if stage == Stage.REVISION and not reason:
                raise ValidationError(
                    {"reason": _("Say what was revised after the meeting, and why.")}
                )
            last = locked.versions.aggregate(n=Max("number"))["n"] or 0
            version = DocumentVersion(
                document=locked, number=last + 1, uploaded_by=actor, reason=reason, stage=stage
            )
            _store(version, file, stored)
            version.save()
            record(
                action="committee.version.upload",
                actor=actor,
                obj=locked,
                ip=ip,
                after=snapshot(version, ("number", "name", "stage", "reason")),
                data={"number": version.number},
            )
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return version


def version_download(*, actor, version: DocumentVersion, ip: str = "") -> None:
    record(
        action="committee.version.download",
        actor=actor,
        obj=version.document,
        ip=ip,
        data={"number": version.number, "version": version.pk, "name": version.name},
    )


def document_access(
    *, actor, document: Document, internal: bool, readers: Iterable = (), ip: str = ""
) -> Document:
    """Mark the document internal (内部) or not, and name its readers: the office only."""
    _require_office(actor)
    people = _readers(readers)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        before = {
            "internal": locked.internal,
            "readers": sorted(locked.readers.values_list("pk", flat=True)),
        }
        locked.internal = bool(internal)
        locked.save(update_fields=["internal"])
        locked.readers.set(people)
        after = {"internal": locked.internal, "readers": sorted(u.pk for u in people)}
        old, new = diff(before, after)
        record(
            action="committee.document.access",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
        )
    return locked


# --- minutes ------------------------------------------------------------------------------------


def _date_cn(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


OPINION_SENTENCES = {
    Opinion.AGREE: gettext_noop("The meeting agreed to %(title)s."),
    Opinion.AGREE_REVISE: gettext_noop(
        "The meeting agreed to %(title)s in principle; %(unit)s is to revise "
        "it as the meeting discussed and send it to the committee office."
    ),
    Opinion.RESUBMIT: gettext_noop(
        "The meeting asked %(unit)s to revise %(title)s and submit it again."
    ),
    Opinion.DISAGREE: gettext_noop("The meeting did not agree to %(title)s."),
}
DECISION_SENTENCES = {
    Opinion.AGREE: gettext_noop("%(unit)s leads the implementation of %(title)s."),
    Opinion.AGREE_REVISE: gettext_noop(
        "%(unit)s revises %(title)s as the meeting discussed, sends it to the "
        "committee office for confirmation and then leads its implementation."
    ),
    Opinion.RESUBMIT: gettext_noop(
        "%(unit)s revises %(title)s and submits it to the next meeting."
    ),
}


def _opinion_sentence(item: AgendaItem) -> str:
    template = OPINION_SENTENCES.get(item.opinion)
    values = {"title": f"《{item.title}》", "unit": item.submitting_unit.name}
    if template is None:
        return _("The meeting discussed %(title)s.") % values
    return _(template) % values


def draft_text(meeting: Meeting) -> tuple[str, str, list[tuple[AgendaItem, str]]]:
    """The minutes' title, body and decisions as drafted from the meeting, in Chinese
    (official documents are written in Chinese whatever the reader's language)."""
    with translation.override("zh-hans"):
        items = list(
            AgendaItem.objects.filter(meeting=meeting)
            .select_related("submitting_unit")
            .order_by("order", "pk")
        )
        kind = str(MeetingKind(meeting.kind).label)
        title = _("Minutes of the %(number)sth %(kind)s of %(year)s") % {
            "year": meeting.year,
            "number": meeting.number,
            "kind": kind,
        }
        convener = meeting.convener.name if meeting.convener_id else _("the committee's chair")
        topics = "、".join(f"《{i.title}》" for i in items) or _("the matters before it")
        lines = [
            _(
                "On %(date)s, %(convener)s convened the %(number)sth %(kind)s of %(year)s at "
                "%(place)s, which discussed %(topics)s. The minutes follow."
            )
            % {
                "date": _date_cn(meeting.date),
                "convener": convener,
                "number": meeting.number,
                "kind": kind,
                "year": meeting.year,
                "place": meeting.place,
                "topics": topics,
            }
        ]
        numerals = "一二三四五六七八九十"
        for n, item in enumerate(items):
            head = numerals[n] if n < len(numerals) else str(n + 1)
            lines.append(_("%(n)s. On %(title)s") % {"n": head, "title": f"《{item.title}》"})
            sentence = _("The meeting heard the report of %(unit)s on %(title)s. %(opinion)s") % {
                "unit": item.submitting_unit.name,
                "title": f"《{item.title}》",
                "opinion": _opinion_sentence(item),
            }
            if item.opinion_note:
                sentence += item.opinion_note
            lines.append(sentence)
        decisions = []
        for item in items:
            template = DECISION_SENTENCES.get(item.opinion)
            if template is not None:
                decisions.append(
                    (
                        item,
                        _(template)
                        % {"unit": item.submitting_unit.name, "title": f"《{item.title}》"},
                    )
                )
    return title, "\n".join(lines), decisions


def minutes_draft(*, actor, meeting: Meeting, ip: str = "") -> Minutes:
    """Draft the minutes from the meeting: its attendance (read when shown), each item with
    its opinion, and one decision per item that goes on."""
    _require_office(actor)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state != MeetingState.HELD:
            raise ValidationError(_("Minutes are drafted once the meeting has been held."))
        if Minutes.objects.filter(meeting=locked).exists():
            raise ValidationError(_("This meeting has its minutes already."))
        title, body, decisions = draft_text(locked)
        minutes = Minutes.objects.create(meeting=locked, title=title, body=body, drafted_by=actor)
        Decision.objects.bulk_create(
            Decision(minutes=minutes, item=item, order=n, text=text)
            for n, (item, text) in enumerate(decisions, start=1)
        )
        record(
            action="committee.minutes.draft",
            actor=actor,
            obj=minutes,
            ip=ip,
            after={**snapshot(minutes, MINUTES_FIELDS), "decisions": [t for _i, t in decisions]},
        )
    return minutes


def minutes_update(
    *,
    actor,
    minutes: Minutes,
    title: str,
    body: str,
    decisions: Iterable[str],
    copy_no: str = "",
    secrecy: str = "",
    ip: str = "",
) -> Minutes:
    """Edit a draft: its title, text, 份号 and 密级, and its decisions (one per line: a line
    kept as it was keeps its agenda item)."""
    _require_office(actor)
    title, copy_no = _text(title), _text(copy_no)
    lines = [line.strip() for line in decisions if line and line.strip()]
    errors = {}
    if not title:
        errors["title"] = _("Give the minutes a title.")
    if copy_no and not (copy_no.isdigit() and len(copy_no) == 6):
        errors["copy_no"] = _("A copy number is six digits (e.g. 000001).")
    if secrecy not in Secrecy.values:
        errors["secrecy"] = _("Choose a classification.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.state != MinutesState.DRAFT:
            raise ValidationError(_("Only a draft can be changed."), code="not_draft")
        existing = list(locked.decisions.order_by("order", "pk"))
        if any(d.task_id for d in existing):
            raise ValidationError(_("A decision of these minutes is a task already."))
        before = {
            **snapshot(locked, MINUTES_FIELDS),
            "decisions": [d.text for d in existing],
        }
        by_text = {d.text: d.item_id for d in existing}
        locked.title, locked.body = title, (body or "").strip()
        locked.copy_no, locked.secrecy = copy_no, secrecy
        locked.save(update_fields=["title", "body", "copy_no", "secrecy"])
        locked.decisions.all().delete()
        Decision.objects.bulk_create(
            Decision(minutes=locked, item_id=by_text.get(text), order=n, text=text)
            for n, text in enumerate(lines, start=1)
        )
        old, new = diff(before, {**snapshot(locked, MINUTES_FIELDS), "decisions": lines})
        record(
            action="committee.minutes.update", actor=actor, obj=locked, ip=ip, before=old, after=new
        )
    return locked


def minutes_submit(*, actor, minutes: Minutes, ip: str = "") -> Minutes:
    def check(row) -> str | None:
        if not (row.body or "").strip():
            return _("Write the text of the minutes before sending them for review.")
        return None

    return MINUTES.apply(minutes, "submit", actor=actor, ip=ip, check=check)


def minutes_return(*, actor, minutes: Minutes, reason: str, ip: str = "") -> Minutes:
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the minutes are returned.")})

    def effect(row, _t) -> None:
        row.return_reason = reason

    return MINUTES.apply(
        minutes,
        "return",
        actor=actor,
        ip=ip,
        comment=reason,
        effect=effect,
        fields=["return_reason"],
    )


def format_number(prefix: str, year: int, seq: int) -> str:
    """The 发文字号 as GB/T 9704-2012 writes it: the year in 六角括号, the sequence without
    leading zeros and without 第 ("外委纪〔2026〕3号")."""
    return f"{prefix}〔{year}〕{seq}号"


def minutes_issue(*, actor, minutes: Minutes, ip: str = "") -> Minutes:
    """Issue the minutes: the next 发文字号 of the year is given under the settings row's
    lock (a unique constraint backs it)."""

    def effect(row, _t) -> None:
        settings_row = _lock_settings()
        year = timezone.localdate().year
        last = Minutes.objects.filter(year=year).aggregate(n=Max("seq"))["n"] or 0
        row.year, row.seq = year, last + 1
        row.number = format_number(settings_row.number_prefix, year, row.seq)
        row.issued_at = timezone.now()
        row.issued_by = actor

    return MINUTES.apply(
        minutes,
        "issue",
        actor=actor,
        ip=ip,
        effect=effect,
        fields=["year", "seq", "number", "issued_at", "issued_by"],
        audit=lambda row, t: {
            "before": {"state": t.source},
            "after": {"state": t.target, "number": row.number},
        },
    )


def minutes_download(*, actor, minutes: Minutes, ip: str = "") -> None:
    record(action="committee.minutes.download", actor=actor, obj=minutes, ip=ip)


# --- decisions into supervised tasks ----------------------------------------------------------


def decision_to_task(
    *,
    actor,
    decision: Decision,
    lead_unit,
    responsible_person,
    supporting_units: Iterable = (),
    title: str = "",
    due_date: dt.date | None = None,
    major: bool = False,
    assign: bool = True,
    ip: str = "",
):
    """Turn a decision of issued minutes into a supervised task (督办事项) on the one tracker:
    ``followups.supervision.task_register`` with the decision as its source (its audit event
    is the one of this action). The deadline defaults to the minutes' source kind's, counted
    from the day the minutes were issued."""
    from waishi.followups import supervision

    _require_office(actor)
    with transaction.atomic():
        locked = (
            # No join: PostgreSQL locks no row of an outer join (a decision may have no item).
            Decision.objects.select_for_update().get(pk=decision.pk)
        )
        if locked.minutes.state != MinutesState.ISSUED:
            raise ValidationError(_("Only a decision of issued minutes becomes a task."))
        if locked.task_id:
            raise ValidationError(_("This decision is a supervised task already."))
        if due_date is None and locked.minutes.issued_at:
            try:
                from waishi.followups import deadlines

                due_date = deadlines.default_due(
                    "minutes", start=timezone.localdate(locked.minutes.issued_at)
                )
            except ImportError:  # the tracker without its deadlines: its own default
                due_date = None
            if due_date is not None and due_date < timezone.localdate():
                due_date = None
        task = supervision.task_register(
            actor=actor,
            title=_text(title) or locked.text[:200],
            source_kind="minutes",
            lead_unit=lead_unit,
            responsible_person=responsible_person,
            supporting_units=tuple(supporting_units or ()),
            description=locked.text,
            source_type="committee.decision",
            source_id=locked.pk,
            source_title=f"{locked.minutes.number} {locked.minutes.title}".strip()[:200],
            due_date=due_date,
            major=major,
            assign=assign,
            ip=ip,
        )
        locked.task = task
        locked.save(update_fields=["task"])
    return task
