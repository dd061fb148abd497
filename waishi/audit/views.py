"""The audit log for the audit administrator and the auditor: read, filter, verify."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from waishi.audit.messages import MESSAGES, action_title
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import chain_length, readable
from waishi.audit.selectors import verify as verify_chain_and_state
from waishi.audit.services import client_ip, record
from waishi.lib.decorators import role_required
from waishi.lib.forms import DateInput
from waishi.lib.pages import paginate
from waishi.lib.roles import READS_AUDIT_LOG

# Differences named on the page after a check (the command line lists them all).
SHOWN_DIFFERENCES = 20


def _action_choices():
    """Every action with a sentence, by what it does (never by its code)."""
    titled = sorted((action_title(code), code) for code in MESSAGES)
    return [("", "—"), *((code, title) for title, code in titled)]


def _object_type_choices():
    """Every named model of the application (not the audit's own, nor a library's) by its
    name in the reader's language."""
    named = sorted(
        (str(model._meta.verbose_name), model._meta.label_lower)
        for model in apps.get_models()
        if model.__module__.startswith("waishi.")
        and model._meta.app_label != "audit"
        and "verbose_name" in model._meta.original_attrs
    )
    return [("", "—"), *((label, name) for name, label in named)]


class LogFilter(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False, choices=())
    object_type = forms.ChoiceField(label=gettext_lazy("Object type"), required=False, choices=())
    # With the type, one object's history (read through the index on type, id and seq).
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=64)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _action_choices()
        self.fields["object_type"].choices = _object_type_choices()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"


@role_required(READS_AUDIT_LOG)
def log(request):
    form = LogFilter(request.GET or None)
    events = AuditEvent.objects.order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            events = events.filter(actor_name__icontains=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    page = paginate(request, events, per_page=50, estimate=True)
    page["entries"] = readable(page["page_obj"].object_list, viewer=request.user)
    return render(request, "audit/log.html", {"form": form, "total": chain_length(), **page})


@require_POST
@role_required(READS_AUDIT_LOG)
def verify(request):
    result = verify_chain_and_state()
    problem, differences = result.problem, result.differences
    total = chain_length()
    data: dict = {"result": "OK" if result.ok else "FAILED"}
    if result.ok:
        data["rows"] = total
    if problem is not None:
        data.update(seq=problem.seq, kind=problem.kind)
    if differences:
        data["differences"] = len(differences)
    record(action="audit.verified", actor=request.user, ip=client_ip(request), data=data)
    if result.ok:
        messages.success(
            request, _("The audit chain is intact: %(n)d rows checked.") % {"n": total}
        )
    elif problem is not None:
        messages.error(
            request,
            _("The audit chain is broken at row %(seq)d: %(detail)s")
            % {"seq": problem.seq, "detail": problem.message},
        )
    else:
        shown = differences[:SHOWN_DIFFERENCES]
        more = len(differences) - len(shown)
        text = _("; ").join(d.message for d in shown)
        if more:
            text += _("; and %(n)d more") % {"n": more}
        messages.error(
            request,
            _(
                "The audit chain is intact, but %(n)d record(s) were changed outside the "
                "application: %(list)s"
            )
            % {"n": len(differences), "list": text},
        )
    return redirect("audit:log")
