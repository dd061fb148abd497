"""Render waishi/static/waishi/favicon.svg to favicon.png (32 px) and favicon.ico (16, 32 and
48 px) with the browser tests' Chromium. Run `.venv/bin/python scripts/favicon.py` from the
repository after editing the SVG; the results are committed."""

from __future__ import annotations

import os
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path("waishi/static/waishi")
SIZES = (16, 32, 48)


def render(svg: str) -> dict[int, bytes]:
    pngs = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("WAISHI_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content(f'<body style="margin:0;background:transparent">{sized}</body>')
            pngs[size] = page.screenshot(omit_background=True)
            page.close()
        browser.close()
    return pngs


def ico(pngs: dict[int, bytes]) -> bytes:
    # An .ico holding PNG images (read by every browser since IE 9): header, directory, data.
    directory, data = b"", b""
    offset = 6 + 16 * len(pngs)
    for size, png in pngs.items():
        directory += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return struct.pack("<HHH", 0, 1, len(pngs)) + directory + data


if __name__ == "__main__":
    images = render((HERE / "favicon.svg").read_text())
    (HERE / "favicon.png").write_bytes(images[32])
    (HERE / "favicon.ico").write_bytes(ico(images))
