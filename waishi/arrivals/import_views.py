"""Pages of the arrival list import: the imports so far, the upload (check first), a
list's report and its confirmation, the blank template, and the progress of the check
or import running in another request.

A check or an import runs inside its request (100,000 rows take well under gunicorn's
60 s); while it runs, a small script (``arrivals/import.js``) polls ``import-progress``
for the rows done, which the running request writes to the cache. Without the script
the page simply waits, and says so.
"""

from __future__ import annotations

import re
import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waishi.arrivals import import_rows, importer
from waishi.arrivals.models import ArrivalSource, ImportBatch
from waishi.audit.selectors import history
from waishi.lib import xlsx_stream
from waishi.lib.decorators import role_required
from waishi.lib.forms import Form, apply_errors, flash_refusal, style_fields
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import COMMAND, COMMAND_READERS, has
from waishi.lib.xlsx import XLSX_CONTENT_TYPE
from waishi.orgs import scoping
from waishi.orgs.models import District

MANAGERS = COMMAND
READERS = COMMAND_READERS
MAX_ERRORS_SHOWN = 500
TEMPLATE_FILENAME = "入境人员名单导入模板.xlsx"
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,32}")
PROGRESS_SECONDS = 600


class UploadForm(Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The list comes from"),
        choices=[(k.value, k.label) for k in importer.LIST_KINDS],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("The first sheet is read; its first row holds the column headers."),
        widget=forms.FileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"


class SearchForm(Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("File name"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=[("", gettext_lazy("All sources"))]
        + [(k.value, k.label) for k in importer.LIST_KINDS],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All states")), *ImportBatch.State.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


# --- progress ----------------------------------------------------------------------------


def _token(value: str) -> str:
    return value if TOKEN.fullmatch(value or "") else ""


def _progress_key(request, token: str) -> str:
    return f"arrivals.import.progress.{request.user.pk}.{token}"


def _progress(request, token: str):
    """The callback a running check or import reports to (the cache, for the page's
    script), or None when the page sent no token."""
    token = _token(token)
    if not token:
        return None
    key = _progress_key(request, token)

    def report(phase: str, done: int, total: int | None) -> None:
        cache.set(key, {"phase": phase, "done": done, "total": total}, PROGRESS_SECONDS)

    return importer.Throttled(report, seconds=0.5)


@require_GET
@role_required(MANAGERS)
def import_progress(request):
    """``{"phase", "done", "total"}`` of the caller's check or import running with
    ``?token=``; ``{}`` before it starts."""
    token = _token(request.GET.get("token", ""))
    found = cache.get(_progress_key(request, token)) if token else None
    response = JsonResponse(found or {})
    response["Cache-Control"] = "no-store"
    return response


# --- the pages ---------------------------------------------------------------------------


def _limits() -> dict:
    return {
        "max_rows": importer.web_max_rows(),
        "max_mb": f"{importer.web_max_bytes() / 1024 / 1024:g}",
    }


@require_GET
@role_required(READERS)
def import_list(request):
    search = SearchForm(request.GET or None)
    batches = scoping.visible(request.user, ImportBatch).select_related("uploaded_by")
    if search.is_valid():
        if search.cleaned_data["q"]:
            batches = batches.filter(file_name__icontains=search.cleaned_data["q"])
        if search.cleaned_data["kind"]:
            batches = batches.filter(kind=search.cleaned_data["kind"])
        if search.cleaned_data["state"]:
            batches = batches.filter(state=search.cleaned_data["state"])
    context = {
        "search": search,
        "can_import": has(request.user, MANAGERS),
        **paginate(request, batches.order_by("-uploaded_at", "-pk")),
    }
    return render(request, "arrivals/import_list.html", context)


def _render_upload(request, form):
    context = {
        "form": form,
        "columns": import_rows.COLUMNS,
        "progress_token": secrets.token_urlsafe(12),
        **_limits(),
    }
    return render(request, "arrivals/import_upload.html", context)


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def import_upload(request):
    """GET: the form. POST: check the file; the report is the batch's page."""
    if request.method != "POST":
        return _render_upload(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_upload(request, form)
    upload = form.cleaned_data["file"]
    try:
        batch = importer.batch_check(
            actor=request.user,
            upload=upload,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            ip=client_ip(request),
            progress=_progress(request, request.POST.get("progress", "")),
        )
    except ValidationError as exc:
        apply_errors(form, exc, default_field="file")
        return _render_upload(request, form)
    if batch.state == ImportBatch.State.CHECKED:
        messages.success(request, _("The list is correct. Check the figures, then import it."))
    else:
        messages.error(request, _("The list has problems: nothing was imported."))
    return redirect("arrivals:batch-detail", batch_pk=batch.pk)


@require_GET
@role_required(READERS)
def batch_detail(request, batch_pk: int):
    batch = scoping.get_for_user(
        request.user, ImportBatch.objects.select_related("uploaded_by"), batch_pk
    )
    errors = [e for e in batch.errors if "more" not in e]
    more = sum(e["more"] for e in batch.errors if "more" in e) + max(
        0, len(errors) - MAX_ERRORS_SHOWN
    )
    sources = (
        scoping.visible(request.user, ArrivalSource)
        .filter(batch=batch)
        .select_related("arrival__district")
        .order_by("row", "pk")
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        sources = sources.filter(arrival__name__icontains=q)
    expires = importer.pending_expires(batch)
    context = {
        "batch": batch,
        "errors": errors[:MAX_ERRORS_SHOWN],
        "more_errors": more,
        "bad_rows": len({e["row"] for e in errors if e.get("row")}),
        "can_import": has(request.user, MANAGERS),
        "expires": expires,
        "expired": timezone.now() > expires,
        "progress_token": secrets.token_urlsafe(12),
        "q": q,
        "history": history(batch),
        **paginate(request, sources, per_page=50),
    }
    return render(request, "arrivals/import_detail.html", context)


@require_POST
@role_required(MANAGERS)
def batch_confirm(request, batch_pk: int):
    batch = scoping.get_for_user(request.user, ImportBatch, batch_pk)
    try:
        batch = importer.batch_confirm(
            actor=request.user,
            batch=batch,
            ip=client_ip(request),
            progress=_progress(request, request.POST.get("progress", "")),
        )
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        if batch.state == ImportBatch.State.IMPORTED:
            messages.success(
                request,
                _(
                    "Imported: %(new)d new arrivals, %(merged)d rows matching arrivals known "
                    "already."
                )
                % {"new": batch.rows_new, "merged": batch.rows_merged},
            )
        else:
            messages.error(request, _("The list has problems: nothing was imported."))
    return redirect("arrivals:batch-detail", batch_pk=batch.pk)


@require_GET
@role_required(READERS)
def batch_template(request):
    """The blank list. Not an audited export: headers, an invented row, the districts."""
    response = HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=TEMPLATE_FILENAME
    )
    return response


# --- the template workbook -------------------------------------------------------------------


def template_workbook() -> bytes:
    """The header, one invented sample row (refused if left in), and a 说明 sheet: what
    each column takes, and the districts with their codes."""
    districts = list(District.objects.order_by("sort_order", "code"))

    def write(book: xlsx_stream.WorkbookWriter) -> None:
        notes = xlsx_stream.import_template(
            book,
            name="入境人员",
            widths=[24 if c.field in ("address", "port") else 14 for c in import_rows.COLUMNS],
            columns=import_rows.COLUMNS,
            samples={"district": districts[0].name if districts else ""},
            notes_widths=(14, 10, 90),
            intro=_("Arrival list: one person arriving on one date per row, on the first sheet."),
            more=(
                _(
                    "The same passport number and arrival date is one arrival, whichever lists "
                    "name it: the first list decides the district and the plan, later ones "
                    "fill only what is missing."
                ),
                _("At most %(max_rows)d rows and %(max_mb)s MB per file on the page.") % _limits(),
            ),
        )
        notes.append([_("Districts")])
        notes.append([_("Code"), "", _("Name")])
        for district in districts:
            notes.append([district.code, "", district.name])

    return xlsx_stream.workbook_bytes(write)
