"""Every page of the site links the favicon (SVG and ICO), fingerprinted and replaced like the stylesheet."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sitegen.build.run import build_site
from sitegen.site.theme import DEFAULT_THEME, Theme


def test_every_page_links_both_favicons_and_they_are_published(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(content_dir, out)
    theme = Theme()
    svg, ico = theme.favicon_path("svg"), theme.favicon_path("ico")
    assert svg is not None and re.fullmatch(r"static/favicon\.[0-9a-f]{10}\.svg", svg)
    assert ico is not None and re.fullmatch(r"static/favicon\.[0-9a-f]{10}\.ico", ico)
    assert (out / svg).read_bytes() == (DEFAULT_THEME / "static" / "favicon.svg").read_bytes()
    assert (out / ico).read_bytes()[:4] == b"\0\0\1\0"  # an ICO file
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert f'<link rel="icon" href="/{svg}" type="image/svg+xml">' in html, page
        assert f'<link rel="icon" href="/{ico}" sizes="16x16 32x32 48x48">' in html, page


def test_a_changed_favicon_gets_a_new_name_and_the_old_one_goes(content_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "theme"
    shutil.copytree(DEFAULT_THEME, folder)
    out = tmp_path / "site"
    build_site(content_dir, out, Theme(folder))
    old = Theme(folder).favicon_path("svg")
    favicon = folder / "static" / "favicon.svg"
    favicon.write_text(favicon.read_text(encoding="utf-8").replace("#1c4f7c", "#123a5c"), encoding="utf-8")
    result = build_site(content_dir, out, Theme(folder))
    new = Theme(folder).favicon_path("svg")
    assert result.incremental and new != old
    assert (out / str(new)).is_file() and not (out / str(old)).exists()
    assert f'href="/{new}"' in (out / "index.html").read_text(encoding="utf-8")
