"""The pages where a signed-in user manages their personal API tokens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from waishi.api import selectors, services
from waishi.api.forms import TokenForm
from waishi.lib.decorators import step_up_challenge
from waishi.lib.forms import apply_errors
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import MANAGES_SECURITY, has


@login_required
def token_list(request):
    context = {
        "form": TokenForm(),
        "tokens": selectors.tokens_of(request.user),
        "manages_security": has(request.user, MANAGES_SECURITY),
    }
    if context["manages_security"]:
        context.update(paginate(request, selectors.tokens_of_others(request.user)))
    return render(request, "api/token_list.html", context)


@login_required
@never_cache
def token_create(request):
    """GET shows the form (also where the identity check sends the user back to); POST
    creates the token and shows it once. A token is a credential that outlives the
    session, so it is issued only after a fresh identity check (security.md S2)."""
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("name", "days") if request.GET.get(k)}
        form = TokenForm(initial=initial)
        return render(request, "api/token_form.html", {"form": form})
    form = TokenForm(request.POST)
    if form.is_valid():
        # Come back to the form with what was typed (neither value is secret).
        back = f"{reverse('api:token-create')}?{urlencode(form.cleaned_data)}"
        challenge = step_up_challenge(request, back=back)
        if challenge is not None:
            return challenge
        try:
            token, raw = services.api_token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "api/token_created.html", {"token": token, "raw_token": raw})
    return render(request, "api/token_form.html", {"form": form})


@login_required
def token_revoke(request, token_prefix: str):
    """A confirmation page on GET, the revocation on POST (a GET never changes state)."""
    token = selectors.token_get_for_user(request.user, token_prefix)
    if request.method != "POST":
        return render(request, "api/token_revoke.html", {"token": token})
    try:
        services.api_token_revoke(actor=request.user, token=token, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The API token has been revoked; it stops working at once."))
    return redirect("api:token-list")
