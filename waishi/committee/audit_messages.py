"""Readable sentences (and field labels) for the committee's audit events."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import fields_of, register, register_fields
from waishi.committee.models import (
    AgendaItem,
    Attendance,
    CommitteeMember,
    CommitteeSettings,
    Document,
    DocumentVersion,
    Meeting,
    Minutes,
)

register(
    {
        "committee.settings.update": _("{actor} changed the committee's settings"),
        "committee.member.add": _("{actor} added {object} to the committee"),
        "committee.member.update": _("{actor} changed the committee member {object}"),
        "committee.meeting.create": _("{actor} scheduled the committee meeting {object}"),
        "committee.meeting.update": _("{actor} changed the committee meeting {object}"),
        "committee.meeting.hold": _("{actor} marked the committee meeting {object} held"),
        "committee.attendance.set": _(
            "{actor} recorded the attendance of {member} at the meeting {object}"
        ),
        "committee.item.add": _("{actor} put {title} on the agenda of {object}"),
        "committee.item.update": _("{actor} changed the agenda item {object}"),
        "committee.item.opinion": _("{actor} recorded the meeting's opinion on {object}"),
        "committee.item.approve": _(
            "{actor} signed off version {version} of {document} as approved for {object}"
        ),
        "committee.document.add": _("{actor} submitted the document {object}"),
        "committee.document.access": _("{actor} changed who may read the document {object}"),
        "committee.version.upload": _("{actor} uploaded version {number} of {object}"),
        "committee.version.download": _("{actor} downloaded version {number} of {object}"),
        "committee.minutes.draft": _("{actor} drafted the minutes {object}"),
        "committee.minutes.update": _("{actor} changed the minutes {object}"),
        "committee.minutes.submit": _("{actor} sent the minutes {object} for review"),
        "committee.minutes.return": _("{actor} returned the minutes {object} to draft"),
        "committee.minutes.issue": _("{actor} issued the minutes {object}"),
        "committee.minutes.download": _("{actor} downloaded the minutes {object}"),
    }
)

register_fields(
    "committee.committeesettings",
    fields_of(CommitteeSettings, "office_unit", "issuer_mark", "number_prefix", "printer"),
)
register_fields(
    "committee.committeemember",
    fields_of(CommitteeMember, "person", "position", "office_role", "order", "active"),
)
register_fields(
    "committee.meeting",
    {
        **fields_of(
            Meeting,
            "kind",
            "year",
            "number",
            "date",
            "place",
            "convener",
            "title",
            "attendees_extra",
            "state",
        ),
        **fields_of(Attendance, "status", "reason", "represented_by"),
        "member": _("member"),
        "title": _("agenda item"),
        "item": _("agenda item"),
    },
)
register_fields(
    "committee.agendaitem",
    {
        **fields_of(
            AgendaItem,
            "order",
            "title",
            "submitting_unit",
            "opinion",
            "opinion_note",
            "approved_version",
        ),
        "version": _("version"),
        "document": _("document"),
    },
)
register_fields(
    "committee.document",
    {
        **fields_of(Document, "item", "title", "kind", "internal"),
        **fields_of(DocumentVersion, "number", "name", "content_type", "size", "reason", "stage"),
        "readers": _("named readers"),
        "version": _("version"),
    },
)
register_fields(
    "committee.minutes",
    {
        **fields_of(
            Minutes,
            "title",
            "body",
            "copy_no",
            "secrecy",
            "number",
            "state",
            "return_reason",
        ),
        "decisions": _("decisions"),
        "comment": _("comment"),
    },
)
