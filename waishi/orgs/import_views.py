"""Pages for the Excel import of people: the upload form, its report, and the template.

The import runs inside the request (at most ``IMPORT_MAX_ROWS`` rows); with htmx the
form posts in the background and its button shows that the import is running, without
htmx it is an ordinary multipart form.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from waishi.lib import xlsx_stream
from waishi.lib.forms import Form
from waishi.lib.pages import client_ip
from waishi.orgs import importer, scoping
from waishi.orgs.models import Unit

# The report lists every error up to this many; a file wrong in every one of 20,000
# rows needs fixing at its source, not a page of 40,000 table rows.
MAX_ERRORS_SHOWN = 500
TEMPLATE_FILENAME = "人员导入模板.xlsx"


class PersonImportForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("The first sheet is read; its first row holds the column headers."),
        widget=forms.FileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx," + importer.XLSX_CONTENT_TYPE,
            }
        ),
    )


def _may_import(request) -> None:
    if not request.user.has_perm("orgs.import_people"):
        raise PermissionDenied


@login_required
def people_import(request):
    _may_import(request)
    posted = request.method == "POST"
    form = PersonImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        report = importer.import_upload(
            actor=request.user, upload=upload, filename=upload.name, ip=client_ip(request)
        )
        if report.ok:
            messages.success(
                request,
                ngettext("Imported %(count)d person.", "Imported %(count)d people.", report.created)
                % {"count": report.created},
            )
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=200)
                response["HX-Redirect"] = reverse("orgs:person-list")
                return response
            return redirect("orgs:person-list")
    context = {
        "form": form,
        "report": report,
        "shown_errors": report.row_errors[:MAX_ERRORS_SHOWN] if report else [],
        "max_errors_shown": MAX_ERRORS_SHOWN,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_mb": f"{settings.IMPORT_MAX_BYTES / 1024 / 1024:g}",
        "columns": importer.COLUMNS,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "orgs/_person_import_form.html", context)
    return render(request, "orgs/person_import.html", context)


@login_required
def people_import_template(request):
    """The blank workbook. Not an audited export: it holds no personal data, only the
    column headers, an invented sample and the units the user may name."""
    _may_import(request)
    response = HttpResponse(
        template_workbook(actor=request.user), content_type=importer.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=TEMPLATE_FILENAME
    )
    return response


# --- the template workbook -----------------------------------------------------------------


def units_for(actor):
    """The units a user may name in the file: every active unit for the FAO, else their own."""
    units = Unit.objects.filter(is_active=True).order_by("code")
    if not scoping.is_reader_of_everything(actor):
        units = units.filter(pk=actor.unit_id)
    return units


def template_workbook(*, actor) -> bytes:
    """A blank import file: the header, one invented sample row, and a 说明 sheet."""
    units = list(units_for(actor))
    limits = {
        "rows": settings.IMPORT_MAX_ROWS,
        "mb": f"{settings.IMPORT_MAX_BYTES / 1024 / 1024:g}",
    }

    def write(book: xlsx_stream.WorkbookWriter) -> None:
        notes = xlsx_stream.import_template(
            book,
            name="人员",
            widths=[22 if position < 4 else 14 for position in range(1, len(importer.COLUMNS) + 1)],
            columns=importer.COLUMNS,
            samples={
                "id_number": importer.sample_id_number(),
                "unit": units[0].code if units else "",
            },
            notes_widths=(18, 12, 80),
            intro=_("Import of people: fill in the first sheet, one person per row."),
            more=(_("At most %(rows)d rows and %(mb)s MB per file.") % limits,),
        )
        notes.append([_("Units you may use")])
        notes.append([_("Unit code"), _("Short name"), _("Full name")])
        for unit in units:
            notes.append([unit.code, unit.short_name, unit.name])

    return xlsx_stream.workbook_bytes(write)
