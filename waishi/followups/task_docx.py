"""The supervised task's Word documents, in the layout of a 公文 (GB/T 9704-2012), filled
from the templates kept in the repo (``waishi/followups/documents/``, written by
``scripts/make_task_docx_templates.py``, rendered by ``waishi.lib.documents``):

- the supervision notice (督办通知单): the task as sent to its lead unit, once it has its
  number (given at 交办);
- the reminder (催办单): one urge of the office (催办) on paper.

Official documents are written in Chinese whatever the reader's language. Every download
is an audit event on the task (``task_document_download``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from waishi.audit.services import record
from waishi.followups import sources
from waishi.followups.models import Outcome, SourceKind
from waishi.lib import documents
from waishi.orgs.models import Unit, UnitKind

TEMPLATES = Path(__file__).resolve().parent / "documents"
DEFAULT_OFFICE = "外事办公室"
KINDS = ("notice", "reminder")
FILE_NAMES = {"notice": "督办通知单", "reminder": "催办单"}


def _office() -> str:
    fao = Unit.objects.filter(kind=UnitKind.FAO, is_active=True).order_by("pk").first()
    return fao.name if fao else DEFAULT_OFFICE


def _day(value) -> str:
    """A date as a 公文 writes it: 2026年12月7日 (Arabic numerals, GB/T 9704-2012)."""
    if not value:
        return ""
    if hasattr(value, "date") and callable(value.date):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _source(task: Outcome) -> str:
    """What the task comes from, as the notice's 根据… reads: a document by its title
    (《关于…的通知》), a leader's instruction by the leader, else the kind with the source's
    title after it."""
    kind = task.get_source_kind_display() if task.source_kind else ""
    if task.source_kind == SourceKind.INSTRUCTION and task.instructed_by:
        kind = f"{task.instructed_by}批示"
    title = task.source_title
    if not title and task.source_type:
        title = sources.label_of(task.source_type)
    if not title:
        return kind
    if task.source_kind == SourceKind.DOCUMENT:
        return f"《{title}》"
    return f"{kind}（{title}）" if kind else title


def _supporting(task: Outcome) -> list[str]:
    return [u.name for u in task.supporting_units.all().order_by("name")]


def _person(task: Outcome) -> str:
    person = task.responsible_person
    return f"{person.name}（{person.post}）" if getattr(person, "post", "") else person.name


def _common(task: Outcome) -> dict:
    office = _office()
    supporting = _supporting(task)
    return {
        "office": office,
        "office_mark": f"{office}督查督办",
        "title": task.title,
        "source": _source(task),
        "description": task.description,
        "lead_unit": task.responsible_unit.name,
        "supporting_units": "、".join(supporting),
        "copy_to": "、".join(supporting),
        "responsible_person": _person(task),
        "due_date": _day(task.due_date),
        "original_due_date": _day(task.original_due_date or task.due_date),
        "dated": _day(timezone.localdate()),
    }


def _notice(task: Outcome, _urge) -> bytes:
    values = _common(task)
    supporting = _supporting(task)
    values.update(
        {
            "number": task.number,
            "supporting_clause": f"，{'、'.join(supporting)}配合" if supporting else "",
            "reporting": "重大事项，每月按时报送办理进展" if task.major else "办结后报送办理结果",
            "dated": _day(task.assigned_at) or values["dated"],
        }
    )
    return documents.render(TEMPLATES / "supervision_notice.docx", values)


def _standing(task: Outcome) -> str:
    today = timezone.localdate()
    if task.due_date and task.due_date < today:
        return f"已超过办理时限{(today - task.due_date).days}天，尚未办结"
    return f"尚未办结（当前状态：{task.get_state_display()}）"


def _reminder(task: Outcome, urge) -> bytes:
    values = _common(task)
    urges = list(task.urges.order_by("at", "pk").values_list("pk", flat=True))
    ordinal = urges.index(urge.pk) + 1 if urge.pk in urges else len(urges)
    by = (urge.by.full_name or urge.by.username) if urge.by_id else ""
    values.update(
        {
            "number": f"{task.number}-催{ordinal}" if task.number else f"催{ordinal}",
            "task_number": task.number,
            "as_of": _day(urge.at),
            "standing": _standing(task),
            "state": task.get_state_display(),
            "colour": task.get_colour_display() if task.colour else "无",
            "ordinal": f"第{ordinal}次",
            "method": urge.get_method_display(),
            "text": urge.text,
            "urged_by": by,
            "urged_at": timezone.localtime(urge.at).strftime("%Y-%m-%d %H:%M"),
            "dated": _day(urge.at),
        }
    )
    return documents.render(TEMPLATES / "reminder.docx", values)


RENDERERS = {"notice": _notice, "reminder": _reminder}


def available(task: Outcome, kind: str) -> bool:
    if kind == "notice":
        return bool(task.number)
    if kind == "reminder":
        return task.urges.exists()
    return False


def urge_of(task: Outcome, urge_id) -> object | None:
    """The task's urge ``urge_id`` (a query parameter: any other task's is none), else
    its latest."""
    urges = task.urges.select_related("by").order_by("-at", "-pk")
    if urge_id not in (None, ""):
        try:
            return urges.filter(pk=int(urge_id)).first()
        except (TypeError, ValueError):
            return None
    return urges.first()


def task_document(task: Outcome, kind: str, urge=None) -> tuple[bytes, str]:
    """(the .docx bytes, a file name). ValidationError when the document does not exist
    (a notice before 交办, a reminder without an urge)."""
    if kind not in RENDERERS or not available(task, kind) or (kind == "reminder" and not urge):
        raise ValidationError(_("This document is not available for the task now."))
    with translation.override(settings.LANGUAGE_CODE):
        data = RENDERERS[kind](task, urge)
    suffix = task.number or str(task.pk)
    return data, f"{FILE_NAMES[kind]}-{suffix}.docx"


def task_document_download(*, actor, task: Outcome, kind: str, ip: str = "") -> None:
    """Every download of a task's document is recorded, on the task."""
    record(
        action="followups.task_document.download",
        actor=actor,
        obj=task,
        ip=ip,
        data={"document": kind},
    )
