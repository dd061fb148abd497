"""Login with a second factor, step-up, passwords, language; account and security admin."""

from __future__ import annotations

import base64
import io
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from waishi.accounts import forms, services
from waishi.accounts import lockout as locks
from waishi.audit.services import record
from waishi.lib import authpolicy as policy
from waishi.lib.decorators import role_required
from waishi.lib.forms import apply_errors
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import MANAGES_ACCOUNTS, MANAGES_SECURITY
from waishi.orgs import scoping
from waishi.orgs.models import User


def _safe_next(request, fallback: str = "ui:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


# --- login ----------------------------------------------------------------------------------


# Why the last session ended (``?ended=`` from AccountPolicyMiddleware); shown once above
# the login form. Through the URL rather than the messages framework, which is not yet
# installed where the middleware ends the session.
ENDED_NOTICES = {
    "idle": gettext_lazy("Your session ended after a period of inactivity."),
    "absolute": gettext_lazy("Your session reached its maximum length. Please log in again."),
}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        notice = ENDED_NOTICES.get(request.GET.get("ended", ""))
        if notice is not None:
            messages.info(request, notice)
        return super().get(request, *args, **kwargs)


def lockout(request, credentials, *args, **kwargs):
    """Axes calls this when a name is locked, from this address or from all: the same page
    for either lock and for any account name, existing or not."""
    form = forms.LoginForm(request)
    minutes = locks.lockout_minutes()
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "locked": _(
                "Too many failed attempts. Try again in %(minutes)d minutes, or ask the "
                "security administrator."
            )
            % {"minutes": minutes},
        },
        status=429,
    )


@login_required
def otp_verify(request):
    if not policy.needs_otp(request.user):
        return redirect(_safe_next(request))
    if request.user.is_verified():
        return redirect(_safe_next(request))
    device = services.otp_device_for(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:otp-setup')}?next={quote(_safe_next(request))}")
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _data = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            policy.mark_step_up(request.session)
            record(
                action="auth.otp_verified",
                actor=request.user,
                obj=request.user,
                ip=client_ip(request),
            )
            return redirect(_safe_next(request))
        record(
            action="auth.otp_failed", actor=request.user, obj=request.user, ip=client_ip(request)
        )
        form.add_error(
            "token",
            _("The code is wrong or has already been used. Wait for the next code and try again."),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def otp_setup(request):
    if not policy.needs_otp(request.user) or request.user.is_verified():
        return redirect(_safe_next(request))
    if services.otp_device_for(request.user) is not None:
        # A confirmed device exists; replacing it is the security administrator's job.
        return redirect("accounts:otp")
    device = services.otp_enrol_start(user=request.user)
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_enrol_confirm(
            user=request.user,
            device=device,
            token=form.cleaned_data["token"],
            ip=client_ip(request),
        ):
            otp_login(request, device)
            policy.mark_step_up(request.session)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            _("The code does not match. Check the time on your phone and try the next code."),
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "secret": secret,
            "qr": _qr_svg(device.config_url),
            "next": _safe_next(request),
        },
    )


@login_required
def reauth(request):
    """Step-up: the second factor again (or the password, for roles without one)."""
    uses_otp = policy.needs_otp(request.user)
    form_class = forms.TokenForm if uses_otp else forms.PasswordConfirmForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = False
        if uses_otp:
            device = services.otp_device_for(request.user)
            ok = (
                device is not None
                and device.verify_is_allowed()[0]
                and device.verify_token(form.cleaned_data["token"])
            )
        else:
            ok = request.user.check_password(form.cleaned_data["password"])
        if ok:
            policy.mark_step_up(request.session)
            record(
                action="auth.step_up", actor=request.user, obj=request.user, ip=client_ip(request)
            )
            return redirect(_safe_next(request))
        record(
            action="auth.step_up_failed",
            actor=request.user,
            obj=request.user,
            ip=client_ip(request),
        )
        field = "token" if uses_otp else "password"
        form.add_error(field, _("That did not match. Please try again."))
    return render(
        request,
        "accounts/reauth.html",
        {"form": form, "uses_otp": uses_otp, "next": _safe_next(request)},
    )


@require_POST
def logout_view(request):
    logout(request)  # deletes the session row (security.md S1)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                actor=request.user,
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc, default_field="new_password1")
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("ui:home")
    expired = policy.password_expired(request.user)
    return render(request, "accounts/password_change.html", {"form": form, "expired": expired})


@require_POST
def set_language(request):
    language = request.POST.get("language", "")
    response = redirect(_safe_next(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.user_set_language(actor=request.user, language=language, ip=client_ip(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 86400,
        samesite="Lax",
        secure=settings.PRODUCTION,
        httponly=True,
    )
    return response


# --- account administration (system administrator) ------------------------------------------


@role_required(MANAGES_ACCOUNTS)
def user_list(request):
    search = forms.UserSearchForm(request.GET or None)
    users = scoping.visible(request.user, User).select_related("unit", "district")
    if search.is_valid():
        q = search.cleaned_data["q"].strip()
        if q:
            users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
        if search.cleaned_data["role"]:
            users = users.filter(role=search.cleaned_data["role"])
    return render(
        request,
        "accounts/user_list.html",
        {"search": search, **paginate(request, users.order_by("username"))},
    )


@role_required(MANAGES_ACCOUNTS)
def user_create(request):
    form = forms.UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            user, initial = services.user_create(
                actor=request.user, ip=client_ip(request), **values
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "accounts/user_created.html",
                {"account": user, "initial_password": initial},
            )
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@role_required(MANAGES_ACCOUNTS)
def user_edit(request, user_pk: int):
    account = scoping.get_for_user(request.user, User, user_pk)
    form = forms.UserForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields if k != "username"}
        try:
            services.user_update(
                actor=request.user,
                user=User.objects.get(pk=account.pk),
                ip=client_ip(request),
                **values,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The account has been saved."))
            return redirect("accounts:user-edit", user_pk=account.pk)
    from waishi.audit.selectors import history

    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "account": account, "history": history(account)},
    )


# --- account security (security administrator) ----------------------------------------------


@role_required(MANAGES_SECURITY)
def security(request):
    locked_names = locks.locked_usernames()
    search = forms.UserSearchForm(request.GET or None)
    users = scoping.visible(request.user, User).select_related("unit")
    if search.is_valid():
        q = search.cleaned_data["q"].strip()
        if q:
            users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
        if search.cleaned_data["role"]:
            users = users.filter(role=search.cleaned_data["role"])
    page = paginate(request, users.order_by("username"))
    for account in page["page_obj"]:
        account.locked = account.username in locked_names
        account.expires_password = policy.password_expires_at(account)
    return render(
        request,
        "accounts/security.html",
        {
            "search": search,
            "locked_count": len(locked_names),
            **page,
            "policy": {
                "min_length": settings.PASSWORD_MIN_LENGTH,
                "min_classes": settings.PASSWORD_MIN_CLASSES,
                "max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
                "history": settings.PASSWORD_HISTORY,
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "lockout_minutes": int(settings.AXES_COOLOFF_TIME * 60),
                "account_failure_limit": settings.ACCOUNT_FAILURE_LIMIT,
                "account_lockout_minutes": settings.ACCOUNT_LOCKOUT_MINUTES,
                "idle_minutes": settings.SESSION_IDLE_MINUTES,
                "absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
            },
        },
    )


SECURITY_ACTIONS = {
    "unlock": (services.user_unlock, _("The lockout has been lifted.")),
    "reset_otp": (
        services.user_reset_otp,
        _("The second-factor devices were removed; the user enrols a new one at the next login."),
    ),
}


@role_required(MANAGES_SECURITY)
def security_action(request, user_pk: int):
    """A confirmation page on GET, the action on POST (a GET never changes state)."""
    account = scoping.get_for_user(request.user, User, user_pk)
    action = request.POST.get("action") or request.GET.get("action", "")
    if action not in {*SECURITY_ACTIONS, "reset_password"}:
        raise PermissionDenied
    if request.method != "POST":
        return render(
            request, "accounts/security_confirm.html", {"account": account, "action": action}
        )
    if action == "reset_password":
        initial = services.user_reset_password(
            actor=request.user, user=account, ip=client_ip(request)
        )
        return render(
            request,
            "accounts/user_created.html",
            {"account": account, "initial_password": initial, "reset": True},
        )
    service, message = SECURITY_ACTIONS[action]
    service(actor=request.user, user=account, ip=client_ip(request))
    messages.success(request, message)
    return redirect("accounts:security")
