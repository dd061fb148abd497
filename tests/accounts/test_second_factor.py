"""Second factor (A4) and step-up re-authentication (S2)."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_code, login
from tests.factories import PASSWORD
from tests.lib.pagetext import zh
from tests.lib.urlwalk import endpoints, fill
from waishi.accounts.middleware import API_PATHS, OTP_OPEN
from waishi.audit.models import AuditEvent
from waishi.lib.roles import OTP_REQUIRED

OTP = "/accounts/otp/"
REAUTH = "/accounts/reauth/"


def _code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password_login(username: str, ip: str = "10.0.0.1") -> tuple[Client, object]:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip
    )
    return client, response


# --- A4: every URL wants the second factor ---------------------------------------------------


@pytest.mark.parametrize("role", sorted(OTP_REQUIRED))
def test_password_only_session_reaches_nothing_but_the_otp_pages(cast, role):
    client = login(Client(), cast[role], verified=False)
    checked = 0
    for endpoint in endpoints():
        path = fill(endpoint)
        if path.startswith(OTP_OPEN):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            checked += 1
            if path.startswith(API_PATHS):
                assert response.status_code == 403, (method, path)
                assert response.json()["error"]["code"] == "otp_required"
            else:
                assert response.status_code == 302, (method, path, response.status_code)
                assert response["Location"].startswith(OTP), (method, path)
    assert checked > 20


def test_password_only_htmx_request_is_sent_to_the_otp_page(cast):
    client = login(Client(), cast["fao_reviewer"], verified=False)
    response = client.get("/orgs/people/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["HX-Redirect"].startswith(OTP)
    assert response.content == b""


def test_otp_exceptions_are_only_the_documented_ones():
    assert set(OTP_OPEN) == {
        "/accounts/otp/",
        "/accounts/logout/",
        "/accounts/language/",
        "/static/",
        "/healthz",
    }


def test_unit_clerk_needs_no_second_factor(cast):
    assert "unit_clerk" not in OTP_REQUIRED
    client, response = _password_login("unit_clerk")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_then_totp_then_in(cast):
    client, response = _password_login("fao_reviewer")
    assert response.status_code == 302
    response = client.get("/orgs/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(OTP)
    assert parse_qs(urlparse(response["Location"]).query)["next"] == ["/orgs/people/"]
    response = client.post(
        OTP, {"token": current_code(cast["fao_reviewer"]), "next": "/orgs/people/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/orgs/people/"
    assert client.get("/orgs/people/").status_code == 200
    assert AuditEvent.objects.filter(
        action="auth.otp_verified", actor_id=cast["fao_reviewer"].pk
    ).exists()


def test_replayed_code_is_refused(cast):
    user = cast["fao_head"]
    with time_machine.travel(timezone.now(), tick=False):
        code = current_code(user)
        first, _response = _password_login("fao_head")
        assert first.post(OTP, {"token": code}).status_code == 302
        assert first.get("/").status_code == 200
        # The same code in a second session, within the same 30-second window.
        second, _response = _password_login("fao_head", ip="10.0.0.2")
        response = second.post(OTP, {"token": code})
        assert response.status_code == 200
        assert (
            zh("The code is wrong or has already been used. Wait for the next code and try again.")
            in response.content.decode()
        )
        assert second.get("/").status_code == 302


def test_wrong_code_is_refused_and_recorded(cast):
    user = cast["auditor"]
    client, _response = _password_login("auditor")
    good = current_code(user)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(OTP, {"token": wrong}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.filter(action="auth.otp_failed").latest("seq")
    assert event.actor_id == user.pk
    assert event.ip == "10.0.0.1"


def test_non_numeric_code_is_refused(cast):
    client, _response = _password_login("auditor")
    response = client.post(OTP, {"token": "12a456"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_user_without_device_is_sent_to_setup_and_enrols(cast):
    user = cast["committee"]
    TOTPDevice.objects.filter(user=user).delete()
    client, _response = _password_login("committee")
    response = client.get(OTP)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/")
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert f'data-testid="otp-secret">{secret}<' in page.content.decode()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        # A wrong code does not confirm.
        wrong = f"{(int(_code_of(device)) + 1) % 1_000_000:06d}"
        assert client.post("/accounts/otp/setup/", {"token": wrong}).status_code == 200
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        # After the throttle's delay (OTP_TOTP_THROTTLE_FACTOR seconds), the right code does.
        traveller.shift(dt.timedelta(seconds=2))
        response = client.post("/accounts/otp/setup/", {"token": _code_of(device)})
        assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.otp.enrol", actor_id=user.pk).exists()


def test_setup_is_refused_when_a_device_exists(cast):
    client, _response = _password_login("fao_reviewer")
    response = client.get("/accounts/otp/setup/")
    assert response.status_code == 302
    assert response["Location"] == OTP
    assert not TOTPDevice.objects.filter(user=cast["fao_reviewer"], confirmed=False).exists()


# --- S2: step-up before showing a full ID number ---------------------------------------------


def _unmask(client: Client, person, **extra):
    return client.post(f"/orgs/people/{person.pk}/id-number/", **extra)


def test_unmask_needs_a_fresh_step_up(as_user, cast, home_person):
    user = cast["fao_reviewer"]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = as_user("fao_reviewer")
        response = _unmask(client, home_person, HTTP_REFERER=f"/orgs/people/{home_person.pk}/")
        assert response.status_code == 302
        assert response["Location"].startswith(REAUTH)
        assert not AuditEvent.objects.filter(action="orgs.person.unmask").exists()
        next_url = parse_qs(urlparse(response["Location"]).query)["next"][0]
        assert next_url == f"/orgs/people/{home_person.pk}/"

        response = client.post(REAUTH, {"token": current_code(user), "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == next_url
        assert AuditEvent.objects.filter(action="auth.step_up", actor_id=user.pk).exists()

        response = _unmask(client, home_person)
        assert response.status_code == 200
        assert home_person.reveal_id_number() in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        event = AuditEvent.objects.get(action="orgs.person.unmask")
        assert event.actor_id == user.pk
        assert event.object_id == str(home_person.pk)

        traveller.shift(dt.timedelta(minutes=settings.STEP_UP_MINUTES - 1))
        assert _unmask(client, home_person).status_code == 200
        traveller.shift(dt.timedelta(minutes=2))
        response = _unmask(client, home_person)
        assert response.status_code == 302
        assert response["Location"].startswith(REAUTH)
        assert AuditEvent.objects.filter(action="orgs.person.unmask").count() == 2


def test_step_up_without_referer_comes_back_home(as_user, home_person):
    response = _unmask(as_user("fao_head"), home_person)
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query)["next"] == ["/"]


def test_step_up_over_htmx_redirects_the_page(as_user, home_person):
    response = _unmask(as_user("fao_head"), home_person, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(REAUTH)


def test_reauth_refuses_a_wrong_code_and_records_it(as_user, cast):
    user = cast["fao_reviewer"]
    client = as_user("fao_reviewer")
    good = current_code(user)
    response = client.post(REAUTH, {"token": f"{(int(good) + 1) % 1_000_000:06d}"})
    assert response.status_code == 200
    assert zh("That did not match. Please try again.") in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.step_up_failed", actor_id=user.pk).exists()
    assert not AuditEvent.objects.filter(action="auth.step_up").exists()


def test_reauth_refuses_the_code_used_at_login(cast, home_person):
    user = cast["fao_reviewer"]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client, _response = _password_login("fao_reviewer")
        code = current_code(user)
        assert client.post(OTP, {"token": code}).status_code == 302
        # Passing the second factor at login counts as a fresh step-up ...
        assert _unmask(client, home_person).status_code == 200
        traveller.shift(dt.timedelta(minutes=settings.STEP_UP_MINUTES + 1))
        assert _unmask(client, home_person).status_code == 302
        # ... but its code cannot be used again: TOTP is single use.
        traveller.shift(dt.timedelta(seconds=-(settings.STEP_UP_MINUTES + 1) * 60))
        response = client.post(REAUTH, {"token": code})
        assert response.status_code == 200


def test_roles_without_otp_step_up_with_their_password(as_user, cast, home_person):
    client = as_user("unit_clerk")
    response = client.get(REAUTH)
    assert response.status_code == 200
    assert 'type="password"' in response.content.decode()
    assert client.post(REAUTH, {"password": "Wrong#Password1"}).status_code == 200
    assert client.post(REAUTH, {"password": PASSWORD}).status_code == 302
    # Fresh, but a unit clerk may still not see full numbers.
    response = _unmask(client, home_person)
    assert response.status_code == 403
    assert home_person.reveal_id_number() not in response.content.decode()
    assert not AuditEvent.objects.filter(action="orgs.person.unmask").exists()


def test_reauth_next_must_stay_on_this_site(as_user, cast):
    client = as_user("fao_reviewer")
    response = client.post(
        REAUTH, {"token": current_code(cast["fao_reviewer"]), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_token_pages_under_api_are_pages_not_json(cast):
    client = login(Client(), cast["fao_reviewer"], verified=False)
    response = client.get("/api/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith(OTP)
    assert client.get("/api/v1/me/").json()["error"]["code"] == "otp_required"
