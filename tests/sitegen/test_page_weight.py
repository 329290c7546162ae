"""Lean pages: a contact page arrives in the first round trip of a TCP connection.

A citizen on a weak mobile connection gets about 14 KB in the first round trip (ten segments of
1,460 bytes); a contact page and its stylesheet, gzipped, must fit in that. No JavaScript, no web
fonts, and a stylesheet whose name carries its content hash, so it can be cached for a year.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from sitegen.build.run import build_site

DEMO = Path(__file__).resolve().parents[2] / "content"
FIRST_ROUND_TRIP = 14 * 1024


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("weight") / "site"
    build_site(DEMO, out)
    return out


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, 6))  # a web server's usual level


def test_largest_contact_page_with_css_fits_the_first_round_trip(demo_site: Path) -> None:
    css = next((demo_site / "static").glob("style.*.css")).read_bytes()
    pages = sorted((demo_site / "mottagningar").glob("*/index.html"))
    assert pages
    largest = max(pages, key=lambda page: gzipped(page.read_bytes()))
    weight = gzipped(largest.read_bytes()) + gzipped(css)
    assert weight <= FIRST_ROUND_TRIP, f"{largest.parent.name}: {weight} bytes gzipped with the CSS"


def test_no_javascript_and_no_web_fonts(demo_site: Path) -> None:
    css = next((demo_site / "static").glob("style.*.css")).read_text(encoding="utf-8")
    assert "@font-face" not in css and not re.search(r"\.(woff2?|ttf|otf)\b", css)
    assert "@import" not in css  # one request for all the CSS
    for page in demo_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8").lower()
        assert "<script" not in html and "javascript:" not in html, page
        assert 'as="font"' not in html and "fonts.googleapis" not in html, page
    assert not [path for path in demo_site.rglob("*") if path.suffix in {".js", ".mjs", ".woff", ".woff2"}]


def test_stylesheet_name_is_its_content_hash(demo_site: Path) -> None:
    (css,) = list((demo_site / "static").glob("style.*.css"))
    assert css.name == f"style.{hashlib.sha256(css.read_bytes()).hexdigest()[:10]}.css"
    for page in demo_site.rglob("*.html"):
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.read_text(encoding="utf-8"))
        assert links == [f"/static/{css.name}"], page
