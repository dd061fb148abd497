"""The key points pages: the plans, a plan's tree with each node's progress, the import
(upload → preview with every problem → confirm), and typed entry. Thin: scoping, forms,
``keypoint_services`` and ``keypoint_selectors`` do the work."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.services import client_ip
from waishi.committee import keypoint_forms as forms
from waishi.committee import keypoint_selectors as selectors
from waishi.committee import keypoint_services as services
from waishi.committee.keypoint_models import KeyPoint, KeyPointPlan
from waishi.committee.workflow import OFFICE, READERS
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.roles import has
from waishi.orgs import scoping

PENDING_DIR = "committee/keypoints/pending"
PENDING_KEY = "keypoints_pending"
PENDING_HOURS = 24


def _plan(request, kplan_pk: int) -> KeyPointPlan:
    return scoping.get_for_user(request.user, KeyPointPlan.objects.all(), kplan_pk)


def _point(request, keypoint_pk: int) -> KeyPoint:
    qs = KeyPoint.objects.select_related("plan", "lead_unit", "parent")
    return scoping.get_for_user(request.user, qs, keypoint_pk)


def _refused(form, exc: PermissionDenied) -> None:
    form.add_error(None, str(exc) or _("You are not allowed to do this."))


@role_required(READERS)
def plan_list(request):
    return render(
        request,
        "committee/keypoints/list.html",
        {"plans": selectors.plans(request.user), "can_manage": has(request.user, OFFICE)},
    )


@role_required(READERS)
def plan_detail(request, kplan_pk: int):
    plan = _plan(request, kplan_pk)
    rows, total = selectors.plan_tree(plan)
    return render(
        request,
        "committee/keypoints/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "total": total,
            "can_manage": has(request.user, OFFICE),
        },
    )


# --- import -------------------------------------------------------------------------------


def _drop_stale() -> None:
    """Files checked but never confirmed go after a day (whoever uploads next sweeps)."""
    limit = timezone.now() - dt.timedelta(hours=PENDING_HOURS)
    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def _keep(request, data: bytes, *, name: str, year: int) -> str:
    """Keep the checked file until it is confirmed (this session only); its token."""
    _drop_stale()
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{PENDING_DIR}/{token}", ContentFile(data))
    pending = dict(request.session.get(PENDING_KEY) or {})
    for old in pending.values():  # one outline waits per session
        default_storage.delete(old["path"])
    request.session[PENDING_KEY] = {token: {"path": path, "name": name, "year": year}}
    return token


def _kept(request, token: str) -> dict | None:
    return (request.session.get(PENDING_KEY) or {}).get(token)


def _forget(request, token: str) -> None:
    pending = dict(request.session.get(PENDING_KEY) or {})
    found = pending.pop(token, None)
    if found:
        default_storage.delete(found["path"])
    request.session[PENDING_KEY] = pending


def _preview_page(request, preview, confirm):
    return render(
        request,
        "committee/keypoints/preview.html",
        {"preview": preview, "counts": preview.counts(), "form": confirm},
    )


@role_required(OFFICE)
def import_upload(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or ""
        year = form.cleaned_data["year"]
        try:
            data = upload.read()
            preview = services.keypoints_preview(
                actor=request.user, upload=data, year=year, name=name
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(form, exc)
        else:
            token = _keep(request, data, name=name, year=year) if preview.ok else ""
            confirm = forms.ConfirmForm(initial={"token": token})
            return _preview_page(request, preview, confirm)
    return render(request, "committee/keypoints/import.html", {"form": form})


@role_required(OFFICE)
@require_POST
def import_confirm(request):
    form = forms.ConfirmForm(request.POST)
    pending = _kept(request, request.POST.get("token", ""))
    if not form.is_valid() or pending is None or not default_storage.exists(pending["path"]):
        messages.error(request, _("The outline checked is no longer kept: upload it again."))
        return redirect("committee:keypoint-import")
    with default_storage.open(pending["path"], "rb") as handle:
        data = handle.read()
    try:
        plan = services.keypoints_import(
            actor=request.user,
            upload=data,
            year=pending["year"],
            name=pending["name"],
            assign=form.cleaned_data["assign"],
            ip=client_ip(request),
        )
    except ValidationError:
        # Something changed since the preview (a unit, a plan): show it as it is now.
        preview = services.keypoints_preview(
            actor=request.user, upload=data, year=pending["year"], name=pending["name"]
        )
        _forget(request, form.cleaned_data["token"])
        return _preview_page(request, preview, forms.ConfirmForm(initial={"token": ""}))
    _forget(request, form.cleaned_data["token"])
    messages.success(request, _("The work key points are imported."))
    return redirect("committee:keypoint-plan", kplan_pk=plan.pk)


# --- typed entry -------------------------------------------------------------------------


@role_required(OFFICE)
def plan_create(request):
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.keypoints_plan_create(
                actor=request.user,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(form, exc)
        else:
            return redirect("committee:keypoint-plan", kplan_pk=plan.pk)
    return render(request, "committee/keypoints/plan_form.html", {"form": form})


@role_required(OFFICE)
def point_add(request, kplan_pk: int):
    plan = _plan(request, kplan_pk)
    parents = selectors.parents_for(plan)
    initial = {}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        initial["parent"] = parents.filter(pk=int(parent_id)).first()
    form = forms.PointForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = services.keypoint_add(
                actor=request.user,
                plan=plan,
                parent=data.get("parent"),
                title=data["title"],
                detail=data["detail"],
                due_date=data["due_date"],
                lead_unit=data["lead_unit"],
                supporting_units=data["supporting_units"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The item is added."))
            return redirect(_anchor(plan.pk, point.pk))
    return render(
        request, "committee/keypoints/point_form.html", {"form": form, "plan": plan, "point": None}
    )


def _anchor(plan_pk: int, point_pk: int) -> str:
    from django.urls import reverse

    return reverse("committee:keypoint-plan", kwargs={"kplan_pk": plan_pk}) + f"#kp-{point_pk}"


@role_required(OFFICE)
def point_edit(request, keypoint_pk: int):
    point = _point(request, keypoint_pk)
    initial = {
        "title": point.title,
        "detail": point.detail,
        "due_date": point.due_date,
        "lead_unit": point.lead_unit,
        "supporting_units": "、".join(u.name for u in point.supporting_units.order_by("name")),
    }
    form = forms.PointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.keypoint_update(
                actor=request.user,
                point=point,
                title=data["title"],
                detail=data["detail"],
                due_date=data["due_date"],
                lead_unit=data["lead_unit"],
                supporting_units=data["supporting_units"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The item is changed."))
            return redirect(_anchor(point.plan_id, point.pk))
    return render(
        request,
        "committee/keypoints/point_form.html",
        {"form": form, "plan": point.plan, "point": point},
    )


@role_required(OFFICE)
@require_POST
def point_task(request, keypoint_pk: int):
    point = _point(request, keypoint_pk)
    try:
        services.keypoint_to_task(
            actor=request.user,
            point=point,
            assign=request.POST.get("assign") == "on",
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("The item is a supervised task now."))
    return redirect(_anchor(point.plan_id, point.pk))


@role_required(OFFICE)
@require_POST
def point_delete(request, keypoint_pk: int):
    point = _point(request, keypoint_pk)
    try:
        services.keypoint_delete(actor=request.user, point=point, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return redirect(_anchor(point.plan_id, point.pk))
    messages.success(request, _("The item is removed."))
    return redirect("committee:keypoint-plan", kplan_pk=point.plan_id)
