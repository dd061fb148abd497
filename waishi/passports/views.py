"""Pages of the passport register, hand-out and return, and passport applications.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.lib import roles
from waishi.lib.decorators import role_required, step_up_challenge
from waishi.lib.forms import apply_errors
from waishi.lib.pages import client_ip, paginate
from waishi.missions.models import Mission, State
from waishi.orgs import scoping
from waishi.orgs.models import Person, Unit
from waishi.passports import exports, forms, selectors, services
from waishi.passports.models import (
    ApplicationState,
    Passport,
    PassportApplication,
    PassportCustody,
)

MANAGERS = services.MANAGES_PASSPORTS


def _units(user):
    if scoping.is_reader_of_everything(user):
        return scoping.visible(user, Unit).filter(is_active=True)
    return Unit.objects.filter(pk=user.unit_id)


# --- the register ---------------------------------------------------------------------------


@role_required(roles.VIEWERS)
def passport_list(request):
    search = forms.PassportSearchForm(request.GET or None, units=_units(request.user))
    q, state, unit_id = "", "", None
    if search.is_valid():
        q, state = search.cleaned_data["q"], search.cleaned_data["state"]
        unit_id = search.cleaned_data["unit"].pk if search.cleaned_data["unit"] else None
    rows = selectors.passport_search(request.user, q=q, state=state, unit_id=unit_id)
    context = {
        "search": search,
        "can_manage": roles.has(request.user, MANAGERS),
        "can_report": roles.has(request.user, roles.CITY_ROLES),
        **paginate(request, rows),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "passports/_passport_rows.html", context)
    return render(request, "passports/passport_list.html", context)


@role_required(MANAGERS)
def passport_create(request):
    people = scoping.visible(request.user, Person).filter(is_active=True).select_related("unit")
    form = forms.PassportForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            passport = services.passport_register(
                actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The passport has been registered."))
            return redirect("passports:detail", passport_pk=passport.pk)
    return render(request, "passports/passport_form.html", {"form": form, "passport": None})


@role_required(roles.VIEWERS)
def passport_detail(request, passport_pk: int):
    passport = scoping.get_for_user(
        request.user, Passport.objects.select_related("holder__unit"), passport_pk
    )
    can_manage = roles.has(request.user, MANAGERS)
    return render(
        request,
        "passports/passport_detail.html",
        {
            "passport": passport,
            "custodies": selectors.custody_history(passport),
            "open_custody": selectors.open_custody(passport),
            "can_manage": can_manage,
            "mark_form": forms.MarkForm() if can_manage else None,
            "today": timezone.localdate(),
            "history": history(passport),
        },
    )


@role_required(MANAGERS)
def passport_edit(request, passport_pk: int):
    passport = scoping.get_for_user(request.user, Passport, passport_pk)
    initial = {
        "kind": passport.kind,
        "issued_on": passport.issued_on,
        "expires_on": passport.expires_on,
    }
    form = forms.PassportForm(request.POST or None, initial=initial, passport=passport)
    if request.method == "POST" and form.is_valid():
        try:
            services.passport_update(
                actor=request.user, passport=passport, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The passport has been saved."))
            return redirect("passports:detail", passport_pk=passport.pk)
    return render(request, "passports/passport_form.html", {"form": form, "passport": passport})


@require_POST
@role_required(MANAGERS)
def passport_unmask(request, passport_pk: int):
    """The full number, once, in the response; audited (security.md Z2, S2)."""
    passport = scoping.get_for_user(request.user, Passport, passport_pk)
    challenge = step_up_challenge(
        request, back=reverse("passports:detail", kwargs={"passport_pk": passport.pk})
    )
    if challenge is not None:
        return challenge
    number = services.passport_reveal_number(
        actor=request.user, passport=passport, ip=client_ip(request)
    )
    response = render(request, "passports/_number.html", {"number": number})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(MANAGERS)
def passport_mark(request, passport_pk: int):
    passport = scoping.get_for_user(request.user, Passport, passport_pk)
    form = forms.MarkForm(request.POST)
    if form.is_valid():
        try:
            services.passport_mark(
                actor=request.user,
                passport=passport,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The passport's state has been changed."))
    else:
        messages.error(request, _("Choose lost or cancelled and give the reason."))
    return redirect("passports:detail", passport_pk=passport.pk)


@require_POST
@role_required(MANAGERS)
def custody_return(request, custody_pk: int):
    custody = scoping.get_for_user(request.user, PassportCustody, custody_pk)
    try:
        services.passport_return(
            actor=request.user,
            custody=custody,
            ip=client_ip(request),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The passport is back in custody."))
    return redirect("passports:detail", passport_pk=custody.passport_id)


# How many passports out the bulk return page lists (the earliest due first).
RETURN_PAGE_ROWS = 500


@role_required(MANAGERS)
def custody_return_many(request):
    """The passports out, the earliest due first, to tick those handed back together and
    record their return in one action (``services.passports_return``: all or none)."""
    out = (
        selectors.out_of_custody(request.user)
        .select_related("passport__holder__unit", "mission")
        .order_by("due_back", "pk")
    )
    rows = list(out[: RETURN_PAGE_ROWS + 1])
    more = len(rows) > RETURN_PAGE_ROWS
    rows = rows[:RETURN_PAGE_ROWS]
    form = forms.ReturnManyForm(
        request.POST if request.method == "POST" else None,
        choices=[(row.pk, str(row.passport)) for row in rows],
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(
            scoping.visible(request.user, PassportCustody).filter(
                pk__in=form.cleaned_data["custody"]
            )
        )
        try:
            done = services.passports_return(
                actor=request.user,
                custodies=chosen,
                ip=client_ip(request),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d passport is back in custody.",
                    "%(count)d passports are back in custody.",
                    len(done),
                )
                % {"count": len(done)},
            )
            return redirect("passports:return-many")
    today = timezone.localdate()
    chosen_ids = {str(v) for v in (form["custody"].value() or [])}
    return render(
        request,
        "passports/return_many.html",
        {
            "rows": [
                {
                    "custody": row,
                    "overdue": max((today - row.due_back).days, 0) if row.due_back else 0,
                    "checked": str(row.pk) in chosen_ids,
                }
                for row in rows
            ],
            "more": more,
            "form": form,
        },
    )


@role_required(roles.CITY_ROLES)
def custody_report(request):
    return exports.xlsx_response(request)


# --- hand-out for a trip --------------------------------------------------------------------


@role_required(MANAGERS)
def trip_list(request):
    """Approved trips and how many of their members have their passport."""
    trips = (
        scoping.visible(request.user, Mission)
        .filter(state=State.APPROVED)
        .select_related("unit")
        .order_by("departure_date", "pk")
    )
    return render(request, "passports/trip_list.html", paginate(request, trips))


@role_required(MANAGERS)
def mission_issue(request, mission_pk: int):
    mission = scoping.get_for_user(request.user, Mission.objects.select_related("unit"), mission_pk)
    rows = selectors.mission_passports(mission)
    today = timezone.localdate()
    choices = []
    for row in rows:
        row["choices"] = []
        for passport in row["passports"]:
            refusal = services.issue_refusal(passport, mission, today)
            row["choices"].append({"passport": passport, "refusal": refusal})
            if refusal is None:
                choices.append((passport.pk, str(passport)))
    form = forms.IssueForm(request.POST or None, choices=choices)
    if request.method == "POST":
        challenge = step_up_challenge(
            request, back=reverse("passports:issue", kwargs={"mission_pk": mission.pk})
        )
        if challenge is not None:
            return challenge
        if form.is_valid():
            chosen = list(
                Passport.objects.filter(
                    pk__in=form.cleaned_data["passports"],
                    holder_id__in=[r["member"].person_id for r in rows],
                )
            )
            try:
                services.passports_issue(
                    actor=request.user, mission=mission, passports=chosen, ip=client_ip(request)
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(count)d passports issued for the trip.") % {"count": len(chosen)},
                )
                return redirect("passports:issue", mission_pk=mission.pk)
    return render(
        request,
        "passports/issue.html",
        {
            "mission": mission,
            "rows": rows,
            "form": form,
            "issuable": mission.state == State.APPROVED,
            "all_issued": selectors.passports_issued(mission),
        },
    )


# --- applications ---------------------------------------------------------------------------


@role_required(roles.VIEWERS)
def application_list(request):
    search = forms.ApplicationFilterForm(request.GET or None)
    state = search.cleaned_data["state"] if search.is_valid() else ""
    rows = selectors.application_list(request.user, state=state)
    return render(
        request,
        "passports/application_list.html",
        {
            "search": search,
            "can_apply": roles.has(request.user, services.APPLIES),
            **paginate(request, rows),
        },
    )


@role_required(services.APPLIES)
def application_create(request):
    people = scoping.visible(request.user, Person).filter(
        is_active=True, unit_id=request.user.unit_id
    )
    passports = scoping.visible(request.user, Passport).filter(holder__in=people)
    form = forms.ApplicationForm(request.POST or None, people=people, passports=passports)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The application has been sent to the FAO."))
            return redirect("passports:application-detail", application_pk=application.pk)
    return render(request, "passports/application_form.html", {"form": form})


@role_required(roles.VIEWERS)
def application_detail(request, application_pk: int):
    application = scoping.get_for_user(
        request.user,
        PassportApplication.objects.select_related(
            "person__unit", "replaces", "created_by", "decided_by"
        ),
        application_pk,
    )
    can_decide = (
        roles.has(request.user, MANAGERS) and application.state == ApplicationState.SUBMITTED
    )
    return render(
        request,
        "passports/application_detail.html",
        {
            "application": application,
            "form": forms.DecideForm() if can_decide else None,
            "history": history(application),
        },
    )


@require_POST
@role_required(MANAGERS)
def application_decide(request, application_pk: int):
    application = scoping.get_for_user(request.user, PassportApplication, application_pk)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(
                actor=request.user,
                application=application,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("The decision has been recorded."))
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("passports:application-detail", application_pk=application.pk)
