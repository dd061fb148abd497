"""The public declaration pages (``/declare/``): no login, reached by a campaign's link
or QR code, Chinese by default with English a tap away (``?lang=en``), made for phones.

Every page that posts goes through ``public``: the rate limit and the body-size limit
come first, before the body is read, and then Django's normal CSRF check (the CSRF
middleware would otherwise read a body of any size to look for its token). Nothing
here is cached by the browser or a proxy: the pages carry personal data.

A traveller who looked a declaration up holds it in their session for a short while
(``LOOKUP_MINUTES``), so that the code and the passport number are typed once and
never written back into a page.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from waishi.arrivals import declarations, ratelimit
from waishi.arrivals.models import (
    ArrivalSettings,
    ArrivalSource,
    Campaign,
    Category,
    HealthDeclaration,
    Purpose,
    TestOutcome,
)
from waishi.arrivals.public_forms import (
    CorrectionForm,
    DeclarationForm,
    LookupForm,
    ResidentDeclareForm,
    ResidentRegisterForm,
    country_name,
)
from waishi.lib.forms import apply_errors
from waishi.lib.pages import client_ip
from waishi.orgs.models import District

LOOKUP_SESSION = "declare.lookup"
LOOKUP_MINUTES = 15
TEMPLATES = "arrivals/public/"


# -- the frame of every public page -------------------------------------------------


def _chosen_language(request) -> str | None:
    """``?lang=en`` or ``?lang=zh-hans`` (a link or the switch on the page): this page in
    that language, and the next ones through the language cookie."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        return None
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def public(bucket: str | None = None):
    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            chosen = _chosen_language(request)
            if bucket is not None and request.method == "POST":
                retry_after = ratelimit.hit(request, bucket)
                if retry_after:
                    response = ratelimit.too_many(request, retry_after)
                elif ratelimit.body_too_large(request):
                    response = ratelimit.too_large(request)
                else:
                    response = protected(request, *args, **kwargs)
            else:
                response = protected(request, *args, **kwargs)
            if chosen:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    chosen,
                    max_age=365 * 86400,
                    samesite="Lax",
                    secure=settings.PRODUCTION,
                    httponly=True,
                )
            response["Content-Language"] = translation.get_language()
            add_never_cache_headers(response)
            return response

        # The check runs inside, after the limits (see the module's docstring).
        return csrf_exempt(wrapper)

    return decorator


def _page(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, TEMPLATES + template, context or {}, status=status)


def _closed(request):
    """The same polite page for a link switched off, past its end or never issued."""
    return _page(request, "closed.html", status=404)


def _open_campaign(token: str, variant: str | None = None) -> Campaign | None:
    campaign = Campaign.objects.filter(token=token[:32]).first()
    if campaign is None or not campaign.open_on(timezone.localdate()):
        return None
    if variant is not None and campaign.variant != variant:
        return None
    return campaign


def _notice() -> dict:
    """What the page and its PIPL notice say: the lead time, how long health details
    are kept."""
    current = ArrivalSettings.current()
    return {"retention_days": current.retention_days, "lead_hours": current.declare_lead_hours}


# -- the arrival declaration and the resident's registration ------------------------


@require_http_methods(["GET", "POST"])
@public(ratelimit.SUBMIT)
def campaign_form(request, token: str):
    campaign = _open_campaign(token)
    if campaign is None:
        return _closed(request)
    if campaign.variant == Campaign.Variant.RESIDENT:
        return _resident_register(request, campaign)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        declared = declarations.declaration_submit(
            data=form.arrival_data(),
            passport=form.cleaned_data["passport"],
            district=form.cleaned_data["district"],
            health=form.health(),
            campaign=campaign,
        )
        # Answered on the post itself: the code is shown once and kept nowhere.
        return _page(
            request,
            "done.html",
            {
                "campaign": campaign,
                "code": declared.code,
                "late": declared.late,
                "lead_hours": ArrivalSettings.current().declare_lead_hours,
            },
        )
    return _page(
        request,
        "form.html",
        {"campaign": campaign, "form": form, **_notice()},
    )


def _resident_register(request, campaign: Campaign):
    form = ResidentRegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        registered = declarations.resident_register(
            data=form.resident_data(),
            passport=form.cleaned_data["passport"],
            district=form.cleaned_data["district"],
            health=form.health(),
            ip=client_ip(request),
        )
        return _page(
            request,
            "resident_done.html",
            {"campaign": campaign, "code": registered.code, "next_due": registered.next_due},
        )
    return _page(
        request,
        "resident_register.html",
        {"campaign": campaign, "form": form, **_notice()},
    )


@require_http_methods(["GET", "POST"])
@public(ratelimit.SUBMIT)
def resident_declare(request, token: str):
    campaign = _open_campaign(token, Campaign.Variant.RESIDENT)
    if campaign is None:
        return _closed(request)
    form = ResidentDeclareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        next_due = declarations.resident_declare(
            code=form.cleaned_data["code"],
            passport=form.cleaned_data["passport"],
            health=form.health(),
            ip=client_ip(request),
        )
        if next_due is not None:
            return _page(
                request, "resident_declared.html", {"campaign": campaign, "next_due": next_due}
            )
        form.add_error(None, _no_match())
    return _page(
        request,
        "resident_declare.html",
        {"campaign": campaign, "form": form},
    )


def _no_match() -> str:
    return _(
        "The confirmation code and the passport number do not match. Check both and try again."
    )


# -- looking a declaration up and correcting it -------------------------------------


@require_http_methods(["GET", "POST"])
@public(ratelimit.LOOKUP)
def lookup(request):
    form = LookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        source = declarations.declaration_find(
            code=form.cleaned_data["code"], passport=form.cleaned_data["passport"]
        )
        if source is not None:
            request.session.cycle_key()
            until = timezone.now() + dt.timedelta(minutes=LOOKUP_MINUTES)
            request.session[LOOKUP_SESSION] = {"source": source.pk, "until": until.isoformat()}
            return redirect("declare:declaration")
        form.add_error(None, _no_match())
    return _page(request, "lookup.html", {"form": form})


def _looked_up(request) -> ArrivalSource | None:
    held = request.session.get(LOOKUP_SESSION)
    if not isinstance(held, dict):
        return None
    try:
        until = dt.datetime.fromisoformat(held["until"])
        pk = int(held["source"])
    except (KeyError, TypeError, ValueError):
        return None
    if until < timezone.now():
        request.session.pop(LOOKUP_SESSION, None)
        return None
    return ArrivalSource.objects.select_related("arrival").filter(pk=pk).first()


def _lookup_again(request):
    messages.info(request, _("Enter your confirmation code and passport number again."))
    return redirect("declare:lookup")


@require_http_methods(["GET"])
@public()
def declaration(request):
    source = _looked_up(request)
    if source is None:
        return _lookup_again(request)
    declarations.declaration_viewed(source=source, ip=client_ip(request))
    health = declarations.declaration_health(source)
    return _page(
        request,
        "declaration.html",
        {
            "rows": declared_rows(source.details),
            "health": health_rows(health),
            "purged": health is not None and health.purged_at is not None,
            "reported_at": source.reported_at,
            "correctable": declarations.declaration_correctable(source),
        },
    )


@require_http_methods(["GET", "POST"])
@public(ratelimit.SUBMIT)
def correct(request):
    source = _looked_up(request)
    if source is None:
        return _lookup_again(request)
    if not declarations.declaration_correctable(source):
        return redirect("declare:declaration")
    health = declarations.declaration_health(source)
    arrival_date = source.arrival.arrival_date
    if request.method == "POST":
        form = CorrectionForm(request.POST, arrival_date=arrival_date)
    else:
        form = CorrectionForm(initial=_initial(source, health), arrival_date=arrival_date)
    if request.method == "POST" and form.is_valid():
        try:
            declarations.declaration_correct(
                source=source,
                data=form.corrected(),
                health=form.health(),
                district=form.cleaned_data["district"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your declaration has been corrected."))
            return redirect("declare:declaration")
    return _page(
        request,
        "correct.html",
        {"form": form, "arrival_date": arrival_date},
    )


@require_POST
@public()
def lookup_end(request):
    request.session.pop(LOOKUP_SESSION, None)
    messages.info(request, _("Your declaration is closed on this device."))
    return redirect("declare:lookup")


def _initial(source: ArrivalSource, health: HealthDeclaration | None) -> dict:
    details = source.details or {}
    initial = {name: details.get(name, "") for name in CorrectionForm.base_fields}
    district = District.objects.filter(code=details.get("district", "")).first()
    initial["district"] = district.pk if district else None
    if health is not None and health.purged_at is None:
        initial.update(
            symptoms=health.symptoms,
            symptoms_note=health.symptoms_note,
            test_outcome=health.test_outcome,
            test_on=health.test_on,
        )
    return initial


# -- what a declaration said, in the page's language --------------------------------

SHOWN = (
    "category",
    "name",
    "nationality",
    "passport",
    "phone",
    "email",
    "origin_country",
    "origin_city",
    "route",
    "departs_on",
    "arrival_date",
    "arrival_time",
    "port",
    "district",
    "address",
    "purpose",
)


def _shown(name: str, value) -> str:
    if name in ("nationality", "origin_country"):
        return country_name(str(value))
    if name == "category":
        return str(dict(Category.choices).get(value, value))
    if name == "purpose":
        return str(dict(Purpose.choices).get(value, value))
    if name == "district":
        found = District.objects.filter(code=str(value)).first()
        return found.name if found else str(value)
    if name == "arrival_time":
        return str(value)[:5]
    return str(value)


def declared_rows(details: dict) -> list[tuple[str, str]]:
    labels = DeclarationForm.base_fields
    rows = []
    for name in SHOWN:
        value = (details or {}).get(name)
        if value in (None, ""):
            continue
        label = _("Passport number") if name == "passport" else labels[name].label
        rows.append((str(label), _shown(name, value)))
    return rows


def health_rows(health: HealthDeclaration | None) -> list[tuple[str, str]]:
    if health is None or health.purged_at is not None:
        return []
    symptoms = dict(HealthDeclaration.Symptom.choices)
    named = ", " if (translation.get_language() or "").startswith("en") else "、"
    rows = [
        (
            _("Symptoms"),
            named.join(str(symptoms.get(s, s)) for s in health.symptoms) or _("None"),
        )
    ]
    if health.symptoms_note:
        rows.append((_("Other symptoms or details"), health.symptoms_note))
    rows.append(
        (_("Test before boarding"), str(dict(TestOutcome.choices).get(health.test_outcome, "")))
    )
    if health.test_on:
        rows.append((_("Date of the test"), health.test_on.isoformat()))
    return rows
