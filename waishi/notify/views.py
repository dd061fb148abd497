from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.lib.pages import paginate
from waishi.notify import handoffs
from waishi.notify.forms import PreferencesForm
from waishi.notify.services import email_choices, notification_mark_read, preferences_save


@login_required
def inbox(request):
    show = request.GET.get("show", "unread")
    notes = request.user.notifications.all()
    if show != "all":
        notes = notes.filter(read_at__isnull=True)
    page = paginate(request, notes)
    for note in page["page_obj"]:
        note.kind_label = handoffs.label_of(note.kind)  # what a person calls its kind
    return render(request, "notify/inbox.html", {"show": show, **page})


@require_POST
@login_required
def mark_read(request):
    raw = request.POST.getlist("id")
    ids = [int(x) for x in raw if x.isdigit()] if raw else None
    notification_mark_read(actor=request.user, notification_ids=ids)
    return redirect("notify:inbox")


@login_required
def preferences(request):
    """通知设置: per kind of notice, by e-mail at once, in the daily digest, or the inbox
    only (the inbox always has every notice)."""
    kinds = handoffs.kinds(request.user)
    current = email_choices(request.user, [k.code for k in kinds])
    form = PreferencesForm(request.POST or None, kinds=kinds, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        try:
            preferences_save(actor=request.user, choices=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your notification settings have been saved."))
            return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})
