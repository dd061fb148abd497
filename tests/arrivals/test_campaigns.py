"""The links to the public form (campaigns): the city command opens and switches them
off (audited), the auditor reads them, nobody else; each has its address and a QR code
that encodes it."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.lib.pagetext import zh
from waishi.arrivals import declarations
from waishi.arrivals.campaign_views import qr_matrix, qr_png
from waishi.arrivals.models import Campaign
from waishi.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _clean_limits():
    cache.clear()


def _create(client, **overrides):
    data = {"name": "法兰克福航班五月", "variant": "arrival", "ends_on": ""}
    data.update(overrides)
    return client.post("/arrivals/campaigns/new/", data)


def test_the_city_command_opens_a_link_and_it_works(as_user, cast):
    command = as_user("city_command")
    assert command.get("/arrivals/campaigns/new/").status_code == 200
    response = _create(command)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/arrivals/campaigns/{campaign.pk}/"
    assert campaign.created_by == cast["city_command"] and campaign.active
    event = AuditEvent.objects.get(action="arrivals.campaign.create")
    assert event.actor_id == cast["city_command"].pk and event.after["variant"] == "arrival"

    page = command.get(f"/arrivals/campaigns/{campaign.pk}/").content.decode()
    link = f"http://testserver/declare/{campaign.token}/"
    assert link in page
    assert f"/arrivals/campaigns/{campaign.pk}/qr.png" in page
    assert Client().get(f"/declare/{campaign.token}/").status_code == 200

    listing = command.get("/arrivals/campaigns/").content.decode()
    assert "法兰克福航班五月" in listing
    assert "法兰克福" in command.get("/arrivals/campaigns/", {"q": "法兰"}).content.decode()
    assert "法兰克福" not in command.get("/arrivals/campaigns/", {"q": "东京"}).content.decode()
    assert (
        "法兰克福" not in command.get("/arrivals/campaigns/", {"state": "closed"}).content.decode()
    )


def test_the_qr_code_is_a_png_of_the_link(as_user):
    command = as_user("city_command")
    _create(command)
    campaign = Campaign.objects.get()
    response = command.get(f"/arrivals/campaigns/{campaign.pk}/qr.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    matrix = qr_matrix(f"http://testserver/declare/{campaign.token}/")
    assert width == height == len(matrix) * 8 and (depth, colour) == (1, 0)
    assert _decode(png) == matrix


def _decode(png: bytes) -> list[list[bool]]:
    """Read back our one-bit PNG: one module per 8x8 block, dark where the bit is 0."""
    at, idat, width = 8, b"", 0
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        tag, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        crc = struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0]
        assert crc == zlib.crc32(tag + data) & 0xFFFFFFFF
        if tag == b"IHDR":
            width = struct.unpack(">I", data[:4])[0]
        elif tag == b"IDAT":
            idat += data
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + (width + 7) // 8
    modules = width // 8
    rows = []
    for r in range(modules):
        line = raw[r * 8 * stride : r * 8 * stride + stride]
        assert line[0] == 0
        bits = "".join(f"{byte:08b}" for byte in line[1:])
        rows.append([bits[c * 8] == "0" for c in range(modules)])
    return rows


def test_qr_png_of_any_text_is_well_formed():
    png = qr_png("https://example.gov.cn/declare/abc/?lang=en")
    assert _decode(png) == qr_matrix("https://example.gov.cn/declare/abc/?lang=en")


def test_switching_off_closes_the_public_form_and_is_audited(as_user, cast):
    command = as_user("city_command")
    _create(command)
    campaign = Campaign.objects.get()
    response = command.post(f"/arrivals/campaigns/{campaign.pk}/", {"action": "switch_off"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.active
    event = AuditEvent.objects.get(action="arrivals.campaign.switch_off")
    assert event.actor_id == cast["city_command"].pk and event.after == {"active": False}
    assert Client().get(f"/declare/{campaign.token}/").status_code == 404
    # Twice: refused with a message, nothing recorded.
    again = command.post(
        f"/arrivals/campaigns/{campaign.pk}/", {"action": "switch_off"}, follow=True
    )
    assert zh("This link is already switched off.") in again.content.decode()
    assert AuditEvent.objects.filter(action="arrivals.campaign.switch_off").count() == 1
    assert "法兰克福" in command.get("/arrivals/campaigns/", {"state": "closed"}).content.decode()


def test_an_unknown_action_changes_nothing(as_user):
    command = as_user("city_command")
    _create(command)
    campaign = Campaign.objects.get()
    command.post(f"/arrivals/campaigns/{campaign.pk}/", {"action": "delete", "active": ""})
    campaign.refresh_from_db()
    assert campaign.active


def test_the_auditor_reads_and_changes_nothing(as_user, cast):
    campaign = declarations.campaign_create(
        actor=cast["city_command"], name="审计可见", variant="resident"
    )
    auditor = as_user("auditor")
    assert "审计可见" in auditor.get("/arrivals/campaigns/").content.decode()
    assert auditor.get(f"/arrivals/campaigns/{campaign.pk}/").status_code == 200
    assert auditor.get(f"/arrivals/campaigns/{campaign.pk}/qr.png").status_code == 200
    assert auditor.get("/arrivals/campaigns/new/").status_code == 403
    assert _create(auditor).status_code == 403
    response = auditor.post(f"/arrivals/campaigns/{campaign.pk}/", {"action": "switch_off"})
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.active and Campaign.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["district_officer", "fao_reviewer", "fao_head", "unit_clerk", "sys_admin"]
)
def test_other_roles_see_no_link(as_user, cast, role):
    campaign = declarations.campaign_create(
        actor=cast["city_command"], name="仅指挥部", variant="arrival"
    )
    client = as_user(role)
    for path in (
        "/arrivals/campaigns/",
        "/arrivals/campaigns/new/",
        f"/arrivals/campaigns/{campaign.pk}/",
        f"/arrivals/campaigns/{campaign.pk}/qr.png",
    ):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(f"/arrivals/campaigns/{campaign.pk}/", {"action": "switch_off"}).status_code
        == 403
    )
    campaign.refresh_from_db()
    assert campaign.active


def test_anonymous_is_sent_to_login():
    response = Client().get("/arrivals/campaigns/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_bad_input_is_refused_with_clear_messages(as_user):
    command = as_user("city_command")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = _create(command, ends_on=yesterday).content.decode()
    assert zh("The end date cannot be in the past.") in body
    assert _create(command, name="").status_code == 200
    assert _create(command, variant="other").status_code == 200
    assert _create(command, name="x" * 101).status_code == 200
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="arrivals.campaign").exists()


def test_a_link_ends_after_its_last_day(as_user, cast):
    today = timezone.localdate()
    campaign = declarations.campaign_create(
        actor=cast["city_command"], name="今日截止", variant="arrival", ends_on=today
    )
    assert Client().get(f"/declare/{campaign.token}/").status_code == 200
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=today - dt.timedelta(days=1))
    assert Client().get(f"/declare/{campaign.token}/").status_code == 404
    page = as_user("city_command").get(f"/arrivals/campaigns/{campaign.pk}/").content.decode()
    assert zh("Closed") in page


def test_the_services_check_the_role(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        declarations.campaign_create(actor=cast["auditor"], name="x", variant="arrival")
    campaign = declarations.campaign_create(actor=cast["city_command"], name="x", variant="arrival")
    with pytest.raises(PermissionDenied):
        declarations.campaign_switch_off(actor=cast["district_officer"], campaign=campaign)
