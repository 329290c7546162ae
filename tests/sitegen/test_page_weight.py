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


def test_front_page_of_ten_thousand_mottagningar_stays_small(tmp_path: Path) -> None:
    """At a national 10,000 mottagningar (bench/synth.py's region) the front page lists the
    municipalities with their counts, not every mottagning, and stays ≤ 30 KB gzipped."""
    from dataclasses import dataclass
    from types import SimpleNamespace

    from bench.synth import generate
    from sitegen.content.loader import validate_site
    from sitegen.content.yamlsource import parse_yaml_bytes
    from sitegen.site.municipalities import group_by_municipality
    from sitegen.site.render import SiteRenderer
    from sitegen.site.theme import Theme

    synthetic = generate(tmp_path / "content", 10_000)

    @dataclass(frozen=True)
    class Entry:
        path: str
        clinic: SimpleNamespace

    entries = []
    for slug in synthetic.clinics:
        text = (tmp_path / "content/clinics" / f"{slug}.yaml").read_text(encoding="utf-8")
        name = re.search(r"^name: (.+)$", text, re.M)
        town = re.search(r"^municipality: (.+)$", text, re.M)
        assert name and town
        entries.append(Entry(f"mottagningar/{slug}/", SimpleNamespace(name=name.group(1), municipality=town.group(1))))
    site_path = tmp_path / "content/site.yaml"
    site, _ = validate_site(parse_yaml_bytes(site_path, site_path.read_bytes()))
    groups = group_by_municipality(entries)
    front = SiteRenderer(site, Theme()).index(groups)
    assert len(entries) == 10_000 and len(groups) > 200
    assert sum(group.count for group in groups) == 10_000
    assert gzipped(front) <= 30 * 1024, f"{gzipped(front)} bytes gzipped"
