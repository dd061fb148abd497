"""The committee's pages: meetings with attendance and agenda items, items with their
documents and versions (downloads audited, two .docx versions compared), the minutes as a
page and as a .docx, decisions turned into supervised tasks, the members and settings.
Thin: scoping, selectors and services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.audit.services import client_ip
from waishi.committee import compare, forms, minutes_docx, selectors, services
from waishi.committee.models import DocumentVersion, MinutesState, Opinion
from waishi.committee.workflow import (
    ITEM_READERS,
    MINUTES,
    OFFICE,
    READERS,
    may_approve,
    may_upload,
    meeting_actions,
    minutes_actions,
)
from waishi.lib import downloads
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors, flash_form_errors, flash_refusal
from waishi.lib.pages import paginate
from waishi.lib.roles import UNIT_ROLES, has
from waishi.lib.workflow import offered
from waishi.orgs import scoping

REFUSALS = (ValidationError, PermissionDenied)


def _form_page(request, form, *, heading, back, button=None, multipart=False, intro=""):
    return render(
        request,
        "committee/form.html",
        {
            "form": form,
            "heading": heading,
            "back": back,
            "button": button or _("Save"),
            "multipart": multipart,
            "intro": intro,
        },
    )


def _try(form, call) -> bool:
    """Run a service; its refusal shown on the form. True when it went through."""
    try:
        call()
    except ValidationError as exc:
        apply_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You are not allowed to do this."))
    else:
        return True
    return False


def _meeting_url(meeting) -> str:
    return reverse("committee:meeting-detail", kwargs={"meeting_pk": meeting.pk})


def _item_url(item) -> str:
    return reverse("committee:item-detail", kwargs={"item_pk": item.pk})


def _document_url(document) -> str:
    return reverse("committee:document-detail", kwargs={"document_pk": document.pk})


def _minutes_url(minutes) -> str:
    return reverse("committee:minutes-detail", kwargs={"minutes_pk": minutes.pk})


# --- meetings ---------------------------------------------------------------------------------


@role_required(ITEM_READERS)
def index(request):
    if request.user.role in UNIT_ROLES:
        return redirect("committee:item-list")
    return redirect("committee:meeting-list")


@role_required(READERS)
def meeting_list(request):
    form = forms.MeetingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    meetings = selectors.meetings(
        request.user, year=data.get("year"), kind=data.get("kind") or "", q=data.get("q") or ""
    )
    return render(
        request,
        "committee/meeting_list.html",
        {"search": form, "can_add": has(request.user, OFFICE), **paginate(request, meetings)},
    )


@role_required(OFFICE)
def meeting_create(request):
    form = forms.MeetingForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = {}

        def call():
            result["meeting"] = services.meeting_create(
                actor=request.user,
                kind=d["kind"],
                date=d["date"],
                place=d["place"],
                convener=d.get("convener"),
                title=d.get("title", ""),
                attendees_extra=d.get("attendees_extra", ""),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Meeting scheduled."))
            return redirect(_meeting_url(result["meeting"]))
    return _form_page(
        request, form, heading=_("New committee meeting"), back=reverse("committee:meeting-list")
    )


@role_required(READERS)
def meeting_detail(request, meeting_pk: int):
    meeting = selectors.meeting_detail(request.user, meeting_pk)
    minutes = selectors.minutes_list(request.user).filter(meeting=meeting).first()
    meeting.minutes_row = minutes
    actions = meeting_actions(request.user, meeting)
    return render(
        request,
        "committee/meeting_detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "attendance": selectors.attendance_of(meeting),
            "items": selectors.items_with_documents(request.user, meeting),
            "opinion_form": forms.OpinionForm(),
            "history": history(meeting),
            **{f"can_{k}": v for k, v in actions.items()},
        },
    )


@role_required(OFFICE)
def meeting_edit(request, meeting_pk: int):
    meeting = selectors.meeting_detail(request.user, meeting_pk)
    initial = {
        "date": meeting.date,
        "place": meeting.place,
        "convener": meeting.convener,
        "title": meeting.title,
        "attendees_extra": meeting.attendees_extra,
    }
    form = forms.MeetingForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                date=d["date"],
                place=d["place"],
                convener=d.get("convener"),
                title=d.get("title", ""),
                attendees_extra=d.get("attendees_extra", ""),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Meeting saved."))
            return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        form,
        heading=_("Change the meeting: %(m)s") % {"m": meeting},
        back=_meeting_url(meeting),
    )


@role_required(OFFICE)
@require_POST
def meeting_hold(request, meeting_pk: int):
    meeting = selectors.meeting_detail(request.user, meeting_pk)
    try:
        services.meeting_hold(actor=request.user, meeting=meeting, ip=client_ip(request))
    except REFUSALS as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The meeting is marked held."))
    return redirect(_meeting_url(meeting))


@role_required(OFFICE)
def meeting_attendance(request, meeting_pk: int):
    meeting = selectors.meeting_detail(request.user, meeting_pk)
    rows = selectors.attendance_of(meeting)
    member_id = (
        request.POST.get("member") if request.method == "POST" else request.GET.get("member")
    )
    row = next((r for r in rows if str(r.member_id) == str(member_id)), None)
    if row is None:
        return render(
            request, "committee/attendance.html", {"meeting": meeting, "attendance": rows}
        )
    form = forms.AttendanceForm(
        request.POST or None,
        initial={"status": row.status, "reason": row.reason, "represented_by": row.represented_by},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.attendance_set(
                actor=request.user,
                meeting=meeting,
                member=row.member,
                status=d["status"],
                reason=d.get("reason", ""),
                represented_by=d.get("represented_by", ""),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Attendance recorded."))
            return redirect(
                reverse("committee:meeting-attendance", kwargs={"meeting_pk": meeting.pk})
            )
    return render(
        request,
        "committee/attendance.html",
        {"meeting": meeting, "attendance": rows, "form": form, "row": row},
    )


@role_required(OFFICE)
def item_add(request, meeting_pk: int):
    meeting = selectors.meeting_detail(request.user, meeting_pk)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.item_add(
                actor=request.user,
                meeting=meeting,
                title=d["title"],
                submitting_unit=d["submitting_unit"],
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Agenda item added."))
            return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        form,
        heading=_("New agenda item: %(m)s") % {"m": meeting},
        back=_meeting_url(meeting),
    )


# --- agenda items -------------------------------------------------------------------------------


@role_required(ITEM_READERS)
def item_list(request):
    unit_id = request.user.unit_id if request.user.role in UNIT_ROLES else None
    items = selectors.items(request.user, unit_id=unit_id)
    return render(
        request,
        "committee/item_list.html",
        {"can_see_meeting": has(request.user, READERS), **paginate(request, items)},
    )


@role_required(ITEM_READERS)
def item_detail(request, item_pk: int):
    item = selectors.item_detail(request.user, item_pk)
    docs = list(
        selectors.documents(request.user)
        .filter(item=item)
        .prefetch_related("versions__uploaded_by")
    )
    versions = [v for d in docs for v in d.versions.all()]
    return render(
        request,
        "committee/item_detail.html",
        {
            "item": item,
            "documents": docs,
            "sign_off_versions": versions,
            "can_see_meeting": has(request.user, READERS),
            "can_upload": may_upload(request.user, item) and not item.approved_version_id,
            "can_edit": has(request.user, OFFICE),
            "can_opinion": has(request.user, OFFICE) and item.meeting.state == "held",
            "can_approve": may_approve(request.user)
            and item.opinion in (Opinion.AGREE, Opinion.AGREE_REVISE)
            and bool(versions),
            "needs_revision": item.opinion == Opinion.AGREE_REVISE,
            "opinion_form": forms.OpinionForm(
                initial={"opinion": item.opinion, "note": item.opinion_note}
            ),
            "history": history(item),
        },
    )


@role_required(OFFICE)
def item_edit(request, item_pk: int):
    item = selectors.item_detail(request.user, item_pk)
    form = forms.ItemForm(
        request.POST or None, initial={"title": item.title, "submitting_unit": item.submitting_unit}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.item_update(
                actor=request.user,
                item=item,
                title=d["title"],
                submitting_unit=d["submitting_unit"],
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Agenda item saved."))
            return redirect(_item_url(item))
    return _form_page(request, form, heading=_("Change the agenda item"), back=_item_url(item))


@role_required(OFFICE)
@require_POST
def item_opinion(request, item_pk: int):
    item = selectors.item_detail(request.user, item_pk)
    form = forms.OpinionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.item_opinion(
                actor=request.user,
                item=item,
                opinion=form.cleaned_data["opinion"],
                note=form.cleaned_data.get("note", ""),
                ip=client_ip(request),
            )
        except REFUSALS as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Opinion recorded."))
    return redirect(
        (request.POST.get("next") == "meeting" and _meeting_url(item.meeting)) or _item_url(item)
    )


@role_required(ITEM_READERS)
@require_POST
def item_approve(request, item_pk: int):
    item = selectors.item_detail(request.user, item_pk)
    version = (
        selectors.versions(request.user)
        .filter(document__item=item, pk=request.POST.get("version") or 0)
        .first()
        if str(request.POST.get("version", "")).isdigit()
        else None
    )
    if version is None:
        messages.error(request, _("Choose the version to sign off."))
        return redirect(_item_url(item))
    try:
        services.item_approve(actor=request.user, item=item, version=version, ip=client_ip(request))
    except REFUSALS as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Version signed off as approved."))
    return redirect(_item_url(item))


# --- documents and versions -------------------------------------------------------------------


@role_required(ITEM_READERS)
def document_add(request, item_pk: int):
    item = selectors.item_detail(request.user, item_pk)
    if not may_upload(request.user, item):
        raise PermissionDenied
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = {}

        def call():
            result["document"] = services.document_add(
                actor=request.user,
                item=item,
                title=d["title"],
                kind=d["kind"],
                file=d["file"],
                reason=d.get("reason", ""),
                internal=d.get("internal", False),
                readers=d.get("readers") or (),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Document uploaded."))
            return redirect(_document_url(result["document"]))
    return _form_page(
        request,
        form,
        heading=_("New document: %(item)s") % {"item": item.title},
        back=_item_url(item),
        multipart=True,
        button=_("Upload"),
    )


@role_required(ITEM_READERS)
def document_detail(request, document_pk: int):
    document = selectors.document_detail(request.user, document_pk)
    versions = list(selectors.versions_of(request.user, document))
    docx_versions = [v for v in versions if v.is_docx]
    compare_form = None
    if len(docx_versions) >= 2:
        compare_form = forms.CompareForm(
            initial={"old": docx_versions[-2].pk, "new": docx_versions[-1].pk},
            versions=docx_versions,
        )
    item = document.item
    return render(
        request,
        "committee/document_detail.html",
        {
            "document": document,
            "item": item,
            "versions": versions,
            "readers": list(document.readers.all()),
            "compare_form": compare_form,
            "can_upload": may_upload(request.user, item) and not item.approved_version_id,
            "can_access": has(request.user, OFFICE),
            "history": history(document),
        },
    )


@role_required(ITEM_READERS)
def version_upload(request, document_pk: int):
    document = selectors.document_detail(request.user, document_pk)
    if not may_upload(request.user, document.item):
        raise PermissionDenied
    form = forms.VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.version_upload(
                actor=request.user,
                document=document,
                file=d["file"],
                reason=d.get("reason", ""),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("New version uploaded."))
            return redirect(_document_url(document))
    held = document.item.meeting.state == "held"
    return _form_page(
        request,
        form,
        heading=_("New version: %(d)s") % {"d": document.title},
        back=_document_url(document),
        multipart=True,
        button=_("Upload"),
        intro=_("After the meeting: the version revised as the meeting asked.") if held else "",
    )


@role_required(ITEM_READERS)
def version_download(request, version_pk: int):
    version = selectors.version_detail(request.user, version_pk)
    return downloads.stored_file(
        version.file,
        filename=version.name or "document",
        content_type=version.content_type,
        record=lambda: services.version_download(
            actor=request.user, version=version, ip=client_ip(request)
        ),
    )


@role_required(OFFICE)
def document_access(request, document_pk: int):
    document = selectors.document_detail(request.user, document_pk)
    form = forms.AccessForm(
        request.POST or None,
        initial={"internal": document.internal, "readers": list(document.readers.all())},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.document_access(
                actor=request.user,
                document=document,
                internal=d.get("internal", False),
                readers=d.get("readers") or (),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Readers saved."))
            return redirect(_document_url(document))
    return _form_page(
        request,
        form,
        heading=_("Who may read: %(d)s") % {"d": document.title},
        back=_document_url(document),
    )


def _read(version: DocumentVersion) -> bytes:
    try:
        with version.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise Http404 from None


@role_required(ITEM_READERS)
def document_compare(request, document_pk: int):
    """Two .docx versions of the document, paragraph by paragraph."""
    document = selectors.document_detail(request.user, document_pk)
    versions = [v for v in selectors.versions_of(request.user, document) if v.is_docx]
    form = forms.CompareForm(request.GET or None, versions=versions)
    rows, counts, old, new = [], {}, None, None
    if form.is_valid():
        by_pk = {v.pk: v for v in versions}
        old, new = by_pk[form.cleaned_data["old"]], by_pk[form.cleaned_data["new"]]
        try:
            rows = compare.compare_files(_read(old), _read(new))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            counts = compare.summary(rows)
            for v in (old, new):
                services.version_download(actor=request.user, version=v, ip=client_ip(request))
    return render(
        request,
        "committee/compare.html",
        {
            "document": document,
            "form": form,
            "rows": rows,
            "counts": counts,
            "old": old,
            "new": new,
            "enough": len(versions) >= 2,
        },
    )


# --- minutes ------------------------------------------------------------------------------------


@role_required(READERS)
def minutes_list(request):
    state = request.GET.get("state", "")
    state = state if state in MinutesState.values else ""
    rows = selectors.minutes_list(request.user, state=state)
    return render(
        request,
        "committee/minutes_list.html",
        {"states": MinutesState.choices, "state": state, **paginate(request, rows)},
    )


@role_required(OFFICE)
@require_POST
def minutes_draft(request, meeting_pk: int):
    meeting = selectors.meeting_detail(request.user, meeting_pk)
    try:
        minutes = services.minutes_draft(actor=request.user, meeting=meeting, ip=client_ip(request))
    except REFUSALS as exc:
        flash_refusal(request, exc)
        return redirect(_meeting_url(meeting))
    messages.success(request, _("Minutes drafted from the meeting."))
    return redirect(_minutes_url(minutes))


@role_required(READERS)
def minutes_detail(request, minutes_pk: int):
    minutes = selectors.minutes_detail(request.user, minutes_pk)
    actions = minutes_actions(request.user, minutes)
    return render(
        request,
        "committee/minutes_detail.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "settings_row": services.settings_get(),
            "paragraphs": [
                (line.strip(), bool(minutes_docx.FIRST_LEVEL.match(line.strip())))
                for line in (minutes.body or "").splitlines()
                if line.strip()
            ],
            "decisions": selectors.decisions_of(minutes),
            "names": minutes_docx.attendance_lines(minutes),
            "issued_on": minutes_docx.cn_date(timezone.localdate(minutes.issued_at))
            if minutes.issued_at
            else "",
            "secrecy_word": minutes_docx.SECRECY_WORDS.get(minutes.secrecy, ""),
            "buttons": offered(MINUTES, minutes, actions),
            "return_form": forms.ReasonForm(),
            "history": history(minutes),
            **{f"can_{k}": v for k, v in actions.items()},
        },
    )


@role_required(OFFICE)
def minutes_edit(request, minutes_pk: int):
    minutes = selectors.minutes_detail(request.user, minutes_pk)
    initial = {
        "title": minutes.title,
        "body": minutes.body,
        "decisions": "\n".join(d.text for d in selectors.decisions_of(minutes)),
        "copy_no": minutes.copy_no,
        "secrecy": minutes.secrecy,
    }
    form = forms.MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.minutes_update(
                actor=request.user,
                minutes=minutes,
                title=d["title"],
                body=d["body"],
                decisions=(d.get("decisions") or "").splitlines(),
                copy_no=d.get("copy_no", ""),
                secrecy=d.get("secrecy", ""),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Minutes saved."))
            return redirect(_minutes_url(minutes))
    return _form_page(request, form, heading=_("Change the minutes"), back=_minutes_url(minutes))


@role_required(READERS)
@require_POST
def minutes_act(request, minutes_pk: int, action: str):
    minutes = selectors.minutes_detail(request.user, minutes_pk)
    ip = client_ip(request)
    try:
        if action == "submit":
            services.minutes_submit(actor=request.user, minutes=minutes, ip=ip)
        elif action == "issue":
            services.minutes_issue(actor=request.user, minutes=minutes, ip=ip)
        elif action == "return":
            services.minutes_return(
                actor=request.user, minutes=minutes, reason=request.POST.get("reason", ""), ip=ip
            )
        else:
            raise Http404
    except REFUSALS as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": MINUTES.action_label(action)})
    return redirect(_minutes_url(minutes))


@role_required(READERS)
def minutes_document(request, minutes_pk: int):
    minutes = selectors.minutes_detail(request.user, minutes_pk)
    return downloads.generated_document(
        lambda: (minutes_docx.render(minutes), minutes_docx.filename(minutes)),
        record=lambda: services.minutes_download(
            actor=request.user, minutes=minutes, ip=client_ip(request)
        ),
    )


# --- decisions ----------------------------------------------------------------------------------


@role_required(READERS)
def decision_detail(request, decision_pk: int):
    decision = selectors.decision_detail(request.user, decision_pk)
    minutes = decision.minutes
    can_task = (
        has(request.user, OFFICE) and minutes.state == MinutesState.ISSUED and not decision.task_id
    )
    form = None
    if can_task:
        initial = {"title": decision.text[:200]}
        if decision.item_id:
            initial["lead_unit"] = decision.item.submitting_unit_id
        form = forms.TaskForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            result = {}

            def call():
                result["task"] = services.decision_to_task(
                    actor=request.user,
                    decision=decision,
                    title=d["title"],
                    lead_unit=d["lead_unit"],
                    responsible_person=d["responsible_person"],
                    supporting_units=d.get("supporting_units") or (),
                    due_date=d.get("due_date"),
                    major=d.get("major", False),
                    ip=client_ip(request),
                )

            if _try(form, call):
                messages.success(request, _("The decision is now a supervised task."))
                return redirect(_decision_url(decision))
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "committee/decision_detail.html",
        {"decision": decision, "minutes": minutes, "form": form, "task_url": _task_url(decision)},
    )


def _decision_url(decision) -> str:
    return reverse("committee:decision", kwargs={"decision_pk": decision.pk})


def _task_url(decision) -> str:
    if not decision.task_id:
        return ""
    for name in ("followups:task-detail", "followups:detail"):
        try:
            return reverse(name, kwargs={"outcome_pk": decision.task_id})
        except NoReverseMatch:  # the task pages may not be installed yet
            continue
    return ""


# --- members and settings -----------------------------------------------------------------------


@role_required(READERS)
def member_list(request):
    return render(
        request,
        "committee/member_list.html",
        {
            "members": selectors.members(request.user),
            "settings_row": services.settings_get(),
            "can_manage": has(request.user, OFFICE),
        },
    )


@role_required(OFFICE)
def member_add(request):
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.member_add(
                actor=request.user,
                person=d["person"],
                position=d["position"],
                office_role=d.get("office_role", ""),
                order=d.get("order") or 0,
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Member added."))
            return redirect("committee:member-list")
    return _form_page(
        request, form, heading=_("New committee member"), back=reverse("committee:member-list")
    )


@role_required(OFFICE)
def member_edit(request, member_pk: int):
    member = scoping.get_for_user(request.user, selectors.members(request.user), member_pk)
    form = forms.MemberForm(
        request.POST or None,
        editing=True,
        initial={
            "position": member.position,
            "office_role": member.office_role,
            "order": member.order,
            "active": member.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.member_update(
                actor=request.user,
                member=member,
                position=d["position"],
                office_role=d.get("office_role", ""),
                order=d.get("order") or 0,
                active=d.get("active", False),
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Member saved."))
            return redirect("committee:member-list")
    return _form_page(
        request,
        form,
        heading=_("Change the member: %(name)s") % {"name": member.person.name},
        back=reverse("committee:member-list"),
    )


@role_required(OFFICE)
def settings_edit(request):
    row = services.settings_get()
    form = forms.SettingsForm(
        request.POST or None,
        initial={
            "office_unit": row.office_unit,
            "issuer_mark": row.issuer_mark,
            "number_prefix": row.number_prefix,
            "printer": row.printer,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def call():
            services.settings_update(
                actor=request.user,
                office_unit=d.get("office_unit"),
                issuer_mark=d["issuer_mark"],
                number_prefix=d["number_prefix"],
                printer=d["printer"],
                ip=client_ip(request),
            )

        if _try(form, call):
            messages.success(request, _("Settings saved."))
            return redirect("committee:member-list")
    return _form_page(
        request, form, heading=_("Committee settings"), back=reverse("committee:member-list")
    )
