"""The trip report (出访报告, policy-rules.md ``REPORT_DUE``): due a time after the return,
written by the unit, accepted or returned by the FAO, published inside the unit.

The report row is opened by ``trip.services.mission_come_back`` with ``report_due_date``.
From then on:

- ``report_update`` (the unit's clerk) saves the structured fields as typed, complete
  or not, naming the ``version`` the form was loaded with: a stale version (another tab,
  another clerk saved first) is refused and nothing is saved;
- ``report_upload_document`` files the signed report (.docx or .pdf, checked by its
  content; stored under a random name, served only through a scoped, audited view);
- ``report_publish`` records the post-trip publicity inside the unit (出访后公示): N
  working days (``PUBLICITY_BEFORE``, default 5) from a start date;
- ``report_submit`` (clerk or leader) refuses, naming every gap, while a required field
  is empty or the publicity is not published;
- ``report_accept`` / ``report_return`` (FAO reviewer or head; a return needs a comment);
  accepting closes the trip in the same transaction when nothing else blocks it;
- ``report_sweep`` (daily): reminders to the unit's clerks before and on the due date,
  escalation to its leaders ``escalate_after_days`` after it, each once.

Every write locks the mission, then the report (the order every trip service keeps), and
leaves exactly one audit event, recorded **on the report** (``missions.report.*``; the
mission's id in ``data``); the trip's own events (closing) stay on the mission.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import diff, record, snapshot
from waishi.lib import uploads
from waishi.lib.roles import Role, has
from waishi.missions.core.common import _decimal, _text, check_version
from waishi.missions.core.deadlines import report_parameters
from waishi.missions.core.publicity import publicity_period, publicity_working_days
from waishi.missions.core.uploads import max_bytes
from waishi.missions.models import Mission, ReportState, State, TripReport
from waishi.missions.report.workflow import (
    EDITABLE_STATES,
    OWED_STATES,
    REPORT,
    REQUIRED,
    REVIEWERS,
    SUBMITTERS,
    WRITERS,
    missing,
)
from waishi.missions.trip import services as trip_services
from waishi.notify.services import notify
from waishi.orgs import permissions
from waishi.orgs.selectors import users_holding

# The structured fields the clerk writes; the first four must be filled in to submit.
FIELDS = (
    "tasks_done",
    "meetings",
    "agreements",
    "outcomes",
    "costs",
    "actual_cost_cny",
    "problems",
)
TEXT_LIMIT = 20000
# Who files the signed document and publishes the report inside the unit.
PUBLISHERS = SUBMITTERS
# Days before the due date when the unit's clerks are first reminded.
REMIND_BEFORE_DAYS = 3
SWEEP_ACTOR = "daily report sweep"


def escalate_after_days(on: date | None = None) -> int:
    """Days past the due date after which an unsubmitted report goes to the unit leader."""
    return int(report_parameters(on).get("escalate_after_days") or 7)


# -- reading -----------------------------------------------------------------------------------


def is_overdue(report: TripReport, today: date | None = None) -> bool:
    """Still owed by the unit (draft or returned) after its due date."""
    today = today or timezone.localdate()
    return report.state in OWED_STATES and report.due_date < today


def may_write(actor, report: TripReport) -> bool:
    """May ``actor`` edit the structured fields now (role, unit, state)?"""
    return permissions.may(actor, WRITERS, report) and report.state in EDITABLE_STATES


def may_file(actor, report: TripReport) -> bool:
    """May ``actor`` upload the signed document and publish the report now?"""
    return permissions.may(actor, PUBLISHERS, report) and report.state in EDITABLE_STATES


# -- locking -----------------------------------------------------------------------------------


# The services' own refusals, so that "what the caller may do" says what a write would.
WRITE_MESSAGE = gettext_lazy("Only a clerk of the trip's unit writes its report.")
FILE_MESSAGE = gettext_lazy("Only the trip's own unit files its report.")
PUBLISH_MESSAGE = gettext_lazy("Only the trip's own unit publishes its report.")
SUBMIT_MESSAGE = gettext_lazy("Only the trip's own unit submits its report.")
DECIDE_MESSAGE = gettext_lazy("Only the FAO accepts or returns trip reports.")


def _unit_refusal(actor, report: TripReport, roles: frozenset[str], message) -> str | None:
    """As the services' lock: the role, the trip's own unit, a state the unit edits in."""
    if not permissions.may(actor, roles, report):
        return str(message)
    if report.state not in EDITABLE_STATES:
        return _("The report is %(state)s and can no longer be changed.") % {
            "state": report.get_state_display()
        }
    return None


def _decision_refusal(actor, report: TripReport, action: str) -> str | None:
    if not has(actor, REVIEWERS):
        return str(DECIDE_MESSAGE)
    return REPORT.refusal(report, action, actor)


def actions_for(actor, report: TripReport) -> dict[str, str | None]:
    """What ``actor`` may do with ``report`` now: {action: None, or why not}. The report's
    page shows its forms from these and the API answers them as ``actions``."""
    return {
        "update": _unit_refusal(actor, report, WRITERS, WRITE_MESSAGE),
        "upload_document": _unit_refusal(actor, report, PUBLISHERS, FILE_MESSAGE),
        "publish": _unit_refusal(actor, report, PUBLISHERS, PUBLISH_MESSAGE),
        "submit": _unit_refusal(actor, report, SUBMITTERS, SUBMIT_MESSAGE)
        or REPORT.refusal(report, "submit", actor),
        "accept": _decision_refusal(actor, report, "accept"),
        "return": _decision_refusal(actor, report, "return"),
    }


def _require_unit(actor, roles: frozenset[str], unit_id: int | None, message: str) -> None:
    permissions.require(actor, roles, unit_id, message)


def _lock(
    actor, report: TripReport, roles: frozenset[str], version: Any, message: str
) -> tuple[Mission, TripReport]:
    """(mission, report), both under a row lock -- the mission first -- after the
    permission, state and version checks. Call inside ``transaction.atomic()``."""
    _require_unit(actor, roles, report.mission.unit_id, message)
    mission = Mission.objects.select_for_update().get(pk=report.mission_id)
    locked = TripReport.objects.select_for_update().get(pk=report.pk)
    locked.mission = mission
    _require_unit(actor, roles, mission.unit_id, message)
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The report is %(state)s and can no longer be changed.")
            % {"state": locked.get_state_display()},
            code="state",
        )
    _check_version(locked, version)
    return mission, locked


def _check_version(locked: TripReport, version: Any) -> None:
    check_version(
        locked,
        version,
        _(
            "This report was changed in another window or by someone else since you opened "
            "it. Nothing was saved: reload the page to see the current version, then make "
            "your change again."
        ),
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- writing -----------------------------------------------------------------------------------


def report_update(*, actor, report: TripReport, version: Any, ip: str = "", **values: Any):
    """Save the structured fields given in ``values`` (``FIELDS``) as typed, complete or
    not. Refused for anyone but a clerk of the trip's unit, outside ``draft`` and
    ``returned``, and for a stale ``version``. Nothing changed: no write, no event."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    with transaction.atomic():
        mission, locked = _lock(
            actor,
            report,
            WRITERS,
            version,
            _("Only a clerk of the trip's unit writes its report."),
        )
        before = snapshot(locked, FIELDS)
        for name, value in values.items():
            if name == "actual_cost_cny":
                locked.actual_cost_cny = _decimal(value)
            else:
                setattr(locked, name, _text(value)[:TEXT_LIMIT])
        old, new = diff(before, snapshot(locked, FIELDS))
        if not new:
            return locked
        locked.version += 1
        locked.save(update_fields=[*new, "version", "updated_at"])
        record(
            action="missions.report.update",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
            data={"mission": mission.pk},
        )
    return locked


def _document_kind(document) -> uploads.Kind:
    wrong = _("The signed report must be a PDF or a Word (.docx) document; this file is neither.")
    kind = uploads.detect(document, field="document", max_bytes=max_bytes(), wrong_kind=wrong)
    if kind not in (uploads.PDF, uploads.DOCX):
        raise ValidationError({"document": wrong})
    return kind


def report_upload_document(
    *, actor, report: TripReport, document, version: Any = None, ip: str = ""
) -> TripReport:
    """File the signed report (PDF or .docx, checked by its content), replacing the one on
    file. Stored under a random name; the uploader's name is kept only for display."""
    kind = _document_kind(document)
    stored: list = []  # the file written, removed again if the transaction fails
    try:
        with transaction.atomic():
            mission, locked = _lock(
                actor,
                report,
                PUBLISHERS,
                version,
                _("Only the trip's own unit files its report."),
            )
            old_file = locked.document.name if locked.document else ""
            before = {
                "document_name": locked.document_name,
                "document_size": locked.document_size,
            }
            name = str(getattr(document, "name", "") or "report").replace("\\", "/")
            name = name.rsplit("/", 1)[-1]
            stem = name.rsplit(".", 1)[0] if "." in name else name
            locked.document.save(f"report{kind.extension}", document, save=False)
            stored.append((locked.document.storage, locked.document.name))
            locked.document_name = f"{stem[:150] or 'report'}{kind.extension}"
            locked.document_type = kind.content_type
            locked.document_size = getattr(document, "size", None)
            locked.version += 1
            locked.save(
                update_fields=[
                    "document",
                    "document_name",
                    "document_type",
                    "document_size",
                    "version",
                    "updated_at",
                ]
            )
            record(
                action="missions.report.upload",
                actor=actor,
                obj=locked,
                ip=ip,
                before=before if old_file else None,
                after={
                    "document_name": locked.document_name,
                    "document_size": locked.document_size,
                },
                data={
                    "mission": mission.pk,
                    "file": locked.document_name,
                    "content_type": locked.document_type,
                },
            )
            if old_file:
                storage = locked.document.storage
                transaction.on_commit(lambda: storage.delete(old_file))
    except BaseException:
        for storage, stored_name in stored:
            storage.delete(stored_name)
        raise
    return locked


def report_document_download(*, actor, report: TripReport, ip: str = "") -> None:
    """Record that ``actor`` downloaded the signed report (the view checked the scope)."""
    record(
        action="missions.report.document_download",
        actor=actor,
        obj=report,
        ip=ip,
        data={"mission": report.mission_id, "file": report.document_name},
    )


def _start_date(value: Any, returned: date | None) -> date:
    if value in (None, ""):
        return timezone.localdate()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                {"starts_on": _("Enter a date as YYYY-MM-DD.")}, code="invalid"
            ) from None
    if value > timezone.localdate():
        raise ValidationError(
            {"starts_on": _("The publicity cannot start in the future: publish it first.")},
            code="future",
        )
    if returned is not None and value < returned:
        raise ValidationError(
            {
                "starts_on": _("The publicity cannot start before the return (%(day)s).")
                % {"day": returned.isoformat()}
            },
            code="order",
        )
    return value


def report_publish(
    *, actor, report: TripReport, starts_on: Any = None, version: Any = None, ip: str = ""
) -> TripReport:
    """Record the post-trip publicity inside the unit (出访后公示) from ``starts_on``
    (today by default): N working days, N being ``PUBLICITY_BEFORE``'s (default 5).
    Published again (a corrected start), the new period replaces the old; both are in
    the history."""
    with transaction.atomic():
        mission, locked = _lock(
            actor,
            report,
            PUBLISHERS,
            version,
            _("Only the trip's own unit publishes its report."),
        )
        first_day = _start_date(starts_on, mission.actual_return)
        days = publicity_working_days(first_day)
        start, end = publicity_period(first_day, days)
        before = {
            "publicity_starts_on": _iso(locked.publicity_starts_on),
            "publicity_ends_on": _iso(locked.publicity_ends_on),
        }
        if (locked.publicity_starts_on, locked.publicity_ends_on) == (start, end):
            return locked
        locked.publicity_starts_on, locked.publicity_ends_on = start, end
        locked.version += 1
        locked.save(
            update_fields=["publicity_starts_on", "publicity_ends_on", "version", "updated_at"]
        )
        record(
            action="missions.report.publish",
            actor=actor,
            obj=locked,
            ip=ip,
            before=before if before["publicity_starts_on"] else None,
            after={"publicity_starts_on": _iso(start), "publicity_ends_on": _iso(end)},
            data={"mission": mission.pk, "working_days": days},
        )
    return locked


def report_submit(*, actor, report: TripReport, version: Any = None, ip: str = "") -> TripReport:
    """The unit (clerk or leader) submits the report to the FAO. Refused, with every gap
    named by field, while a required field is empty or the publicity is not published."""
    with transaction.atomic():
        mission, locked = _lock(
            actor,
            report,
            SUBMITTERS,
            version,
            _("Only the trip's own unit submits its report."),
        )
        gaps = missing(locked)
        if gaps:
            raise ValidationError(gaps, code="incomplete")
        today = timezone.localdate()
        late = max((today - locked.due_date).days, 0)

        def effect(row: TripReport, transition) -> None:
            row.submitted_at = timezone.now()
            row.submitted_by = actor
            row.version += 1

        return REPORT.apply(
            locked,
            "submit",
            actor=actor,
            ip=ip,
            effect=effect,
            data={"mission": mission.pk, "due_date": _iso(locked.due_date), "days_late": late},
        )


def _decide(
    *, actor, report: TripReport, action: str, comment: str, version: Any, ip: str
) -> tuple[Mission, TripReport]:
    if not has(actor, REVIEWERS):
        raise PermissionDenied(_("Only the FAO accepts or returns trip reports."))
    mission = Mission.objects.select_for_update().get(pk=report.mission_id)
    locked = TripReport.objects.select_for_update().get(pk=report.pk)
    locked.mission = mission
    _check_version(locked, version)

    def effect(row: TripReport, transition) -> None:
        row.decided_at = timezone.now()
        row.decided_by = actor
        row.version += 1
        if action == "return":
            row.return_comment = comment

    decided = REPORT.apply(
        locked,
        action,
        actor=actor,
        ip=ip,
        comment=comment,
        effect=effect,
        data={"mission": mission.pk},
    )
    return mission, decided


def report_accept(
    *, actor, report: TripReport, comment: str = "", version: Any = None, ip: str = ""
) -> TripReport:
    """The FAO accepts the submitted report (as read: a stale ``version`` is refused); the
    trip closes in the same transaction when every other condition (passports back) holds
    (``mission_close_if_ready``)."""
    comment = _text(comment)[:2000]
    with transaction.atomic():
        mission, accepted = _decide(
            actor=actor, report=report, action="accept", comment=comment, version=version, ip=ip
        )
        trip_services.mission_close_if_ready(actor=actor, mission=mission, ip=ip)
    return accepted


def report_return(
    *, actor, report: TripReport, comment: str, version: Any = None, ip: str = ""
) -> TripReport:
    """The FAO returns the submitted report to the unit, saying what to change."""
    comment = _text(comment)[:2000]
    if has(actor, REVIEWERS) and not comment:
        raise ValidationError(
            {"comment": _("Say what the unit must change in the report.")}, code="required"
        )
    with transaction.atomic():
        _mission, returned = _decide(
            actor=actor, report=report, action="return", comment=comment, version=version, ip=ip
        )
    return returned


# -- the daily sweep ----------------------------------------------------------------------------


def _sweep_event(action: str, report: TripReport, today: date, stage: str = "") -> None:
    record(
        action=action,
        actor_name=SWEEP_ACTOR,
        obj=report,
        data={
            "mission": report.mission_id,
            "due_date": _iso(report.due_date),
            "days_overdue": max((today - report.due_date).days, 0),
            "stage": stage,
        },
    )


def report_sweep(today: date | None = None) -> dict[str, int]:
    """The daily job; safe to run twice (each step is stamped once, notices deduplicated).

    For every report still owed (draft or returned) of a trip back home:
    ``REMIND_BEFORE_DAYS`` before the due date, a reminder to the unit's clerks; on the
    due date (or the first run after it), a second one; ``escalate_after_days`` after
    it, a notice to the unit's leaders. A submitted or accepted report is not chased."""
    today = today or timezone.localdate()
    after = escalate_after_days(today)
    counts = {"reminded": 0, "escalated": 0}
    candidates = (
        TripReport.objects.filter(
            state__in=sorted(OWED_STATES),
            mission__state=State.BACK,
            due_date__lte=today + timedelta(days=REMIND_BEFORE_DAYS),
        )
        .select_related("mission")
        .order_by("due_date", "pk")
    )
    for candidate in candidates:
        _sweep_report(candidate, today, after, counts)
    return counts


def _sweep_report(candidate: TripReport, today: date, after: int, counts: dict[str, int]) -> None:
    """One report still owed: remind, then escalate -- each once, under its row lock."""
    with transaction.atomic():
        row = TripReport.objects.select_for_update().get(pk=candidate.pk)
        if row.state not in OWED_STATES:
            return
        mission = candidate.mission
        url = reverse("missions:report", kwargs={"mission_pk": mission.pk})
        trip, due = str(mission), row.due_date
        stage = ""
        if today >= due and (row.reminded_on is None or row.reminded_on < due):
            stage = "due"
        elif today < due and row.reminded_on is None:
            stage = "soon"
        if stage:
            notify(
                users_holding(Role.UNIT_CLERK, unit_id=mission.unit_id),
                kind="missions.report_reminder",
                title=lambda: (
                    _("Trip report of “%(trip)s” due on %(date)s")
                    % {"trip": trip, "date": due.isoformat()}
                ),
                body=lambda: _(
                    "Write the report, publish it inside the unit for the required working "
                    "days and submit it to the FAO by the due date."
                ),
                url=url,
                dedupe_key=f"report-remind-{row.pk}-{stage}",
            )
            row.reminded_on = today
            row.save(update_fields=["reminded_on"])
            _sweep_event("missions.report.remind", row, today, stage)
            counts["reminded"] += 1
        if row.escalated_on is None and today >= due + timedelta(days=after):
            notify(
                users_holding(Role.UNIT_LEADER, unit_id=mission.unit_id),
                kind="missions.report_escalation",
                title=lambda: _("Trip report of “%(trip)s” overdue") % {"trip": trip},
                body=lambda: (
                    _("The report was due on %(date)s and has not been submitted to the FAO.")
                    % {"date": due.isoformat()}
                ),
                url=url,
                dedupe_key=f"report-escalate-{row.pk}",
            )
            row.escalated_on = today
            row.save(update_fields=["escalated_on"])
            _sweep_event("missions.report.escalate", row, today, "escalated")
            counts["escalated"] += 1


__all__ = [
    "FIELDS",
    "REQUIRED",
    "ReportState",
    "escalate_after_days",
    "is_overdue",
    "may_file",
    "may_write",
    "missing",
    "report_accept",
    "report_document_download",
    "report_publish",
    "report_return",
    "report_submit",
    "report_sweep",
    "report_update",
    "report_upload_document",
]
