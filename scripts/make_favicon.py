"""Writes themes/default/static/favicon.ico from favicon.svg, for browsers that ask for /favicon.ico.

Run after changing the SVG: `.venv/bin/python scripts/make_favicon.py`. Chromium (the browser the
tests use) draws the SVG at 16, 32 and 48 pixels, so the ICO is the same picture; the ICO file is
a small header, a directory and those PNG images (PNG inside ICO is read by every current browser).
"""

from __future__ import annotations

import base64
import struct
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.browser import launch_chromium

STATIC = Path(__file__).resolve().parents[1] / "themes" / "default" / "static"
SIZES = (16, 32, 48)


def render_pngs(svg: str) -> list[bytes]:
    images = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            source = base64.b64encode(svg.encode()).decode()
            page.set_content(
                '<html><body style="margin:0;background:transparent">'
                f'<img src="data:image/svg+xml;base64,{source}" width="{size}" height="{size}" '
                'style="display:block"></body></html>'
            )
            images.append(page.screenshot(omit_background=True))
            page.close()
        browser.close()
    return images


def ico(images: list[bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    directory = b""
    for size, data in zip(SIZES, images, strict=True):
        directory += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + directory + b"".join(images)


def main() -> None:
    svg = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    (STATIC / "favicon.ico").write_bytes(ico(render_pngs(svg)))


if __name__ == "__main__":
    main()
