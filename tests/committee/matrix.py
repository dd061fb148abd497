"""Foreign objects of the committee app for the access matrix (tests/test_access_matrix.py):
a meeting, its minutes and a decision (the committee's: no unit sees them), and an item the
foreign unit submitted with an internal document and its version."""

from __future__ import annotations

import datetime as dt


def _meeting(world):
    from waishi.committee.models import Meeting

    found = Meeting.objects.filter(title="外单位议题会议").first()
    if found is not None:
        return found
    return Meeting.objects.create(
        kind="topic",
        year=2026,
        number=99,
        date=dt.date(2026, 6, 1),
        place="外单位会议室",
        title="外单位议题会议",
        created_by=world.cast["fao_reviewer"],
    )


def _item(world):
    from waishi.committee.models import AgendaItem

    found = AgendaItem.objects.filter(submitting_unit=world.foreign_unit).first()
    if found is not None:
        return found
    return AgendaItem.objects.create(
        meeting=_meeting(world),
        order=1,
        title="外单位提交的议题",
        submitting_unit=world.foreign_unit,
    )


def _document(world):
    from waishi.committee.models import Document

    item = _item(world)
    found = Document.objects.filter(item=item).first()
    if found is not None:
        return found
    document = Document.objects.create(
        item=item, title="外单位内部文件", internal=True, created_by=world.cast["outsider"]
    )
    document.readers.set([world.cast["outsider"]])
    return document


def _version(world):
    from django.core.files.base import ContentFile

    from waishi.committee.models import DocumentVersion

    document = _document(world)
    found = DocumentVersion.objects.filter(document=document).first()
    if found is not None:
        return found
    version = DocumentVersion(
        document=document,
        number=1,
        name="外单位.pdf",
        content_type="application/pdf",
        uploaded_by=world.cast["outsider"],
        stage="submitted",
    )
    version.file.save("document.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    version.save()
    return version


def _minutes(world):
    from waishi.committee.models import Minutes

    meeting = _meeting(world)
    found = Minutes.objects.filter(meeting=meeting).first()
    if found is not None:
        return found
    return Minutes.objects.create(
        meeting=meeting,
        title="外单位议题会议纪要",
        body="正文",
        drafted_by=world.cast["fao_reviewer"],
    )


def _decision(world):
    from waishi.committee.models import Decision

    minutes = _minutes(world)
    found = Decision.objects.filter(minutes=minutes).first()
    if found is not None:
        return found
    return Decision.objects.create(minutes=minutes, item=_item(world), order=1, text="外单位落实")


def _member(world):
    from waishi.committee.models import CommitteeMember

    found = CommitteeMember.objects.filter(person=world.foreign_person).first()
    return found or CommitteeMember.objects.create(person=world.foreign_person)


BUILDERS = {
    "committee.meeting": _meeting,
    "committee.agendaitem": _item,
    "committee.document": _document,
    "committee.documentversion": _version,
    "committee.minutes": _minutes,
    "committee.decision": _decision,
    "committee.committeemember": _member,
}


def _keypoint_plan(world):
    from waishi.committee.keypoint_models import KeyPointPlan

    return KeyPointPlan.objects.get_or_create(year=2099, defaults={"title": "外单位工作要点"})[0]


def _keypoint(world):
    from waishi.committee.keypoint_models import KeyPoint

    return KeyPoint.objects.get_or_create(
        plan=_keypoint_plan(world),
        parent=None,
        order=1,
        defaults={"level": "area", "title": "外单位领域", "lead_unit": world.foreign_unit},
    )[0]


BUILDERS["committee.keypointplan"] = _keypoint_plan
BUILDERS["committee.keypoint"] = _keypoint
