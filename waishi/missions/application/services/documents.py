"""The trip's Word documents, filled from the templates kept in the repo
(``waishi/missions/documents/*.docx``, rendered by ``waishi.lib.documents``):

- the approval form (因公临时出国任务和预算审批意见表), once the trip is submitted, with
  every decided step: who acted, on whose behalf, the opinion and the date;
- the approval notice (批件), once the trip is approved;
- the publicity notice (公示), once published.

Official documents are written in Chinese whatever the reader's language. Every
download is an audit event (``mission_document_download``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from waishi.approvals.models import DECIDED_STATES
from waishi.approvals.selectors import steps_for
from waishi.audit.services import record
from waishi.lib import documents
from waishi.missions.core.docx import (
    TEMPLATES,
    _common,
    _countries_one,
    _date,
    _member_rows,
    objections_line,
)
from waishi.missions.models import TRAVELLED_STATES, Mission, Publicity, State
from waishi.policy.output import verdict_label

KINDS = ("approval_form", "approval_notice", "publicity")
FILE_NAMES = {
    "approval_form": "因公临时出国任务和预算审批意见表",
    "approval_notice": "因公临时出国任务批件",
    "publicity": "因公临时出国任务公示",
}
# States in which a trip has been submitted (the approval form exists): every state after
# submission, the trip's own life after approval included -- an issued document stays
# available for the record's whole life.
SUBMITTED_STATES = frozenset(
    {
        State.SUBMITTED,
        State.IN_REVIEW,
        State.RETURNED,
        State.APPROVED,
        State.REJECTED,
        State.CANCELLED,
        State.ABROAD,
        State.BACK,
        State.CLOSED,
    }
)
# States of a trip that was approved: the notice (批件) was issued, and stays so even when
# the trip was called off afterwards.
ISSUED_STATES = TRAVELLED_STATES | {State.CANCELLED}


def _name(user) -> str:
    if user is None:
        return ""
    return user.full_name or user.username


def available(mission: Mission, kind: str) -> bool:
    """May this document be produced for the trip now?"""
    if kind == "approval_form":
        return mission.state in SUBMITTED_STATES and mission.submitted_at is not None
    if kind == "approval_notice":
        return mission.state in ISSUED_STATES and mission.approved_at is not None
    if kind == "publicity":
        publicity = publicity_of(mission)
        return publicity is not None and publicity.is_published
    return False


def publicity_of(mission: Mission) -> Publicity | None:
    """The trip's publicity, or None; read with the trip when it was selected with it."""
    try:
        return mission.publicity
    except Publicity.DoesNotExist:
        return None


def _decided_steps(mission: Mission) -> list:
    return [s for s in steps_for("missions.mission", mission.pk) if s.state in DECIDED_STATES]


def _approval_form(mission: Mission) -> bytes:
    values = _common(mission)
    result = mission.check_result or {}
    values.update(
        {
            "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "in_plan": "否（计划外）"
            if (mission.out_of_plan or not mission.plan_entry_id)
            else "是",
            "check": _("Verdict %(verdict)s, policy version %(version)s")
            % {
                "verdict": verdict_label(result.get("verdict")),
                "version": mission.policy_version or "—",
            },
        }
    )
    stops = [
        {
            "no": no,
            "country": _countries_one(stop.country),
            "city": stop.city,
            "arrive": _date(stop.arrive),
            "depart": _date(stop.depart),
        }
        for no, stop in enumerate(mission.stops.order_by("order", "pk"), start=1)
    ]
    steps = [
        {
            "step": f"{s.round}-{s.sequence} {s.get_approver_role_display()}",
            "approver": _name(s.decided_by),
            "behalf": _name(s.on_behalf_of),
            "opinion": " ".join(x for x in (s.get_state_display(), s.comment) if x),
            "date": _date(timezone.localdate(s.decided_at)),
        }
        for s in _decided_steps(mission)
    ]
    return documents.render(
        TEMPLATES / "approval_form.docx",
        values,
        {"members": _member_rows(mission), "stops": stops, "steps": steps},
    )


def _approval_notice(mission: Mission) -> bytes:
    values = _common(mission)
    approvers = []
    for s in _decided_steps(mission):
        if s.state != "approved":
            continue
        who = _name(s.decided_by)
        if s.on_behalf_of_id:
            who += f"（代{_name(s.on_behalf_of)}）"
        approvers.append(f"{s.get_approver_role_display()} {who}")
    values.update(
        {
            "approvers": "；".join(approvers),
            "approved_on": _date(timezone.localdate(mission.approved_at)),
        }
    )
    return documents.render(
        TEMPLATES / "approval_notice.docx", values, {"members": _member_rows(mission)}
    )


def _publicity(mission: Mission) -> bytes:
    publicity = Publicity.objects.get(mission_id=mission.pk)
    values = _common(mission)
    values.update(
        {
            "period_from": _date(publicity.starts_on),
            "period_to": _date(publicity.ends_on),
            "period_days": publicity.working_days,
            "objections": objections_line(values["office"]),
            "published_on": _date(timezone.localdate(publicity.published_at)),
        }
    )
    days = [
        {"date": _date(d.date), "kind": d.get_kind_display(), "activities": d.activities}
        for d in mission.days.order_by("date", "pk")
    ]
    return documents.render(
        TEMPLATES / "publicity.docx", values, {"members": _member_rows(mission), "days": days}
    )


RENDERERS = {
    "approval_form": _approval_form,
    "approval_notice": _approval_notice,
    "publicity": _publicity,
}


def mission_document(mission: Mission, kind: str) -> tuple[bytes, str]:
    """(the .docx bytes, a file name). Raises ValidationError when the document does not
    exist yet for the trip's state."""
    if kind not in RENDERERS or not available(mission, kind):
        raise ValidationError(_("This document is not available for the trip now."))
    with translation.override(settings.LANGUAGE_CODE):
        data = RENDERERS[kind](mission)
    return data, f"{FILE_NAMES[kind]}-{mission.pk}.docx"


def mission_document_download(*, actor, mission: Mission, kind: str, ip: str = "") -> None:
    """Every download of a trip's document is recorded."""
    record(
        action="missions.mission.document",
        actor=actor,
        obj=mission,
        ip=ip,
        data={"document": kind, "file": FILE_NAMES.get(kind, kind)},
    )
