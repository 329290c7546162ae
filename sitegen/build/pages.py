"""Stage 4 of a build: the pages besides the contact pages (the index, the fixed pages, the
sitemap, robots.txt and the stylesheet), each written only when something it shows changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sitegen.build.cache import BuildState, OutputRecord, Summary
from sitegen.build.shards import Sink
from sitegen.content.snapshot import CLINICS_DIR
from sitegen.site.render import FIXED_PAGES, SiteRenderer
from sitegen.site.theme import Theme


class CardView:
    """A mottagning's card as the index template sees it; a key it does not have is an error.

    The index is rendered from the cached summaries, not from loaded files; a template asking for
    something the summary lacks must fail loudly rather than render an empty value.
    """

    def __init__(self, card: dict[str, Any], seen: set[str] | None = None) -> None:
        self._card = card
        self._seen = seen

    def __getattr__(self, name: str) -> Any:
        if self._seen is not None:
            self._seen.add(name)  # the fields the index shows: a change elsewhere leaves it as it is
        try:
            value = self._card[name]
        except KeyError:
            raise AttributeError(name) from None
        return CardView(value) if isinstance(value, dict) else value

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class IndexEntry:
    slug: str
    clinic: Any

    @property
    def path(self) -> str:
        return f"mottagningar/{self.slug}/"


def index_stale(
    state: BuildState,
    summaries: Mapping[str, Summary],
    dirty: Iterable[str],
    fingerprints: Mapping[str, str],
    changed: set[str],
    previous_outputs: Mapping[str, OutputRecord],
) -> bool:
    """Whether the index page must be rendered again: the last build recorded which card fields the
    index template read; a change to any other field (a phone number) cannot change the index."""
    if (
        "site" in changed
        or state.theme.get("index") != fingerprints["index"]
        or "index.html" not in previous_outputs
        or summaries.keys() != state.summaries.keys()
    ):
        return True
    fields = state.index_fields
    for slug in dirty:
        old, new = state.summaries[slug].card, summaries[slug].card
        if any(old.get(field) != new.get(field) for field in fields):
            return True
    return False


def is_stale(path: str, removed: set[str], theme_files: Iterable[str]) -> bool:
    """A published file the new site no longer has: a removed page or an old stylesheet or favicon."""
    if path.startswith("mottagningar/"):
        return path.split("/")[1] in removed
    if path.startswith(CLINICS_DIR):
        return path[len(CLINICS_DIR) + 1 : -len(".json")] in removed
    return path.startswith("static/") and path not in theme_files


def write_site_pages(
    renderer: SiteRenderer,
    theme: Theme,
    sink: Sink,
    summaries: Mapping[str, Summary],
    slugs: Iterable[str],
    outputs: dict[str, OutputRecord],
    index_fields: set[str] | None,
    state: BuildState | None,
    changed: set[str],
    slugs_changed: bool,
) -> int:
    """The pages besides the contact pages, those that may have changed; returns how many were written.

    The index when `index_fields` is given (filled with the card fields it reads); the fixed pages
    when site.yaml or their templates changed; sitemap.xml and robots.txt when site.yaml or the
    set of mottagningar changed; the stylesheet and favicon when they are new; any of them when it is missing or
    was changed by hand (not in `outputs`).
    """
    site_changed = state is None or "site" in changed

    def stale(path: str, kind: str | None = None) -> bool:
        if state is None or path not in outputs or site_changed:
            return True
        return kind is not None and state.theme.get(kind) != renderer.fingerprints().get(kind)

    files: dict[str, bytes] = {}
    if index_fields is not None:
        entries = [IndexEntry(slug, CardView(summaries[slug].card, index_fields)) for slug in slugs]
        files["index.html"] = renderer.index(entries)
    for path, template in FIXED_PAGES.items():
        if stale(path, path):
            files[path] = renderer.fixed_page(template)
    for path, data in theme.site_files.items():
        if stale(path):
            files[path] = data
    if slugs_changed or stale("sitemap.xml"):
        files["sitemap.xml"] = renderer.sitemap([IndexEntry(slug, None) for slug in slugs])
    if stale("robots.txt"):
        files["robots.txt"] = renderer.robots()
    written = 0
    for relative, data in files.items():
        outputs[relative], changed = sink.put(relative, data)
        written += changed
    return written
