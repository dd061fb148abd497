"""The passport custody register as .xlsx for the FAO, in bounded memory.

``lib.xlsx_stream`` streams rows to a temporary file (every text a string cell, never a
formula); the rows come from the database in chunks; ``FileResponse`` sends the file in
blocks and deletes it when the response closes. Numbers appear masked. Every export is audited."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import client_ip, record
from waishi.lib.xlsx_stream import WorkbookWriter
from waishi.orgs import scoping
from waishi.passports import selectors
from waishi.passports.models import Passport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 500


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def write_xlsx(user, handle) -> int:
    """Two sheets: the custody register (one row per hand-out) and the passports. The
    number of custody rows."""
    today = timezone.localdate()
    with WorkbookWriter(handle) as book:
        return _write(book, user, today)


def _write(book: WorkbookWriter, user, today) -> int:
    sheet = book.sheet(_("Custody register"))
    sheet.append(
        [
            _("Holder"),
            _("Unit"),
            _("Kind of passport"),
            _("Passport number"),
            _("Trip"),
            _("Issued"),
            _("Issued by"),
            _("Due back"),
            _("Returned"),
            _("Received by"),
            _("Days overdue"),
        ]
    )
    count = 0
    for custody in selectors.custody_report_rows(user).iterator(chunk_size=CHUNK):
        passport = custody.passport
        sheet.append(
            [
                passport.holder.name,
                passport.holder.unit.name,
                passport.get_kind_display(),
                passport.number_masked,
                str(custody.mission),
                _local(custody.issued_at),
                str(custody.issued_by),
                custody.due_back,
                _("lost") if custody.lost else _local(custody.returned_at),
                str(custody.received_by or ""),
                custody.days_overdue(today) or "",
            ]
        )
        count += 1
    passports = book.sheet(_("Passports"))
    passports.append(
        [
            _("Holder"),
            _("Unit"),
            _("Kind of passport"),
            _("Passport number"),
            _("Date of issue"),
            _("Date of expiry"),
            _("State"),
        ]
    )
    rows = (
        scoping.visible(user, Passport)
        .select_related("holder__unit")
        .order_by("holder__unit__code", "holder__name_pinyin", "pk")
    )
    for passport in rows.iterator(chunk_size=CHUNK):
        passports.append(
            [
                passport.holder.name,
                passport.holder.unit.name,
                passport.get_kind_display(),
                passport.number_masked,
                passport.issued_on,
                passport.expires_on,
                passport.get_state_display(),
            ]
        )
    return count


def xlsx_response(request) -> FileResponse:
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    count = write_xlsx(request.user, handle)
    handle.seek(0)
    record(
        action="passports.custody.export",
        actor=request.user,
        object_type="passports.passportcustody",
        ip=client_ip(request),
        data={"count": count},
    )
    name = f"passport-custody-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
