"""One build of the site: content folder in, published site folder out.

The commands (`sitegen build`, and the preview server) call this one function, so every way of
building gives the same bytes. The work is done by sitegen.build.engine: a full build across all
cores the first time, afterwards only what changed (see docs/performance.md).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from pathlib import Path

from sitegen.build.engine import build
from sitegen.content.dated import today as build_today
from sitegen.site.theme import Theme


@dataclass(frozen=True)
class BuildResult:
    pages: int  # HTML pages in the site
    clinics: int
    seconds: float
    written: int = 0  # files of the public site written (the others already had the right bytes)
    removed: int = 0  # files removed (pages of deleted mottagningar, an old stylesheet)
    incremental: bool = False  # True when the last build's cache was used
    rendered: int = 0  # contact pages rendered; the others were known to be unchanged


def build_site(
    content_dir: Path,
    out: Path,
    theme: Theme | None = None,
    *,
    workers: int | None = None,
    full: bool = False,
    today: datetime.date | None = None,
) -> BuildResult:
    """Validate, render and publish; raises ContentInvalid (writing nothing) on bad content.

    `workers`: processes to render with; by default every core, or one when this process runs
    other threads (forking then is not safe). `full`: ignore the cache and render everything.
    `today`: the date whose notices and avvikande öppettider the pages show (by default
    SITEGEN_TODAY, else today in Stockholm); one date for the whole build.
    """
    started = time.perf_counter()
    day = build_today(today)
    outcome = build(Path(content_dir), Path(out), theme or Theme(), workers=workers, full=full, today=day)
    return BuildResult(
        pages=outcome.pages,
        clinics=outcome.clinics,
        seconds=time.perf_counter() - started,
        written=outcome.written,
        removed=outcome.removed,
        incremental=outcome.incremental,
        rendered=outcome.rendered,
    )
