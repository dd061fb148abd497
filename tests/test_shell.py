"""The page shell (base.html): the favicon, the menu button and its panel, the header's
user and logout. How it looks at each width is the browser's to say
(tests/e2e/test_responsive.py); this is the markup those tests lean on."""

from __future__ import annotations

import struct
from html.parser import HTMLParser
from pathlib import Path

from django.contrib.staticfiles import finders
from django.templatetags.static import static

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(body: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(body)
    return parser.found


def test_favicon_ico_leads_to_an_icon_file(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("waishi/favicon.ico")
    data = Path(finders.find("waishi/favicon.ico")).read_bytes()
    # ICONDIR (reserved 0, type 1 = icon, count), then a 16-byte entry per image
    # (ICO format, as Windows' SDK documents it); each image here is a PNG.
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 2
    sizes = set()
    for i in range(count):
        width, height, _c, _r, _p, _b, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert data[offset : offset + 8] == PNG_SIGNATURE
        assert offset + length <= len(data)
        sizes.add((width, height))
    assert {(16, 16), (32, 32)} <= sizes


def test_pages_name_their_icons(client, db):
    links = [
        a for tag, a in _elements(client.get("/accounts/login/").content.decode()) if tag == "link"
    ]
    icons = {a["href"] for a in links if a.get("rel") == "icon"}
    assert icons == {static("waishi/favicon.svg"), static("waishi/favicon.png")}
    for href in icons:
        assert finders.find(href.removeprefix(static(""))), href


def test_the_menu_button_opens_the_navigation_and_the_header_names_the_user(as_user, cast):
    user = cast["unit_clerk"]
    elements = _elements(as_user("unit_clerk").get("/").content.decode())
    by_id = {a["id"]: (tag, a) for tag, a in elements if "id" in a}
    toggles = [a for tag, a in elements if a.get("data-testid") == "nav-toggle"]
    assert len(toggles) == 1
    target = toggles[0]["data-bs-target"].removeprefix("#")
    assert toggles[0]["aria-controls"] == target and toggles[0]["aria-label"]
    assert "offcanvas-lg" in by_id[target][1]["class"].split()
    # The panel holds the navigation landmark, named.
    navs = [a for tag, a in elements if tag == "nav" and a.get("aria-label")]
    assert any("offcanvas-body" in a.get("class", "") for a in navs)
    [name] = [a for tag, a in elements if a.get("data-testid") == "current-user"]
    assert name["title"].startswith(user.full_name)
    assert sum(a.get("data-testid") == "logout" for tag, a in elements) == 1


def test_no_menu_button_for_someone_signed_out(client, db):
    elements = _elements(client.get("/accounts/login/").content.decode())
    assert not [a for tag, a in elements if a.get("data-testid") in ("nav-toggle", "logout")]
