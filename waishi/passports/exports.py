"""The passport custody register as .xlsx for the FAO, in bounded memory.

``lib.downloads.spreadsheet`` streams the rows to a temporary file (every text a string
cell, never a formula) as they come from the database in chunks, and sends it. Numbers
appear masked. Every export is audited."""

from __future__ import annotations

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import client_ip, record
from waishi.lib import downloads
from waishi.lib.xlsx_stream import Table
from waishi.orgs import scoping
from waishi.passports import selectors
from waishi.passports.models import Passport

CHUNK = 500


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def tables(user) -> list[Table]:
    """Two sheets: the custody register (one row per hand-out) and the passports."""
    today = timezone.localdate()
    custody_headers = [
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
    custody_rows = (
        [
            custody.passport.holder.name,
            custody.passport.holder.unit.name,
            custody.passport.get_kind_display(),
            custody.passport.number_masked,
            str(custody.mission),
            _local(custody.issued_at),
            str(custody.issued_by),
            custody.due_back,
            _("lost") if custody.lost else _local(custody.returned_at),
            str(custody.received_by or ""),
            custody.days_overdue(today) or "",
        ]
        for custody in selectors.custody_report_rows(user).iterator(chunk_size=CHUNK)
    )
    passport_headers = [
        _("Holder"),
        _("Unit"),
        _("Kind of passport"),
        _("Passport number"),
        _("Date of issue"),
        _("Date of expiry"),
        _("State"),
    ]
    passports = (
        scoping.visible(user, Passport)
        .select_related("holder__unit")
        .order_by("holder__unit__code", "holder__name_pinyin", "pk")
    )
    passport_rows = (
        [
            passport.holder.name,
            passport.holder.unit.name,
            passport.get_kind_display(),
            passport.number_masked,
            passport.issued_on,
            passport.expires_on,
            passport.get_state_display(),
        ]
        for passport in passports.iterator(chunk_size=CHUNK)
    )
    return [
        Table(_("Custody register"), custody_headers, custody_rows),
        Table(_("Passports"), passport_headers, passport_rows),
    ]


def xlsx_response(request) -> FileResponse:
    """The export; its audit counts the custody rows."""
    day = f"{timezone.localdate():%Y%m%d}"
    stem = _("Custody register")  # the file name in the reader's language
    return downloads.spreadsheet(
        tables(request.user),
        filename=f"{stem}-{day}.xlsx",
        fallback=f"passport-custody-{day}.xlsx",
        record=lambda count: record(
            action="passports.custody.export",
            actor=request.user,
            object_type="passports.passportcustody",
            ip=client_ip(request),
            data={"count": count},
        ),
    )
