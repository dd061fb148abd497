"""The links to the public declaration form (campaigns): the city command opens and
switches them off; the auditor reads them. Each has its full address and a QR code to
print (a PNG drawn here: the qrcode package makes the matrix, the few lines below write
it as PNG, so no imaging library and no web service are needed)."""

from __future__ import annotations

import struct
import zlib

import qrcode
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from waishi.arrivals import declarations
from waishi.arrivals.models import Campaign
from waishi.audit.selectors import history
from waishi.lib.decorators import role_required
from waishi.lib.forms import DateInput, Form, apply_errors, flash_refusal, style_fields
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import COMMAND, COMMAND_READERS, has
from waishi.orgs import scoping

MANAGERS = COMMAND
READERS = COMMAND_READERS


class CampaignForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Only staff see it, e.g. “Flights from Frankfurt, May”."),
    )
    variant = forms.ChoiceField(
        label=_("Form the link opens"), choices=Campaign.Variant.choices, widget=forms.RadioSelect
    )
    ends_on = forms.DateField(
        label=_("Last day (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("After this day the link shows a closed page."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CampaignSearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name of the link"), "type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Open and closed")),
            ("open", _("Open for declarations")),
            ("closed", _("Closed")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


def public_link(request, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("declare:form", args=[campaign.token]))


@role_required(READERS)
def campaign_list(request):
    search = CampaignSearchForm(request.GET or None)
    rows = scoping.visible(request.user, Campaign).select_related("created_by")
    today = timezone.localdate()
    if search.is_valid():
        if search.cleaned_data["q"]:
            rows = rows.filter(name__icontains=search.cleaned_data["q"].strip())
        state = search.cleaned_data["state"]
        still_open = rows.filter(active=True).exclude(ends_on__lt=today)
        if state == "open":
            rows = still_open
        elif state == "closed":
            rows = rows.exclude(pk__in=still_open.values("pk"))
    return render(
        request,
        "arrivals/campaign_list.html",
        {
            "search": search,
            "today": today,
            "can_manage": has(request.user, MANAGERS),
            **paginate(request, rows.order_by("-created_at", "-pk")),
        },
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None, initial={"variant": Campaign.Variant.ARRIVAL})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = declarations.campaign_create(
                actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("The link is open. Print its QR code or send the link.")
            )
            return redirect("arrivals:campaign-detail", campaign_pk=campaign.pk)
    return render(request, "arrivals/campaign_form.html", {"form": form})


@role_required(READERS)
@require_http_methods(["GET", "POST"])
def campaign_detail(request, campaign_pk: int):
    campaign = scoping.get_for_user(
        request.user, Campaign.objects.select_related("created_by"), campaign_pk
    )
    can_manage = has(request.user, MANAGERS)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if request.POST.get("action") != "switch_off":
            messages.error(request, gettext("Nothing was changed."))
        else:
            try:
                declarations.campaign_switch_off(
                    actor=request.user, campaign=campaign, ip=client_ip(request)
                )
            except ValidationError as exc:
                flash_refusal(request, exc)
            else:
                messages.success(request, gettext("The link is switched off."))
        return redirect("arrivals:campaign-detail", campaign_pk=campaign.pk)
    link = public_link(request, campaign)
    return render(
        request,
        "arrivals/campaign_detail.html",
        {
            "campaign": campaign,
            "link": link,
            "is_open": campaign.open_on(timezone.localdate()),
            "declarations": declarations.campaign_declarations(campaign),
            "can_manage": can_manage,
            "history": history(campaign),
        },
    )


@role_required(READERS)
@require_GET
def campaign_qr(request, campaign_pk: int):
    campaign = scoping.get_for_user(request.user, Campaign, campaign_pk)
    response = HttpResponse(qr_png(public_link(request, campaign)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="declaration-link-{campaign.pk}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- a QR code as PNG, without an imaging library -----------------------------------


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules, quiet zone included (True is dark)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_png(text: str, *, scale: int = 8) -> bytes:
    """A black-on-white, one-bit greyscale PNG of the QR code of ``text``."""
    matrix = qr_matrix(text)
    size = len(matrix) * scale
    rows = bytearray()
    for modules in matrix:
        bits = "".join(("0" if dark else "1") * scale for dark in modules)
        bits += "1" * (-len(bits) % 8)
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter: none
        rows += line * scale
    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
