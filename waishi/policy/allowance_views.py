"""Pages for the 附表2 allowance table: the table in force (searchable), its export as an
.xlsx in the import format, and the FAO head's import (check first, then confirm).

Between the check and the confirmation the checked file waits in the session (at most
``allowances.MAX_BYTES``; a real table is tens of kB), so that what is imported is the
very file that was checked: the confirmation compares its SM3 and checks it all again.
"""

from __future__ import annotations

import base64
import secrets
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import client_ip
from waishi.lib.crypto import constant_time_equals, sm3
from waishi.lib.decorators import role_required
from waishi.lib.forms import DateInput, Form, apply_errors, style_fields
from waishi.lib.pages import paginate
from waishi.lib.roles import POLICY_READERS as READERS
from waishi.lib.roles import has
from waishi.orgs.importer import XLSX_CONTENT_TYPE
from waishi.policy import allowances, reference, selectors, services

PENDING = "policy.allowance_import"  # session key of the checked file
PER_PAGE = 50
MAX_ERRORS_SHOWN = 500


class AllowanceImportForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("The first sheet is read; its first row holds the column headers."),
        widget=forms.FileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"), initial=timezone.localdate, widget=DateInput()
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


def _on(request) -> date:
    """The day whose table is shown: ``?on=YYYY-MM-DD``, else today."""
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _matches(row: dict, words: str) -> bool:
    found = reference.country(row["country"])
    names = [row["country"], found.name_zh, found.name_en] if found else [row["country"]]
    names += row["cities"] or []
    needle = words.casefold()
    if any(needle in name.casefold() for name in names):
        return True
    return bool(row["cities"]) and reference.canonical_city(words) in row["cities"]


def _display(rows: list[dict], words: str) -> list[dict]:
    with_cities = {row["country"] for row in rows if row["cities"]}
    shown = []
    for row in rows:
        if words and not _matches(row, words):
            continue
        shown.append(
            row
            | {
                "country_name": allowances.country_name(row["country"]),
                "city_text": allowances.city_cell(row, with_cities),
            }
        )
    return shown


@role_required(READERS)
def allowance_list(request):
    on = _on(request)
    version = selectors.version_in_force(on)
    policy = version.to_policy() if version else selectors.policy_in_force_db(on)
    table = reference.SHIPPED_BUDGET if policy.budget is None else policy.budget
    words = request.GET.get("q", "").strip()[:100]
    context = paginate(request, _display(table.rows, words), per_page=PER_PAGE)
    context |= {
        "on": on,
        "today": timezone.localdate(),
        "version": version,
        "policy": policy,
        "shipped": policy.budget is None,
        "q": words,
        "can_import": has(request.user, services.CHANGES_POLICY),
    }
    return render(request, "policy/allowances.html", context)


@role_required(READERS)
def allowance_export(request):
    """The table in force (``?on=`` as on the list) in the import format. Not an audited
    export: reference data, no personal data."""
    on = _on(request)
    policy = selectors.policy_in_force_db(on)
    table = reference.SHIPPED_BUDGET if policy.budget is None else policy.budget
    title = _("%(name)s, version %(version)s, in force on %(on)s") % {
        "name": policy.name,
        "version": policy.version,
        "on": on.isoformat(),
    }
    response = HttpResponse(allowances.workbook(table, title=title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"附表2_{policy.version}.xlsx"
    )
    return response


def _render_import(request, form, report=None, pending=None, status=200, problems=()):
    context = {
        "form": form,
        "problems": list(problems),
        "report": report,
        "pending": pending,
        "shown_errors": report.row_errors[:MAX_ERRORS_SHOWN] if report else [],
        "max_errors_shown": MAX_ERRORS_SHOWN,
        "max_rows": allowances.MAX_ROWS,
        "max_mb": f"{allowances.max_bytes() / 1024 / 1024:g}",
        "columns": allowances.COLUMNS,
    }
    return render(request, "policy/allowances_import.html", context, status=status)


@role_required(READERS)
def allowance_import(request):
    """GET: the upload form. POST with a file: check it and, when all is well, show what
    it changes with a confirmation button. POST ``confirm``: import the checked file."""
    if not has(request.user, services.CHANGES_POLICY):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    if request.method == "POST" and "cancel" in request.POST:
        request.session.pop(PENDING, None)
        return redirect("policy:allowance-import")
    posted = request.method == "POST"
    form = AllowanceImportForm(request.POST if posted else None, request.FILES if posted else None)
    if not (posted and form.is_valid()):
        return _render_import(request, form)
    upload = form.cleaned_data["file"]
    try:
        report = services.allowance_table_import(
            actor=request.user,
            upload=upload,
            filename=upload.name,
            effective_from=form.cleaned_data["effective_from"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
            check_only=True,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render_import(request, form)
    pending = None
    if report.ok:
        upload.seek(0)
        data = upload.read()
        pending = {
            "token": secrets.token_urlsafe(16),
            "filename": report.filename,
            "sm3": sm3(data),
            "data": base64.b64encode(data).decode("ascii"),
            "effective_from": form.cleaned_data["effective_from"].isoformat(),
            "reason": form.cleaned_data["reason"],
            "rows": len(report.rows),
        }
        request.session[PENDING] = pending
    else:
        request.session.pop(PENDING, None)
    return _render_import(request, form, report, pending)


def _confirm(request):
    pending = request.session.get(PENDING)
    token = request.POST.get("confirm", "")
    gone = [_("The checked file is no longer at hand; upload it again.")]
    if not pending or not constant_time_equals(token, pending.get("token", "")):
        return _render_import(request, AllowanceImportForm(), status=409, problems=gone)
    del request.session[PENDING]  # one confirmation per check, whatever its outcome
    form = AllowanceImportForm(
        initial={"effective_from": pending["effective_from"], "reason": pending["reason"]}
    )
    data = base64.b64decode(pending["data"])
    if sm3(data) != pending["sm3"]:  # the session is ours; this would be a bug
        return _render_import(request, form, status=409, problems=gone)
    try:
        report = services.allowance_table_import(
            actor=request.user,
            upload=data,
            filename=pending["filename"],
            effective_from=date.fromisoformat(pending["effective_from"]),
            reason=pending["reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        # Something changed since the check (another version, or the date has passed).
        return _render_import(request, form, problems=exc.messages)
    if not report.ok:
        return _render_import(request, form, report)
    messages.success(
        request,
        _("Allowance table imported: %(rows)d rows, policy version %(version)s from %(start)s.")
        % {
            "rows": len(report.rows),
            "version": report.version.version,
            "start": report.version.effective_from.isoformat(),
        },
    )
    on = report.version.effective_from.isoformat()
    return redirect(f"{reverse('policy:allowances')}?on={on}")
