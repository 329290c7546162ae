"""One build of the site: content folder in, published site folder out.

The commands (`sitegen build`, and the preview server) call this one function, so every way of
building gives the same bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sitegen.loader import load_content
from sitegen.publish import publish
from sitegen.render import render_site
from sitegen.theme import Theme


@dataclass(frozen=True)
class BuildResult:
    pages: int  # HTML pages in the site
    clinics: int
    seconds: float


def build_site(content_dir: Path, out: Path, theme: Theme | None = None) -> BuildResult:
    """Validate, render and publish; raises ContentInvalid (writing nothing) on bad content."""
    started = time.perf_counter()
    content = load_content(content_dir)
    files = render_site(content, theme or Theme())
    publish(files, out)
    pages = sum(1 for name in files if name.endswith(".html"))
    return BuildResult(pages=pages, clinics=len(content.clinics), seconds=time.perf_counter() - started)
