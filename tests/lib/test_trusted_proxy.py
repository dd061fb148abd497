"""The client's address behind trusted reverse proxies (WAISHI_TRUSTED_PROXIES)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.http import HttpResponse
from django.test import RequestFactory

from waishi.lib.middleware import TrustedProxyMiddleware


def _address(settings, trusted, remote, forwarded=None):
    settings.TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["remote"] = request.META["REMOTE_ADDR"]
        seen["proxy"] = request.META.get("waishi.proxy_addr")
        return HttpResponse()

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    TrustedProxyMiddleware(view)(RequestFactory().get("/", **extra))
    return seen["remote"], seen["proxy"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert _address(settings, [], "10.0.0.5", "203.0.113.9") == ("10.0.0.5", None)


def test_a_request_through_nginx_carries_the_client_address(settings):
    assert _address(settings, ["10.0.0.5"], "10.0.0.5", "203.0.113.9") == (
        "203.0.113.9",
        "10.0.0.5",
    )


def test_a_forged_left_entry_is_not_believed(settings):
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address.
    assert _address(settings, ["10.0.0.0/24"], "10.0.0.5", "1.2.3.4, 203.0.113.9")[0] == (
        "203.0.113.9"
    )


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    # client -> load balancer 10.0.1.2 -> nginx 10.0.0.5 -> app
    found = _address(
        settings, ["10.0.0.0/24", "10.0.1.0/24"], "10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.1.2"
    )
    assert found == ("198.51.100.7", "10.0.0.5")


def test_a_request_not_from_a_trusted_proxy_keeps_its_address(settings):
    # Straight to the app server (bypassing nginx) with a forged header.
    assert _address(settings, ["10.0.0.5"], "198.51.100.1", "203.0.113.9") == (
        "198.51.100.1",
        None,
    )


def test_garbage_in_the_header_stops_the_walk(settings):
    assert _address(settings, ["10.0.0.5"], "10.0.0.5", "203.0.113.9, not-an-ip")[0] == "10.0.0.5"


def test_a_bad_setting_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAISHI_")}
    env.update(
        DJANGO_SETTINGS_MODULE="waishi.settings",
        WAISHI_VAR_DIR=str(tmp_path),
        WAISHI_TRUSTED_PROXIES="10.0.0.5, nginx",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "WAISHI_TRUSTED_PROXIES: 'nginx' is not an address or a network" in result.stderr
