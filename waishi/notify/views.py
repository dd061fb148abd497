from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from waishi.lib.pages import paginate
from waishi.notify.services import notification_mark_read


@login_required
def inbox(request):
    show = request.GET.get("show", "unread")
    notes = request.user.notifications.all()
    if show != "all":
        notes = notes.filter(read_at__isnull=True)
    return render(request, "notify/inbox.html", {"show": show, **paginate(request, notes)})


@require_POST
@login_required
def mark_read(request):
    raw = request.POST.getlist("id")
    ids = [int(x) for x in raw if x.isdigit()] if raw else None
    notification_mark_read(actor=request.user, notification_ids=ids)
    return redirect("notify:inbox")
